"""The terms issue 12 added to the performance model: each one's exact effect, and the dense mirror agreeing."""

import pytest

from engine.performance import Efficiency, PerfGpu, perf_model_from_numbers, replica_perf
from engine.performance_search import dense_terms, perf_from_terms

BASE = Efficiency(mfu=0.5, mbu=0.8, step_overhead_s=0.001, ttft_overhead_s=0.0, link_efficiency=1.0)
FULL = BASE._replace(layer_overhead_s=20e-6, allreduce_overhead_s=30e-6, weight_bw_scale=0.8,
                     moe_mfu_scale=0.1, moe_layer_overhead_s=300e-6)
GPU = PerfGpu(compute_flops=1e15, bandwidth_bytes_per_s=2e12, link_bytes_per_s=100e9, link_latency_s=10e-6,
              inter_node_bytes_per_s=50e9, inter_node_latency_s=5e-6)


def model(**kw):
    base = dict(active_linear_params=7e9, num_layers=32, hidden_size=4096, q_dim=4096, full_attention_layers=32,
                window_layers=0, window=0, weight_bytes=14e9, shared_read_bytes=14e9, expert_bytes=0,
                num_experts=0, experts_per_token=0, kv_full_bytes_per_token=131072, kv_window_bytes_per_token=0)
    base.update(kw)
    return perf_model_from_numbers(**base)


def mla_moe():
    """A DeepSeek-V3-like shape: 61 layers, 58 with 256 routed experts (top 8), MLA rank 512 + rope 64."""
    return model(active_linear_params=37e9, num_layers=61, hidden_size=7168, q_dim=128 * 192, full_attention_layers=61,
                 weight_bytes=671e9, shared_read_bytes=20e9, expert_bytes=58 * 44e6, num_experts=256,
                 experts_per_token=8, kv_full_bytes_per_token=61 * 576 * 2, attn_qk_dim=128 * 192, attn_v_dim=128 * 128,
                 moe_layers=58, mla_kv_lora_rank=512, mla_rope_dim=64, mla_heads=128)


def test_layer_overhead_adds_exactly_layers_times_it_to_each_step():
    m = model()
    a = replica_perf(m, GPU, BASE, 1, 1, 1000, 200, 8)
    b = replica_perf(m, GPU, BASE._replace(layer_overhead_s=20e-6), 1, 1, 1000, 200, 8)
    assert b.decode_step_s - a.decode_step_s == pytest.approx(32 * 20e-6)
    assert b.prefill_s - a.prefill_s == pytest.approx(32 * 20e-6)


def test_allreduce_overhead_counts_two_collectives_per_layer_only_with_tensor_parallelism():
    m = model()
    eff = BASE._replace(allreduce_overhead_s=30e-6)
    assert replica_perf(m, GPU, eff, 1, 1, 1000, 200, 8) == replica_perf(m, GPU, BASE, 1, 1, 1000, 200, 8)
    a = replica_perf(m, GPU, BASE, 8, 1, 1000, 200, 8)
    b = replica_perf(m, GPU, eff, 8, 1, 1000, 200, 8)
    assert b.decode_step_s - a.decode_step_s == pytest.approx(2 * 32 * 30e-6)


def test_weight_bandwidth_scale_slows_weight_reads_only():
    m = model()
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
    dense_m, moe_m = model(), mla_moe()
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
    for m in (model(), model(full_attention_layers=16, window_layers=16, window=4096)):
        want = replica_perf(m, GPU, FULL, tp, pp, s, g, b)
        got = perf_from_terms(dense_terms(m, GPU, FULL, tp, pp, s, g), b)
        for x, y in zip(got, want):
            assert x == pytest.approx(y, rel=1e-9)
