"""A hand-built Recommendation, so the renderers are tested without the engine or the rules."""

from __future__ import annotations

import pytest

from advisor.recommendation import (
    AnswerRow,
    ArticleFigure,
    Assumption,
    Band,
    Candidate,
    CostBlock,
    Crossover,
    Decision,
    Distillation,
    EvalComparison,
    EvalScore,
    Evaluations,
    InflectionPoint,
    LatencyTargets,
    MoeAlternative,
    Optimizations,
    QualityStep,
    QuantizationSaving,
    Recommendation,
    SensitivityRow,
    TestPlan,
    TestStep,
    TraceRow,
    Volume,
    WarningItem,
)


def _cand(size, gpu, n, reps, prec, monthly, start=False, fits=True, note=""):
    if not fits:
        return Candidate(size=size, model=size, fits=False, note=note or "does not fit")
    return Candidate(
        size=size,
        model=size,
        real_models=["meta-llama/Llama-2-13b-hf"] if size == "13b" else [],
        fits=True,
        gpu=gpu,
        gpu_name=gpu.upper(),
        gpus_per_replica=n,
        replicas=reps,
        total_gpus=n * reps,
        regime="single-gpu" if n == 1 else "multi-gpu",
        regime_reason="fits in one GPU" if n == 1 else "weights exceed one GPU",
        precision=prec,
        kv_precision="fp16",
        concurrency_per_replica=32,
        ttft_s=0.25,
        tpot_ms=21.5,
        meets_latency=True,
        monthly_usd=monthly,
        annual_usd=monthly * 12,
        usd_per_million_output_tokens=monthly / 1800.0,
        usd_per_million_total_tokens=monthly / 10800.0,
        band=Band(low=monthly * 0.8, high=monthly * 1.25),
        cloud=CostBlock(mode="cloud", monthly_usd=monthly, annual_usd=monthly * 12, usd_per_million_output_tokens=monthly / 1800.0, usd_per_million_total_tokens=monthly / 10800.0, band=Band(low=monthly * 0.8, high=monthly * 1.25)),
        owned=CostBlock(mode="owned", monthly_usd=monthly * 0.4, annual_usd=monthly * 4.8, usd_per_million_output_tokens=monthly / 4500.0, usd_per_million_total_tokens=monthly / 27000.0, band=Band(low=monthly * 0.3, high=monthly * 0.5)),
        cost_multiple_vs_start=None,
        is_start=start,
        note=note,
    )


def make_recommendation(**overrides) -> Recommendation:
    cands = [
        _cand("7b", "l4", 1, 3, "int8", 1520.5),
        _cand("13b", "a100-80gb", 1, 2, "int8", 3210.0, start=True, note="quantized to fit | one GPU"),
        _cand("30b", "h100-sxm", 2, 2, "fp8", 9000.0),
        _cand("70b", None, 0, 0, None, 0, fits=False, note="needs more than 8 GPUs per replica at this context"),
    ]
    for c in cands:
        if c.fits:
            c.cost_multiple_vs_start = round(c.monthly_usd / 3210.0, 4)
    rec = Recommendation(
        title="Model sizing recommendation: support bot",
        generated_on="2026-01-02",
        answers=[
            AnswerRow(id="task_complexity", prompt="How complex is the task?", value="moderate"),
            AnswerRow(id="quality_bar", prompt="Quality bar", value="professional"),
            AnswerRow(id="peak_to_average", prompt="Peak-to-average ratio", value="2", origin="default"),
        ],
        volume=Volume(
            requests_per_day=200000,
            input_tokens_per_request=1500,
            output_tokens_per_request=300,
            input_tokens_per_day=3e8,
            output_tokens_per_day=6e7,
            total_tokens_per_day=3.6e8,
            tier="high",
            basis="total",
            tier_on_other_basis="high",
            other_basis="output",
        ),
        recommendation=Decision(
            summary="Deploy a 13B model (for example meta-llama/Llama-2-13b-hf) at INT8 on 2 x 1 A100 80GB: about $3,210 per month in the cloud.",
            start_size="13b",
            recommended_size="13b",
            deployment="cloud",
            test_ladder=["7b", "13b", "30b"],
            mandatory_optimizations=["quantization"],
            considered_optimizations=["quantization", "distillation"],
            volume_tier="high",
            latency=LatencyTargets(latency="interactive", ttft_target_s=1.0, tpot_target_ms=50.0),
            candidates=cands,
            warnings=[WarningItem(id="no_quantization", title="Serving at FP16", message="Quantize by default.", rule="rules/warnings.yaml:12")],
            rules_hash="sha256:0123abcd",
        ),
        test_plan=TestPlan(
            ladder=["7b", "13b", "30b"],
            sample_size_min=100,
            sample_size_max=500,
            stop_rule="Stop at the first size that meets the bar.",
            steps=[
                TestStep(order=1, size="7b", examples_min=100, examples_max=500, action="baseline"),
                TestStep(order=2, size="13b", examples_min=100, examples_max=500, action="compare"),
            ],
        ),
        optimizations=Optimizations(
            quantization=[QuantizationSaving(size="13b", gpu="a100-80gb", from_precision="bf16", to_precision="int8", monthly_usd_before=5000, monthly_usd_after=3210, monthly_saving_usd=1790, quality_loss_prior_pct=Band(low=1, high=1))],
            distillation=Distillation(teacher_size="30b", student_size="13b", upfront_usd=15000, upfront_basis="GPU-hours plus data work", monthly_usd_before=9000, monthly_usd_after=3210, monthly_saving_usd=5790, payback_months=2.59),
            moe=MoeAlternative(model="mistralai/Mixtral-8x7B-v0.1", total_params_b=46.7, active_params_b=12.9, memory_floor_gb=46.7, precision="int8", gpu="a100-80gb", gpus_per_replica=1, replicas=2, monthly_usd=4000, compared_to_size="70b"),
        ),
        inflection_points=[InflectionPoint(id="single_gpu", name="single-GPU threshold", crossed=False, detail="13b fits one GPU")],
        crossover=Crossover(training_usd=10000, training_basis="fine-tune", inference_usd_per_day=105.5, crossover_days=94.8, inference_to_training_x_per_year=3.85),
        sensitivity=[
            SensitivityRow(scenario="0.5x volume", volume_factor=0.5, context_factor=1, size="13b", gpu="a100-80gb", gpus_per_replica=1, replicas=1, precision="int8", monthly_usd=1605, changes=False, what_changes="fewer replicas"),
            SensitivityRow(scenario="10x volume", volume_factor=10, context_factor=1, size="13b", gpu="h100-sxm", gpus_per_replica=1, replicas=9, precision="fp8", monthly_usd=25000, changes=True, what_changes="GPU a100-80gb -> h100-sxm"),
        ],
        evaluations=Evaluations(
            target_accuracy=0.85,
            confidence=0.95,
            scores=[
                EvalScore(size="7b", correct=161, examples=200, accuracy=0.805, ci_low=0.7446, ci_high=0.8539, meets_target=False, confirmed=False),
                EvalScore(size="13b", correct=176, examples=200, accuracy=0.88, ci_low=0.8277, ci_high=0.918, meets_target=True, confirmed=False, examples_to_confirm=545),
            ],
            comparisons=[EvalComparison(smaller="7b", larger="13b", gain_points=0.075, separable=True)],
            chosen_size="13b",
            notes=["13b meets the target."],
        ),
        quality_steps=[
            QualityStep(from_size="7b", to_size="13b", article_gain_pct=Band(low=10, high=15), article_cost_multiple=Band(low=2, high=2.5), computed_cost_multiple=2.11, measured_gain_points=0.075, basis="your evaluation"),
            QualityStep(from_size="13b", to_size="30b", article_gain_pct=Band(low=8, high=12), article_cost_multiple=Band(low=2, high=3), computed_cost_multiple=2.8, basis="article prior"),
        ],
        article_comparison=[ArticleFigure(topic="13B monthly cost", article="$5,000-10,000", computed="$3,210", ratio=0.428, reason="the table ignores prefill", check="C03")],
        assumptions=[Assumption(name="GPU utilisation", value="65%", source="article cost table", as_of="2025-01")],
        trace=[TraceRow(table="start_size", rule="moderate-professional", location="rules/tables/size.yaml:14", matched=True, detail="task_complexity in {moderate}")],
        notes=["The engine sweep is the hand-built fixture."],
    )
    return rec.model_copy(update=overrides)


@pytest.fixture
def sample_recommendation() -> Recommendation:
    return make_recommendation()
