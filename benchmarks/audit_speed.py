"""Audit speed on a generated decision table: 10,000 rules over 6 inputs.

The table is a complete grid (4 numeric inputs cut into 5 half-open bins each,
2 choice inputs with 4 values each: 5*5*5*5*4*4 = 10,000 rules), hit policy
unique, so the sweep must visit every cell to prove there is no gap and no
overlap. A second run removes one rule and duplicates another with a different
output, and must report exactly one gap and one conflict.

Prints figures (no pass/fail): ``audit_10000_rules_s`` is the goal (< 2 s on
the 2-core CI machine); the 1,024-rule figure, measured in the same run, shows
how the time scales (the sweep is near-linear in rules; the cartesian product
of these domains would be ~1e45 points), and a brute-force baseline (every
rule tested in every elementary cell) on a 324-rule table gives the speed-up.
Figures cover the analysis of a compiled table; a 10,000-rule YAML file would
exceed the 1 MB rule-file limit anyway.

The bounded sweep (issue 15): 40 and 80 random boxes over 6 numeric inputs
(hit policies first and unique) cannot be swept exhaustively; the audit must
stop at its stated limit and sample instead (goal: under 5 s and 200 MB for
the whole process; before the limit, 80 boxes took over 150 s and 1.3 GB).
The figures are the table's analysis time and the process's peak memory so far.

    python benchmarks/audit_speed.py
"""

from __future__ import annotations

import itertools
import random
import resource
import time
from types import SimpleNamespace

from advisor.rulebook.audit import table_findings
from advisor.rulebook.conditions import Domain, compile_condition
from advisor.rulebook.loader import CompiledRule, CompiledTable, Where
from advisor.rulebook.schema import Output, Rule, Table

NUMERIC = [("requests_per_day", 1e9), ("input_tokens", 2e6), ("output_tokens", 1e6), ("budget_usd", 1e7)]
CHOICE = [("task_complexity", ("simple", "moderate", "complex", "advanced")), ("quality_bar", ("acceptable", "professional", "expert", "sota"))]


def build(bins: int, values: int, drop: int | None = None, conflict: int | None = None) -> tuple[object, CompiledTable]:
    domains = [Domain(n, "numeric", lo=0, hi=hi) for n, hi in NUMERIC] + [Domain(n, "finite", v[:values]) for n, v in CHOICE]
    scope = {d.id: d for d in domains}
    edges = {n: [hi * i / bins for i in range(bins)] for n, hi in NUMERIC}
    rules = []
    grid = itertools.product(*[range(bins)] * 4, *[range(values)] * 2)
    out = Output(id="size", values=["7b", "13b", "30b", "70b"])
    where = Where("generated.yaml", 1, 1, "tables[0]")
    cells = list(grid)
    extra = [cells[conflict]] if conflict is not None else []
    for k, cell in enumerate(cells + extra):
        if k == drop:
            continue
        when = {}
        for (name, hi), b in zip(NUMERIC, cell[:4]):
            lo = edges[name][b]
            when[name] = {"ge": lo, "lt": edges[name][b + 1]} if b + 1 < bins else {"ge": lo}
        for (name, vals), v in zip(CHOICE, cell[4:]):
            when[name] = vals[v]
        cond, problems = compile_condition(when, scope)
        assert not problems, problems
        size = "13b" if k >= len(cells) else ["7b", "13b", "30b", "70b"][sum(cell) % 4]
        model = Rule.model_construct(id=f"r{k}", when=when, then={"size": size}, because="generated")
        rules.append(CompiledRule(model, cond, {"size": size}, Where("generated.yaml", k + 2, 5, f"tables[0].rules[{k}]"), k))
    table_model = Table.model_construct(id="generated", step=None, help="", hit_policy="unique", inputs=[d.id for d in domains], outputs=[out], rules=[r.model for r in rules])
    table = CompiledTable(table_model, tuple(domains), tuple(rules), where)
    book = SimpleNamespace(questions={}, impossible=[])
    return book, table


def random_boxes(n: int, policy: str, seed: int = 0) -> tuple[object, CompiledTable]:
    """``n`` random boxes over 6 numeric inputs in [0, 100] (gaps and overlaps everywhere)."""
    rng = random.Random(seed)
    domains = [Domain(f"x{j}", "numeric", lo=0, hi=100) for j in range(6)]
    scope = {d.id: d for d in domains}
    out = Output(id="o", values=["a", "b", "c"])
    rules = []
    for k in range(n):
        when = {d.id: dict(zip(("ge", "lt"), sorted(round(rng.uniform(0, 100), 1) for _ in range(2)))) for d in domains}
        cond, _ = compile_condition(when, scope)
        v = rng.choice(["a", "b", "c"])
        model = Rule.model_construct(id=f"r{k}", when=when, then={"o": v}, because="random")
        rules.append(CompiledRule(model, cond, {"o": v}, Where("boxes.yaml", k + 2, 5, f"tables[0].rules[{k}]"), k))
    table_model = Table.model_construct(id="boxes", step=None, help="", hit_policy=policy, inputs=[d.id for d in domains], outputs=[out], rules=[r.model for r in rules])
    return SimpleNamespace(questions={}, impossible=[]), CompiledTable(table_model, tuple(domains), tuple(rules), Where("boxes.yaml", 1, 1, "tables[0]"))


def bounded(n: int, policy: str) -> str:
    book, table = random_boxes(n, policy)
    t0 = time.perf_counter()
    findings = table_findings(book, table)
    seconds = time.perf_counter() - t0
    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the process so far (KiB on Linux)
    kinds = {k: sum(f.check == k for f in findings) for k in sorted({f.check for f in findings})}
    return f"boxes_{n}_{policy}_s={seconds:.2f} process_max_rss_mb={max_rss_mb:.0f} findings={kinds}"


def timed(book, table, repeat: int = 3) -> tuple[float, list]:
    best = float("inf")
    findings = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        findings = table_findings(book, table)
        best = min(best, time.perf_counter() - t0)
    return best, findings


def brute_force(table) -> tuple[float, int, int]:
    """Baseline: test every rule at one point of every elementary cell (gaps, overlaps)."""
    t0 = time.perf_counter()
    axes = []
    for d in table.domains:
        if d.kind == "finite":
            axes.append([(d.id, v) for v in d.values])
        else:
            cuts = sorted({lo[0] for r in table.rules for t in r.condition.tests if t.column == d.id for lo, _ in t.intervals})
            axes.append([(d.id, c) for c in cuts])
    gaps = overlaps = 0
    for cell in itertools.product(*axes):
        values = dict(cell)
        hits = sum(1 for r in table.rules if r.condition.holds(values))
        gaps += hits == 0
        overlaps += hits > 1
    return time.perf_counter() - t0, gaps, overlaps


def main() -> None:
    book, table = build(5, 4)
    assert len(table.rules) == 10_000
    t10k, findings = timed(book, table)
    assert findings == [], findings[:3]
    small_book, small = build(4, 2)  # 4^4 * 2 * 2 = 1,024
    t1k, f1k = timed(small_book, small)
    assert f1k == []
    book_d, defective = build(5, 4, drop=1234, conflict=4321)
    t_def, found = timed(book_d, defective, repeat=1)
    kinds = sorted(f.check for f in found)
    base_book, base = build(3, 2)  # 3^4 * 2 * 2 = 324 rules: small enough for brute force
    t_sweep_324, _ = timed(base_book, base)
    t_brute_324, gaps, overlaps = brute_force(base)
    assert (gaps, overlaps) == (0, 0)
    print(f"audit_10000_rules_s={t10k:.3f}")
    print(f"audit_1024_rules_s={t1k:.3f}")
    print(f"scaling_10000_vs_1024={t10k / t1k:.2f}  (rules ratio {10_000 / 1024:.2f})")
    print(f"audit_10000_rules_with_defects_s={t_def:.3f} findings={kinds}")
    print(f"brute_force_324_rules_s={t_brute_324:.3f} sweep_324_rules_s={t_sweep_324:.4f} speedup={t_brute_324 / t_sweep_324:.0f}x"
          " (brute force grows with rules x cells: ~rules^2 here)")
    print(f"goal_under_2s={'yes' if t10k < 2.0 else 'NO'}")
    for n, policy in ((40, "first"), (80, "first"), (40, "unique"), (80, "unique")):
        print(bounded(n, policy))
    print(shipped())


def shipped() -> str:
    """The shipped rules: load, static and contract checks (what a rule edit waits for), best of 3."""
    from pathlib import Path

    from advisor.rulebook.audit import inventory_findings, manifest_findings, static_findings
    from advisor.rulebook.loader import load_rulebook

    best_load = best_checks = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        book = load_rulebook()
        t1 = time.perf_counter()
        static_findings(book), manifest_findings(book), inventory_findings(Path(book.directory))
        best_load, best_checks = min(best_load, t1 - t0), min(best_checks, time.perf_counter() - t1)
    return f"shipped_rules_load_s={best_load:.3f} shipped_rules_static_checks_s={best_checks:.3f}"


if __name__ == "__main__":
    main()
