"""Compiling the inputs of the tables: questions, derived values and evidence.

Why one module: these three give every table input its *domain* (the values it
can take), which is what the tables and the audit's sweep are built on; their
checks (bounds, choices, defaults against the question's own validation,
arithmetic over numbers only) all serve that.
"""

from __future__ import annotations

from typing import Any

from advisor.rulebook import schema as S
from advisor.rulebook.compiled import SIZES, CompiledQuestion, DefaultCase, Where
from advisor.rulebook.conditions import Condition, Domain, fmt_value
from advisor.rulebook.crosscheck import toposort
from advisor.rulebook.derive import Expr, ExprError, compile_expr
from advisor.rulebook.sources import Sink
from advisor.rulebook.values import Invalid, validate_value


def question_domains(sink: Sink, questions: dict[str, tuple[S.Question, Where]], domains: dict[str, Domain], not_analysable: dict[str, str]) -> None:
    """Fill ``domains`` (and ``not_analysable``: text questions) from the questions' types."""
    for qid, (q, w) in questions.items():
        nullable = q.when is not None
        if q.type in ("choice", "multi_choice"):
            if not q.choices:
                sink.problem(w, f"a {q.type} question needs 'choices'", sub=("type",))
                continue
            vals = [c.value for c in q.choices]
            for j, v in enumerate(vals):
                if vals.index(v) != j:
                    sink.problem(w, f"duplicate choice '{v}'", sub=("choices", j, "value"))
            if q.type == "multi_choice":  # a set of values: conditions over it are not interval-analysable
                not_analysable[qid] = "a multi-choice question"
                continue
            domains[qid] = Domain(qid, "finite", tuple(dict.fromkeys(vals)), nullable=nullable)
        elif q.type == "boolean":
            domains[qid] = Domain(qid, "finite", (False, True), nullable=nullable)
        elif q.type in ("number", "integer"):
            if q.bounds is None:
                sink.problem(w, f"a {q.type} question needs 'bounds' (min and max)", sub=("type",))
                continue
            if q.bounds.min > q.bounds.max:
                sink.problem(w, f"bounds: min {fmt_value(q.bounds.min)} is greater than max {fmt_value(q.bounds.max)}", sub=("bounds",))
                continue
            nullable = nullable or ("default" in q.model_fields_set and q.default is None)
            domains[qid] = Domain(qid, "numeric", lo=q.bounds.min, hi=q.bounds.max, integer=q.type == "integer", nullable=nullable)
        else:
            not_analysable[qid] = "a text question"
        if q.type not in ("choice", "multi_choice") and q.choices:
            sink.problem(w, f"'choices' is only for choice questions (this one is {q.type})", sub=("choices",))


def compile_questions(sink: Sink, questions: dict[str, tuple[S.Question, Where]], scope: dict[str, Domain], not_analysable: dict[str, str]) -> tuple[dict[str, CompiledQuestion], list[str]]:
    """Each question's ``when``, defaults and checks; and the evaluation order."""
    compiled: dict[str, CompiledQuestion] = {}
    for qid, (q, w) in questions.items():
        when = sink.condition(q.when, scope, not_analysable, w, ("when",)) if q.when is not None else None
        cases = _defaults(sink, q, w, scope, not_analysable)
        checks = tuple(
            (
                sink.condition(c.when, scope, not_analysable, w, ("checks", i, "when")) if c.when is not None else Condition(),
                sink.condition(c.require, scope, not_analysable, w, ("checks", i, "require")),
                c.message,
            )
            for i, c in enumerate(q.checks)
        )
        compiled[qid] = CompiledQuestion(q, when, cases, checks, w)
    order, _ = toposort(
        sink,
        {qid: cq.depends_on() & set(compiled) for qid, cq in compiled.items()},
        lambda n: compiled[n].where,
        "when/default dependencies of questions",
        list(compiled),
    )
    return compiled, order


def _defaults(sink: Sink, q: S.Question, w: Where, scope: dict[str, Domain], not_analysable: dict[str, str]) -> tuple[DefaultCase, ...]:
    if q.required:
        return ()
    raw = q.default
    if isinstance(raw, dict) and ("cases" in raw or "else" in raw):
        extra = set(raw) - {"cases", "else"}
        if extra:
            sink.problem(w, f"unknown key '{sorted(extra)[0]}' in a conditional default (use cases: and else:)", sub=("default", sorted(extra)[0]), key=True)
        cases = []
        for i, case in enumerate(raw.get("cases") or []):
            if not isinstance(case, dict) or set(case) != {"when", "value"}:
                sink.problem(w, "each default case is a mapping with exactly 'when' and 'value'", sub=("default", "cases", i))
                continue
            cond = sink.condition(case["when"], scope, not_analysable, w, ("default", "cases", i, "when"))
            if q.id in cond.columns:
                sink.problem(w, "a default cannot depend on its own question", sub=("default", "cases", i, "when", q.id), key=True)
            cases.append(DefaultCase(cond, _default_value(sink, q, w, case["value"], ("default", "cases", i, "value"))))
        if "else" not in raw:
            sink.problem(w, "a conditional default needs an 'else' value", sub=("default",))
        else:
            cases.append(DefaultCase(Condition(), _default_value(sink, q, w, raw["else"], ("default", "else"))))
        return tuple(cases)
    return (DefaultCase(Condition(), _default_value(sink, q, w, raw, ("default",))),)


def _default_value(sink: Sink, q: S.Question, w: Where, raw: Any, sub: tuple) -> Any:
    if raw is None:
        if q.type in ("number", "integer", "text"):
            return None  # "no value": allowed for optional numbers and text
        sink.problem(w, f"default of a {q.type} question cannot be null", sub=sub)
        return None
    value = validate_value(q, raw)
    if isinstance(value, Invalid):
        sink.problem(w, f"default {fmt_value(raw)!s} fails the question's own validation: {value.message}", sub=sub)
        return None
    return value


def compile_derived(sink: Sink, derived_raw: dict[str, tuple[S.Derived, Where]], domains: dict[str, Domain], not_analysable: dict[str, str]) -> dict[str, tuple[S.Derived, Expr, Where]]:
    """Compile the derived values in dependency order; each gets a numeric domain from interval arithmetic."""
    known = set(domains) | set(derived_raw)
    derived: dict[str, tuple[S.Derived, Expr, Where]] = {}
    for did, (d, w) in derived_raw.items():
        try:
            expr = compile_expr(d.expr, known | set(not_analysable))
        except ExprError as err:
            sink.problem(w, err.message, sub=("expr",) + err.path)
            continue
        bad = [r for r in expr.refs() if r in not_analysable]
        if bad:
            sink.problem(w, f"'{bad[0]}' is {not_analysable[bad[0]]} and cannot be used in arithmetic", sub=("expr",))
            continue
        derived[did] = (d, expr, w)
    derived_order, _ = toposort(
        sink, {k: v[1].refs() & set(derived) for k, v in derived.items()}, lambda n: derived[n][2], "derived values", list(derived)
    )
    ranges = {k: (dm.lo, dm.hi) for k, dm in domains.items() if dm.kind == "numeric"}
    for did in derived_order:
        d, expr, w = derived[did]
        refs = expr.refs()
        if any(r in domains and domains[r].kind != "numeric" for r in refs):
            r = next(r for r in refs if r in domains and domains[r].kind != "numeric")
            sink.problem(w, f"'{r}' is not a number and cannot be used in arithmetic", sub=("expr",))
            continue
        if not all(r in ranges for r in refs):
            continue
        try:
            lo, hi = expr.bounds(ranges)
        except ExprError as err:
            sink.problem(w, err.message, sub=("expr",))
            continue
        ranges[did] = (lo, hi)
        domains[did] = Domain(did, "numeric", lo=lo, hi=hi, nullable=any(domains[r].nullable for r in refs))
    return {k: derived[k] for k in derived_order}


def compile_evidence(sink: Sink, evidence: dict[str, tuple[S.Evidence, Where]], domains: dict[str, Domain]) -> None:
    """Check the evidence declarations and give each its finite domain."""
    for eid, (e, w) in evidence.items():
        for j, s in enumerate(e.sizes):
            if s not in SIZES:
                sink.problem(w, f"unknown size '{s}' (expected one of: {', '.join(SIZES)})", sub=("sizes", j))
        if e.kind == "smallest_passing_size":
            domains[eid] = Domain(eid, "finite", ("none", *e.sizes))
        else:
            domains[eid] = Domain(eid, "finite", (False, True))
