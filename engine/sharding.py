"""Sharding: how one model's weights and KV cache split over the GPU counts a replica may use.

Why its own module: this is the static part of placement - it depends only on
(model, GPU, precision, KV precision), never on the demand - so it is precomputed
once into a plain-float :class:`Profile` (per count: weight bytes on the fullest GPU,
its share of the KV cache, the runtime overhead) and engine/placement.py then does a
handful of float operations per candidate count and builds no pydantic objects.

Rules:
- Tensor parallel (TP) inside a node, degrees 1, 2, 4, 8 up to ``gpus_per_node``,
  only where the degree divides the attention heads and either divides the KV
  heads or is a multiple of them (then each GPU keeps a replica of a KV head, as
  vLLM does). Pipeline parallel (PP) stacks TP groups beyond that, across nodes.
- Capacity per GPU = usable memory (GiB x 2^30) x (1 - headroom), headroom from
  gpus.yaml ``runtime_overhead.headroom_fraction``.
- KV cache shards with TP over KV heads (MLA's latent is replicated on every TP
  rank) and with PP over layers; pipeline stages are sized by the layers they really
  hold (dense vs MoE layers, sliding-window vs full attention).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from engine.catalog import GpuSpec, ModelSpec, load_runtime_overhead
from engine.memory import (
    Overhead,
    _check_kv_precision,
    _check_precision,
    kv_bytes_per_token_per_layer,
    runtime_overhead,
    weight_bytes,
)
from engine.params import param_counts
from engine.units import GIB

TP_DEGREES = (1, 2, 4, 8)
#: the largest replica the engine will plan (beyond this a "fit" is not a serving plan)
MAX_GPUS_PER_REPLICA = 1024


@dataclass(frozen=True, slots=True)
class Profile:
    model: ModelSpec
    gpu: GpuSpec
    capacity: float
    layers: int
    dense_layer_bytes: float         # one layer with a dense MLP (all layers of a dense model), at this precision
    moe_layer_bytes: float           # one layer with the routed (+ shared) experts and router (MoE models)
    dense_layers: int                # the first ``dense_layers`` layers are dense (all, for a dense model)
    first_bytes: float               # embedding (+ position table): held by the first pipeline stage
    last_bytes: float                # lm_head (a copy of a tied embedding) + final norm: held by the last stage
    weights_total: float
    kv_per_layer_token: float
    windowed_layers: int
    window: float
    kv_heads: int
    mla: bool
    counts: tuple[tuple[int, int, int, int], ...]   # (gpus, tp, pp, nodes) in increasing gpus
    overhead_by_tp: dict[tuple[int, bool], Overhead]
    params_b: float
    model_id: str = ""
    size_class: str | None = None
    gpu_id: str = ""
    gpus_per_node: int = 1
    interconnect: str = ""
    # per count: (count, weights_per_gpu, kv_fraction_per_gpu, overhead, fixed_bytes = weights + overhead, regime)
    candidates: tuple = ()


_PROFILES: dict[tuple[int, int, str, str], Profile] = {}


def _valid_tp(model: ModelSpec, gpus_per_node: int) -> list[int]:
    out = []
    for tp in TP_DEGREES:
        if tp > gpus_per_node or model.num_attention_heads % tp:
            continue
        if model.mla is None and model.num_kv_heads % tp and tp % model.num_kv_heads:
            continue
        out.append(tp)
    return out


def _counts(model: ModelSpec, gpu: GpuSpec) -> tuple[tuple[int, int, int, int], ...]:
    per_node = gpu.interconnect.gpus_per_node
    tps = _valid_tp(model, per_node)
    out = [(tp, tp, 1, 1) for tp in tps]
    tp_max = tps[-1]
    pp = 2
    while tp_max * pp <= MAX_GPUS_PER_REPLICA and pp <= model.num_layers:
        gpus = tp_max * pp
        out.append((gpus, tp_max, pp, math.ceil(gpus / per_node)))
        pp += 1
    return tuple(out)


def profile(model: ModelSpec, gpu: GpuSpec, precision: str, kv_precision: str) -> Profile:
    key = (id(model), id(gpu), precision, kv_precision)
    prof = _PROFILES.get(key)
    if prof is not None and prof.model is model and prof.gpu is gpu:
        return prof
    width = _check_precision(precision)
    _check_kv_precision(kv_precision)
    pc = param_counts(model)
    total = weight_bytes(model, precision)
    edge_width = width if precision in ("fp32", "bf16", "fp16") else 2.0   # embeddings stay 16-bit when quantized
    norm_size = model.hidden_size * (2 if model.norm_kind == "layer" else 1)
    first = (pc.embedding + pc.position_embedding) * edge_width
    # with pipeline stages a tied lm_head needs its own copy of the embedding on the last stage
    last = ((pc.lm_head or pc.embedding) + norm_size) * edge_width
    layers_bytes = total - first - (pc.lm_head + norm_size) * edge_width   # all transformer layers
    dense_b, moe_b, dense_n = _layer_bytes(model, pc, layers_bytes, norm_size)
    r = load_runtime_overhead()
    counts = _counts(model, gpu)
    overhead = {}
    for gpus, tp, _pp, _nodes in counts:
        multi = gpus >= 2
        if (tp, multi) not in overhead:
            overhead[(tp, multi)] = runtime_overhead(model, gpu, gpus, tp)
    prof = Profile(
        candidates=(),
        model_id=model.id,
        size_class=model.size_class,
        gpu_id=gpu.id,
        gpus_per_node=gpu.interconnect.gpus_per_node,
        interconnect=gpu.interconnect.kind,
        model=model,
        gpu=gpu,
        capacity=gpu.capacity_gib * GIB * (1.0 - r.headroom_fraction),
        layers=model.num_layers,
        dense_layer_bytes=dense_b,
        moe_layer_bytes=moe_b,
        dense_layers=dense_n,
        first_bytes=first,
        last_bytes=last,
        weights_total=total,
        kv_per_layer_token=kv_bytes_per_token_per_layer(model, kv_precision),
        windowed_layers=model.sliding_window_layers,
        window=float(model.sliding_window or 0),
        kv_heads=model.num_kv_heads,
        mla=model.mla is not None,
        counts=counts,
        overhead_by_tp=overhead,
        params_b=pc.total / 1e9,
    )
    cands = []
    for count in counts:
        w, frac, ov = _per_gpu(prof, count)
        gpus, _tp, _pp, nodes = count
        regime = "single-gpu" if gpus == 1 else ("multi-gpu" if nodes == 1 else "multi-node")
        cands.append((count, w, frac, ov, w + ov.total_bytes, regime))
    object.__setattr__(prof, "candidates", tuple(cands))
    _PROFILES[key] = prof
    return prof


def valid_gpu_counts(model: ModelSpec, gpu: GpuSpec) -> tuple[int, ...]:
    """GPU counts per replica the engine can place ``model`` on (TP in a node, then TP x PP)."""
    return tuple(c[0] for c in _counts(model, gpu))


def _per_gpu(prof: Profile, count: tuple[int, int, int, int]) -> tuple[float, float, Overhead]:
    gpus, tp, pp, _nodes = count
    if pp == 1:
        weights = prof.weights_total / tp
    else:
        weights = _fullest_stage_bytes(prof, pp) / tp
    # KV: the fullest stage holds ceil(layers / pp) layers' share (1/pp when pp divides the layers)
    layer_share = math.ceil(prof.layers / pp) / prof.layers if pp > 1 else 1.0
    if prof.mla:
        kv_frac = layer_share
    else:
        kv_frac = math.ceil(prof.kv_heads / tp) / prof.kv_heads * layer_share
    return weights, kv_frac, prof.overhead_by_tp[(tp, gpus >= 2)]


def _layer_bytes(model: ModelSpec, pc, layers_bytes: float, norm_size: int) -> tuple[float, float, int]:
    """(bytes of a dense layer, bytes of an MoE layer, number of dense layers) at this precision.

    Why per kind: an MoE model's layers differ in size (DeepSeek-V3: 3 dense layers, then
    58 far larger MoE ones), and a pipeline stage must be sized by the layers it really
    holds, not by the average, or adding a layer could appear to need fewer GPUs. The
    bytes of all layers (``layers_bytes``, quantization scales included) are shared out
    in proportion to each kind's parameters.
    """
    layers = model.num_layers
    if model.moe is None or pc.moe_layers == 0:
        return layers_bytes / layers, layers_bytes / layers, layers
    experts = pc.routed_experts + pc.shared_experts + pc.router
    in_layers = pc.total - pc.embedding - pc.lm_head - pc.position_embedding - norm_size
    common = (in_layers - pc.dense_layers * pc.per_layer_mlp - experts) / layers   # attention + norms
    dense_p = common + pc.per_layer_mlp
    moe_p = common + experts / pc.moe_layers
    per_param = layers_bytes / (pc.dense_layers * dense_p + pc.moe_layers * moe_p)
    return dense_p * per_param, moe_p * per_param, pc.dense_layers


def _fullest_stage_bytes(prof: Profile, pp: int) -> float:
    """Weight bytes of the fullest of ``pp`` pipeline stages of ceil(layers / pp) consecutive layers.

    The first stage also holds the embedding, the last the lm_head. Full middle stages
    hold fewer dense layers the later they come, so the fullest is among stages
    0, 1, pp-2 and pp-1 (an O(1) check: this runs once per GPU count of a profile).
    """
    layers, per_stage = prof.layers, math.ceil(prof.layers / pp)
    best = 0.0
    for i in {0, 1, pp - 2, pp - 1}:
        if not 0 <= i < pp:
            continue
        lo, hi = i * per_stage, min(layers, (i + 1) * per_stage)
        held = max(0, hi - lo)
        dense = max(0, min(hi, prof.dense_layers) - lo) if held else 0
        size = dense * prof.dense_layer_bytes + (held - dense) * prof.moe_layer_bytes
        size += (prof.first_bytes if i == 0 else 0.0) + (prof.last_bytes if i == pp - 1 else 0.0)
        best = max(best, size)
    return best


_WINDOWED: dict[tuple[int, int], tuple] = {}


def candidates_for(prof: Profile, tokens: int) -> tuple:
    """The profile's candidates, with the KV share of pipeline stages made exact for sliding windows.

    Why: ``kv_frac`` assumes every layer caches as much as the average one. With
    sliding-window layers and sequences longer than the window, a stage may hold only
    full-attention layers, which cache more than average; the fullest stage is then
    taken to hold as many full-attention layers as it can (the worst case, since the
    order of window layers is model-specific). Without windows (or shorter
    sequences) the shared candidates are returned unchanged: the hot path pays nothing.
    """
    if not prof.windowed_layers or tokens <= prof.window:
        return prof.candidates
    key = (id(prof), tokens)
    hit = _WINDOWED.get(key)
    if hit is not None and hit[0] is prof:
        return hit[1]
    layers, windowed = prof.layers, prof.windowed_layers
    full = layers - windowed
    capped = min(tokens, prof.window)
    total = full * tokens + windowed * capped          # layer-tokens of one sequence, whole model
    out = []
    for cand in prof.candidates:
        (gpus, tp, pp, nodes), weights, frac, ov, fixed, regime = cand
        if pp > 1:
            per_stage = math.ceil(layers / pp)
            stage = min(per_stage, full) * tokens + max(0, per_stage - full) * capped
            heads = 1.0 if prof.mla else math.ceil(prof.kv_heads / tp) / prof.kv_heads
            cand = ((gpus, tp, pp, nodes), weights, heads * stage / total, ov, fixed, regime)
        out.append(cand)
    result = tuple(out)
    if len(_WINDOWED) > 4096:
        _WINDOWED.clear()
    _WINDOWED[key] = (prof, result)
    return result
