"""The evaluator on the shipped rules: decisions and trace (exact oracles from the article's framework)."""

from __future__ import annotations

import pytest

from advisor.rulebook.evaluator import EvaluationError, evaluate

BASE = {
    "task_complexity": "moderate",
    "quality_bar": "professional",
    "latency": "interactive",
    "requests_per_day": 1000,
    "input_tokens": 500,
    "output_tokens": 200,
    "deployment": "cloud",
}


def run(shipped, **over):
    return evaluate(shipped, {**BASE, **over})


@pytest.mark.parametrize(
    "complexity, bar, start, basis",
    [
        ("simple", "acceptable", "7b", "both_steps"),
        ("moderate", "acceptable", "13b", "step1"),
        ("simple", "expert", "30b", "step2"),
        ("advanced", "professional", "70b", "step1"),
        ("complex", "state_of_the_art", "70b", "step2"),
        ("complex", "expert", "30b", "both_steps"),
    ],
)
def test_start_size_is_the_larger_of_steps_1_and_2(shipped, complexity, bar, start, basis):
    out = run(shipped, task_complexity=complexity, quality_bar=bar).outputs
    assert (out["start_size"], out["size_basis"]) == (start, basis)


def test_measured_evidence_beats_the_suggestions(shipped):
    ev = {"target_accuracy": 0.8, "results": [{"size": "7b", "correct": 150, "examples": 200}, {"size": "13b", "correct": 170, "examples": 200}]}
    result = run(shipped, task_complexity="advanced", evaluations=ev)
    out = result.outputs
    assert out["start_size"] == "13b" and out["size_basis"] == "measured"
    text = result.render_text()
    assert "  7B: 150/200 correct = 75.0%, below the target\n  13B: 170/200 correct = 85.0%, meets the target\n" in text
    assert out["baseline_tested"] is True and out["test_ladder"] == ["7b", "13b"]
    # fewer than 100 examples is not evidence
    few = {"target_accuracy": 0.8, "results": [{"size": "7b", "correct": 50, "examples": 50}]}
    assert run(shipped, evaluations=few).outputs["size_basis"] == "both_steps"


@pytest.mark.parametrize(
    "rpd, inp, out_tokens, tier, out_tier",
    [
        (999, 500, 500, "low", "low"),  # 999,000 total: just under 1M
        (1000, 500, 500, "moderate", "low"),  # exactly 1M total: the bound belongs to the upper tier
        (100_000, 300, 199, "moderate", "moderate"),  # 4.99e7 total
        (100_000, 301, 199, "high", "moderate"),  # exactly 5e7 total -> high
        (1_000_000, 300, 200, "massive", "high"),  # 5e8 total -> massive; 2e8 output -> high
    ],
)
def test_volume_tiers_half_open_on_total_tokens(shipped, rpd, inp, out_tokens, tier, out_tier):
    out = run(shipped, requests_per_day=rpd, input_tokens=inp, output_tokens=out_tokens).outputs
    assert (out["volume_tier"], out["volume_tier_output_basis"], out["volume_basis"]) == (tier, out_tier, "total_tokens")
    assert out["tokens_per_day_total"] == rpd * (inp + out_tokens)


@pytest.mark.parametrize(
    "rpd, scope, mandatory, considered",
    [
        (100, "domain_specific", [], ["quantization"]),
        (10_000, "domain_specific", [], ["quantization", "distillation"]),
        (10_000, "broad", [], ["quantization"]),
        (100_000, "domain_specific", ["quantization"], ["distillation"]),
        (1_000_000, "domain_specific", ["quantization"], ["distillation", "moe"]),  # massive inherits high
        (1_000_000, "broad", ["quantization"], ["moe"]),
    ],
)
def test_mandates_by_tier(shipped, rpd, scope, mandatory, considered):
    out = run(shipped, requests_per_day=rpd, task_scope=scope).outputs
    assert out["mandatory_optimizations"] == mandatory and out["considered_optimizations"] == considered


def test_warnings_and_labels(shipped):
    out = run(shipped, planned_size="70b", planned_size_reason="budget_allows", serving_precision="fp16",
              requests_per_day=100_000, quality_evidence="public_benchmarks", budget_includes_inference=False).outputs
    assert [w["id"] for w in out["warnings"]] == [
        "largest_affordable", "skipped_testing", "ignored_inference_cost", "benchmark_overreliance", "no_quantization", "no_distillation",
    ]
    assert out["warnings"][0]["message"].startswith("70B is planned where steps 1-2 (or your measurements) call for 13B.")
    assert [l["id"] for l in out["inflection_labels"]] == ["single_gpu_threshold"]
    clean = run(shipped).outputs
    assert clean["warnings"] == []
    assert [l["id"] for l in run(shipped, task_complexity="advanced").outputs["inflection_labels"]] == ["single_gpu_threshold", "memory_bound_regime"]


def test_quantization_tested_silences_the_warning(shipped):
    out = run(shipped, serving_precision="bf16", quantization_rejected_by_tests=True).outputs
    assert out["warnings"] == []


def test_batch_has_no_latency_targets(shipped):
    out = run(shipped, latency="batch").outputs
    assert out["ttft_target_s"] is None and out["tpot_target_ms"] is None and out["peak_to_average"] == 1
    out = run(shipped, ttft_target_s=0.5).outputs
    assert out["ttft_target_s"] == 0.5 and out["tpot_target_ms"] == 50


def test_trace_names_rules_with_file_line_and_first_failure(shipped):
    ev = run(shipped, quality_bar="acceptable")
    start = next(t for t in ev.trace if t.table == "start_size")
    assert start.selected == ["step1_13b"]
    assert start.matched[0].where == "rules/step1_2_size.yaml:79"
    miss = {m.rule: m for m in start.missed}
    assert miss["both_13b"].failed == "step2_size in {13b}" and miss["both_13b"].actual == "step2_size = 7B"
    assert miss["measured_7b"].failed == "measured_smallest_passing in {7b}"
    text = ev.render_text()
    assert "* step1_13b (rules/step1_2_size.yaml:79) matched: Task complexity (step 1) needs 13B" in text
    assert ("step1_size", "moderate") in ev.fired() and ("step2_size", "acceptable") in ev.fired()


def test_outputs_contract_names_present(shipped):
    out = run(shipped).outputs
    for name in ("start_size", "test_ladder", "mandatory_optimizations", "considered_optimizations", "volume_tier",
                 "volume_basis", "warnings", "inflection_labels", "ttft_target_s", "tpot_target_ms", "deployment",
                 "distillation_viable", "test_sample_min_examples", "test_sample_max_examples", "test_stop_rule",
                 "budget_usd_per_month", "rules_hash"):
        assert name in out
    assert out["rules_hash"] == shipped.hash


def test_evaluation_is_deterministic(shipped):
    import json

    a = json.dumps(run(shipped).to_dict(), sort_keys=True)
    b = json.dumps(run(shipped).to_dict(), sort_keys=True)
    assert a == b


def test_gap_at_runtime_is_a_clear_error(tmp_path):
    from advisor.rulebook.loader import load_rulebook

    (tmp_path / "r.yaml").write_text(
        "questions:\n  - {id: x, step: 1, prompt: X, type: choice, choices: [{value: a, label: A}, {value: b, label: B}]}\n"
        "tables:\n  - id: t\n    inputs: [x]\n    outputs: [{id: y, values: [one]}]\n"
        "    rules:\n      - {id: only_a, when: {x: a}, then: {y: one}, because: a}\n"
    )
    book = load_rulebook(tmp_path)
    with pytest.raises(EvaluationError, match="table 't' .*: no rule matches x = b; run `sizewise audit` to see the gap"):
        evaluate(book, {"x": "b"})
