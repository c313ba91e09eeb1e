"""Boundary coverage: which thresholds of the tables have golden cases on both sides.

Why beside rule coverage: a rule can be fired by a case far from its edges,
and then moving the edge (``lt: 5e7`` to ``lt: 1e8``) changes decisions
without any case noticing. For every numeric threshold a rule draws on a
table input, the two elementary segments it separates are its *sides*; a
side no golden case sits in is reported, and ``--suggest-cases`` writes a
golden-case skeleton for it: a known case moved just across the threshold,
with the outputs the current rules decide there, for the architect to confirm.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

from advisor.rulebook.audit_report import WARNING, Finding
from advisor.rulebook.conditions import fmt_number


@dataclasses.dataclass(frozen=True)
class Side:
    table: str
    column: str
    edge: tuple[float, int]  # the threshold, as an edge (see conditions.py)
    side: str  # below | above
    segment: tuple[tuple[float, int], tuple[float, int]]
    where: str  # the first rule drawing the threshold (file:line:column)
    rule: str

    @property
    def threshold(self) -> str:
        return fmt_number(self.edge[0])

    def describe(self) -> str:
        (a, ea), (b, eb) = self.segment
        seg = f"{'[' if ea == 0 else '('}{fmt_number(a)}, {fmt_number(b)}{')' if eb == 0 else ']'}"
        return f"{self.column} {seg}"


def boundary_sides(book: Any) -> list[Side]:
    """Both sides of every threshold a rule draws on a numeric input of a table (domain ends excluded)."""
    out = []
    for t in book.tables:
        for d in t.domains:
            if d.kind != "numeric":
                continue
            lo_d, hi_d = d.pieces[-1]  # the numeric body ("not asked" comes first when present)
            first: dict[tuple, Any] = {}
            for r in t.rules:
                for test in r.condition.tests:
                    if test.column == d.id:
                        for lo, hi in test.intervals:
                            for e in (lo, hi):
                                if lo_d < e < hi_d:
                                    first.setdefault(e, r)
            edges = sorted(set(first) | {lo_d, hi_d})
            for k in range(1, len(edges) - 1):
                e, r = edges[k], first[edges[k]]
                where = f"{r.where.file}:{r.where.line}:{r.where.column}"
                out.append(Side(t.id, d.id, e, "below", (edges[k - 1], e), where, r.id))
                out.append(Side(t.id, d.id, e, "above", (e, edges[k + 1]), where, r.id))
    return out


def _inside(seg: tuple, v: Any) -> bool:
    if v is None or isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    return seg[0] <= (float(v), 0) and (float(v), 1) <= seg[1]


def covered_sides(sides: list[Side], case_values: list[dict[str, Any]]) -> set[Side]:
    return {s for s in sides if any(_inside(s.segment, vals.get(s.column)) for vals in case_values)}


def boundary_findings(sides: list[Side], covered: set[Side]) -> list[Finding]:
    out = []
    for s in sides:
        if s not in covered:
            out.append(Finding(WARNING, "uncovered_boundary", s.where, s.table, (s.rule,), s.describe(),
                               f"table {s.table}: no golden case sits {s.side} the threshold {s.column} = {s.threshold} (in {s.describe()}); `sizewise audit --suggest-cases DIR` writes one"))
    return out


# --- suggesting cases ----------------------------------------------------------------------


def _target(s: Side, integer: bool) -> float:
    """A value in the side's segment, next to the threshold (where a moved threshold shows first)."""
    (a, _ea), (b, _eb) = s.segment
    x, e = s.edge
    if s.side == "above":
        if e == 0:
            return x
        step = 1.0 if integer else max(abs(x) * 1e-3, 1e-9)
        return min(x + step, b if math.isfinite(b) else x + step)
    step = 1.0 if integer else max(abs(x) * 1e-3, 1e-9)
    return x if e == 1 else max(x - step, a)


def _solve(book: Any, column: str, base: dict[str, Any], s: Side) -> dict[str, Any] | None:
    """Answers (``base`` moved) whose value of ``column`` lies in the side's segment; None when none found."""
    q = book.questions.get(column)
    if q is not None:
        v = _target(s, q.model.type == "integer")
        return base | {column: int(v) if q.model.type == "integer" else v}
    if column not in book.derived:
        return None
    _d, expr, _w = book.derived[column]
    want = _target(s, False)
    for ref in sorted(expr.refs(), key=expr.text().index):  # the formula's first input first (requests, then tokens)
        cq = book.questions.get(ref)
        if cq is None or cq.model.bounds is None:
            continue
        lo, hi = cq.model.bounds.min, cq.model.bounds.max
        integer = cq.model.type == "integer"

        def value(x: float) -> float | None:
            return expr.eval(base | {ref: x})

        f_lo, f_hi = value(lo), value(hi)
        if f_lo is None or f_hi is None or f_lo == f_hi:
            continue
        up = f_hi > f_lo
        for _ in range(200):  # bisection on a monotone formula
            mid = (lo + hi) / 2
            if (value(mid) < want) == up:
                lo = mid
            else:
                hi = mid
        whole = (math.floor(lo), math.ceil(hi), round(lo), round(hi))
        for x in whole if integer else (*whole, hi, lo):  # a whole number reads better when it lands there too
            if _inside(s.segment, value(x)):
                return base | {ref: int(x) if integer or float(x).is_integer() else x}
    return None


def suggest_cases(book: Any, sides: list[Side], covered: set[Side], bases: list[tuple[str, dict[str, Any]]], directory: Path) -> list[Path]:
    """Write a golden-case skeleton for each uncovered side (skipping those no base case can reach)."""
    import yaml

    from advisor.answers import validate
    from advisor.rulebook.evaluator import evaluate

    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for s in sides:
        if s in covered:
            continue
        for base_name, base in bases:
            answers = _solve(book, s.column, dict(base), s)
            if answers is None:
                continue
            valid, problems = validate(book, answers)
            if problems:
                continue
            try:
                ev = evaluate(book, valid)
            except Exception:  # a gap there: the audit reports it; no skeleton from this base
                continue
            if not _inside(s.segment, ev.values.get(s.column)):
                continue
            trace = next(t for t in ev.trace if t.table == s.table)
            case = {
                "description": f"Boundary case suggested by `sizewise audit --suggest-cases`: {s.column} just {s.side} "
                f"{s.threshold} (table {s.table}, rule {s.rule} at {s.where}), from {Path(base_name).name}. "
                "CHECK the expected outputs: they are what the current rules decide.",
                "answers": answers,
                "expect": {k: v for k, v in trace.outputs.items()},
                "expect_rules": [f"{s.table}.{r}" for r in trace.selected],
            }
            path = directory / f"boundary-{s.table}-{s.column}-{s.side}-{s.threshold}.yaml"
            if not path.exists():
                path.write_text("# yaml-language-server: $schema=../schemas/case.schema.json\n" + yaml.safe_dump(case, sort_keys=False, width=100))
                written.append(path)
            break
    return written
