"""Optimizations: the article's case-study arithmetic and 6ND training cost, exactly."""

import math
import re

import pytest

from engine.article import article_kv_example_bytes, quick_rule_gb, reference_block
from engine.errors import InputError
from engine.optimizations import (
    article_case_study_payback, compare_precisions, crossover_days, distillation_upfront_usd, lifetime_multiple,
    moe_footprint, payback, quality_prior, training_cost, training_total_usd,
)


def test_case_study_payback_is_3_6_months():
    p = article_case_study_payback()
    assert p.upfront_usd == 15_000
    assert p.monthly_saving_usd == pytest.approx(50_000 / 12)  # ~ $4.2K/month
    assert p.payback_months == pytest.approx(3.6)


def test_payback_without_saving_is_infinite():
    assert math.isinf(payback(1000, 500, 600).payback_months)


def test_distillation_upfront():
    assert distillation_upfront_usd(200, 2.5, 5000) == 5500


def test_gpt3_training_flops_6nd():
    t = training_cost(175e9, 300e9, 312e12, 0.5, 2.0)
    assert t.flops == pytest.approx(3.15e23)
    assert t.gpu_hours == pytest.approx(3.15e23 / (312e12 * 0.5) / 3600)
    assert t.compute_usd == pytest.approx(t.gpu_hours * 2.0)


def test_training_total_structure():
    assert training_total_usd(1000, 2000, 2, 500) == 1000 + 2000 + 2000 + 500


def test_crossover_day_and_lifetime_multiple():
    # seed-consistency C08: $15K at the 7B table's $164.5/day -> ~91 days
    assert crossover_days(15_000, 164.5) == pytest.approx(91.19, rel=1e-3)
    assert lifetime_multiple(100, 365, 36_500) == 1.0


def test_moe_memory_from_total_compute_from_active():
    f = moe_footprint(46.7e9, 12.9e9, 2)
    assert f.resident_weight_gb == pytest.approx(93.4)
    assert f.flops_per_token == pytest.approx(25.8e9)


def test_quality_priors_are_the_articles():
    assert quality_prior("int8")["quality_loss_pct"] == [1, 1]
    assert quality_prior("int4")["quality_loss_pct"] == [2, 3]
    assert quality_prior("int4")["label"] == "prior"
    assert quality_prior("bf16") is None


def test_compare_precisions_savings():
    rows = [{"precision": "bf16", "monthly_usd": 1000.0, "total_gpus": 2, "weights_gb": 140.0, "output_tokens_per_s_per_gpu": 1.0},
            {"precision": "int4", "monthly_usd": 600.0, "total_gpus": 1, "weights_gb": 37.0, "output_tokens_per_s_per_gpu": 1.0}]
    out = compare_precisions(rows)
    assert out[1]["monthly_saving_pct"] == 40.0
    assert out[1]["quality_prior"]["quality_loss_pct"] == [2, 3]


def test_article_references():
    assert article_kv_example_bytes() == 21_474_836_480
    assert quick_rule_gb(70, "fp16") == pytest.approx((168.0, 196.0))
    block = reference_block("13b", "bf16")
    assert block["vram"]["practical_gb"] == [30, 36]
    assert block["cost_table"]["monthly_usd"] == [5000, 10000]
    assert reference_block(None, "bf16") == {}


def test_quantization_comparison_per_phase():
    from engine.sweep import compare_quantization

    rows = {r["precision"]: r for r in compare_quantization("70b", "a100-80gb", ("bf16", "int8", "int4"),
                                                            requests_per_day=100_000, input_tokens=2000, output_tokens=300)}
    assert rows["int4"]["weights_gb"] < rows["int8"]["weights_gb"] < rows["bf16"]["weights_gb"]
    assert rows["int4"]["gpus_per_replica"] <= rows["bf16"]["gpus_per_replica"]
    # weight-only int4 does not make prefill FLOPs cheaper per GPU (C10): same bf16 compute path
    assert "bf16 tensor rate" in rows["int4"]["compute_path"]
    assert rows["int4"]["quality_prior"]["quality_loss_pct"] == [2, 3]
    assert rows["bf16"]["quality_prior"] is None
    assert "monthly_saving_pct" in rows["int4"]


# ---------------------------------------------------------------- input checks and the "no saving" semantics
def test_payback_semantics_are_explicit():
    p = payback(1000, 500, 600)                     # costs more after: never pays back
    assert not p.pays_back and math.isinf(p.payback_months)
    assert p.monthly_saving_usd == -100 and p.annual_saving_usd == -1200
    assert not payback(0, 500, 500).pays_back        # no saving, even at zero upfront: nothing is gained
    assert payback(0, 600, 500).payback_months == 0 and payback(0, 600, 500).pays_back
    assert payback(1200, 600, 500).payback_months == 12.0


BAD_AMOUNTS = [-1, -0.01, math.nan, math.inf, -math.inf, "100", None, True]


@pytest.mark.parametrize("value", BAD_AMOUNTS)
@pytest.mark.parametrize("call,name", [
    (lambda v: payback(v, 500, 400), "upfront_usd"),
    (lambda v: payback(100, v, 400), "monthly_before_usd"),
    (lambda v: payback(100, 500, v), "monthly_after_usd"),
    (lambda v: distillation_upfront_usd(v, 2.5, 5000), "gpu_hours"),
    (lambda v: distillation_upfront_usd(200, v, 5000), "usd_per_gpu_hour"),
    (lambda v: distillation_upfront_usd(200, 2.5, v), "data_work_usd"),
    (lambda v: training_cost(v, 300e9, 312e12, 0.5, 2.0), "params"),
    (lambda v: training_cost(175e9, v, 312e12, 0.5, 2.0), "tokens"),
    (lambda v: training_cost(175e9, 300e9, v, 0.5, 2.0), "peak_flops_per_gpu"),
    (lambda v: training_cost(175e9, 300e9, 312e12, v, 2.0), "mfu"),
    (lambda v: training_cost(175e9, 300e9, 312e12, 0.5, v), "usd_per_gpu_hour"),
    (lambda v: training_total_usd(v, 2000, 2, 500), "compute_usd"),
    (lambda v: training_total_usd(1000, v, 2, 500), "data_usd"),
    (lambda v: training_total_usd(1000, 2000, v, 500), "experimentation_x"),
    (lambda v: training_total_usd(1000, 2000, 2, v), "infrastructure_usd"),
    (lambda v: crossover_days(v, 164.5), "training_usd"),
    (lambda v: crossover_days(15_000, v), "daily_inference_usd"),
    (lambda v: lifetime_multiple(v, 365, 36_500), "daily_inference_usd"),
    (lambda v: lifetime_multiple(100, v, 36_500), "lifetime_days"),
    (lambda v: lifetime_multiple(100, 365, v), "training_usd"),
    (lambda v: moe_footprint(v, 12.9e9, 2), "total_params"),
    (lambda v: moe_footprint(46.7e9, v, 2), "active_params"),
    (lambda v: moe_footprint(46.7e9, 12.9e9, v), "bytes_per_param"),
])
def test_negative_or_non_finite_amounts_are_input_errors(call, name, value):
    with pytest.raises(InputError, match=rf"{name} must be a finite number .*got {re.escape(repr(value))}"):
        call(value)


def test_negative_upfront_never_gives_negative_months():
    with pytest.raises(InputError, match=r"payback: upfront_usd must be a finite number 0 or more, got -15000"):
        payback(-15_000, 50_000 / 12, 0)


@pytest.mark.parametrize("call,message", [
    (lambda: training_cost(175e9, 300e9, 312e12, 0, 2.0), r"mfu must be a finite number above 0, got 0"),
    (lambda: training_cost(175e9, 300e9, 312e12, 1.5, 2.0), r"mfu is a fraction of peak .* got 1\.5"),
    (lambda: training_cost(175e9, 300e9, 0, 0.5, 2.0), r"peak_flops_per_gpu must be a finite number above 0"),
    (lambda: moe_footprint(12.9e9, 46.7e9, 2), r"active_params .* cannot exceed total_params"),
    (lambda: moe_footprint(46.7e9, 12.9e9, 0), r"bytes_per_param must be a finite number above 0"),
])
def test_out_of_range_rates_are_input_errors(call, message):
    with pytest.raises(InputError, match=message):
        call()


def test_zero_amounts_have_defined_results():
    assert math.isinf(crossover_days(15_000, 0))        # no inference spend: never crosses
    assert crossover_days(0, 164.5) == 0
    assert math.isinf(lifetime_multiple(100, 365, 0))   # free training: any inference is an infinite multiple
    assert training_cost(0, 300e9, 312e12, 0.5, 2.0).compute_usd == 0
    assert distillation_upfront_usd(0, 2.5, 0) == 0
