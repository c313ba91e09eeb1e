"""Throughput and latency of one replica, from first principles plus a few fitted efficiencies.

Why this shape: the recommendation sweeps thousands of (model, GPU, precision,
GPU count, concurrency) points, so the hot function :func:`replica_perf` takes
two small NamedTuples of plain floats (built once per model/precision and per
GPU/precision by :func:`perf_model` and :func:`perf_gpu`) and does a few dozen
float operations. Pydantic and catalog objects stay outside this module's hot path.

The model (every formula is restated, with its source, in docs/methodology.md):

* **Prefill** is compute-bound: ``2 x active params x tokens`` (linear layers,
  incl. lm_head) plus causal attention ``4 x q_dim x s^2 / 2`` per full-attention
  layer (sliding-window layers cap the context at the window), at the tensor rate
  of the precision's *compute* path (see :func:`compute_rate_flops`), times MFU.
* **Decode** is one step per output token for the whole batch: a roofline
  ``max(FLOPs / (peak x MFU), bytes / (bandwidth x MBU))`` where bytes = weights
  read (MoE: shared weights + the experts the batch touches) + the KV cache of
  every sequence in the batch; plus a fixed per-step overhead (scheduling,
  kernel launches, sampling), plus tensor-parallel all-reduces.
* **Continuous batching**: ``B`` sequences in flight. In one cycle of
  ``output_tokens`` decode steps, ``B`` requests finish and ``B`` new ones are
  prefilled in between; so ``cycle = g x step + B x prefill``, throughput =
  ``B x g / cycle`` and TPOT = ``cycle / g`` (decode steps stretched by the
  prefills they share the GPU with).
* **TP** costs two all-reduces per layer of ``tokens x hidden x 2 B``, each
  ``latency + 2 (t-1)/t x bytes / link bandwidth`` (ring all-reduce).
* **PP** (across nodes): stages work on different micro-batches in steady state,
  but every stage re-reads its weights once per micro-batch (``pp`` micro-batches
  per step), so weight traffic does not shrink with ``pp``; plus one
  point-to-point hop per stage.
* **MoE**: resident memory counts every expert; FLOPs count ``experts_per_token``;
  the bytes read in one step count the expected number of distinct experts the
  step's tokens touch, ``E x (1 - (1 - k/E)^tokens)`` per MoE layer. MoE kernels
  (grouped GEMM at a few tokens per expert, router/top-k/permute) reach less of
  the peak: a fitted ``moe_mfu_scale`` and a fixed cost per MoE layer per step.
* **MLA** (DeepSeek-V2/V3): decode runs the weight-absorbed form, so attention
  works on the latent (``2 x heads x (2 x kv_lora_rank + rope)`` FLOPs per context
  token per layer), and the latent KV is shared by all heads, so under tensor
  parallelism every GPU reads all of it (``latent_kv``: not divided by ``tp``).
* **Framework costs that dominate small models on many GPUs**: a fixed time per
  layer per forward pass (``layer_overhead_s``) and a fixed time per all-reduce on
  top of the link latency (``allreduce_overhead_s``), both fitted per serving engine.
* **Weight-only int4/int8** (GPTQ/AWQ, W4A16/W8A16) dequantise in the GEMM: their
  packed weights stream at ``weight_bw_scale`` of the bandwidth bf16 weights reach.

The concurrency search (largest batch meeting latency targets) is in
engine/performance_search.py; its names are re-exported here.
"""

from __future__ import annotations

import math
from typing import NamedTuple

#: Bytes of one activation element on the wire (TP all-reduce, PP hop): bf16/fp16 activations.
ACT_BYTES = 2.0


class Efficiency(NamedTuple):
    """Fitted efficiency factors (engine/data/efficiency.yaml)."""

    mfu: float  # achieved / peak tensor FLOP/s, prefill and decode GEMMs
    mbu: float  # achieved / peak memory bandwidth, decode weight + KV reads
    step_overhead_s: float  # fixed time per decode step (scheduler, launches, sampling)
    ttft_overhead_s: float  # fixed time added to every first token (request handling)
    link_efficiency: float = 1.0  # achieved / nominal interconnect bandwidth in all-reduces
    layer_overhead_s: float = 0.0  # per layer per forward pass: kernels CUDA graphs do not hide (norms, rope, glue)
    allreduce_overhead_s: float = 0.0  # per tensor-parallel all-reduce, on top of the link latency (launch, barrier)
    moe_mfu_scale: float = 1.0  # MoE models: achieved fraction of ``mfu`` (grouped GEMM, block-quantised kernels)
    moe_layer_overhead_s: float = 0.0  # per MoE layer per forward pass: router, top-k, permute / unpermute
    weight_bw_scale: float = 1.0  # weight reads: packed weight-only int4/int8 reach this fraction of ``mbu``


class PerfModel(NamedTuple):
    """What the performance math needs from a model at one weight/KV precision (whole model)."""

    linear_flops_per_token: float  # 2 x active params taking part in matmuls (incl. lm_head)
    attn_flops_per_ctx_full: float  # FLOPs per token per context token, full-attention layers (4 x q_dim x layers)
    attn_flops_per_ctx_window: float  # same for sliding-window layers
    window: float  # sliding window length in tokens (0 = none)
    weight_bytes: float  # resident weights (all experts)
    shared_read_bytes: float  # weights read every step whatever the routing (everything but routed experts)
    expert_bytes: float  # bytes of ONE routed expert summed over all MoE layers
    num_experts: int  # routed experts per MoE layer (0 = dense)
    experts_per_token: int
    kv_full_bytes_per_token: float  # KV bytes per token over the full-attention layers
    kv_window_bytes_per_token: float  # KV bytes per token over the sliding-window layers (capped at window)
    num_layers: int
    hidden_size: int
    moe_layers: int = 0  # layers with routed experts
    latent_kv: bool = False  # MLA: one latent KV shared by all heads, replicated on every tensor-parallel GPU
    decode_attn_scale: float = 1.0  # decode attention FLOPs / prefill attention FLOPs (MLA weight absorption)


class PerfGpu(NamedTuple):
    """What the performance math needs from a GPU for one compute precision."""

    compute_flops: float  # dense tensor FLOP/s per GPU on the compute path of the precision
    bandwidth_bytes_per_s: float  # HBM/GDDR bandwidth per GPU
    link_bytes_per_s: float  # intra-node interconnect, per GPU, one direction
    link_latency_s: float  # per collective (small-message all-reduce floor)
    inter_node_bytes_per_s: float  # between nodes (PP hops)
    inter_node_latency_s: float


class PerfResult(NamedTuple):
    output_tokens_per_s: float  # one replica
    ttft_s: float
    tpot_s: float
    decode_step_s: float  # one decode step, all B sequences, without prefill interference
    prefill_s: float  # one request's prefill alone on the replica
    prefill_share: float  # fraction of replica time spent in prefill
    decode_compute_bound: bool  # decode step limited by FLOPs rather than bytes


def compute_rate_flops(gpu_bf16: float, gpu_fp8: float | None, gpu_int8: float | None, precision: str,
                       int8_mode: str = "weight-only") -> tuple[float, str]:
    """Tensor rate (FLOP/s) of the compute path for a weight precision, and a note.

    Weight-only int4/int8 (GPTQ/AWQ, W4A16/W8A16) dequantise to 16-bit and multiply
    at the bf16 rate, so they cut bytes, not FLOPs (seed-consistency C10). W8A8 int8
    uses the int8 tensor rate where the GPU has one; fp8 uses the fp8 rate where the
    GPU has FP8 tensor cores, otherwise it runs as weight-only fp8 at the bf16 rate
    (what vLLM's Marlin kernels do on Ampere). fp32 runs at the TF32 rate (half bf16).
    """
    if precision in ("bf16", "fp16"):
        return gpu_bf16, "bf16 tensor rate"
    if precision == "fp32":
        return gpu_bf16 * 0.5, "tf32 tensor rate (half of bf16)"
    if precision == "fp8":
        if gpu_fp8:
            return gpu_fp8, "fp8 tensor rate"
        return gpu_bf16, "no FP8 tensor cores: fp8 weights dequantised, bf16 tensor rate"
    if precision == "int8":
        if int8_mode == "w8a8":
            if gpu_int8:
                return gpu_int8, "W8A8 int8 tensor rate"
            return gpu_bf16, "no INT8 tensor rate known: bf16 tensor rate"
        return gpu_bf16, "weight-only int8 (W8A16): bf16 tensor rate"
    if precision == "int4":
        return gpu_bf16, "weight-only int4 (W4A16): bf16 tensor rate"
    raise ValueError(f"unknown precision {precision!r}")


def expected_distinct_experts(num_experts: int, experts_per_token: int, tokens: float) -> float:
    """Expected number of distinct routed experts one MoE layer reads for ``tokens`` tokens.

    Uniform routing: each expert is missed by one token with probability ``1 - k/E``,
    so it is touched by at least one of ``n`` tokens with ``1 - (1 - k/E)^n``.
    """
    if num_experts <= 0:
        return 0.0
    if tokens <= 0:
        return 0.0
    miss = 1.0 - experts_per_token / num_experts
    return num_experts * (1.0 - miss**tokens)


def _allreduce_s(bytes_: float, tp: int, link_bytes_per_s: float, latency_s: float) -> float:
    """One ring all-reduce over ``tp`` GPUs: latency + 2 (t-1)/t x bytes / bandwidth."""
    return latency_s + 2.0 * (tp - 1) / tp * bytes_ / link_bytes_per_s


def _ctx_attn_flops(m: PerfModel, ctx: float) -> float:
    """Attention FLOPs of one new token attending to ``ctx`` cached tokens."""
    w = m.window
    return m.attn_flops_per_ctx_full * ctx + m.attn_flops_per_ctx_window * (min(ctx, w) if w > 0 else ctx)


def _kv_read_bytes(m: PerfModel, ctx: float) -> float:
    w = m.window
    return m.kv_full_bytes_per_token * ctx + m.kv_window_bytes_per_token * (min(ctx, w) if w > 0 else ctx)


def prefill_flops(m: PerfModel, tokens: float, prefix: float = 0.0) -> float:
    """FLOPs to prefill ``tokens`` new prompt tokens after ``prefix`` cached ones.

    Causal attention: new token ``i`` attends to ``prefix + i`` keys, i.e.
    ``tokens x prefix + tokens^2 / 2`` query-key pairs in total; sliding-window
    layers see at most ``window`` keys per query.
    """
    pairs_full = tokens * prefix + tokens * tokens * 0.5
    if m.attn_flops_per_ctx_window:
        w = m.window
        end = prefix + tokens
        if w > 0 and end > w:
            # exact for the part beyond the window, causal triangle for the part inside it
            inside = max(0.0, min(end, w) - prefix)
            pairs_win = inside * prefix + inside * inside * 0.5 + (tokens - inside) * w
        else:
            pairs_win = pairs_full
        win = m.attn_flops_per_ctx_window * pairs_win
    else:
        win = 0.0
    return m.linear_flops_per_token * tokens + m.attn_flops_per_ctx_full * pairs_full + win


def replica_perf(m: PerfModel, g: PerfGpu, eff: Efficiency, tp: int, pp: int,
                 input_tokens: float, output_tokens: float, concurrency: float,
                 cached_tokens: float = 0.0) -> PerfResult:
    """Steady-state throughput and latency of one replica (``tp x pp`` GPUs) at ``concurrency``.

    ``input_tokens`` is the whole prompt (it all sits in the KV cache);
    ``cached_tokens`` of it come from a shared-prefix cache and are not prefilled.
    """
    s = input_tokens
    new = input_tokens - cached_tokens
    out = output_tokens if output_tokens >= 1.0 else 1.0
    b = concurrency if concurrency >= 1.0 else 1.0
    mfu = eff.mfu * eff.moe_mfu_scale if m.num_experts else eff.mfu
    flops_all = g.compute_flops * tp * pp * mfu  # pipeline stages work in parallel in steady state
    flops_stage = g.compute_flops * tp * mfu
    bw = g.bandwidth_bytes_per_s * eff.mbu
    h_bytes = m.hidden_size * ACT_BYTES
    link = g.link_bytes_per_s * eff.link_efficiency
    ar_latency = g.link_latency_s + eff.allreduce_overhead_s
    layers2 = 2.0 * m.num_layers
    fixed_pass = m.num_layers * eff.layer_overhead_s + m.moe_layers * eff.moe_layer_overhead_s

    # ---- prefill of one request
    pf = prefill_flops(m, new, cached_tokens)
    comm_prefill = layers2 * _allreduce_s(new * h_bytes, tp, link, ar_latency) if tp > 1 else 0.0
    hop_prefill = (pp - 1) * (g.inter_node_latency_s + new * h_bytes / g.inter_node_bytes_per_s) if pp > 1 else 0.0
    prefill_alone = pf / flops_stage + comm_prefill + hop_prefill + fixed_pass  # one request through all stages
    prefill_amortised = pf / flops_all + (comm_prefill + hop_prefill) / pp  # replica time per request in steady state

    # ---- one decode step for all b sequences at the mean context
    ctx = s + 0.5 * out
    # roofline per kernel family: the GEMMs (weights) and attention (KV) run one after the other
    if m.num_experts:
        distinct = expected_distinct_experts(m.num_experts, m.experts_per_token, b / pp)
        weights_read = m.shared_read_bytes + m.expert_bytes * distinct
    else:
        weights_read = m.shared_read_bytes
    # every stage re-reads its weights for each of its pp micro-batches: weight time ~ W / (tp x bw)
    gemm_c = b * m.linear_flops_per_token / flops_all
    gemm_m = weights_read / (tp * bw * eff.weight_bw_scale)
    attn_c = b * _ctx_attn_flops(m, ctx) * m.decode_attn_scale / flops_all
    attn_m = b * _kv_read_bytes(m, ctx) / ((pp if m.latent_kv else tp * pp) * bw)
    t_compute = (gemm_c if gemm_c > gemm_m else 0.0) + (attn_c if attn_c > attn_m else 0.0)
    t_memory = (gemm_m if gemm_m >= gemm_c else 0.0) + (attn_m if attn_m >= attn_c else 0.0)
    compute_bound = t_compute > t_memory
    step = t_compute + t_memory + eff.step_overhead_s + fixed_pass
    if tp > 1:
        step += layers2 * _allreduce_s(b / pp * h_bytes, tp, link, ar_latency)
    if pp > 1:
        step += pp * g.inter_node_latency_s + b * h_bytes / g.inter_node_bytes_per_s

    # ---- continuous batching cycle
    cycle = out * step + b * prefill_amortised
    tps = b * out / cycle
    tpot = cycle / out
    ttft = prefill_alone + tpot + eff.ttft_overhead_s
    return PerfResult(tps, ttft, tpot, step, prefill_alone, b * prefill_amortised / cycle, compute_bound)


def perf_model_from_numbers(*, active_linear_params: float, num_layers: int, hidden_size: int, q_dim: int,
                            full_attention_layers: int, window_layers: int, window: int,
                            weight_bytes: float, shared_read_bytes: float, expert_bytes: float,
                            num_experts: int, experts_per_token: int,
                            kv_full_bytes_per_token: float, kv_window_bytes_per_token: float,
                            attn_qk_dim: int | None = None, attn_v_dim: int | None = None,
                            moe_layers: int = 0, mla_kv_lora_rank: int | None = None,
                            mla_rope_dim: int = 0, mla_heads: int = 0) -> PerfModel:
    """Build a :class:`PerfModel` from architecture numbers (no catalog objects needed).

    Attention FLOPs per token per context token per layer = 2 x heads x (qk_dim + v_dim)
    (QK^T and AV, 2 FLOPs per multiply-add); for standard attention qk_dim = v_dim =
    head_dim, i.e. ``4 x q_dim``. With MLA (``mla_kv_lora_rank`` given) decode attends in
    the latent space (qk = rank + rope, v = rank per head) and the latent KV is replicated
    across tensor-parallel GPUs.
    """
    if attn_qk_dim is not None and attn_v_dim is not None:
        per_layer = 2.0 * (attn_qk_dim + attn_v_dim)
    else:
        per_layer = 4.0 * q_dim
    decode_scale = 1.0
    if mla_kv_lora_rank and attn_qk_dim and attn_v_dim and mla_heads:
        decode_scale = mla_heads * (2.0 * mla_kv_lora_rank + mla_rope_dim) / (attn_qk_dim + attn_v_dim)
    return PerfModel(
        linear_flops_per_token=2.0 * active_linear_params,
        attn_flops_per_ctx_full=per_layer * full_attention_layers,
        attn_flops_per_ctx_window=per_layer * window_layers,
        window=float(window or 0),
        weight_bytes=weight_bytes,
        shared_read_bytes=shared_read_bytes,
        expert_bytes=expert_bytes,
        num_experts=num_experts,
        experts_per_token=experts_per_token,
        kv_full_bytes_per_token=kv_full_bytes_per_token,
        kv_window_bytes_per_token=kv_window_bytes_per_token,
        num_layers=num_layers,
        hidden_size=hidden_size,
        moe_layers=moe_layers,
        latent_kv=bool(mla_kv_lora_rank),
        decode_attn_scale=decode_scale,
    )


# the concurrency search lives in its own module; re-exported for callers of this one
from engine.performance_search import (  # noqa: E402,F401  (import at the end: it builds on the names above)
    DenseTerms, best_concurrency, closed_form_limit, dense_terms, latency_limited, perf_from_terms,
)
