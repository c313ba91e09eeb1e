"""Self-hosting against an API (issue 13): rows, break-even volume, the conclusion, the JSON contract."""

from __future__ import annotations

import json

import pytest

from advisor.pipeline import recommend_from_answers
from advisor.pipeline.api import api_comparison
from advisor.recommendation import Volume
from advisor.report import render

BASE = {"task_complexity": "simple", "quality_bar": "acceptable", "latency": "interactive",
        "input_tokens": 500, "output_tokens": 200, "deployment": "cloud"}
ROW_KEYS = {"provider", "model", "usd_per_million_input", "usd_per_million_output", "monthly_usd", "source", "as_of"}


@pytest.fixture(scope="module")
def internal_tool():
    return recommend_from_answers({**BASE, "requests_per_day": 2000}, with_sensitivity=False)


@pytest.fixture(scope="module")
def pipeline_20m():
    return recommend_from_answers({**BASE, "latency": "batch", "requests_per_day": 20_000_000, "deployment": "owned",
                                   "task_complexity": "advanced", "quality_bar": "state_of_the_art"},
                                  with_sensitivity=False)


def test_a_small_internal_tool_gets_three_providers_and_a_break_even(internal_tool):
    rows = internal_tool.api_comparison
    assert len({r.provider for r in rows}) >= 3
    assert internal_tool.api_break_even_tokens_per_day > internal_tool.volume.total_tokens_per_day
    assert "self-hosting wins above about" in internal_tool.api_conclusion
    assert [r.monthly_usd for r in rows] == sorted(r.monthly_usd for r in rows)


def test_a_20m_requests_pipeline_shows_self_hosting_winning_with_the_ratio(pipeline_20m):
    rec = pipeline_20m
    cand = rec.candidate(rec.recommendation.start_size)
    cheapest = rec.api_comparison[0].monthly_usd
    assert cand.monthly_usd < cheapest
    assert rec.api_conclusion.startswith("Self-hosting")
    ratio = cheapest / cand.monthly_usd
    assert f"{ratio:.3g}x" in rec.api_conclusion or f"{ratio:,.0f}x" in rec.api_conclusion
    assert rec.api_break_even_tokens_per_day < rec.volume.total_tokens_per_day


def test_the_monthly_bill_is_tokens_times_price_times_the_engines_month(internal_tool):
    v = internal_tool.volume
    for r in internal_tool.api_comparison:
        expected = (v.input_tokens_per_day * r.usd_per_million_input + v.output_tokens_per_day * r.usd_per_million_output) / 1e6 * 730 / 24
        assert r.monthly_usd == pytest.approx(expected, abs=0.01)


def test_break_even_scales_the_volume_by_self_hosted_over_api(pipeline_20m):
    rec = pipeline_20m
    cand = rec.candidate(rec.recommendation.start_size)
    want = rec.volume.total_tokens_per_day * cand.monthly_usd / rec.api_comparison[0].monthly_usd
    assert rec.api_break_even_tokens_per_day == pytest.approx(want, rel=1e-3)


def test_a_cheaper_api_that_stays_cheaper_says_so_instead_of_a_false_break_even(internal_tool):
    # at 2K requests/day the cheapest 7B API beats even a fully loaded fleet: no break-even against it
    text = internal_tool.api_conclusion
    assert "stays cheaper at any volume" in text and "that is the break-even reported" in text


def test_json_rows_have_exactly_the_contract_keys(internal_tool):
    doc = json.loads(render(internal_tool, "json"))
    assert doc["api_comparison"] and all(set(r) == ROW_KEYS for r in doc["api_comparison"])
    assert isinstance(doc["api_break_even_tokens_per_day"], (int, float))


def test_markdown_has_the_section_and_the_summary_line(internal_tool):
    md = render(internal_tool, "markdown")
    assert "## Self-hosting against an API" in md
    head = "\n".join(md.splitlines()[:40])
    assert "**Against an API.**" in head


def test_a_request_longer_than_every_listed_context_gets_no_rows_and_says_so():
    v = Volume(requests_per_day=10, input_tokens_per_request=5_000_000, output_tokens_per_request=10,
               input_tokens_per_day=5e7, output_tokens_per_day=100, total_tokens_per_day=5e7 + 100,
               **{k: None for k in Volume.model_fields if k not in {
                   "requests_per_day", "input_tokens_per_request", "output_tokens_per_request",
                   "input_tokens_per_day", "output_tokens_per_day", "total_tokens_per_day"}})
    out = api_comparison("7b", v, 1000.0)
    from engine.api_prices import prices_for
    unlimited = [p for p in prices_for(size_class="7b") if p.max_input_tokens is None]
    assert len(out.rows) == len({p.provider for p in unlimited}) or not out.rows
    assert all(r.provider in {p.provider for p in unlimited} for r in out.rows)


def test_the_rules_decide_whether_a_cheaper_api_becomes_the_recommendation(tmp_path):
    import shutil

    from advisor.rulebook import load_rulebook

    small = {**BASE, "requests_per_day": 500}  # 350K tokens/day: the low tier
    rec = recommend_from_answers(small, with_sensitivity=False)
    assert rec.api_recommended
    assert "the rules recommend an API" in render(rec, "markdown")
    shutil.copytree("rules", tmp_path / "rules")
    path = tmp_path / "rules" / "step3_volume.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("then: {api_may_recommend: true}",
                                                             "then: {api_may_recommend: false}"), encoding="utf-8")
    off = recommend_from_answers(small, rulebook=load_rulebook(tmp_path / "rules"), with_sensitivity=False)
    assert not off.api_recommended and off.api_comparison  # still priced, no longer the recommendation
    assert "the rules recommend an API" not in render(off, "markdown")
