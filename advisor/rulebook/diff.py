"""What two versions of the rules decide differently: per table, the regions of its inputs.

Why per table and by regions: an architect reviewing a rule change asks
"what does this decide differently?", and the answer must be exact and
readable ("tokens_per_day_total in [5e7, 1e8): volume_tier high -> moderate"),
not a sample. Each table is a function of its inputs; the old and the new
rules are swept together (the same sweep over sorted bounds as the gap
analysis, :mod:`.sweep`), and in every cell the decision of each version is
computed under its hit policy. Cells where both versions have the same active
rules (identical rules, same order) are skipped without descending: the work
grows with the size of the change, not of the table. A change upstream
(a tier) that alters a downstream input is reported where it happens: the
downstream table decides the same for the same inputs.

Definitions that change decisions without a table changing (a derived
value's formula, a question's bounds, choices or default) are listed too.
"""

from __future__ import annotations

import dataclasses
import random
from typing import Any

from advisor.rulebook.conditions import NULL_INTERVAL, Domain, Interval, compile_condition, fmt_value, intersect, normalize
from advisor.rulebook.sweep import Box, describe_box, merge_boxes, rule_box

#: leaf cells one table's diff may visit before it samples instead
CELL_LIMIT = 200_000
SAMPLES = 20_000
NO_RULE = "(no rule matches)"
AMBIGUOUS = "(several rules match)"


@dataclasses.dataclass(frozen=True)
class RegionChange:
    """One region of a table's inputs where the two versions decide differently."""

    table: str
    region: str
    outputs: tuple[tuple[str, str, str], ...]  # (output, old value, new value) for each output that differs
    old_rules: tuple[str, ...]  # "id (file:line)"
    new_rules: tuple[str, ...]
    where: str  # the new table's file:line:column (the old one's if the table was removed)

    def __str__(self) -> str:
        outs = "; ".join(f"{o} {a} -> {b}" for o, a, b in self.outputs)
        return f"{self.region}: {outs}; rule {', '.join(self.old_rules) or 'none'} -> {', '.join(self.new_rules) or 'none'}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "region": self.region,
            "outputs": [{"output": o, "old": a, "new": b} for o, a, b in self.outputs],
            "old_rules": list(self.old_rules),
            "new_rules": list(self.new_rules),
            "where": self.where,
        }


@dataclasses.dataclass(frozen=True)
class DefinitionChange:
    """A table, question or derived value whose definition changed (or that appeared or disappeared)."""

    kind: str  # table | question | derived | evidence
    id: str
    change: str  # words
    where: str

    def __str__(self) -> str:
        return f"{self.kind} {self.id}: {self.change}"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class TableDiff:
    changes: list[RegionChange]
    sampled: int = 0  # > 0: the table was too complex to sweep; this many points were compared


def _at(w: Any) -> str:
    return f"{w.file}:{w.line}:{w.column}"


def _rule_name(r: Any) -> str:
    return f"{r.id} ({r.where.file}:{r.where.line})"


def _remap(cs: tuple[Interval, ...], src: Domain | None, dst: Domain) -> tuple[Interval, ...]:
    """An interval set over ``src`` expressed over ``dst`` (same input, possibly other values or bounds)."""
    if src is None:
        return dst.pieces  # the input is not tested by the other version: any value
    null = any(lo[0] == NULL_INTERVAL[0][0] for lo, _ in cs)
    out: list[Interval] = [NULL_INTERVAL] if null and dst.nullable else []
    if dst.kind == "finite" and src.kind == "finite":
        for lo, hi in cs:
            if lo[0] == NULL_INTERVAL[0][0]:
                continue
            for i in range(int(lo[0]), int(hi[0])):
                j = dst.index(src.values[i])
                if j is not None:
                    out.append(((float(j), 0), (float(j + 1), 0)))
        return normalize(out)
    if dst.kind == "numeric" and src.kind == "numeric":
        return intersect(normalize(out + [iv for iv in cs if iv[0][0] != NULL_INTERVAL[0][0]]), dst.pieces)
    return ()  # the input changed kind: nothing of the old test carries over


def _boxes(table: Any, domains: list[Domain]) -> list[Box]:
    """Each rule as a box over ``domains``: its condition recompiled there (so ``ge: 5e8`` stays
    unbounded when a range grows), else remapped value by value (a choice that no longer exists)."""
    own = {d.id: d for d in table.domains}
    scope = {d.id: d for d in domains}
    out = []
    for r in table.rules:
        cond, problems = compile_condition(r.model.when, scope)
        if not problems:
            out.append(rule_box(domains, cond))
            continue
        box = rule_box(table.domains, r.condition)
        by_id = dict(zip((d.id for d in table.domains), box))
        out.append(tuple(_remap(by_id[d.id], own[d.id], d) if d.id in own else d.pieces for d in domains))
    return out


class _Decider:
    """A table's decision in a cell: the outputs and the deciding rules, under its hit policy."""

    def __init__(self, table: Any):
        self.t = table
        self.policy = table.model.hit_policy
        self.outputs = table.model.outputs

    def _rank(self, i: int) -> tuple:
        r = self.t.rules[i]
        return tuple(o.values.index(r.outputs[o.id]) if o.id in r.outputs and o.values and r.outputs[o.id] in o.values else len(o.values or ()) for o in self.outputs)

    def decide(self, active: list[int]) -> tuple[dict[str, str], tuple[int, ...]]:
        rules = self.t.rules
        if self.policy == "collect":
            out = {}
            for o in self.outputs:
                items: list[Any] = []
                for i in active:
                    v = rules[i].outputs.get(o.id)
                    for x in v if isinstance(v, list) else ([] if v is None else [v]):
                        if x not in items:
                            items.append(x)
                if o.values:
                    items.sort(key=lambda x: o.values.index(x) if x in o.values else len(o.values))
                out[o.id] = "[" + ", ".join(fmt_value(x) for x in items) + "]"
            return out, tuple(active)
        if not active:
            if all("default" in o.model_fields_set for o in self.outputs):
                return {o.id: _shown(o.default) for o in self.outputs}, ()
            return {o.id: NO_RULE for o in self.outputs}, ()
        if self.policy == "unique" and len(active) > 1:
            return {o.id: AMBIGUOUS for o in self.outputs}, tuple(active)
        pick = min(active, key=self._rank) if self.policy == "priority" else active[0]
        r = rules[pick]
        return {o.id: _shown(r.outputs[o.id]) if o.id in r.outputs else _shown(o.default) for o in self.outputs}, (pick,)


def _compare(od: _Decider, nd: _Decider, old_active: list[int], new_active: list[int]) -> tuple | None:
    """``(differing outputs, old deciding rules, new deciding rules)`` in one cell, or None when the decisions agree.

    Under collect, the deciding rules are those setting a differing output (the
    others contribute the same to both versions).
    """
    (oo, orules), (no, nrules) = od.decide(old_active), nd.decide(new_active)
    diff = tuple((k, oo.get(k, "(no such output)"), no.get(k, "(no such output)")) for k in dict.fromkeys([*oo, *no]) if oo.get(k) != no.get(k))
    if not diff:
        return None
    changed = {k for k, _, _ in diff}
    if od.policy == "collect":
        orules = tuple(i for i in orules if changed & set(od.t.rules[i].outputs))
    if nd.policy == "collect":
        nrules = tuple(i for i in nrules if changed & set(nd.t.rules[i].outputs))
    return diff, orules, nrules


def _shown(v: Any) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(fmt_value(x) for x in v) + "]"
    return fmt_value(v)


def _pairs(old: Any, new: Any, old_boxes: list[Box], new_boxes: list[Box]) -> dict[int, int]:
    """Old rule index -> new rule index for rules that are the same (id, region, outputs)."""
    if [o.model_dump() for o in old.model.outputs] != [o.model_dump() for o in new.model.outputs]:
        return {}
    by_id = {r.id: j for j, r in enumerate(new.rules)}
    out = {}
    for i, r in enumerate(old.rules):
        j = by_id.get(r.id)
        if j is not None and old_boxes[i] == new_boxes[j] and r.outputs == new.rules[j].outputs:
            out[i] = j
    return out


class _TooComplex(Exception):
    pass


def table_diff(old: Any, new: Any, domains: list[Domain], infeasible: list[Box], limit: int = CELL_LIMIT, samples: int = SAMPLES) -> TableDiff:
    """The regions of ``domains`` (the union of both tables' inputs) where ``old`` and ``new`` decide differently."""
    ob, nb = _boxes(old, domains), _boxes(new, domains)
    a, b = len(ob), len(nb)
    items = ob + nb + list(infeasible)
    pair = _pairs(old, new, ob, nb)
    outputs_same = [o.model_dump() for o in old.model.outputs] == [o.model_dump() for o in new.model.outputs]
    od, nd = _Decider(old), _Decider(new)
    found: dict[tuple, list[Box]] = {}
    pieces = [d.pieces for d in domains]
    n_cols = len(domains)
    cells = 0

    def leaf(key: tuple[int, ...], box: Box) -> None:
        if any(i >= a + b for i in key):
            return  # infeasible
        change = _compare(od, nd, [i for i in key if i < a], [i - a for i in key if a <= i < a + b])
        if change:
            found.setdefault(change, []).append(box)

    def same(key: tuple[int, ...]) -> bool:
        old_active = [i for i in key if i < a]
        new_active = [i - a for i in key if a <= i < a + b]
        if not key:
            return outputs_same  # no rule in either version: the same defaults (or the same gap)
        return all(i in pair for i in old_active) and [pair[i] for i in old_active] == new_active

    def rec(col: int, active: list[int], prefix: list) -> None:
        nonlocal cells
        edges = sorted({e for lo, hi in pieces[col] for e in (lo, hi)} | {e for it in active for lo, hi in items[it][col] for e in (lo, hi)})
        groups: dict[tuple[int, ...], list[Interval]] = {}
        for x, y in zip(edges, edges[1:]):
            if not any(lo <= x and y <= hi for lo, hi in pieces[col]):
                continue
            key = tuple(it for it in active if any(lo <= x and y <= hi for lo, hi in items[it][col]))
            groups.setdefault(key, []).append((x, y))
        for key, segs in groups.items():
            here = prefix + [normalize(segs)]
            if same(key) and not any(i >= a + b for i in key):
                continue  # both versions have the same rules here: the same decision in every sub-cell
            if col + 1 == n_cols or not key:
                cells += 1
                if cells > limit:
                    raise _TooComplex
                leaf(key, tuple(here) + tuple(pieces[col + 1:]))
            else:
                rec(col + 1, list(key), here)

    try:
        if n_cols == 0:
            leaf(tuple(range(a + b)), ())
        else:
            rec(0, list(range(len(items))), [])
    except _TooComplex:
        return _sampled_diff(old, new, od, nd, domains, ob, nb, infeasible, samples)
    return TableDiff(_changes(old, new, domains, found))


def _changes(old: Any, new: Any, domains: list[Domain], found: dict[tuple, list[Box]]) -> list[RegionChange]:
    out = []
    for (diff, orules, nrules), boxes in found.items():
        for box in merge_boxes(boxes):
            out.append(RegionChange(new.id, describe_box(domains, box), diff, tuple(_rule_name(old.rules[i]) for i in orules), tuple(_rule_name(new.rules[i]) for i in nrules), _at(new.where)))
    return sorted(out, key=lambda c: (c.region, c.outputs, c.old_rules, c.new_rules))


def _sampled_diff(old, new, od, nd, domains, ob, nb, infeasible, samples: int) -> TableDiff:
    """Too many cells: compare the versions at ``samples`` points (seeded), one point per elementary cell drawn."""
    rng = random.Random(0)
    items = ob + nb + list(infeasible)
    a, b = len(ob), len(nb)
    axes = []
    for j, d in enumerate(domains):
        edges = sorted({e for lo, hi in d.pieces for e in (lo, hi)} | {e for it in items for lo, hi in it[j] for e in (lo, hi)})
        axes.append([(x, y) for x, y in zip(edges, edges[1:]) if any(lo <= x and y <= hi for lo, hi in d.pieces)])
    found: dict[tuple, list[Box]] = {}
    for _ in range(samples):
        cell = [rng.choice(segs) for segs in axes]
        key = tuple(i for i, it in enumerate(items) if all(any(lo <= s[0] and s[1] <= hi for lo, hi in it[j]) for j, s in enumerate(cell)))
        if any(i >= a + b for i in key):
            continue
        change = _compare(od, nd, [i for i in key if i < a], [i - a for i in key if i >= a])
        if change:
            found.setdefault(change, []).append(tuple((s,) for s in cell))
    return TableDiff(_changes(old, new, domains, found), sampled=samples)
