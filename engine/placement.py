"""Placement: how many GPUs one replica needs, how they are split, and how many sequences fit.

Why it is its own step: the GPU count per replica is set by memory alone
(weights + runtime overhead + KV cache for the required concurrency), and the
count decides the regime the article names in its inflection points - one GPU
(no inter-GPU traffic), several GPUs in a node (tensor parallel over NVLink or
PCIe), several nodes (pipeline parallel across the network). Throughput and
cost (engine.performance, engine.fleet) build on this.

How a model splits over each allowed count (TP/PP rules, per-GPU weight and KV
shares, capacity after headroom) is engine/sharding.py, precomputed per (model,
GPU, precision); this module places a demand of sequences on it and explains the
verdict: ``fits`` (>= 10% of capacity spare), ``tight`` (fits, < 10% spare),
``does-not-fit``.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.catalog import GpuSpec, ModelSpec
from engine.errors import DoesNotFitError, InputError
from engine.memory import Overhead
from engine.sharding import candidates_for, profile
from engine.units import GIB

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
    prof = profile(model, gpu, precision, kv_precision)
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
        cands = candidates_for(prof, tokens_per_seq)
        cand = cands[prof.counts.index(chosen[0])]
        result = _evaluate(prof, cand, kv_seq, model, gpu, precision, kv_precision, tokens_per_seq, concurrency)
        if not result.fits:
            smallest = _first_fit(cands, prof.capacity, kv_seq, concurrency)
            hint = f"; the smallest count that fits is {smallest}" if smallest else "; no count of this GPU fits"
            raise DoesNotFitError(_shortfall(result, model, gpu) + hint)
        return result

    cap = prof.capacity
    need = kv_seq * concurrency
    cands = candidates_for(prof, tokens_per_seq)
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


def _first_fit(cands: tuple, capacity: float, kv_seq: float, concurrency: int) -> int | None:
    need = kv_seq * concurrency
    for cand in cands:
        free = capacity - cand[4]
        if free > 0 and free >= need * cand[2]:
            return cand[0][0]
    return None


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
