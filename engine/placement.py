"""Placement: how many GPUs one replica needs, how they are split, and how many sequences fit.

Why it is its own step: the GPU count per replica is set by memory alone
(weights + runtime overhead + KV cache for the required concurrency), and the
count decides the regime the article names in its inflection points - one GPU
(no inter-GPU traffic), several GPUs in a node (tensor parallel over NVLink or
PCIe), several nodes (pipeline parallel across the network). Throughput and
cost (engine.performance, engine.fleet) build on this.

Rules:
- Tensor parallel (TP) inside a node, degrees 1, 2, 4, 8 up to ``gpus_per_node``,
  only where the degree divides the attention heads and either divides the KV
  heads or is a multiple of them (then each GPU keeps a replica of a KV head, as
  vLLM does). Pipeline parallel (PP) stacks TP groups beyond that, across nodes.
- Capacity per GPU = usable memory (GiB x 2^30) x (1 - headroom), headroom from
  gpus.yaml ``runtime_overhead.headroom_fraction``.
- KV cache shards with TP over KV heads (MLA's latent is replicated on every TP
  rank) and with PP over layers.
- Verdict: ``fits`` (>= 10% of capacity spare), ``tight`` (fits, < 10% spare),
  ``does-not-fit``.

Speed: everything that depends only on (model, GPU, precision, KV precision) is
precomputed once into a plain-float profile; :func:`place` then does a handful
of float operations per candidate count and builds no pydantic objects.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from engine.catalog import GpuSpec, ModelSpec, load_runtime_overhead
from engine.errors import DoesNotFitError, InputError
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
#: spare capacity below this fraction is reported as "tight" (seed-consistency C07)
TIGHT_SPARE_FRACTION = 0.10


@dataclass(slots=True)
class Placement:
    """Where one replica lives and what fits in it. Bytes are per GPU unless named per replica."""

    model_id: str
    gpu_id: str
    precision: str
    kv_precision: str
    tokens_per_seq: int
    concurrency: int
    gpus_per_replica: int
    tp: int
    pp: int
    nodes: int
    gpus_per_node: int
    interconnect: str
    regime: str                      # 'single-gpu' | 'multi-gpu' | 'multi-node'
    capacity_bytes_per_gpu: float    # after headroom
    weights_bytes: float             # whole replica
    weights_bytes_per_gpu: float     # the fullest GPU (first/last pipeline stage)
    overhead: Overhead               # per GPU
    kv_bytes_per_sequence: float     # one sequence of tokens_per_seq, whole replica
    kv_bytes_per_gpu: float          # for the required concurrency
    kv_budget_bytes: float           # per replica: KV that the free memory can hold
    max_concurrency: int             # sequences of tokens_per_seq that fit
    spare_fraction: float            # of capacity, after weights + overhead + required KV
    fits: bool
    verdict: str                     # 'fits' | 'tight' | 'does-not-fit'
    params_b: float
    size_class: str | None           # the model's generic class ('70b', 'moe', ...), for the article's labels

    @property
    def overhead_bytes_per_gpu(self) -> float:
        return self.overhead.total_bytes

    @property
    def kv_cache_bytes(self) -> float:
        """KV cache of the whole replica for the required concurrency."""
        return self.kv_bytes_per_sequence * self.concurrency

    @property
    def used_bytes_per_gpu(self) -> float:
        return self.weights_bytes_per_gpu + self.overhead.total_bytes + self.kv_bytes_per_gpu

    @property
    def regime_reason(self) -> str:
        return regime_reason(self)


@dataclass(frozen=True, slots=True)
class _Profile:
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


_PROFILES: dict[tuple[int, int, str, str], _Profile] = {}


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


def _profile(model: ModelSpec, gpu: GpuSpec, precision: str, kv_precision: str) -> _Profile:
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
    prof = _Profile(
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


def place(
    model: ModelSpec,
    gpu: GpuSpec,
    precision: str,
    kv_precision: str,
    tokens_per_seq: int,
    concurrency: int,
    gpus: int | None = None,
) -> Placement:
    """The smallest replica (or the ``gpus`` asked for) holding ``concurrency`` sequences of ``tokens_per_seq``.

    Raises :class:`DoesNotFitError` when no allowed count fits, or when an
    explicit ``gpus`` does not; :class:`InputError` for a count the model cannot
    be split over, a non-positive concurrency or tokens, or a context beyond a
    real model's maximum.
    """
    if concurrency < 1 or tokens_per_seq < 1:
        raise InputError("concurrency and tokens per sequence must be at least 1")
    if not model.generic and tokens_per_seq > model.max_context:
        raise InputError(
            f"{model.name} supports at most {model.max_context:,} tokens of context; "
            f"a sequence here needs {tokens_per_seq:,} (input + output tokens)"
        )
    prof = _profile(model, gpu, precision, kv_precision)
    # one sequence's KV for the whole replica, with sliding-window caps
    per_layer_tokens = (prof.layers - prof.windowed_layers) * tokens_per_seq
    if prof.windowed_layers:
        per_layer_tokens += prof.windowed_layers * min(tokens_per_seq, prof.window)
    kv_seq = prof.kv_per_layer_token * per_layer_tokens

    if gpus is not None:
        chosen = [c for c in prof.counts if c[0] == gpus]
        if not chosen:
            valid = [c[0] for c in prof.counts]
            near = sorted(valid, key=lambda n: (abs(n - gpus), n))[:4]
            raise InputError(
                f"--gpus {gpus}: {model.name} cannot be split over {gpus} {gpu.id} GPUs "
                f"(tensor parallel degrees must divide its {model.num_attention_heads} attention heads; "
                f"beyond {gpu.interconnect.gpus_per_node} per node, whole pipeline stages); "
                f"valid counts near it: {', '.join(map(str, sorted(near)))}"
            )
        cands = _candidates_for(prof, tokens_per_seq)
        cand = cands[prof.counts.index(chosen[0])]
        result = _evaluate(prof, cand, kv_seq, model, gpu, precision, kv_precision, tokens_per_seq, concurrency)
        if not result.fits:
            smallest = _first_fit(cands, prof.capacity, kv_seq, concurrency)
            hint = f"; the smallest count that fits is {smallest}" if smallest else "; no count of this GPU fits"
            raise DoesNotFitError(_shortfall(result, model, gpu) + hint)
        return result

    cap = prof.capacity
    need = kv_seq * concurrency
    cands = _candidates_for(prof, tokens_per_seq)
    for cand in cands:
        free = cap - cand[4]
        if free > 0 and free >= need * cand[2]:
            return _evaluate(prof, cand, kv_seq, model, gpu, precision, kv_precision, tokens_per_seq, concurrency)
    last = _evaluate(prof, cands[-1], kv_seq, model, gpu, precision, kv_precision, tokens_per_seq, concurrency)
    raise DoesNotFitError(
        f"{model.name} at {precision} does not fit on any count of {gpu.id} "
        f"(tried 1 to {last.gpus_per_replica} GPUs per replica). At {last.gpus_per_replica} GPUs: "
        + _shortfall(last, model, gpu, lead=False)
    )


def _per_gpu(prof: _Profile, count: tuple[int, int, int, int]) -> tuple[float, float, Overhead]:
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


def _fullest_stage_bytes(prof: _Profile, pp: int) -> float:
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


def _first_fit(cands: tuple, capacity: float, kv_seq: float, concurrency: int) -> int | None:
    need = kv_seq * concurrency
    for cand in cands:
        free = capacity - cand[4]
        if free > 0 and free >= need * cand[2]:
            return cand[0][0]
    return None


_WINDOWED: dict[tuple[int, int], tuple] = {}


def _candidates_for(prof: _Profile, tokens: int) -> tuple:
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


def _evaluate(prof, cand, kv_seq, model, gpu, precision, kv_precision, tokens, concurrency) -> Placement:
    (gpus, tp, pp, nodes), weights, kv_frac, overhead, fixed, regime = cand
    cap = prof.capacity
    free = cap - fixed
    budget = free / kv_frac if free > 0 else 0.0
    max_conc = int(budget // kv_seq) if kv_seq > 0 else 0
    kv_gpu = kv_seq * concurrency * kv_frac
    spare = (free - kv_gpu) / cap
    fits = free > 0 and max_conc >= concurrency
    verdict = "does-not-fit" if not fits else ("tight" if spare < TIGHT_SPARE_FRACTION else "fits")
    # positional on purpose: a 25-keyword call costs ~2 us more, and this is the hot path
    return Placement(
        prof.model_id, prof.gpu_id, precision, kv_precision, tokens, concurrency,
        gpus, tp, pp, nodes, prof.gpus_per_node, prof.interconnect, regime,
        cap, prof.weights_total, weights, overhead,
        kv_seq, kv_gpu, budget, max_conc, spare, fits, verdict, prof.params_b, prof.size_class,
    )


def _gib(x: float) -> str:
    return f"{x / GIB:.1f} GiB"


def _shortfall(p: Placement, model: ModelSpec, gpu: GpuSpec, lead: bool = True) -> str:
    head = (
        f"{model.name} at {p.precision} does not fit on {p.gpus_per_replica}x {gpu.id}: " if lead else ""
    )
    return (
        f"{head}each GPU needs {_gib(p.weights_bytes_per_gpu)} of weights + {_gib(p.overhead.total_bytes)} runtime overhead"
        f" + {_gib(p.kv_bytes_per_gpu)} KV cache for {p.concurrency} sequence(s) of {p.tokens_per_seq:,} tokens,"
        f" but has {_gib(p.capacity_bytes_per_gpu)} usable"
    )


def regime_reason(p: Placement) -> str:
    """Why this regime, in the article's terms (seed-facts inflection_points)."""
    link = {"nvlink": "NVLink", "pcie": "PCIe", "xgmi": "Infinity Fabric"}[p.interconnect]
    if p.regime == "single-gpu":
        text = (
            "weights, runtime overhead and KV cache fit one GPU: below the article's inflection point 1 "
            "(single-GPU threshold), so no inter-GPU communication"
        )
    elif p.regime == "multi-gpu":
        split = f"tensor parallel x{p.tp}" + (f", pipeline x{p.pp}" if p.pp > 1 else "")
        text = (
            f"needs {p.gpus_per_replica} GPUs in one node ({split} over {link}): past the article's inflection "
            "point 1 (single-GPU threshold), where inter-GPU communication starts to cost efficiency"
        )
    else:
        text = (
            f"needs {p.gpus_per_replica} GPUs across {p.nodes} nodes of {p.gpus_per_node} (tensor parallel x{p.tp} "
            f"inside a node, pipeline x{p.pp} across nodes): the article's inflection point 3 "
            "(distributed-system overhead)"
        )
    if p.size_class in ("70b", "175b", "1t") or p.params_b >= 70:
        text += (
            "; by size the article also places it in inflection point 2 (memory-bound regime), a narrative "
            "label only - the engine derives boundness from prefill and decode times"
        )
    return text
