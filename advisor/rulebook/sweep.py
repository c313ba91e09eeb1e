"""Gaps and overlaps of a decision table by a sweep over sorted bounds.

The method of Calvanese et al., "Semantics and Analysis of DMN Decision
Tables" (BPM 2016), also used by Drools' ``DMNDTAnalyser``: every rule is a
box (one interval set per input column, see :mod:`.conditions`). For the first
column, the bounds of all rules are sorted and walked while keeping the set of
rules active on each elementary segment; a segment with no rule is a gap (the
rest of the columns are "anything"), otherwise the sweep recurses into the next
column with only the rules active there. At the last column, a cell with more
than one rule is an overlap. Work grows with the number of distinct bounds of
the *active* rules at each level, never with the cartesian product of the
domains (a numeric column ranging over 0..3e17 costs the same as a yes/no).

Infeasible regions (combinations declared impossible, or excluded by a
question's ``when``) take part as pseudo-rules: a cell they cover is neither a
gap nor an overlap.

The result also says, per rule, whether it is active in any feasible cell
(reachable) and whether it *wins* in any (under hit policy first: no earlier
rule active there; priority: no better-ranked output active), which is how
shadowed and masked rules are found even when several rules together hide one.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Sequence

from advisor.rulebook.conditions import Domain, Interval, normalize

ColumnSet = tuple[Interval, ...]
Box = tuple[ColumnSet, ...]


class SweepLimit(Exception):
    """The sweep would visit more than its limit of regions (the table is too complex to sweep exhaustively)."""

    def __init__(self, limit: int):
        super().__init__(f"more than {limit:,} regions")
        self.limit = limit


@dataclasses.dataclass
class SweepResult:
    gaps: list[Box]
    overlaps: list[tuple[Box, tuple[int, ...]]]  # region, rule indexes (sorted)
    reachable: list[bool]
    wins: list[bool]
    cells: int  # feasible leaf cells visited (for the benchmark)


def sweep(
    domains: Sequence[Domain],
    rules: Sequence[Box],
    infeasible: Sequence[Box] = (),
    winners: Callable[[list[int]], list[int]] | None = None,
    merge: bool = True,
    limit: int | None = None,
) -> SweepResult:
    """Find gaps, overlaps, reachable and winning rules of a table.

    ``rules[i][j]`` is rule i's interval set on column j (the full domain when
    it does not test j). ``winners(active)`` picks the rules that win in a cell
    from the active rule indexes (ascending); default: all of them.
    ``limit``: raise :class:`SweepLimit` once more than this many regions
    (cells and gaps) were visited, so a table of many independent boxes
    cannot take minutes and gigabytes before saying anything.
    """
    n_cols = len(domains)
    n_rules = len(rules)
    items: list[Box] = list(rules) + list(infeasible)
    reachable = [False] * n_rules
    wins = [False] * n_rules
    gaps: list[Box] = []
    overlaps: list[tuple[Box, tuple[int, ...]]] = []
    pick = winners or (lambda active: active)
    pieces = [d.pieces for d in domains]
    cells = 0
    visits = 0

    if n_cols == 0:
        real = list(range(n_rules))
        if infeasible:
            return SweepResult([], [], reachable, wins, 0)
        if not real:
            return SweepResult([()], [], reachable, wins, 1)
        for i in real:
            reachable[i] = True
        for i in pick(real):
            wins[i] = True
        if len(real) > 1:
            overlaps.append(((), tuple(real)))
        return SweepResult([], overlaps, reachable, wins, 1)

    def rec(col: int, active: list[int], prefix: list[ColumnSet]) -> None:
        nonlocal cells, visits
        # events on this column: (edge, kind, item); kind 0 = end, 1 = start (ends first at equal edges)
        events = []
        for it in active:
            for lo, hi in items[it][col]:
                events.append((lo, 1, it))
                events.append((hi, 0, it))
        bounds = set()
        for lo, hi in pieces[col]:
            bounds.add(lo)
            bounds.add(hi)
        for e in events:
            bounds.add(e[0])
        edges = sorted(bounds)
        events.sort(key=lambda e: (e[0], e[1]))
        cur: dict[int, None] = {}
        k = 0
        segs: list[tuple[Interval, tuple[int, ...]]] = []
        dom = pieces[col]
        d = 0
        for idx in range(len(edges) - 1):
            a, b = edges[idx], edges[idx + 1]
            while k < len(events) and events[k][0] <= a:
                _, kind, it = events[k]
                if kind:
                    cur[it] = None
                else:
                    cur.pop(it, None)
                k += 1
            while d < len(dom) and dom[d][1] <= a:
                d += 1
            if d >= len(dom) or not (dom[d][0] <= a and b <= dom[d][1]):
                continue  # outside the domain
            key = tuple(sorted(cur))
            if segs and segs[-1][1] == key and segs[-1][0][1] == a:
                segs[-1] = ((segs[-1][0][0], b), key)
            else:
                segs.append(((a, b), key))
        # group segments with the same active set (non-adjacent pieces of one region)
        grouped: dict[tuple[int, ...], list[Interval]] = {}
        for seg, key in segs:
            grouped.setdefault(key, []).append(seg)
        for key, seglist in grouped.items():
            visits += 1
            if limit is not None and visits > limit:
                raise SweepLimit(limit)
            colset = normalize(seglist)
            real = [i for i in key if i < n_rules]
            blocked = len(real) != len(key)
            here = prefix + [colset]
            if not key:
                gaps.append(tuple(here) + tuple(pieces[col + 1 :]))
                continue
            if col + 1 < n_cols:
                rec(col + 1, list(key), here)
                continue
            cells += 1
            if not blocked:
                mark_cell(real, tuple(here), pick, reachable, wins, overlaps)

    rec(0, list(range(len(items))), [])
    if merge:
        gaps = merge_boxes(gaps)
        overlaps = merge_overlaps(overlaps)
    return SweepResult(gaps, overlaps, reachable, wins, cells)


def mark_cell(active: list[int], box: Box, pick, reachable: list[bool], wins: list[bool], overlaps: list) -> None:
    """Record a feasible cell with at least one active rule: reachable, winners, and an overlap if several."""
    for i in active:
        reachable[i] = True
    for i in pick(active):
        wins[i] = True
    if len(active) > 1:
        overlaps.append((box, tuple(active)))


def merge_overlaps(overlaps: list[tuple[Box, tuple[int, ...]]]) -> list[tuple[Box, tuple[int, ...]]]:
    """Overlap cells merged per set of rules (sorted by the set)."""
    by_set: dict[tuple[int, ...], list[Box]] = {}
    for box, rs in overlaps:
        by_set.setdefault(rs, []).append(box)
    return [(b, rs) for rs in sorted(by_set) for b in merge_boxes(by_set[rs])]


def merge_boxes(boxes: list[Box]) -> list[Box]:
    """Merge boxes that differ in one column only (repeat to a fixpoint); sorted result."""
    current = list(dict.fromkeys(boxes))
    if not current:
        return []
    n = len(current[0])
    changed = True
    while changed and len(current) > 1:
        changed = False
        for j in range(n):
            groups: dict[tuple, list[ColumnSet]] = {}
            for b in current:
                groups.setdefault(b[:j] + b[j + 1 :], []).append(b[j])
            if len(groups) < len(current):
                changed = True
                current = [k[:j] + (normalize(iv for cs in sets for iv in cs),) + k[j:] for k, sets in groups.items()]
    return sorted(current)


def describe_box(domains: Sequence[Domain], box: Box) -> str:
    """``task_complexity in {complex}, requests_per_day in [1e6, 5e7)`` (full columns omitted)."""
    parts = [d.describe(cs) for d, cs in zip(domains, box) if normalize(cs) != d.pieces]
    return ", ".join(parts) if parts else "any input"


def box_contains(outer: Box, inner: Box) -> bool:
    from advisor.rulebook.conditions import contains

    return all(contains(o, i) for o, i in zip(outer, inner))


def rule_box(domains: Sequence[Domain], condition) -> Box:
    """A compiled condition as a box over ``domains`` (untested columns = full domain)."""
    tested = condition.box()
    return tuple(normalize(tested[d.id]) if d.id in tested else d.pieces for d in domains)
