"""Compiling the decision tables: outputs, inputs, rules and the values rules set.

Why one module: a table's checks (who produces each output, inputs that can be
analysed, rules setting only declared outputs with declared values) change
together with the table language itself.
"""

from __future__ import annotations

import difflib
from typing import Any

from advisor.rulebook import schema as S
from advisor.rulebook.compiled import CompiledRule, CompiledTable, Where
from advisor.rulebook.conditions import Domain, fmt_value
from advisor.rulebook.sources import Sink
from advisor.rulebook.values import Invalid


def output_producers(sink: Sink, tables_raw: list[tuple[S.Table, Where]], questions: dict[str, tuple[S.Question, Where]], inputs: dict[str, tuple[str, Where]]) -> dict[str, str]:
    """Output id -> the table producing it; reports outputs produced twice and outputs lacking values.

    ``inputs``: id -> (kind, where) of the derived values and evidence. An
    output named like a question, derived value or evidence is reported once,
    naming both, and left out (it would otherwise replace that input's values
    and every rule testing the input would fail with a misleading message).
    """
    producers: dict[str, str] = {}
    for t, w in tables_raw:
        for j, o in enumerate(t.outputs):
            if o.id in producers:
                sink.problem(w, f"output '{o.id}' is already produced by table '{producers[o.id]}'", sub=("outputs", j, "id"))
            elif o.id in questions and questions[o.id][0].output:
                sink.problem(w, f"output '{o.id}' is already the pass-through answer of question '{o.id}'", sub=("outputs", j, "id"))
            elif o.id in questions or o.id in inputs:
                kind, iw = ("question", questions[o.id][1]) if o.id in questions else inputs[o.id]
                sink.problem(w, f"output '{o.id}' has the same id as {kind} '{o.id}' ({iw.file}:{iw.line}): outputs and inputs share one namespace; rename one", sub=("outputs", j, "id"))
            else:
                producers[o.id] = t.id
            if o.type in ("choice", "list") and not o.values:
                sink.problem(w, f"a {o.type} output needs 'values'", sub=("outputs", j))
            if t.hit_policy == "priority" and not o.values:
                sink.problem(w, "hit policy 'priority' needs 'values' on every output (their order is the priority)", sub=("outputs", j))
    return producers


def add_output_domains(table: S.Table, producers: dict[str, str], domains: dict[str, Domain], not_analysable: dict[str, str]) -> None:
    """A compiled table's outputs become inputs later tables can test (not those refused by :func:`output_producers`)."""
    for o in table.outputs:
        if producers.get(o.id) != table.id:
            continue
        if o.type in ("choice", "boolean"):
            vals = tuple(o.values) if o.values else (False, True)
            domains[o.id] = Domain(o.id, "finite", vals, nullable="default" in o.model_fields_set and o.default is None)
        elif o.type == "number":
            not_analysable[o.id] = "a numeric table output without bounds"
        else:
            not_analysable[o.id] = f"a {o.type} output"


def compile_table(sink: Sink, t: S.Table, w: Where, domains: dict[str, Domain], not_analysable: dict[str, str], messages: dict[str, S.Message]) -> CompiledTable | None:
    """One table with its rules compiled over its inputs' domains (None when its inputs are unusable)."""
    ok = True
    tdomains = []
    for j, i in enumerate(t.inputs):
        if i in not_analysable:
            sink.problem(w, f"input '{i}' is {not_analysable[i]}; table inputs must have a finite set of values or a bounded range", sub=("inputs", j))
            ok = False
        elif i not in domains:
            hint = difflib.get_close_matches(i, sorted(domains), n=1, cutoff=0.6)
            did = f"; did you mean '{hint[0]}'?" if hint else ""
            sink.problem(w, f"unknown input '{i}'{did}", sub=("inputs", j))
            ok = False
        else:
            tdomains.append(domains[i])
    if len(set(t.inputs)) != len(t.inputs):
        sink.problem(w, "an input is listed twice", sub=("inputs",))
        ok = False
    if not ok:
        return None
    scope = {d.id: d for d in tdomains}
    outputs = {o.id: o for o in t.outputs}
    rules = []
    seen_ids: set[str] = set()
    for k, r in enumerate(t.rules):
        rw = sink.where(w.file, sink.path_of(w) + ("rules", k))
        if r.id in seen_ids:
            sink.problem(rw, f"rule id '{r.id}' is used twice in table '{t.id}'", sub=("id",))
        seen_ids.add(r.id)
        raw_when = r.when
        for col in raw_when:
            if col not in scope and (col in domains or col in not_analysable):
                sink.problem(rw, f"'{col}' is not an input of table '{t.id}' (declare it under inputs:)", sub=("when", col), key=True)
        cond = sink.condition({k2: v for k2, v in raw_when.items() if k2 in scope or (k2 not in domains and k2 not in not_analysable)}, scope, {}, rw, ("when",))
        outs: dict[str, Any] = {}
        for oid, value in r.then.items():
            if oid not in outputs:
                hint = difflib.get_close_matches(oid, list(outputs), n=1, cutoff=0.6)
                did = f"; did you mean '{hint[0]}'?" if hint else ""
                sink.problem(rw, f"'{oid}' is not a declared output of table '{t.id}'{did}", sub=("then", oid), key=True)
                continue
            checked = output_value(outputs[oid], value, t.hit_policy == "collect", messages)
            if isinstance(checked, Invalid):
                sink.problem(rw, checked.message, sub=("then", oid))
                continue
            outs[oid] = checked
        if t.hit_policy != "collect":
            for oid, o in outputs.items():
                if oid not in r.then and "default" not in o.model_fields_set:
                    sink.problem(rw, f"rule does not set output '{oid}' (and the output has no default)", sub=("then",))
        rules.append(CompiledRule(r, cond, outs, rw, k))
    return CompiledTable(t, tuple(tdomains), tuple(rules), w)


def output_value(o: S.Output, value: Any, collect: bool, messages: dict[str, S.Message]) -> Any:
    """``value`` checked against output ``o`` (a list for list outputs and collect tables), or :class:`Invalid`."""
    def one(v: Any) -> Any:
        if o.type in ("warning", "label"):
            m = messages.get(v) if isinstance(v, str) else None
            if m is None or m.kind != o.type:
                known = sorted(k for k, mm in messages.items() if mm.kind == o.type)
                return Invalid(f"unknown {o.type} '{fmt_value(v)}' (declare it under messages:; known: {', '.join(known) or 'none'})")
            return v
        if o.values is not None and v not in o.values:
            return Invalid(f"'{fmt_value(v)}' is not a declared value of output '{o.id}' ({', '.join(fmt_value(x) for x in o.values)})")
        if o.type == "number" and (isinstance(v, bool) or not isinstance(v, (int, float))):
            return Invalid(f"output '{o.id}' is a number, got '{fmt_value(v)}'")
        if o.type == "text" and not isinstance(v, str):
            return Invalid(f"output '{o.id}' is text, got '{fmt_value(v)}'")
        if o.type == "boolean" and not isinstance(v, bool):
            return Invalid(f"output '{o.id}' is true/false, got '{fmt_value(v)}'")
        return v

    if o.type == "list" or (collect and isinstance(value, list)):
        if not isinstance(value, list):
            return Invalid(f"output '{o.id}' is a list")
        out = []
        for v in value:
            c = one(v)
            if isinstance(c, Invalid):
                return c
            out.append(c)
        return out
    return one(value)
