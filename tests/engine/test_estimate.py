"""estimate(): the JSON contract, fit rules, concurrency modes and the article block."""

import pytest

from engine.errors import DoesNotFitError, InputError, UnknownIdError
from engine.estimate import EstimateRequest, cheapest, estimate, sweep

REQUIRED = {
    "memory": ["weights_gb", "kv_cache_bytes_per_token", "kv_cache_gb", "total_gb"],
    "deployment": ["gpus_per_replica", "replicas", "total_gpus", "regime"],
    "performance": ["concurrency", "output_tokens_per_s", "output_tokens_per_s_per_gpu", "ttft_s", "tpot_ms"],
    "cost": ["usd_per_gpu_hour", "monthly_usd", "annual_usd", "usd_per_million_output_tokens"],
}


def test_json_contract_keys():
    e = estimate(EstimateRequest(model="llama-3.1-8b", gpu="h100-sxm", requests_per_day=100_000)).as_dict()
    for block, keys in REQUIRED.items():
        for key in keys:
            assert key in e[block], f"{block}.{key}"
    assert e["band"]["output_tokens_per_s"][0] < e["performance"]["output_tokens_per_s"] < e["band"]["output_tokens_per_s"][1]
    assert e["assumptions"]["target_utilisation"]["source"]


def test_kv_per_token_exact_llama2_70b():
    e = estimate(EstimateRequest(model="meta-llama/Llama-2-70b-hf", gpu="h100-sxm", precision="fp8", kv_precision="fp16"))
    assert e.memory["kv_cache_bytes_per_token"] == 327_680  # 2 x 80 layers x 8 KV heads x 128 x 2 bytes
    assert e.article["kv_formula"]["ratio"] == 8.0


def test_fewest_gpus_that_fit():
    e = estimate(EstimateRequest(model="70b", gpu="a100-80gb", precision="bf16"))
    assert e.deployment["gpus_per_replica"] == 2
    assert e.deployment["regime"] == "multi-gpu"


def test_costs_and_annual():
    e = estimate(EstimateRequest(model="7b", gpu="a100-80gb", requests_per_day=1_000_000, usd_per_gpu_hour=2.0))
    c, d = e.cost, e.deployment
    assert c["monthly_usd"] == pytest.approx(d["total_gpus"] * 2.0 * 730)
    assert c["annual_usd"] == pytest.approx(12 * c["monthly_usd"])
    out_month = 1_000_000 * 300 * 365 / 12
    assert c["usd_per_million_output_tokens"] == pytest.approx(c["monthly_usd"] / out_month * 1e6, rel=1e-3)


def test_concurrency_modes():
    base = dict(model="llama-3.1-8b", gpu="h100-sxm")
    mx = estimate(EstimateRequest(**base, concurrency="max"))
    lat = estimate(EstimateRequest(**base))
    given = estimate(EstimateRequest(**base, concurrency=4))
    assert mx.performance["concurrency"] == mx.performance["max_concurrency"]
    assert lat.performance["tpot_ms"] <= 50 and lat.performance["ttft_s"] <= 2
    assert given.performance["concurrency"] == 4
    assert mx.performance["output_tokens_per_s"] >= lat.performance["output_tokens_per_s"] >= given.performance["output_tokens_per_s"]


def test_article_block_for_generic_class():
    e = estimate(EstimateRequest(model="13b", gpu="a100-40gb", precision="bf16"))
    assert e.article["vram"]["practical_gb"] == [30, 36]
    assert e.article["cost_table"]["hardware"] == "1x A100 40GB"
    assert e.article["cost_table"]["where"]


def test_does_not_fit_is_an_error():
    with pytest.raises(DoesNotFitError):
        estimate(EstimateRequest(model="175b", gpu="rtx-3080", precision="bf16", gpus=1))


def test_unknown_ids():
    with pytest.raises(UnknownIdError, match="h100"):
        estimate(EstimateRequest(model="7b", gpu="h100"))
    with pytest.raises(UnknownIdError):
        estimate(EstimateRequest(model="llama-9b", gpu="h100-sxm"))


def test_too_much_concurrency_is_said_plainly():
    with pytest.raises(DoesNotFitError, match="--concurrency"):
        estimate(EstimateRequest(model="70b", gpu="h100-sxm", precision="fp8", gpus=1, concurrency=100_000))


def test_prefix_cache_raises_throughput():
    a = estimate(EstimateRequest(model="7b", gpu="a100-80gb", concurrency=32))
    b = estimate(EstimateRequest(model="7b", gpu="a100-80gb", concurrency=32, prefix_cache_hit_rate=0.8))
    assert b.performance["output_tokens_per_s"] > a.performance["output_tokens_per_s"]


def test_owned_deployment_uses_amortisation():
    e = estimate(EstimateRequest(model="7b", gpu="rtx-4090", precision="int8", deployment="owned"))
    assert e.cost["basis"] == "owned"
    per = e.cost["owned"]["per_gpu_month"]
    assert per["amortisation_usd"] == pytest.approx(e.cost["owned"]["purchase_usd_per_gpu"] / 36, rel=1e-3)


def test_sweep_finds_cheapest_that_meets_latency():
    cands = sweep(["7b", "13b"], ["a100-80gb", "h100-sxm", "l40s"], ["bf16", "fp8", "int4"],
                  requests_per_day=500_000, input_tokens=1500, output_tokens=300)
    assert cands and cands == sorted(cands, key=lambda c: (c.monthly_usd, c.total_gpus, c.model_id, c.gpu_id, c.precision, c.gpus_per_replica))
    best = cheapest(cands)
    assert best.meets_latency
    assert best.tpot_ms <= 50 and best.ttft_s <= 2
    assert all(c.monthly_usd >= best.monthly_usd for c in cands if c.meets_latency)


def test_request_validation():
    with pytest.raises(InputError, match="exactly one of model"):
        EstimateRequest(gpu="h100-sxm")  # no model
    with pytest.raises(InputError, match="requests_per_day"):
        EstimateRequest(model="7b", gpu="h100-sxm", requests_per_day=float("nan"))
    with pytest.raises(InputError):
        estimate(EstimateRequest(model="llama-3.1-8b", gpu="h100-sxm", input_tokens=200_000, gpus=1))


def test_hot_path_fleet_matches_size_fleet():
    from engine.calibration import load_calibration
    from engine.catalog import resolve_gpu, resolve_model
    from engine.defaults import load_assumptions
    from engine.estimate import evaluate_config, layout_for, prepare_gpu, prepare_model
    from engine.fleet import Demand, size_fleet

    a = load_assumptions()
    m, g = resolve_model("13b"), resolve_gpu("l40s")
    for rpd in (1, 5e4, 3.3e6, 9.9e8):
        c = evaluate_config(prepare_model(m, "int8", "fp16"), prepare_gpu(g, "int8"), layout_for(m, g, "int8", "fp16", None),
                            input_tokens=1800, output_tokens=250, requests_per_day=rpd, concurrency=None,
                            calib=load_calibration(), a=a)
        f = size_fleet(Demand(rpd, 1800, 250, a.peak_to_average, a.target_utilisation), c.output_tokens_per_s, c.gpus_per_replica)
        assert (c.replicas, c.total_gpus) == (f.replicas, f.total_gpus)
        assert c.fleet_utilisation == pytest.approx(f.fleet_utilisation)


def test_tokens_per_day_counts_input_plus_output():
    e = estimate(EstimateRequest(model="7b", gpu="a100-80gb", input_tokens=900, output_tokens=100, tokens_per_day=1e8))
    assert e.workload["requests_per_day"] == pytest.approx(1e5)
    assert e.workload["total_tokens_per_day"] == pytest.approx(1e8)
    assert e.assumptions["tokens_per_day_basis"]["value"] == "input + output tokens"


def test_article_cost_table_workload_needs_far_more_than_one_4090():
    # seed-consistency C03: 100M output tokens/day at 2K in / 30 out is prefill-bound; one RTX 4090 is 11-25x short
    e = estimate(EstimateRequest(model="7b", gpu="rtx-4090", precision="fp16", input_tokens=2000, output_tokens=30,
                                 requests_per_day=100e6 / 30))
    assert e.article["cost_table"]["comparable"] is True
    assert e.deployment["total_gpus"] >= 11
    assert e.cost["monthly_usd"] > e.article["cost_table"]["monthly_usd"][1]
