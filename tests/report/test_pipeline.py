"""The pipeline end to end on the real engine and the shipped questions.

The rulebook's decisions come from a hand-written table here (``fake_decide``)
so the pipeline is tested independently of the rule tables; the golden tests
(tests/report/test_golden.py) run the real evaluator.
"""

from __future__ import annotations

import pytest

from advisor.pipeline import recommend
from advisor.report import render

from .mdlint import lint_markdown

BASE = {
    "task_complexity": "moderate",
    "quality_bar": "professional",
    "latency": "interactive",
    "requests_per_day": 200000,
    "input_tokens": 1500,
    "output_tokens": 300,
    "deployment": "cloud",
}

START = {"simple": "7b", "moderate": "13b", "complex": "30b", "advanced": "70b"}
LADDER = ["7b", "13b", "30b", "70b"]


def fake_decide(rulebook, answers):
    v = answers.values
    start = START[v["task_complexity"]]
    tokens = v["requests_per_day"] * (v["input_tokens"] + v["output_tokens"])
    tier = "low" if tokens < 1e6 else "moderate" if tokens < 5e7 else "high" if tokens < 5e8 else "massive"
    mandatory = ["quantization"] if tier in ("high", "massive") else []
    if tier == "massive":
        mandatory.append("moe")
    considered = ["distillation"] if tier != "low" and v.get("task_scope") == "domain_specific" else []
    outputs = {
        "start_size": start,
        "test_ladder": LADDER[: LADDER.index(start) + 1] if start != "7b" else ["7b", "13b"],
        "mandatory_optimizations": mandatory,
        "considered_optimizations": considered,
        "volume_tier": tier,
        "volume_basis": "total",
        "warnings": ["no_quantization"] if v.get("serving_precision") in ("fp16", "bf16") else [],
        "deployment": v["deployment"],
        "ttft_target_s": v.get("ttft_target_s"),
        "tpot_target_ms": v.get("tpot_target_ms"),
    }
    from advisor.recommendation import TraceRow

    trace = [TraceRow(table="start_size", rule=f"{v['task_complexity']}_start", location="rules/fake.yaml:1", matched=True, detail="fixture")]
    return outputs, trace


@pytest.fixture(scope="module")
def rulebook():
    from advisor.rulebook import load_rulebook

    return load_rulebook()


@pytest.fixture(scope="module")
def rec(rulebook):
    return recommend(BASE, rulebook, generated_on="2026-01-02", decide=fake_decide)


def test_candidates_cover_the_ladder_and_fit(rec):
    d = rec.recommendation
    assert d.start_size == "13b" and d.recommended_size == "13b"
    assert [c.size for c in d.candidates] == ["7b", "13b", "30b"]
    for c in d.candidates:
        assert c.fits and c.meets_latency
        assert c.tpot_ms <= 50 and c.ttft_s <= 1.0
        assert c.monthly_usd == c.cloud.monthly_usd
        assert c.annual_usd == pytest.approx(12 * c.monthly_usd, abs=0.06)  # both rounded to cents from one figure
        assert c.band.low <= c.monthly_usd <= c.band.high
        assert c.usd_per_million_total_tokens < c.usd_per_million_output_tokens
    assert [c.is_start for c in d.candidates] == [False, True, False]
    assert d.candidates[1].cost_multiple_vs_start == 1.0


def test_candidate_is_the_cheapest_that_meets_latency(rec, rulebook):
    """Oracle: brute force over the engine's own sweep of every real 13B-class model whose window holds 1,800 tokens."""
    from advisor.pipeline.engine_search import EngineSearch
    from advisor.pipeline.hardware import pool_for
    from engine.catalog import load_models

    pool = pool_for({"providers": ["any"], "latency": "interactive"}, "cloud")  # the answers' defaults
    engine = EngineSearch()
    per_model = {}
    for m in load_models().values():
        if m.generic or m.size_class != "13b" or m.max_context < 1800:
            continue
        configs = engine.search(
            m.id, requests_per_day=200000, input_tokens=1500, output_tokens=300, peak_to_average=3,
            ttft_target_s=1.0, tpot_target_ms=50, gpus=list(pool.gpus), precisions=None, deployment="cloud",
            hardware=pool,
        )
        ok = [c.cloud_monthly_usd for c in configs if c.meets_latency]
        if ok:
            per_model[m.id] = min(ok)
    cheapest = min(per_model.values())
    c = rec.candidate("13b")
    assert c.monthly_usd == round(cheapest, 2)
    assert per_model[c.costed_model] == cheapest


def test_restricting_gpus_is_respected(rulebook):
    r = recommend(BASE, rulebook, generated_on="2026-01-02", decide=fake_decide, gpus=["a100-80gb"], with_sensitivity=False)
    assert {c.gpu for c in r.recommendation.candidates if c.fits} == {"a100-80gb"}


def test_owned_deployment_prices_owned(rulebook):
    r = recommend({**BASE, "deployment": "owned"}, rulebook, generated_on="2026-01-02", decide=fake_decide, with_sensitivity=False)
    for c in r.recommendation.candidates:
        assert c.monthly_usd == c.owned.monthly_usd


def test_batch_has_no_latency_targets(rulebook):
    r = recommend({**BASE, "latency": "batch"}, rulebook, generated_on="2026-01-02", decide=fake_decide, with_sensitivity=False)
    assert r.recommendation.latency.ttft_target_s is None
    assert all(c.meets_latency for c in r.recommendation.candidates if c.fits)
    # no latency limit can only make the bill smaller or equal
    inter = recommend(BASE, rulebook, generated_on="2026-01-02", decide=fake_decide, with_sensitivity=False)
    for b, i in zip(r.recommendation.candidates, inter.recommendation.candidates):
        assert b.monthly_usd <= i.monthly_usd


def test_sensitivity_rows(rec):
    labels = [s.scenario for s in rec.sensitivity]
    assert labels == ["0.5x volume", "2x volume", "10x volume", "2x context"]
    ten = rec.sensitivity[2]
    assert ten.monthly_usd > rec.candidate("13b").monthly_usd


def test_evaluations_pick_smallest_meeting_target(rulebook):
    answers = {**BASE, "evaluations": {"target_accuracy": 0.85, "results": [{"size": "7b", "correct": 178, "examples": 200}, {"size": "13b", "correct": 180, "examples": 200}]}}
    r = recommend(answers, rulebook, generated_on="2026-01-02", decide=fake_decide, with_sensitivity=False)
    assert r.recommendation.recommended_size == "7b"
    assert r.evaluations.chosen_size == "7b"
    assert r.evaluations.comparisons[0].separable is False
    assert r.evaluations.comparisons[0].examples_needed is not None
    step = r.quality_steps[0]
    assert step.basis == "your evaluation" and step.measured_gain_points == pytest.approx(0.01)


def test_report_renders_and_lints(rec):
    md = render(rec, "markdown")
    assert lint_markdown(md) == []
    assert md == render(recommend(BASE, rec_rulebook(), generated_on="2026-01-02", decide=fake_decide), "markdown")


def rec_rulebook():
    from advisor.rulebook import load_rulebook

    return load_rulebook()


def test_owned_cost_matches_the_engines_own_owned_sweep():
    """Oracle: the adapter's owned cost for a config equals engine.sweep.sweep(deployment='owned')."""
    from advisor.pipeline.engine_search import EngineSearch
    from engine.defaults import load_assumptions
    from engine.sweep import sweep

    kw = dict(requests_per_day=200000, input_tokens=1500, output_tokens=300, ttft_target_s=1.0, tpot_target_ms=50)
    mine = EngineSearch().search("13b", peak_to_average=None, gpus=["a100-80gb", "l40s"], precisions=("bf16", "int8"), deployment="owned", **kw)
    theirs = sweep(["13b"], ["a100-80gb", "l40s"], ["bf16", "int8"], deployment="owned", assumptions=load_assumptions(), **kw)
    key = lambda c: (c.gpu, c.precision, c.gpus_per_replica)  # noqa: E731
    by = {(c.gpu_id, c.precision, c.gpus_per_replica): c for c in theirs}
    assert mine and len(mine) == len(theirs)
    for c in mine:
        t = by[key(c)]
        assert c.owned_monthly_usd == pytest.approx(t.monthly_usd, rel=1e-12)
        assert c.replicas == t.replicas


def test_student_and_tiers():
    from advisor.pipeline.decisions import article_tier as _article_tier
    from advisor.pipeline.optimizations import student_for as _student_for

    assert [_student_for(t) for t in ("7b", "13b", "30b", "70b", "175b")] == [None, "7b", "7b", "13b", "30b"]
    assert [_article_tier(x) for x in (0, 999_999, 1e6, 5e7 - 1, 5e7, 5e8)] == ["low", "low", "moderate", "moderate", "high", "massive"]


def test_rejected_quantization_keeps_16_bit(rulebook):
    r = recommend({**BASE, "serving_precision": "bf16", "quantization_rejected_by_tests": True}, rulebook,
                  generated_on="2026-01-02", decide=fake_decide, with_sensitivity=False)
    assert {c.precision for c in r.recommendation.candidates if c.fits} == {"bf16"}
    assert r.optimizations.quantization == []


def test_evaluations_argument_replaces_the_files_for_rules_too(rulebook):
    """recommend(evaluations=...) is seen by the rules (start_size basis 'measured') and by the report."""
    ev = {"target_accuracy": 0.8, "results": [{"size": "7b", "correct": 150, "examples": 200}, {"size": "13b", "correct": 170, "examples": 200}]}
    r = recommend(BASE, rulebook, generated_on="2026-01-02", evaluations=ev, with_sensitivity=False)
    assert r.recommendation.start_size == "13b"
    assert r.recommendation.recommended_size == "13b"
    assert r.evaluations.chosen_size == "13b"
    assert any(t.table == "start_size" and t.rule == "measured_13b" and t.matched for t in r.trace)


def test_invalid_raw_answers_raise_every_problem(rulebook):
    from advisor.answers import AnswersError

    with pytest.raises(AnswersError) as info:
        recommend({"task_complexity": "moderate", "latency": "sometimes"}, rulebook)
    keys = {p.key for p in info.value.problems}
    assert {"latency", "quality_bar", "requests_per_day", "deployment"} <= keys


def test_trace_adapter_reads_mappings_and_objects():
    from types import SimpleNamespace

    from advisor.pipeline.decisions import trace_rows as _trace_rows

    entry = {
        "table": "volume_tier",
        "matched": [{"rule": "high", "where": "rules/step3_volume.yaml:45", "because": "50M-500M", "outputs": {"volume_tier": "high"}}],
        "missed": [SimpleNamespace(rule="low", where="rules/step3_volume.yaml:37", failed="tokens_per_day_total in [2, 1e6)", actual=3.6e8)],
    }
    rows = _trace_rows(entry)
    assert [(r.rule, r.location, r.matched) for r in rows] == [
        ("high", "rules/step3_volume.yaml:45", True),
        ("low", "rules/step3_volume.yaml:37", False),
    ]
    assert rows[0].detail == "50M-500M -> volume_tier=high"
    assert rows[1].detail == "tokens_per_day_total in [2, 1e6) (actual: 360,000,000)"


def test_schema_command_prints_the_report_schema():
    import json
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "advisor", "schema", "--report"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    schema = json.loads(r.stdout)
    assert "recommendation" in schema["properties"]
    assert "usd_per_million_output_tokens" in schema["$defs"]["Candidate"]["properties"]


@pytest.mark.parametrize("volume", [0.5, 2.0, 10.0, 37.3])
def test_rescaled_search_equals_a_fresh_search(volume):
    """Oracle for the sensitivity shortcut: only the fleet depends on volume."""
    from advisor.pipeline.engine_search import EngineSearch

    e = EngineSearch()
    kw = dict(input_tokens=1500, output_tokens=300, peak_to_average=3, ttft_target_s=1.0, tpot_target_ms=50,
              gpus=["a100-80gb", "l4", "h100-sxm"], precisions=None, deployment="cloud")
    base = e.search("13b", requests_per_day=200000, **kw)
    fresh = e.search("13b", requests_per_day=200000 * volume, **kw)
    scaled = e.rescaled(base, volume)
    key = lambda c: (c.gpu, c.precision, c.gpus_per_replica)  # noqa: E731
    f = {key(c): c for c in fresh}
    assert len(scaled) == len(fresh)
    for c in scaled:
        g = f[key(c)]
        assert (c.replicas, c.total_gpus, c.concurrency) == (g.replicas, g.total_gpus, g.concurrency)
        assert c.cloud_monthly_usd == pytest.approx(g.cloud_monthly_usd, rel=1e-12)
        assert c.owned_monthly_usd == pytest.approx(g.owned_monthly_usd, rel=1e-12)
        assert (c.band_low_x, c.band_high_x) == (g.band_low_x, g.band_high_x)
        assert c.memory_gb == pytest.approx(g.memory_gb, rel=1e-12)


def test_a_teams_own_gpu_spec_is_searched(rulebook):
    """recommend(gpus=[GpuSpec]) uses hardware that is not in the catalog, priced as given."""
    from engine.catalog import resolve_gpu

    mine = resolve_gpu("a100-80gb").replace(id="our-a100", name="Our A100 80GB", cloud_usd_per_gpu_hour=0.5)
    r = recommend(BASE, rulebook, generated_on="2026-01-02", decide=fake_decide, gpus=[mine], with_sensitivity=False)
    c = r.candidate("13b")
    assert c.gpu == "our-a100" and c.gpu_name == "Our A100 80GB"
    assert c.cloud.monthly_usd == pytest.approx(c.total_gpus * 0.5 * 730, rel=1e-9)
    assert r.recommendation.allowed_gpus == ["our-a100"]
    assert any(a.name == "Our A100 80GB cloud price" and a.value == "$0.50 per GPU-hour" for a in r.assumptions)
