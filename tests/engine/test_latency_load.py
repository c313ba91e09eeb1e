"""Latency under load (engine/latency_load.py) and the p95 TTFT check in the concurrency search."""

import math

import pytest

from engine.latency_load import at_load, queue_wait_s
from engine.performance import Efficiency, PerfGpu, perf_model_from_numbers, replica_perf
from engine.performance_search import latency_limited

EFF = Efficiency(mfu=0.5, mbu=0.8, step_overhead_s=0.002, ttft_overhead_s=0.01, link_efficiency=0.5)
GPU = PerfGpu(compute_flops=1e15, bandwidth_bytes_per_s=2e12, link_bytes_per_s=100e9, link_latency_s=10e-6,
              inter_node_bytes_per_s=50e9, inter_node_latency_s=5e-6)
M = perf_model_from_numbers(active_linear_params=7e9, num_layers=32, hidden_size=4096, q_dim=4096,
                            full_attention_layers=32, window_layers=0, window=0, weight_bytes=14e9,
                            shared_read_bytes=14e9, expert_bytes=0, num_experts=0, experts_per_token=0,
                            kv_full_bytes_per_token=131072, kv_window_bytes_per_token=0)


def perf_at(n, s=2000, g=300):
    return replica_perf(M, GPU, EFF, 1, 1, s, g, n)


def test_queue_wait_is_md1_with_an_exponential_tail():
    lam, svc = 2.0, 0.3  # rho 0.6
    mean = 0.6 * 0.3 / (2 * 0.4)
    assert queue_wait_s(lam, svc, 0.95) == pytest.approx(mean / 0.6 * math.log(0.6 / 0.05))
    assert queue_wait_s(lam, svc, 0.30) == 0.0  # 40% of arrivals find the prefill stream idle
    assert queue_wait_s(4.0, 0.3, 0.95) == math.inf  # rho 1.2: the queue grows without bound
    assert queue_wait_s(0.0, 0.3, 0.95) == 0.0


def test_at_load_orders_percentiles_and_grows_with_load():
    lo, hi = (at_load(perf_at, 32, u, 300, EFF.ttft_overhead_s) for u in (0.3, 0.9))
    for x in (lo, hi):
        assert x.ttft_p95_s >= x.ttft_p50_s and x.tpot_p95_ms >= x.tpot_p50_ms
        assert 1 <= x.in_flight <= 32
    assert hi.ttft_p95_s > lo.ttft_p95_s and hi.in_flight > lo.in_flight
    assert hi.tpot_p95_ms <= perf_at(32).tpot_s * 1000 + 1e-9  # never above TPOT at the scheduler's full batch


def test_at_load_of_an_idle_replica_is_the_empty_replica():
    x = at_load(perf_at, 32, 1e-6, 300, EFF.ttft_overhead_s)
    one = perf_at(1)
    assert x.ttft_p95_s == pytest.approx(one.ttft_s) and x.tpot_p50_ms == pytest.approx(one.tpot_s * 1000)


def test_p95_ttft_check_lowers_the_concurrency_when_queueing_binds():
    # long prompts: the prefill stream is busy, so the p95 wait, not the empty-replica TTFT, binds
    args = (M, GPU, EFF, 1, 1, 16000, 200, 256, 1.5, 0.2)
    b0, r0, ok0 = latency_limited(*args)
    b1, r1, ok1 = latency_limited(*args, utilisation=0.65)
    assert ok0 and ok1 and b1 < b0
    lam = 0.65 * r1.output_tokens_per_s / 200
    assert r1.ttft_s + queue_wait_s(lam, r1.prefill_s, 0.95) <= 1.5
    nxt = replica_perf(M, GPU, EFF, 1, 1, 16000, 200, b1 + 1)
    assert nxt.ttft_s + queue_wait_s(0.65 * nxt.output_tokens_per_s / 200, nxt.prefill_s, 0.95) > 1.5


def test_erlang_c_and_the_slot_wait():
    from engine.latency_load import erlang_c, slot_wait_s

    assert erlang_c(1, 0.6) == pytest.approx(0.6)  # M/M/1: P(wait) = rho
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert erlang_c(4, 5.0) == 1.0 and erlang_c(4, 0.0) == 0.0
    # one slot held 1 s, 0.6 arrivals/s: P(wait) 0.6, exponential wait with rate 1 - 0.6
    assert slot_wait_s(0.6, 1.0, 1, 0.95) == pytest.approx(math.log(0.6 / 0.05) / 0.4)
    assert slot_wait_s(0.6, 1.0, 1, 0.30) == 0.0
    assert slot_wait_s(2.0, 1.0, 2, 0.95) == math.inf
