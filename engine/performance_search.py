"""Largest concurrency meeting latency targets, on the per-step costs of engine/performance.py.

Why a separate module: :func:`engine.performance.replica_perf` is the physics of one
operating point; this module searches over operating points. For dense models the
decode step is piecewise linear in the batch, so the latency limit is solved in
closed form from batch-independent terms (:class:`DenseTerms`, a mirror of
``replica_perf`` that tests check against it); MoE models (concave expert coverage)
use bisection on ``replica_perf``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from engine.latency_load import ttft_p95_bound_s
from engine.performance import (
    ACT_BYTES, Efficiency, PerfGpu, PerfModel, PerfResult, _allreduce_s, _ctx_attn_flops, _kv_read_bytes,
    prefill_flops, replica_perf,
)


def best_concurrency(m: PerfModel, g: PerfGpu, eff: Efficiency, tp: int, pp: int, input_tokens: float,
                     output_tokens: float, max_concurrency: int, ttft_target_s: float | None,
                     tpot_target_s: float | None, cached_tokens: float = 0.0) -> tuple[int, PerfResult] | None:
    """Largest concurrency <= ``max_concurrency`` meeting both latency targets (None if even 1 fails).

    Throughput rises with concurrency in this model while TTFT and TPOT rise too,
    so the throughput-optimal point that meets the targets is the largest feasible
    concurrency. TPOT is piecewise linear in the batch ``b`` for dense models
    (``max(b x a, W) + b x c + d``), so the bound is solved in closed form and then
    confirmed with one evaluation; MoE (concave expert coverage) uses bisection.
    """
    if max_concurrency < 1:
        return None

    def ok(r: PerfResult) -> bool:
        return (ttft_target_s is None or r.ttft_s <= ttft_target_s * (1 + 1e-12)) and (
            tpot_target_s is None or r.tpot_s <= tpot_target_s * (1 + 1e-12))

    if not m.num_experts:
        # dense: the closed form is exact; evaluate the batch terms once, then any batch in a few operations
        t = dense_terms(m, g, eff, tp, pp, input_tokens, output_tokens, cached_tokens)
        lim = closed_form_limit(t, ttft_target_s, tpot_target_s, max_concurrency)
        b = int(lim * (1 + 1e-12))
        if b > max_concurrency:
            b = max_concurrency
        if b < 1:
            r1 = perf_from_terms(t, 1)
            if not ok(r1):
                return None
            b = 1
        r = perf_from_terms(t, b)
        if ok(r):
            if b >= max_concurrency:
                return b, r
            nxt = perf_from_terms(t, b + 1)
            if not ok(nxt):
                return b, r
        # rounding disagreement: fall through to the general search
    # general case (MoE, or a closed form disagreeing by rounding): bisection on the monotone model
    hi_r = replica_perf(m, g, eff, tp, pp, input_tokens, output_tokens, max_concurrency, cached_tokens)
    if ok(hi_r):
        return max_concurrency, hi_r
    lo_r = replica_perf(m, g, eff, tp, pp, input_tokens, output_tokens, 1, cached_tokens)
    if not ok(lo_r):
        return None
    lo, hi = 1, max_concurrency
    while hi - lo > 1:
        mid = (lo + hi) // 2
        r = replica_perf(m, g, eff, tp, pp, input_tokens, output_tokens, mid, cached_tokens)
        if ok(r):
            lo, lo_r = mid, r
        else:
            hi = mid
    return lo, lo_r


class DenseTerms(NamedTuple):
    """Batch-independent pieces of :func:`replica_perf` for a dense model (no expert routing).

    With them ``tpot(b) = max(b gemm_c, gemm_m) + b k + c`` exactly, so the latency limit
    is solved in closed form and any batch is evaluated in a few operations.
    """

    gemm_c: float  # GEMM compute time per sequence in a decode step
    gemm_m: float  # weight read time per decode step
    attn_c: float  # attention compute time per sequence
    attn_m: float  # KV read time per sequence
    k: float  # per-sequence time per output token: attention + all-reduce bytes + amortised prefill
    c: float  # fixed time per step: overhead + all-reduce latencies + PP hop latencies
    prefill_alone: float
    prefill_amortised: float
    out: float
    ttft_overhead: float


def dense_terms(m: PerfModel, g: PerfGpu, eff: Efficiency, tp: int, pp: int, s: float, out: float,
                cached: float = 0.0) -> DenseTerms:
    """Mirror of :func:`replica_perf`'s arithmetic, factored by batch size (tests check they agree)."""
    out = out if out >= 1.0 else 1.0
    new = s - cached
    flops_all = g.compute_flops * tp * pp * eff.mfu
    flops_stage = g.compute_flops * tp * eff.mfu
    bw = g.bandwidth_bytes_per_s * eff.mbu
    link = g.link_bytes_per_s * eff.link_efficiency
    ar_latency = g.link_latency_s + eff.allreduce_overhead_s
    h_bytes = m.hidden_size * ACT_BYTES
    layers2 = 2.0 * m.num_layers
    fixed_pass = m.num_layers * eff.layer_overhead_s + m.moe_layers * eff.moe_layer_overhead_s
    pf = prefill_flops(m, new, cached)
    comm_prefill = layers2 * _allreduce_s(new * h_bytes, tp, link, ar_latency) if tp > 1 else 0.0
    hop_prefill = (pp - 1) * (g.inter_node_latency_s + new * h_bytes / g.inter_node_bytes_per_s) if pp > 1 else 0.0
    prefill_alone = pf / flops_stage + comm_prefill + hop_prefill + fixed_pass
    p_amort = pf / flops_all + (comm_prefill + hop_prefill) / pp
    ctx = s + 0.5 * out
    attn_c = _ctx_attn_flops(m, ctx) * m.decode_attn_scale / flops_all
    attn_m = _kv_read_bytes(m, ctx) / ((pp if m.latent_kv else tp * pp) * bw)
    c = eff.step_overhead_s + fixed_pass
    k = (attn_c if attn_c > attn_m else attn_m) + p_amort / out
    if tp > 1:
        c += layers2 * ar_latency
        k += layers2 * 2.0 * (tp - 1) / tp * h_bytes / pp / link
    if pp > 1:
        c += pp * g.inter_node_latency_s
        k += h_bytes / g.inter_node_bytes_per_s
    return DenseTerms(m.linear_flops_per_token / flops_all, m.shared_read_bytes / (tp * bw * eff.weight_bw_scale),
                      attn_c, attn_m, k, c, prefill_alone, p_amort, out, eff.ttft_overhead_s)


def perf_from_terms(t: DenseTerms, b: float) -> PerfResult:
    """:func:`replica_perf` for a dense model at batch ``b`` from its :class:`DenseTerms`."""
    b = b if b >= 1.0 else 1.0
    gc = b * t.gemm_c
    gemm = gc if gc > t.gemm_m else t.gemm_m
    tpot = gemm + b * t.k + t.c
    ac, am = b * t.attn_c, b * t.attn_m
    t_compute = (gc if gc > t.gemm_m else 0.0) + (ac if ac > am else 0.0)
    t_memory = (t.gemm_m if t.gemm_m >= gc else 0.0) + (am if am >= ac else 0.0)
    cycle = t.out * tpot
    prefill_part = b * t.prefill_amortised
    return PerfResult(b * t.out / cycle, t.prefill_alone + tpot + t.ttft_overhead, tpot, (cycle - prefill_part) / t.out,
                      t.prefill_alone, prefill_part / cycle, t_compute > t_memory)


def closed_form_limit(t: DenseTerms, ttft_target_s: float | None, tpot_target_s: float | None, cap: int) -> float:
    """Largest (real) batch meeting the targets, from ``max(b gc, gm) + b k + c <= budget``; < 1 if none."""
    budget = math.inf
    if tpot_target_s is not None:
        budget = tpot_target_s - t.c
    if ttft_target_s is not None:
        budget = min(budget, ttft_target_s - t.prefill_alone - t.ttft_overhead - t.c)
    if budget == math.inf:
        return float(cap)
    gm, gc, k = t.gemm_m, t.gemm_c, t.k
    if k <= 0:
        return float(cap) if budget >= gm else 0.0
    b = (budget - gm) / k  # while the GEMMs stay weight-bound (b gc <= gm)
    if gc > 0 and b * gc > gm:
        b = budget / (k + gc)
    return min(b, float(cap))


def latency_limited(m: PerfModel, g: PerfGpu, eff: Efficiency, tp: int, pp: int, input_tokens: float,
                    output_tokens: float, max_concurrency: int, ttft_target_s: float | None,
                    tpot_target_s: float | None, cached_tokens: float = 0.0,
                    utilisation: float | None = None) -> tuple[int, PerfResult, bool]:
    """(concurrency, result, meets targets): :func:`best_concurrency`, or concurrency 1 flagged as missing them.

    With ``utilisation`` (the load the fleet plans each replica at), the TTFT target is
    checked at p95 under that load (engine/latency_load.py: the empty-replica TTFT plus
    the p95 prefill queueing wait, an upper bound); the concurrency is lowered until it
    holds. TPOT at load never exceeds TPOT at the full batch (the scheduler caps the
    batch), so the TPOT check at the full batch already bounds its p95.
    The sweep's hot path: for dense models the batch terms are computed once and reused.
    """
    b, r, meets = _latency_limited_empty(m, g, eff, tp, pp, input_tokens, output_tokens, max_concurrency,
                                         ttft_target_s, tpot_target_s, cached_tokens)
    if utilisation is None or ttft_target_s is None or not meets:
        return b, r, meets
    out = output_tokens if output_tokens >= 1.0 else 1.0
    tt = ttft_target_s * (1 + 1e-12)

    def ok(res: PerfResult) -> bool:
        return ttft_p95_bound_s(res.ttft_s, res.prefill_s, res.output_tokens_per_s / out, utilisation) <= tt

    if ok(r):
        return b, r, True
    terms = None if m.num_experts else dense_terms(m, g, eff, tp, pp, input_tokens, output_tokens, cached_tokens)

    def at(n: int) -> PerfResult:
        if terms is not None:
            return perf_from_terms(terms, n)
        return replica_perf(m, g, eff, tp, pp, input_tokens, output_tokens, n, cached_tokens)

    lo_r = at(1)
    if not ok(lo_r):
        return 1, lo_r, False
    lo, hi = 1, b  # ok(lo), not ok(hi): the wait grows with the batch (more requests/s share one prefill stream)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        mr = at(mid)
        if ok(mr):
            lo, lo_r = mid, mr
        else:
            hi = mid
    return lo, lo_r, True


def _latency_limited_empty(m: PerfModel, g: PerfGpu, eff: Efficiency, tp: int, pp: int, input_tokens: float,
                           output_tokens: float, max_concurrency: int, ttft_target_s: float | None,
                           tpot_target_s: float | None, cached_tokens: float = 0.0) -> tuple[int, PerfResult, bool]:
    """:func:`latency_limited` at an empty replica (targets on the steady-state TTFT/TPOT at the batch)."""
    if not m.num_experts:
        t = dense_terms(m, g, eff, tp, pp, input_tokens, output_tokens, cached_tokens)
        lim = closed_form_limit(t, ttft_target_s, tpot_target_s, max_concurrency)
        tt = ttft_target_s * (1 + 1e-12) if ttft_target_s is not None else math.inf
        tq = tpot_target_s * (1 + 1e-12) if tpot_target_s is not None else math.inf
        b = int(lim * (1 + 1e-12))
        if b > max_concurrency:
            b = max_concurrency
        if b < 1:
            r1 = perf_from_terms(t, 1)
            if r1.ttft_s > tt or r1.tpot_s > tq:
                return 1, r1, False
            b = 1
        r = perf_from_terms(t, b)
        if r.ttft_s <= tt and r.tpot_s <= tq:
            if b >= max_concurrency:
                return b, r, True
            nxt = perf_from_terms(t, b + 1)
            if nxt.ttft_s > tt or nxt.tpot_s > tq:
                return b, r, True
        # rounding disagreement: the general search below settles it
    found = best_concurrency(m, g, eff, tp, pp, input_tokens, output_tokens, max_concurrency, ttft_target_s,
                             tpot_target_s, cached_tokens)
    if found is None:
        return 1, replica_perf(m, g, eff, tp, pp, input_tokens, output_tokens, 1, cached_tokens), False
    return found[0], found[1], True
