"""The audit's static checks: per table, by its hit policy; and dead questions.

Gaps (unique/first/priority), overlaps (unique), duplicate and conflicting
rules (identical conditions; same / different outputs), shadowed rules (first:
earlier rules win everywhere it matches), masked rules (priority: better-ranked
outputs win everywhere), subsumed rules (a rule inside another with the same
outputs: redundant), unreachable rules (no feasible input matches them). All
come from one sweep over sorted bounds (:mod:`.sweep`); nothing here needs a
golden case.
"""

from __future__ import annotations

import math
from typing import Any

from advisor.rulebook.audit_report import ERROR, WARNING, Finding
from advisor.rulebook.conditions import NULL_INTERVAL, Condition, Domain, compile_test, fmt_number, fmt_value, intersect, subtract
from advisor.rulebook.sweep import Box, SweepLimit, box_contains, describe_box, merge_boxes, rule_box, sweep
from advisor.rulebook.sweep_sample import sample_sweep

#: regions an exhaustive sweep of one table may visit before the audit samples instead
SWEEP_LIMIT = 30_000
#: cells drawn when sampling
SAMPLES = 10_000
#: gap regions and overlapping pairs listed per table (then one finding counts the rest)
MAX_LISTED = 25


def feasibility_boxes(book: Any, domains: list[Domain]) -> list[Box]:
    """Regions of a table's input space that cannot occur.

    From each input question with a ``when`` whose columns are all inputs of
    the table: "not asked" while the ``when`` holds, and "asked" while it does
    not. From each ``impossible`` declaration whose columns are all inputs.
    (A constraint on a column outside the table says nothing about the
    table's space: that column can take any value.)
    """
    index = {d.id: j for j, d in enumerate(domains)}
    full = [d.pieces for d in domains]
    boxes: list[Box] = []

    def box_of(cond: Condition, extra: dict[int, tuple] | None = None) -> Box:
        b = list(full)
        for t in cond.tests:
            b[index[t.column]] = intersect(b[index[t.column]], t.intervals)
        for j, cs in (extra or {}).items():
            b[j] = intersect(b[j], cs)
        return tuple(b)

    for d in domains:
        cq = book.questions.get(d.id)
        if cq is None or cq.when is None or not all(c in index for c in cq.when.columns):
            continue
        j = index[d.id]
        boxes.append(box_of(cq.when, {j: (NULL_INTERVAL,)}))  # not asked although the condition holds
        asked = subtract(full[j], (NULL_INTERVAL,))
        for t in cq.when.tests:
            k = index[t.column]
            b = list(full)
            b[k] = subtract(full[k], t.intervals)
            b[j] = intersect(b[j], asked)
            boxes.append(tuple(b))  # asked although the condition fails
    for _imp, cond, _w in book.impossible:
        if cond.tests and all(c in index for c in cond.columns):
            boxes.append(box_of(cond))
    return [b for b in boxes if all(cs for cs in b)]


def table_findings(book: Any, table: Any) -> list[Finding]:
    """Hit-policy-aware findings for one compiled table."""
    domains = list(table.domains)
    policy = table.model.hit_policy
    rules = table.rules
    boxes = [rule_box(domains, r.condition) for r in rules]
    infeasible = feasibility_boxes(book, domains)
    outputs = table.model.outputs

    def rank(i: int) -> tuple:
        return tuple(o.values.index(rules[i].outputs[o.id]) if o.id in rules[i].outputs and o.values else math.inf for o in outputs)

    if policy == "first":
        winners = lambda active: active[:1]  # noqa: E731
    elif policy == "priority":
        def winners(active: list[int]) -> list[int]:
            best = min(rank(i) for i in active)
            return [i for i in active if rank(i) == best][:1]
    else:
        winners = None
    where = f"{table.where.file}:{table.where.line}:{table.where.column}"
    tid = table.id
    out: list[Finding] = []
    sampled = False
    if policy == "collect":
        result = _collect_sweep(domains, boxes, infeasible)
    else:
        try:
            result = sweep(domains, boxes, infeasible, winners, limit=SWEEP_LIMIT)
        except SweepLimit:
            sampled = True
            result = sample_sweep(domains, boxes, infeasible, winners, SAMPLES)
            out.append(Finding(WARNING, "too_complex", where, tid, (), "", f"table {tid} too complex to sweep exhaustively: more than {SWEEP_LIMIT:,} regions; checked by sampling {SAMPLES:,} cells (each gap or overlap listed is exact for its region; unreachable, shadowed and masked rules were not judged)"))

    def rw(i: int) -> str:
        w = rules[i].where
        return f"{w.file}:{w.line}:{w.column}"

    def region(i: int) -> str:
        return describe_box(domains, boxes[i])

    same_inputs: set[tuple[int, int]] = set()
    candidates: set[tuple[int, int]] = set()
    for _box, rs in result.overlaps:
        for a in range(len(rs)):
            for b in range(a + 1, len(rs)):
                candidates.add((rs[a], rs[b]))
    reported: set[int] = set()
    for a, b in sorted(candidates):
        if boxes[a] == boxes[b]:
            same_inputs.add((a, b))
            ra, rb = rules[a].id, rules[b].id
            if rules[a].outputs == rules[b].outputs:
                out.append(Finding(ERROR, "duplicate", rw(b), tid, (ra, rb), region(a), f"table {tid}: rules {ra} and {rb} are duplicates (same conditions, same outputs) where {region(a)}"))
            elif policy != "collect":
                out.append(Finding(ERROR, "conflict", rw(b), tid, (ra, rb), region(a), f"table {tid}: rules {ra} and {rb} conflict (same conditions, different outputs) where {region(a)}"))
            reported.add(b)

    for i, r in enumerate(rules):
        if not result.reachable[i] and not sampled:
            out.append(Finding(ERROR, "unreachable", rw(i), tid, (r.id,), region(i), f"table {tid}: rule {r.id} can never match: {why_unreachable(r, region(i))}"))
            reported.add(i)

    if policy != "collect":
        for box in result.gaps[:MAX_LISTED]:
            text = describe_box(domains, box)
            out.append(Finding(ERROR, "gap", where, tid, (), text, f"table {tid}: no rule covers {text}"))
        if len(result.gaps) > MAX_LISTED:
            more = len(result.gaps) - MAX_LISTED
            out.append(Finding(ERROR, "gap", where, tid, (), "", f"table {tid}: {more:,} more region{'s' if more != 1 else ''} no rule covers (the first {MAX_LISTED} are listed)"))
    if policy == "unique":
        by_pair: dict[tuple[int, int], list] = {}
        for box, rs in result.overlaps:
            for x in range(len(rs)):
                for y in range(x + 1, len(rs)):
                    if (rs[x], rs[y]) not in same_inputs:
                        by_pair.setdefault((rs[x], rs[y]), []).append(box)
        pairs = sorted(by_pair, key=lambda p: (p[1], p[0]))
        for a, b in pairs[:MAX_LISTED]:
            names = (rules[a].id, rules[b].id)
            text = " or ".join(describe_box(domains, bx) for bx in merge_boxes(by_pair[(a, b)]))
            out.append(Finding(ERROR, "overlap", rw(b), tid, names, text, f"table {tid}: rules {', '.join(names)} all match where {text} (hit policy unique)"))
        if len(pairs) > MAX_LISTED:
            more = len(pairs) - MAX_LISTED
            out.append(Finding(ERROR, "overlap", where, tid, (), "", f"table {tid}: {more:,} more pair{'s' if more != 1 else ''} of rules overlap (the first {MAX_LISTED} are listed)"))
    if policy in ("first", "priority") and not sampled:
        for i, r in enumerate(rules):
            if result.reachable[i] and not result.wins[i] and i not in reported:
                check = "shadowed" if policy == "first" else "masked"
                how = "earlier rules match everywhere it does" if policy == "first" else "rules with a higher-priority output match everywhere it does"
                hiders = sorted({rules[j].id for box, rs in result.overlaps if i in rs for j in rs if j != i and (j < i if policy == "first" else rank(j) < rank(i))})
                out.append(Finding(ERROR, check, rw(i), tid, (r.id, *hiders), region(i), f"table {tid}: rule {r.id} never decides: {how} ({', '.join(hiders)}), where {region(i)}"))
                reported.add(i)
    # subsumed: inside another rule with the same outputs (redundant)
    for a, b in sorted(candidates):
        for inner, outer in ((a, b), (b, a)):
            if inner in reported or (min(a, b), max(a, b)) in same_inputs:
                continue
            if rules[inner].outputs == rules[outer].outputs and box_contains(boxes[outer], boxes[inner]):
                ri, ro = rules[inner].id, rules[outer].id
                out.append(Finding(WARNING, "subsumed", rw(inner), tid, (ri, ro), region(inner), f"table {tid}: rule {ri} is subsumed by rule {ro} (same outputs, and {ro} matches everywhere {ri} does); remove {ri}"))
                reported.add(inner)
    return out


def why_unreachable(rule: Any, region: str) -> str:
    """Say why a rule matches nothing: a test that is empty by itself, or a region the feasibility constraints exclude."""
    for t in rule.condition.tests:
        if t.intervals:
            continue
        d = t.domain
        span = f"{d.id} ranges over {d.describe(d.pieces).removeprefix(d.id + ' ')}" if d.kind == "finite" else f"{d.id} ranges over [{fmt_number(d.lo)}, {fmt_number(d.hi)}]"
        if isinstance(t.source, dict):
            alone = [op for op, arg in t.source.items() if not compile_test(t.column, {op: arg}, d).intervals]
            if alone:
                shown = ", ".join(f"{op}: {fmt_value(t.source[op])}" for op in alone)
                return f"its test on {d.id} is empty: {shown} lies beyond the input's range ({span})"
            shown = ", ".join(f"{op}: {fmt_value(arg)}" for op, arg in t.source.items())
            return f"its test on {d.id} is a contradiction: {shown} exclude each other"
        return f"its test on {d.id} is empty: {fmt_value(t.source)} lies beyond the input's range ({span})"
    return f"no feasible input satisfies {region} (a question's when, or an impossible: declaration, excludes that region)"


def _collect_sweep(domains: list[Domain], boxes: list[Box], infeasible: list[Box]):
    """Collect tables: overlaps are the point, so only reachability and overlapping pairs matter.

    A full sweep would enumerate every combination of independent conditions
    (the warnings table has 11 inputs); instead each rule, and each pairwise
    intersection, is swept alone against the infeasible regions.
    """
    from advisor.rulebook.sweep import SweepResult

    n = len(boxes)
    reachable = [sweep(domains, [b], infeasible, merge=False).reachable[0] for b in boxes]
    overlaps = []
    for a in range(n):
        for b in range(a + 1, n):
            inter = tuple(intersect(x, y) for x, y in zip(boxes[a], boxes[b]))
            if all(inter) and sweep(domains, [inter], infeasible, merge=False).reachable[0]:
                overlaps.append((inter, (a, b)))
    return SweepResult([], overlaps, reachable, list(reachable), 0)


def static_findings(book: Any) -> list[Finding]:
    """Table checks plus dead questions: everything that needs no golden case."""
    out: list[Finding] = []
    for table in book.tables:
        out.extend(table_findings(book, table))
    for qid, users in book.uses.items():
        if not users:
            cq = book.questions[qid]
            out.append(Finding(WARNING, "dead_question", f"{cq.where.file}:{cq.where.line}:{cq.where.column}", "", (), "", f"question {qid} is used by no table, derived value, condition, message or output"))
    return sorted(out, key=_order)


def _order(f: Finding) -> tuple:
    parts = f.where.split(":")
    nums = tuple(int(p) for p in parts[1:] if p.isdigit())
    return (parts[0], nums, f.check, f.rules, f.region)
