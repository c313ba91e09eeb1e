"""Evaluate the decision tables for one set of answers, keeping a trace.

Why a trace: an architect must be able to answer "why did it recommend 13B?"
from the output alone. For every table the trace lists the input values, every
rule that matched (with file:line and its ``because``), and for each rule that
did not match the *first* condition that failed, with the actual value.

Order: answers (validated, defaults applied) -> derived values -> evidence
from ``evaluations`` -> tables in dependency order, each table's outputs
becoming inputs of later tables.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Mapping

from advisor.errors import UserError
from advisor.rulebook.conditions import fmt_number, fmt_value


class EvaluationError(UserError):
    """The rules cannot decide for these answers (a gap or an overlap the audit would report)."""


@dataclasses.dataclass(frozen=True)
class RuleHit:
    rule: str
    where: str  # file:line
    because: str
    outputs: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class RuleMiss:
    rule: str
    where: str
    failed: str  # the first failing condition, in words
    actual: str  # the actual value of that input


@dataclasses.dataclass
class TableTrace:
    table: str
    where: str
    hit_policy: str
    inputs: dict[str, Any]
    matched: list[RuleHit]
    selected: list[str]  # rules whose outputs were used
    missed: list[RuleMiss]
    outputs: dict[str, Any]
    note: str = ""  # e.g. "no rule matched: output defaults used"


@dataclasses.dataclass
class Evaluation:
    """``outputs``: the decisions (contract names); ``trace``: why, table by table."""

    outputs: dict[str, Any]
    trace: list[TableTrace]
    values: dict[str, Any]  # every input value seen (answers, derived, evidence, table outputs)
    derived: list[tuple[str, str, Any]]  # (id, formula, value)
    answers: Any  # advisor.answers.Answers
    rules_hash: str

    def fired(self) -> set[tuple[str, str]]:
        """``(table, rule)`` pairs that matched."""
        return {(t.table, h.rule) for t in self.trace for h in t.matched}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``sizewise explain --format json``)."""
        return {
            "rules_hash": self.rules_hash,
            "answers": {
                k: {"value": v, "source": _source(self.answers, k)} for k, v in self.answers.values.items()
            },
            "derived": [{"id": i, "formula": f, "value": v} for i, f, v in self.derived],
            "tables": [dataclasses.asdict(t) for t in self.trace],
            "outputs": self.outputs,
            "notes": list(self.answers.notes),
        }

    def render_text(self) -> str:
        return render_trace(self)


def _source(answers: Any, qid: str) -> str:
    if qid in answers.hidden:
        return "not asked"
    if qid in answers.given:
        return "given"
    if qid in answers.defaulted:
        return "default"
    return "missing"


_UPPER = re.compile(r"^(\d+b|\d+t|fp\d+|bf16|int\d+|moe)$")


def display(value: Any) -> str:
    """How a value reads in a message: 70b -> 70B, fp16 -> FP16, 2e8 -> 2e8."""
    if isinstance(value, str) and _UPPER.match(value):
        return value.upper()
    if isinstance(value, list):
        return ", ".join(display(v) for v in value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return fmt_number(value)
    return fmt_value(value)


def fill(template: str, values: Mapping[str, Any]) -> str:
    """Replace ``{id}`` placeholders (checked at load time) with display values."""
    return re.sub(r"\{([a-z][a-z0-9_]*)\}", lambda m: display(values.get(m.group(1))), " ".join(template.split()))


def _smallest_passing(ev: Any, sizes: list[str], min_examples: int) -> str:
    if ev is None:
        return "none"
    by_size = {r.size: r for r in ev.results}
    for s in sizes:
        r = by_size.get(s)
        if r is not None and r.examples >= min_examples and r.correct >= ev.target_accuracy * r.examples - 1e-9:
            return s
    return "none"


def _sizes_evaluated(ev: Any, sizes: list[str], min_examples: int) -> bool:
    if ev is None:
        return False
    by_size = {r.size: r for r in ev.results}
    return all(s in by_size and by_size[s].examples >= min_examples for s in sizes)


def evaluate(rulebook: Any, answers: Any) -> Evaluation:
    """Evaluate ``rulebook`` for ``answers`` (an :class:`advisor.answers.Answers` or a raw mapping)."""
    from advisor.answers import Answers, resolve

    if not isinstance(answers, Answers):
        answers = resolve(rulebook, answers)
    values: dict[str, Any] = dict(answers.values)
    derived_trace = []
    for did, (d, expr, _w) in rulebook.derived.items():
        v = expr.eval(values)
        if v is not None and float(v).is_integer() and abs(v) < 2**53:
            v = int(v)
        values[did] = v
        derived_trace.append((did, expr.text(), v))
    for eid, (e, _w) in rulebook.evidence.items():
        if e.kind == "smallest_passing_size":
            values[eid] = _smallest_passing(answers.evaluations, e.sizes, e.min_examples)
        else:
            values[eid] = _sizes_evaluated(answers.evaluations, e.sizes, e.min_examples)

    trace: list[TableTrace] = []
    for table in rulebook.tables:
        tt = _evaluate_table(table, values)
        trace.append(tt)
        values.update(tt.outputs)

    outputs: dict[str, Any] = {}
    for qid, cq in rulebook.questions.items():
        if cq.model.output:
            outputs[qid] = values[qid]
    for did, (d, _e, _w) in rulebook.derived.items():
        if d.output:
            outputs[did] = values[did]
    for eid, (e, _w) in rulebook.evidence.items():
        if e.output:
            outputs[eid] = values[eid]
    for table in rulebook.tables:
        for o in table.model.outputs:
            v = values.get(o.id)
            if o.type in ("warning", "label"):
                items = v if isinstance(v, list) else ([] if v is None else [v])
                v = [_message_item(rulebook.messages[i], values) for i in items]
            outputs[o.id] = v
    outputs["rules_hash"] = rulebook.hash
    return Evaluation(outputs=outputs, trace=trace, values=values, derived=derived_trace, answers=answers, rules_hash=rulebook.hash)


def _message_item(m: Any, values: Mapping[str, Any]) -> dict[str, Any]:
    """A warning or label as it appears in the outputs; ``source`` (the article passage) when the rules cite one."""
    item = {"id": m.id, "title": m.title, "message": fill(m.message, values)}
    if m.source:
        item["source"] = m.source
    return item


def _evaluate_table(table: Any, values: dict[str, Any]) -> TableTrace:
    model = table.model
    inputs = {i: values.get(i) for i in model.inputs}
    matched, missed = [], []
    for rule in table.rules:
        failed = rule.condition.first_failure(values)
        where = f"{rule.where.file}:{rule.where.line}"
        if failed is None:
            matched.append((rule, RuleHit(rule.id, where, rule.model.because, dict(rule.outputs))))
        else:
            actual = values.get(failed.column)
            missed.append(RuleMiss(rule.id, where, failed.text(), f"{failed.column} = {'not asked' if actual is None else display(actual)}"))
    outputs: dict[str, Any] = {}
    note = ""
    policy = model.hit_policy
    tw = f"{table.where.file}:{table.where.line}"
    if policy == "collect":
        selected = [r for r, _ in matched]
        for o in model.outputs:
            items: list[Any] = []
            for r in selected:
                if o.id in r.outputs:
                    v = r.outputs[o.id]
                    for x in v if isinstance(v, list) else [v]:
                        if x not in items:
                            items.append(x)
            if o.values:
                items.sort(key=o.values.index)
            outputs[o.id] = items
    else:
        if not matched:
            missing = [o.id for o in model.outputs if "default" not in o.model_fields_set]
            if missing:
                shown = ", ".join(f"{k} = {display(v)}" for k, v in inputs.items())
                raise EvaluationError(f"table '{model.id}' ({tw}): no rule matches {shown}; run `sizewise audit` to see the gap")
            selected = []
            note = "no rule matched: output defaults used"
        elif policy == "unique" and len(matched) > 1:
            ids = ", ".join(r.id for r, _ in matched)
            raise EvaluationError(f"table '{model.id}' ({tw}): rules {ids} all match but the hit policy is unique; run `sizewise audit`")
        elif policy == "priority":
            def rank(r: Any) -> tuple:
                return tuple(o.values.index(r.outputs[o.id]) if o.id in r.outputs else len(o.values) for o in model.outputs)

            selected = [min((r for r, _ in matched), key=rank)]
        else:
            selected = [matched[0][0]]
        for o in model.outputs:
            if selected and o.id in selected[0].outputs:
                outputs[o.id] = selected[0].outputs[o.id]
            else:
                outputs[o.id] = o.default
    return TableTrace(
        table=model.id,
        where=tw,
        hit_policy=policy,
        inputs=inputs,
        matched=[h for _, h in matched],
        selected=[r.id for r in selected],
        missed=missed,
        outputs=outputs,
        note=note,
    )


def render_trace(ev: Evaluation) -> str:
    """The human-readable trace printed by ``sizewise explain``."""
    lines = [f"rules {ev.rules_hash}", "", "Answers"]
    width = max(len(k) for k in ev.answers.values) if ev.answers.values else 10
    for k, v in ev.answers.values.items():
        src = _source(ev.answers, k)
        shown = "-" if src == "not asked" else ("(none)" if v is None else display(v))
        lines.append(f"  {k:<{width}}  {shown:<16} ({src})")
    for note in ev.answers.notes:
        lines.append(f"  note: {note}")
    if ev.derived:
        lines += ["", "Derived values"]
        for did, formula, v in ev.derived:
            lines.append(f"  {did} = {formula} = {display(v)}")
    evidence = [k for k in ("measured_smallest_passing", "baseline_tested") if k in ev.values]
    if evidence:
        lines += ["", "Evidence from evaluations"]
        evals = ev.answers.evaluations
        if evals is not None:
            lines.append(f"  target accuracy {evals.target_accuracy:.1%}")
            for r in evals.results:
                verdict = "meets the target" if r.correct >= evals.target_accuracy * r.examples - 1e-9 else "below the target"
                lines.append(f"  {display(r.size)}: {r.correct}/{r.examples} correct = {r.accuracy:.1%}, {verdict}")
        else:
            lines.append("  no evaluations in the answers")
        for k in evidence:
            lines.append(f"  {k} = {display(ev.values[k])}")
    for t in ev.trace:
        lines += ["", f"Table {t.table} ({t.where}), hit policy {t.hit_policy}"]
        lines.append("  inputs: " + ", ".join(f"{k} = {display(v) if v is not None else 'not asked'}" for k, v in t.inputs.items()))
        for h in t.matched:
            mark = "*" if h.rule in t.selected else "+"
            outs = ", ".join(f"{k} = {display(v)}" for k, v in h.outputs.items())
            lines.append(f"  {mark} {h.rule} ({h.where}) matched: {h.because} -> {outs}")
        for m in t.missed:
            lines.append(f"  - {m.rule} ({m.where}) no: {m.failed} fails ({m.actual})")
        if t.note:
            lines.append(f"  note: {t.note}")
        lines.append("  result: " + (", ".join(f"{k} = {display(v) if v != [] else '(none)'}" for k, v in t.outputs.items())))
    lines += ["", "Outputs"]
    for k, v in ev.outputs.items():
        if isinstance(v, list) and v and isinstance(v[0], dict):
            lines.append(f"  {k}:")
            for item in v:
                lines.append(f"    {item['id']}: {item['message']}")
                if item.get("source"):
                    lines.append(f"      source: {item['source']}")
        else:
            lines.append(f"  {k} = {display(v) if v not in (None, []) else ('(none)' if v == [] else '-')}")
    return "\n".join(lines) + "\n"
