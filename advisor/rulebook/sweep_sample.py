"""When a table is too complex to sweep exhaustively: check it at sampled cells instead.

Why cells, not points: the bounds of all rules cut every column into
elementary segments, and within a product of segments (a cell) the set of
active rules is constant. Drawing cells (seeded, so the audit stays
deterministic) and reading their active rules from per-column bitmasks makes
each sample a handful of integer ANDs; a gap or overlap found in a drawn cell
is exact for that whole cell. What sampling cannot prove (a rule that is
never reachable, never wins) is not judged: the audit says so.
"""

from __future__ import annotations

import random
from typing import Callable, Sequence

from advisor.rulebook.conditions import Domain
from advisor.rulebook.sweep import Box, SweepResult, mark_cell, merge_boxes, merge_overlaps


def _masks(domains: Sequence[Domain], items: Sequence[Box]) -> list[tuple[list, list[int]]]:
    """Per column: its elementary segments inside the domain, and for each the bitmask of items covering it."""
    out = []
    for j, d in enumerate(domains):
        edges = sorted({e for lo, hi in d.pieces for e in (lo, hi)} | {e for it in items for lo, hi in it[j] for e in (lo, hi)})
        segs = [(x, y) for x, y in zip(edges, edges[1:]) if any(lo <= x and y <= hi for lo, hi in d.pieces)]
        masks = []
        for x, y in segs:
            m = 0
            for k, it in enumerate(items):
                if any(lo <= x and y <= hi for lo, hi in it[j]):
                    m |= 1 << k
            masks.append(m)
        out.append((segs, masks))
    return out


def sample_sweep(
    domains: Sequence[Domain],
    rules: Sequence[Box],
    infeasible: Sequence[Box],
    winners: Callable[[list[int]], list[int]] | None,
    samples: int,
    seed: int = 0,
) -> SweepResult:
    """Like :func:`advisor.rulebook.sweep.sweep`, over ``samples`` drawn cells (``cells`` = cells drawn)."""
    n = len(rules)
    items = list(rules) + list(infeasible)
    axes = _masks(domains, items)
    real_mask = (1 << n) - 1
    rng = random.Random(seed)
    pick = winners or (lambda active: active)
    reachable, wins = [False] * n, [False] * n
    gaps: list[Box] = []
    overlaps: list[tuple[Box, tuple[int, ...]]] = []
    for _ in range(samples):
        m = -1
        cell = []
        for segs, masks in axes:
            k = rng.randrange(len(segs))
            cell.append(((segs[k]),))
            m &= masks[k]
        if m & ~real_mask:
            continue  # infeasible
        active = [i for i in range(n) if m >> i & 1]
        if not active:
            gaps.append(tuple(cell))
        else:
            mark_cell(active, tuple(cell), pick, reachable, wins, overlaps)
    return SweepResult(merge_boxes(gaps), merge_overlaps(overlaps), reachable, wins, samples)
