"""The gap/overlap sweep agrees with brute-force enumeration on small random tables."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.rulebook.conditions import NULL_INTERVAL, Domain, normalize
from advisor.rulebook.sweep import describe_box, merge_boxes, sweep


def points(d: Domain):
    out = [NULL_INTERVAL] if d.nullable else []
    if d.kind == "finite":
        out += [((float(i), 0), (float(i + 1), 0)) for i in range(len(d.values))]
    else:
        out += [((float(n), 0), (float(n + 1), 0)) for n in range(int(d.lo), int(d.hi) + 1)]
    return out


def inside(p, colset):
    return any(lo <= p[0] and p[1] <= hi for lo, hi in colset)


@st.composite
def domains_st(draw):
    n = draw(st.integers(1, 3))
    out = []
    for j in range(n):
        nullable = draw(st.booleans())
        if draw(st.booleans()):
            k = draw(st.integers(1, 4))
            out.append(Domain(f"c{j}", "finite", tuple(f"v{i}" for i in range(k)), nullable=nullable))
        else:
            hi = draw(st.integers(0, 5))
            out.append(Domain(f"c{j}", "numeric", lo=0, hi=hi, integer=True, nullable=nullable))
    return out


@st.composite
def box_st(draw, domains):
    box = []
    for d in domains:
        pts = points(d)
        mode = draw(st.sampled_from(["any", "subset", "range"]))
        if mode == "any":
            box.append(d.pieces)
        elif mode == "subset":
            chosen = draw(st.lists(st.sampled_from(pts), min_size=1, max_size=len(pts)))
            box.append(normalize(chosen))
        else:
            i = draw(st.integers(0, len(pts) - 1))
            j = draw(st.integers(i, len(pts) - 1))
            box.append(normalize(pts[i : j + 1]))
    return tuple(box)


@st.composite
def table_st(draw):
    domains = draw(domains_st())
    rules = draw(st.lists(box_st(domains), min_size=0, max_size=6))
    infeasible = draw(st.lists(box_st(domains), min_size=0, max_size=2))
    return domains, rules, infeasible


def brute(domains, rules, infeasible, first=False):
    gaps, overlaps = set(), {}
    reachable = [False] * len(rules)
    wins = [False] * len(rules)
    for cell in itertools.product(*(points(d) for d in domains)):
        if any(all(inside(p, cs) for p, cs in zip(cell, b)) for b in infeasible):
            continue
        active = [i for i, b in enumerate(rules) if all(inside(p, cs) for p, cs in zip(cell, b))]
        if not active:
            gaps.add(cell)
        for i in active:
            reachable[i] = True
        for i in active[:1] if first else active:
            wins[i] = True
        if len(active) > 1:
            overlaps[cell] = tuple(active)
    return gaps, overlaps, reachable, wins


def expand(domains, box):
    return {cell for cell in itertools.product(*(points(d) for d in domains)) if all(inside(p, cs) for p, cs in zip(cell, box))}


@settings(max_examples=200, deadline=None)
@given(table_st(), st.booleans())
def test_sweep_equals_brute_force(table, first):
    domains, rules, infeasible = table
    result = sweep(domains, rules, infeasible, (lambda a: a[:1]) if first else None)
    gaps, overlaps, reachable, wins = brute(domains, rules, infeasible, first)
    swept_gaps = set().union(*(expand(domains, b) for b in result.gaps)) if result.gaps else set()
    assert swept_gaps == gaps
    swept_overlaps = {}
    for box, rs in result.overlaps:
        for cell in expand(domains, box):
            assert cell not in swept_overlaps  # regions are disjoint
            swept_overlaps[cell] = rs
    assert swept_overlaps == overlaps
    assert result.reachable == reachable
    assert result.wins == wins
    # merged gap boxes are disjoint
    cells = [expand(domains, b) for b in result.gaps]
    assert sum(map(len, cells)) == len(swept_gaps)


def test_gap_region_in_words():
    d1 = Domain("task_complexity", "finite", ("simple", "complex"))
    d2 = Domain("requests_per_day", "numeric", lo=0, hi=1e9)
    r1 = (normalize([((0.0, 0), (1.0, 0))]), d2.pieces)  # simple, anything
    r2 = (normalize([((1.0, 0), (2.0, 0))]), normalize([((0.0, 0), (1e6, 0))]))  # complex, < 1e6
    r3 = (normalize([((1.0, 0), (2.0, 0))]), normalize([((5e7, 0), (1e9, 1))]))  # complex, >= 5e7
    res = sweep([d1, d2], [r1, r2, r3])
    assert [describe_box([d1, d2], b) for b in res.gaps] == ["task_complexity in {complex}, requests_per_day in [1e6, 5e7)"]
    assert res.overlaps == []


def test_merge_boxes_joins_adjacent_regions():
    a = (normalize([((0.0, 0), (1.0, 0))]),)
    b = (normalize([((1.0, 0), (2.0, 0))]),)
    assert merge_boxes([a, b]) == [(normalize([((0.0, 0), (2.0, 0))]),)]
