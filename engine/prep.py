"""The hot path's inputs: per (model, precision) and per (GPU, precision) numbers, prepared once and cached.

Why: a configuration is evaluated in a few microseconds (benchmarks/engine_speed.py)
only because everything that depends on the model or the GPU alone - parameter
counts, weight and KV bytes, the performance model's plain floats, the compute
rate of a precision - is computed here once and reused by every layout, GPU count
and demand the sweep tries (engine/evaluate.py).
"""

from __future__ import annotations

from typing import NamedTuple

from engine.catalog import GpuSpec, ModelSpec
from engine.defaults import Assumptions, load_assumptions
from engine.memory import kv_bytes_per_token, kv_bytes_per_token_per_layer, weight_bytes
from engine.params import param_counts
from engine.performance import PerfGpu, PerfModel, compute_rate_flops, perf_model_from_numbers


class ModelPrep(NamedTuple):
    model: ModelSpec
    precision: str
    kv_precision: str
    perf: PerfModel
    weights_bytes: float
    kv_bytes_per_token: float
    total_params: float
    active_params: float


class GpuPrep(NamedTuple):
    gpu: GpuSpec
    perf: PerfGpu
    compute_note: str


_MODEL_CACHE: dict[tuple[int, str, str], tuple[ModelSpec, ModelPrep]] = {}
_GPU_CACHE: dict[tuple[int, str, str, float, float], tuple[GpuSpec, GpuPrep]] = {}


def prepare_model(model: ModelSpec, precision: str, kv_precision: str) -> ModelPrep:
    """Per (model, precision, KV precision): the numbers the performance math needs (cached)."""
    key = (id(model), precision, kv_precision)
    hit = _MODEL_CACHE.get(key)
    if hit is not None and hit[0] is model:
        return hit[1]
    pc = param_counts(model)
    wb = weight_bytes(model, precision)
    nonlinear_width = 4.0 if precision == "fp32" else 2.0
    nonlinear = pc.total - pc.linear
    linear_bpp = (wb - nonlinear * nonlinear_width) / pc.linear if pc.linear else 0.0
    lm_head_matmul = model.vocab_size * model.hidden_size
    moe = model.moe
    if moe:
        unused = pc.moe_layers * (moe.num_experts - moe.experts_per_token) * pc.per_expert
        active_linear = pc.linear - unused + lm_head_matmul
        expert_bytes = pc.per_expert * pc.moe_layers * linear_bpp
        routed_bytes = pc.routed_experts * linear_bpp
        n_exp, k_exp = moe.num_experts, moe.experts_per_token
    else:
        active_linear = pc.linear + lm_head_matmul
        expert_bytes = routed_bytes = 0.0
        n_exp = k_exp = 0
    # the input embedding is gathered row by row, not streamed each step (unless tied: it is the lm_head)
    embedding_not_read = 0.0 if model.tie_word_embeddings else pc.embedding * nonlinear_width
    shared_read = wb - routed_bytes - embedding_not_read - pc.position_embedding * nonlinear_width
    per_layer_kv = kv_bytes_per_token_per_layer(model, kv_precision)
    win_layers = model.sliding_window_layers if model.sliding_window else 0
    if model.mla is not None:
        qk, v = model.mla.qk_nope_head_dim + model.mla.qk_rope_head_dim, model.mla.v_head_dim
        attn_qk, attn_v = model.num_attention_heads * qk, model.num_attention_heads * v
    else:
        attn_qk = attn_v = None
    perf = perf_model_from_numbers(
        active_linear_params=active_linear,
        num_layers=model.num_layers,
        hidden_size=model.hidden_size,
        q_dim=model.num_attention_heads * model.head_dim,
        full_attention_layers=model.num_layers - win_layers,
        window_layers=win_layers,
        window=model.sliding_window or 0,
        weight_bytes=wb,
        shared_read_bytes=shared_read,
        expert_bytes=expert_bytes,
        num_experts=n_exp,
        experts_per_token=k_exp,
        kv_full_bytes_per_token=per_layer_kv * (model.num_layers - win_layers),
        kv_window_bytes_per_token=per_layer_kv * win_layers,
        attn_qk_dim=attn_qk,
        attn_v_dim=attn_v,
        moe_layers=pc.moe_layers if moe else 0,
        mla_kv_lora_rank=model.mla.kv_lora_rank if model.mla is not None else None,
        mla_rope_dim=model.mla.qk_rope_head_dim if model.mla is not None else 0,
        mla_heads=model.num_attention_heads,
    )
    prep = ModelPrep(model, precision, kv_precision, perf, wb, kv_bytes_per_token(model, kv_precision),
                     float(pc.total), float(pc.active))
    _MODEL_CACHE[key] = (model, prep)
    return prep


def prepare_gpu(gpu: GpuSpec, precision: str, int8_mode: str = "weight-only",
                assumptions: Assumptions | None = None) -> GpuPrep:
    a = assumptions or load_assumptions()
    key = (id(gpu), precision, int8_mode, a.inter_node_gb_per_s, a.inter_node_latency_us)
    hit = _GPU_CACHE.get(key)
    if hit is not None and hit[0] is gpu:
        return hit[1]
    rate, note = compute_rate_flops(gpu.bf16_dense_tflops, gpu.fp8_dense_tflops, gpu.int8_dense_tops, precision, int8_mode)
    ic = gpu.interconnect
    perf = PerfGpu(
        compute_flops=rate * 1e12,
        bandwidth_bytes_per_s=gpu.memory_bandwidth_gb_per_s * 1e9,
        link_bytes_per_s=ic.bandwidth_gb_per_s * 1e9,
        link_latency_s=ic.latency_us * 1e-6,
        inter_node_bytes_per_s=a.inter_node_gb_per_s * 1e9,
        inter_node_latency_s=a.inter_node_latency_us * 1e-6,
    )
    prep = GpuPrep(gpu, perf, note)
    _GPU_CACHE[key] = (gpu, prep)
    return prep
