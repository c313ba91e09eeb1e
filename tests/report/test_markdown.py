"""The Markdown renderer: content, determinism and a real-parser lint pass."""

from __future__ import annotations

import json

import pytest

from advisor.report import render
from advisor.report.format import table, usd, usd_per_m
from advisor.report.markdown import render_markdown
from advisor.report.sections_sizing import _nice_ceiling

from .conftest import make_recommendation
from .mdlint import lint_markdown, lint_mermaid_xychart


def test_sample_report_lints_clean(sample_recommendation):
    text = render_markdown(sample_recommendation)
    assert lint_markdown(text) == []


def test_answer_comes_first_then_sections_in_order(sample_recommendation):
    text = render_markdown(sample_recommendation)
    lines = text.split("\n")
    assert lines[0] == "# Model sizing recommendation: support bot"
    assert lines[2] == "Generated on 2026-01-02 by sizewise (report schema 1)."
    heads = [ln for ln in lines if ln.startswith("## ")]
    assert heads == [
        "## Executive summary",
        "## Your answers",
        "## Candidates",
        "## Optimizations",
        "## Test plan",
        "## Your evaluation results",
        "## Quality against cost per step",
        "## Warnings",
        "## Inflection points",
        "## Training against inference",
        "## Sensitivity",
        "## The article against the computation",
        "## Assumptions",
        "## Rule trace",
        "## Notes",
    ]
    assert lines[6].startswith("**Decision.** Deploy a 13B model")


def test_chart_has_one_bar_per_fitting_size(sample_recommendation):
    text = render_markdown(sample_recommendation)
    block = text.split("```mermaid\n")[1].split("```")[0]
    assert block.split("\n")[:5] == [
        "xychart-beta",
        '    title "Monthly cost by model size (cloud, USD)"',
        '    x-axis ["7B", "13B", "30B"]',
        '    y-axis "USD per month" 0 --> 10000',
        "    bar [1520, 3210, 9000]",
    ]
    assert "Not drawn (no deployment fits and meets latency): 70B." in text


def test_pipes_in_cells_are_escaped(sample_recommendation):
    sample_recommendation.answers[0].value = "a | b\nc"
    text = render_markdown(sample_recommendation)
    assert "| a \\| b c |" in text
    assert lint_markdown(text) == []


def test_deterministic_and_date_injectable(sample_recommendation):
    a = render_markdown(sample_recommendation)
    b = render_markdown(make_recommendation())
    assert a == b
    other = render_markdown(make_recommendation(generated_on="2030-05-06"))
    assert other != a and other.replace("2030-05-06", "2026-01-02") == a


def test_optional_sections_drop_cleanly():
    rec = make_recommendation(evaluations=None, quality_steps=[], sensitivity=[], crossover=None, inflection_points=[], article_comparison=[], notes=[])
    text = render_markdown(rec)
    assert "## Your evaluation results" not in text
    assert "## Sensitivity" not in text
    assert lint_markdown(text) == []


def test_no_fitting_size_has_no_chart_and_lints():
    rec = make_recommendation()
    for c in rec.recommendation.candidates:
        c.fits = False
        c.monthly_usd = None
    text = render_markdown(rec)
    assert "```mermaid" not in text
    assert "no cost curve to draw" in text
    assert lint_markdown(text) == []


def test_json_is_the_model_dump_sorted(sample_recommendation):
    text = render(sample_recommendation, "json")
    data = json.loads(text)
    assert list(data) == sorted(data)
    assert data["recommendation"]["start_size"] == "13b"
    assert data["recommendation"]["candidates"][1]["gpu"] == "a100-80gb"
    assert data["recommendation"]["warnings"][0]["id"] == "no_quantization"
    assert data["recommendation"]["rules_hash"] == "sha256:0123abcd"
    assert text == render(make_recommendation(), "json")
    assert text.endswith("}\n")


def test_stable_json_fields_exist_in_schema():
    from advisor.recommendation import Recommendation

    schema = Recommendation.model_json_schema()
    decision = schema["$defs"]["Decision"]["properties"]
    for key in ("start_size", "test_ladder", "mandatory_optimizations", "candidates", "warnings", "rules_hash"):
        assert key in decision
    cand = schema["$defs"]["Candidate"]["properties"]
    for key in ("size", "gpu", "gpus_per_replica", "replicas", "precision", "monthly_usd", "usd_per_million_output_tokens"):
        assert key in cand
    assert "id" in schema["$defs"]["WarningItem"]["properties"]
    assert "recommendation" in schema["properties"]


@pytest.mark.parametrize(
    "value,expected",
    [(0.5, "$0.50"), (99.994, "$99.99"), (100, "$100"), (1234567.8, "$1,234,568"), (None, "n/a")],
)
def test_usd_format(value, expected):
    assert usd(value) == expected


def test_usd_per_m_format():
    assert usd_per_m(0.01234) == "$0.012"
    assert usd_per_m(2.5) == "$2.50"


def test_nice_ceiling():
    assert [_nice_ceiling(x) for x in (9000, 10000, 10001, 1520, 0.3, 26000)] == [10000, 10000, 20000, 2000, 0.5, 50000]


def test_table_rejects_ragged_rows():
    with pytest.raises(ValueError):
        table(["a", "b"], [(1,)])


# --- the linter itself must catch what it claims to catch -------------------


def test_lint_catches_ragged_table_and_skipped_heading():
    bad = "# T\n\n### skipped\n\n| a | b |\n|---|---|\n| 1 | 2 | 3 |\n"
    problems = lint_markdown(bad)
    assert any("jumps from H1 to H3" in p for p in problems)
    assert any("table row has 3 cells, header has 2" in p for p in problems)


def test_lint_catches_two_h1_and_trailing_space():
    problems = lint_markdown("# A \n\n# B\n")
    assert "there must be exactly one H1" in problems
    assert "line 1: trailing whitespace" in problems


def test_lint_mermaid_length_mismatch_and_two_series():
    assert lint_mermaid_xychart('xychart-beta\n x-axis ["a", "b"]\n y-axis "u" 0 --> 10\n bar [1]\n') == [
        "bar series has 1 values for 2 x-axis labels"
    ]
    assert "xychart has 2 series, expected exactly one" in lint_mermaid_xychart(
        'xychart-beta\n x-axis ["a"]\n y-axis "u" 0 --> 10\n bar [1]\n line [1]\n'
    )
    assert lint_mermaid_xychart("graph TD\n") == ["mermaid block does not start with xychart-beta"]


def test_extrapolated_candidates_are_marked_and_explained():
    rec = make_recommendation()
    plain = render(rec, "markdown")
    assert "†" not in plain
    rec.recommendation.candidates[0].calibration_gaps = ["GPU l4 was not measured (calibrated on h100-sxm)",
                                                         "int8 weights were not measured"]
    md = render(rec, "markdown")
    assert lint_markdown(md) == []
    row = next(line for line in md.splitlines() if line.startswith("| 7B |"))
    assert row.count("†") == 1
    note = next(line for line in md.splitlines() if line.startswith("- 7B (1x L4, int8)"))
    assert "GPU l4 was not measured" in note and "int8 weights were not measured" in note
    assert sum(line.startswith("| 13b |") and "†" in line for line in md.splitlines()) == 0
