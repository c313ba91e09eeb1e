"""A table too complex to sweep is sampled with a stated limit; overlaps are reported per pair of rules."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

import advisor.rulebook.table_checks as T
from advisor.rulebook.evaluator import EvaluationError, _evaluate_table
from advisor.rulebook.loader import load_rulebook


def boxes_rules(tmp_path: Path, n: int, policy: str) -> Path:
    """6 numeric inputs, ``n`` random boxes (the issue's "40 random boxes" table)."""
    rng = random.Random(7)
    qs = "".join(f"  - {{id: x{j}, step: 3, prompt: x{j}, type: number, bounds: {{min: 0, max: 100}}}}\n" for j in range(6))
    rules = []
    for k in range(n):
        tests = []
        for j in range(6):
            a, b = sorted(round(rng.uniform(0, 100), 1) for _ in range(2))
            tests.append(f"x{j}: {{ge: {a}, lt: {b + 0.1}}}")
        rules.append(f"      - {{id: r{k}, when: {{{', '.join(tests)}}}, then: {{o: {rng.choice('abc')}}}, because: random}}\n")
    d = tmp_path / "rules"
    d.mkdir()
    (d / "boxes.yaml").write_text(
        "questions:\n" + qs + "tables:\n  - id: boxes\n    hit_policy: " + policy + "\n"
        "    inputs: [x0, x1, x2, x3, x4, x5]\n    outputs: [{id: o, values: [a, b, c]}]\n    rules:\n" + "".join(rules)
    )
    return d


@pytest.mark.parametrize("policy", ["first", "unique"])
def test_a_table_too_complex_to_sweep_is_sampled_with_a_clear_message(tmp_path, monkeypatch, policy):
    monkeypatch.setattr(T, "SWEEP_LIMIT", 3_000)
    monkeypatch.setattr(T, "SAMPLES", 2_000)
    book = load_rulebook(boxes_rules(tmp_path, 80, policy))
    table = book.table("boxes")
    findings = T.table_findings(book, table)
    (note,) = [f for f in findings if f.check == "too_complex"]
    assert note.message == (
        "table boxes too complex to sweep exhaustively: more than 3,000 regions; checked by sampling 2,000 cells "
        "(each gap or overlap listed is exact for its region; unreachable, shadowed and masked rules were not judged)"
    )
    gaps = [f for f in findings if f.check == "gap"]
    assert len(gaps) == T.MAX_LISTED + 1 and "more regions no rule covers (the first 25 are listed)" in gaps[-1].message
    assert not {f.check for f in findings} & {"unreachable", "shadowed"}
    # every listed gap is a real gap: the evaluator finds no rule at a point inside it
    for f in gaps[:5]:
        values = {name: (float(lo) + float(hi)) / 2 for name, lo, hi in re.findall(r"(x\d) in [\[(]([^,]+), ([^\])]+)", f.region)}
        values = {d.id: values.get(d.id, 50.0) for d in table.domains}  # "x any": any value will do
        with pytest.raises(EvaluationError, match="no rule matches"):
            _evaluate_table(table, values)


def test_overlaps_are_reported_per_pair_of_rules(tmp_path):
    d = tmp_path / "rules"
    d.mkdir()
    (d / "t.yaml").write_text("""
questions:
  - {id: x, step: 3, prompt: x, type: number, bounds: {min: 0, max: 100}}
tables:
  - id: t
    inputs: [x]
    outputs: [{id: o, values: [a, b, c]}]
    rules:
      - {id: a, when: {x: {lt: 60}}, then: {o: a}, because: a}
      - {id: b, when: {x: {ge: 40}}, then: {o: b}, because: b}
      - {id: c, when: {x: {ge: 50, le: 55}}, then: {o: c}, because: c}
""")
    book = load_rulebook(d)
    overlaps = [f for f in T.table_findings(book, book.table("t")) if f.check == "overlap"]
    assert [(f.rules, f.region) for f in overlaps] == [
        (("a", "b"), "x in [40, 60)"),
        (("a", "c"), "x in [50, 55]"),
        (("b", "c"), "x in [50, 55]"),
    ]
