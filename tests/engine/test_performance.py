"""Performance model: exact oracles for each formula, and the calibrated model's qualitative physics."""

import math

import pytest

from engine.performance import (
    Efficiency, PerfGpu, compute_rate_flops, expected_distinct_experts, perf_model_from_numbers, prefill_flops,
    replica_perf,
)

EFF = Efficiency(mfu=0.5, mbu=0.8, step_overhead_s=0.001, ttft_overhead_s=0.0, link_efficiency=1.0)
GPU = PerfGpu(compute_flops=1e15, bandwidth_bytes_per_s=2e12, link_bytes_per_s=100e9, link_latency_s=10e-6,
              inter_node_bytes_per_s=50e9, inter_node_latency_s=5e-6)


def dense(**kw):
    base = dict(active_linear_params=7e9, num_layers=32, hidden_size=4096, q_dim=4096, full_attention_layers=32,
                window_layers=0, window=0, weight_bytes=14e9, shared_read_bytes=14e9, expert_bytes=0,
                num_experts=0, experts_per_token=0, kv_full_bytes_per_token=131072, kv_window_bytes_per_token=0)
    base.update(kw)
    return perf_model_from_numbers(**base)


def test_expected_distinct_experts_formula():
    # E x (1 - (1 - k/E)^n): Mixtral 8 experts, top-2
    assert expected_distinct_experts(8, 2, 1) == pytest.approx(2.0)
    assert expected_distinct_experts(8, 2, 2) == pytest.approx(8 * (1 - 0.75**2))  # 3.5
    assert expected_distinct_experts(8, 2, 1000) == pytest.approx(8.0)
    assert expected_distinct_experts(0, 0, 10) == 0.0


def test_prefill_flops_dense_exact():
    m = dense()
    s = 1000
    # 2 x 7e9 x s + 4 x q_dim x layers x s^2/2
    assert prefill_flops(m, s) == pytest.approx(2 * 7e9 * s + 4 * 4096 * 32 * s * s / 2)


def test_prefill_with_cached_prefix_attends_to_it():
    m = dense()
    full = prefill_flops(m, 1000)
    split = prefill_flops(m, 400, prefix=600)
    # linear work scales with new tokens only; attention pairs = 400 x 600 + 400^2/2
    assert split == pytest.approx(2 * 7e9 * 400 + 4 * 4096 * 32 * (400 * 600 + 400 * 400 / 2))
    assert split < full


def test_sliding_window_caps_attention_pairs():
    m = dense(full_attention_layers=0, window_layers=32, window=100)
    s = 1000
    pairs = 100 * 100 / 2 + (s - 100) * 100
    assert prefill_flops(m, s) == pytest.approx(2 * 7e9 * s + 4 * 4096 * 32 * pairs)


def test_compute_rate_per_precision():
    bf16, fp8, int8 = 312.0, None, 624.0  # A100: no FP8 tensor cores
    assert compute_rate_flops(bf16, fp8, int8, "bf16")[0] == 312.0
    assert compute_rate_flops(bf16, fp8, int8, "int4")[0] == 312.0  # weight-only: bf16 rate (C10)
    assert compute_rate_flops(bf16, fp8, int8, "int8")[0] == 312.0  # weight-only by default
    assert compute_rate_flops(bf16, fp8, int8, "int8", "w8a8")[0] == 624.0
    rate, note = compute_rate_flops(bf16, fp8, int8, "fp8")
    assert rate == 312.0 and "no FP8" in note
    assert compute_rate_flops(989.0, 1979.0, 1979.0, "fp8")[0] == 1979.0
    assert compute_rate_flops(989.0, 1979.0, 1979.0, "fp32")[0] == pytest.approx(494.5)


def test_single_sequence_decode_is_bandwidth_bound_exactly():
    m = dense()
    r = replica_perf(m, GPU, EFF, 1, 1, 1, 1, 1)
    ctx = 1 + 0.5
    weights = 14e9 / (2e12 * 0.8)
    kv = 131072 * ctx / (2e12 * 0.8)
    assert r.decode_step_s == pytest.approx(weights + kv + 0.001)
    assert not r.decode_compute_bound


def test_large_batch_decode_becomes_compute_bound():
    m = dense()
    r = replica_perf(m, GPU, EFF, 1, 1, 100, 100, 4096)
    assert r.decode_compute_bound


def test_throughput_rises_and_latency_rises_with_concurrency():
    m = dense()
    prev = None
    for b in (1, 2, 4, 16, 64, 256):
        r = replica_perf(m, GPU, EFF, 1, 1, 2000, 300, b)
        if prev:
            assert r.output_tokens_per_s > prev.output_tokens_per_s
            assert r.tpot_s >= prev.tpot_s
        prev = r


def test_tp_adds_two_allreduces_per_layer():
    m = dense()
    r1 = replica_perf(m, GPU, EFF, 2, 1, 1, 1, 1)
    no_link = GPU._replace(link_bytes_per_s=1e30, link_latency_s=0.0)
    r0 = replica_perf(m, no_link, EFF, 2, 1, 1, 1, 1)
    per_ar = 10e-6 + 2 * (2 - 1) / 2 * (1 * 4096 * 2) / 100e9
    assert r1.decode_step_s - r0.decode_step_s == pytest.approx(2 * 32 * per_ar)


def test_weight_only_int4_cuts_decode_not_prefill():
    fp16 = dense()
    int4 = dense(weight_bytes=14e9 / 4, shared_read_bytes=14e9 / 4)
    a = replica_perf(fp16, GPU, EFF, 1, 1, 2000, 300, 1)
    b = replica_perf(int4, GPU, EFF, 1, 1, 2000, 300, 1)
    assert b.prefill_s == pytest.approx(a.prefill_s)  # same FLOPs at the same (bf16) rate
    assert b.decode_step_s < a.decode_step_s / 2


def test_moe_reads_more_experts_as_batch_grows():
    m = dense(num_experts=8, experts_per_token=2, expert_bytes=1e9, shared_read_bytes=2e9)
    small = replica_perf(m, GPU, EFF, 1, 1, 1, 1, 1)
    big = replica_perf(m, GPU, EFF, 1, 1, 1, 1, 64)
    w1 = (2e9 + 1e9 * 2) / (2e12 * 0.8)
    assert small.decode_step_s == pytest.approx(w1 + 131072 * 1.5 / (2e12 * 0.8) + 0.001)
    assert big.decode_step_s > small.decode_step_s


def test_outputs_are_finite():
    r = replica_perf(dense(), GPU, EFF, 4, 2, 5000, 500, 100)
    assert all(math.isfinite(x) for x in (r.output_tokens_per_s, r.ttft_s, r.tpot_s))


@pytest.mark.parametrize("tp, pp, s, g, tpot, ttft", [
    (1, 1, 2000, 300, 0.05, 2.0), (2, 1, 500, 500, 0.03, 0.5), (4, 2, 8000, 200, 0.2, 5.0), (1, 1, 100, 1000, 0.02, None),
])
def test_best_concurrency_matches_brute_force(tp, pp, s, g, tpot, ttft):
    from engine.performance import best_concurrency

    m = dense()
    found = best_concurrency(m, GPU, EFF, tp, pp, s, g, 3000, ttft, tpot)
    feasible = [b for b in range(1, 3001)
                if (r := replica_perf(m, GPU, EFF, tp, pp, s, g, b)).tpot_s <= tpot and (ttft is None or r.ttft_s <= ttft)]
    if not feasible:
        assert found is None
    else:
        assert found[0] == max(feasible)


@pytest.mark.parametrize("tp, pp, s, g, b, cached", [
    (1, 1, 2000, 300, 1, 0), (1, 1, 2000, 300, 700, 0), (2, 1, 500, 500, 33, 100), (4, 2, 8000, 200, 5, 0),
    (8, 4, 128, 4096, 2048, 0), (1, 1, 20000, 2000, 64, 15000),
])
def test_dense_terms_reproduce_replica_perf(tp, pp, s, g, b, cached):
    from engine.performance import dense_terms, perf_from_terms

    for m in (dense(), dense(full_attention_layers=16, window_layers=16, window=4096)):
        want = replica_perf(m, GPU, EFF, tp, pp, s, g, b, cached)
        got = perf_from_terms(dense_terms(m, GPU, EFF, tp, pp, s, g, cached), b)
        for x, y in zip(got, want):
            assert x == pytest.approx(y, rel=1e-9)

# --------------------------------------------------------------------------- terms added by issue 12
from engine.performance_search import dense_terms as _dense_terms, perf_from_terms as _perf_from_terms  # noqa: E402
BASE = Efficiency(mfu=0.5, mbu=0.8, step_overhead_s=0.001, ttft_overhead_s=0.0, link_efficiency=1.0)
FULL = BASE._replace(layer_overhead_s=20e-6, allreduce_overhead_s=30e-6, weight_bw_scale=0.8,
                     moe_mfu_scale=0.1, moe_layer_overhead_s=300e-6)
def mla_moe():
    """A DeepSeek-V3-like shape: 61 layers, 58 with 256 routed experts (top 8), MLA rank 512 + rope 64."""
    return dense(active_linear_params=37e9, num_layers=61, hidden_size=7168, q_dim=128 * 192, full_attention_layers=61,
                 weight_bytes=671e9, shared_read_bytes=20e9, expert_bytes=58 * 44e6, num_experts=256,
                 experts_per_token=8, kv_full_bytes_per_token=61 * 576 * 2, attn_qk_dim=128 * 192, attn_v_dim=128 * 128,
                 moe_layers=58, mla_kv_lora_rank=512, mla_rope_dim=64, mla_heads=128)


def test_layer_overhead_adds_exactly_layers_times_it_to_each_step():
    m = dense()
    a = replica_perf(m, GPU, BASE, 1, 1, 1000, 200, 8)
    b = replica_perf(m, GPU, BASE._replace(layer_overhead_s=20e-6), 1, 1, 1000, 200, 8)
    assert b.decode_step_s - a.decode_step_s == pytest.approx(32 * 20e-6)
    assert b.prefill_s - a.prefill_s == pytest.approx(32 * 20e-6)


def test_allreduce_overhead_counts_two_collectives_per_layer_only_with_tensor_parallelism():
    m = dense()
    eff = BASE._replace(allreduce_overhead_s=30e-6)
    assert replica_perf(m, GPU, eff, 1, 1, 1000, 200, 8) == replica_perf(m, GPU, BASE, 1, 1, 1000, 200, 8)
    a = replica_perf(m, GPU, BASE, 8, 1, 1000, 200, 8)
    b = replica_perf(m, GPU, eff, 8, 1, 1000, 200, 8)
    assert b.decode_step_s - a.decode_step_s == pytest.approx(2 * 32 * 30e-6)


def test_weight_bandwidth_scale_slows_weight_reads_only():
    m = dense()
    a = replica_perf(m, GPU, BASE, 1, 1, 100, 100, 1)
    b = replica_perf(m, GPU, BASE._replace(weight_bw_scale=0.5), 1, 1, 100, 100, 1)
    weights_s = 14e9 / (2e12 * 0.8)
    assert b.decode_step_s - a.decode_step_s == pytest.approx(weights_s)
    assert b.prefill_s == a.prefill_s  # prefill is compute-bound: packed weights do not change its FLOPs


def test_mla_latent_kv_is_read_by_every_tensor_parallel_gpu():
    m = mla_moe()
    assert m.latent_kv and m.decode_attn_scale == pytest.approx(128 * (2 * 512 + 64) / (128 * 192 + 128 * 128))
    plain = m._replace(latent_kv=False)
    # a long context at batch 64: KV reads matter; sharding them over 8 GPUs would hide 7/8 of them
    r_latent = replica_perf(m, GPU, BASE, 8, 1, 30000, 100, 64)
    r_plain = replica_perf(plain, GPU, BASE, 8, 1, 30000, 100, 64)
    assert r_latent.decode_step_s > r_plain.decode_step_s


def test_moe_factors_apply_to_moe_models_only():
    dense_m, moe_m = dense(), mla_moe()
    eff = BASE._replace(moe_mfu_scale=0.1, moe_layer_overhead_s=300e-6)
    assert replica_perf(dense_m, GPU, eff, 1, 1, 1000, 200, 8) == replica_perf(dense_m, GPU, BASE, 1, 1, 1000, 200, 8)
    a = replica_perf(moe_m, GPU, BASE, 8, 1, 3200, 800, 4)
    b = replica_perf(moe_m, GPU, BASE._replace(moe_layer_overhead_s=300e-6), 8, 1, 3200, 800, 4)
    assert b.decode_step_s - a.decode_step_s == pytest.approx(58 * 300e-6)
    one, slow = (replica_perf(moe_m, GPU, BASE._replace(moe_mfu_scale=x), 1, 1, 3200, 800, 4) for x in (1.0, 0.1))
    assert slow.prefill_s == pytest.approx(10 * one.prefill_s)  # one GPU, compute-bound prefill at a tenth of the rate


@pytest.mark.parametrize("tp, pp, s, g, b", [(1, 1, 2000, 300, 1), (2, 1, 500, 500, 33), (8, 1, 128, 4096, 256),
                                             (4, 2, 8000, 200, 5)])
def test_dense_mirror_agrees_with_every_new_term(tp, pp, s, g, b):
    for m in (dense(), dense(full_attention_layers=16, window_layers=16, window=4096)):
        want = replica_perf(m, GPU, FULL, tp, pp, s, g, b)
        got = _perf_from_terms(_dense_terms(m, GPU, FULL, tp, pp, s, g), b)
        for x, y in zip(got, want):
            assert x == pytest.approx(y, rel=1e-9)
