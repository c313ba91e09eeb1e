"""Layout search: which GPU counts a replica may use, and the TP/PP split and KV budget of each.

Why its own module: this adapts engine/placement.py (memory only: what fits where)
to the hot path - plain NamedTuples, cached per (model, GPU, precision, count), no
exceptions on the sweep's fast path - and answers the questions the evaluation and
the estimate ask of a layout: how many sequences its KV budget holds, which smaller
layouts could run as data-parallel copies inside it, and which regime a chosen
deployment is in.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

from engine.catalog import GpuSpec, ModelSpec
from engine.errors import DoesNotFitError, InputError
from engine.prep import ModelPrep

if TYPE_CHECKING:
    from engine.evaluate import Candidate


class Layout(NamedTuple):
    gpus_per_replica: int
    tp: int
    pp: int
    nodes: int
    regime: str
    regime_reason: str
    kv_budget_bytes: float  # per replica
    overhead_bytes_per_gpu: float
    weights_bytes_per_gpu: float


#: placements already made: a Layout, None (placed but does not fit), or the DoesNotFitError
#: placement raised, kept so a repeated lookup raises the same explanation (same inputs, same
#: message, whatever ran before in the process)
_LAYOUT_CACHE: dict[tuple, Layout | DoesNotFitError | None] = {}


def layout_for(model: ModelSpec, gpu: GpuSpec, precision: str, kv_precision: str, gpus: int | None,
               min_sequences: int = 1, tokens_per_seq: float = 1.0) -> Layout:
    """GPUs per replica, TP/PP and the replica's KV budget, from engine/placement.py.

    ``gpus=None`` asks placement for the fewest GPUs holding the weights plus
    ``min_sequences`` sequences of ``tokens_per_seq`` tokens. Raises
    :class:`DoesNotFitError` when nothing fits.
    """
    lay = layout_or_none(model, gpu, precision, kv_precision, gpus, min_sequences, tokens_per_seq)
    if lay is None:
        raise DoesNotFitError(_no_fit_message(model, gpu, precision, gpus))
    return lay


def layout_or_none(model: ModelSpec, gpu: GpuSpec, precision: str, kv_precision: str, gpus: int | None,
                   min_sequences: int = 1, tokens_per_seq: float = 1.0) -> Layout | None:
    """:func:`layout_for` without exceptions for "does not fit" (the sweep's fast path; cached).

    Placement's own "does not fit" messages (which say why) are raised, the same on
    every lookup; an invalid GPU count still raises :class:`InputError`.
    """
    key = (id(model), id(gpu), precision, kv_precision, gpus, min_sequences, tokens_per_seq)
    try:
        cached = _LAYOUT_CACHE[key]
    except KeyError:
        pass
    else:
        if isinstance(cached, DoesNotFitError):
            raise cached.with_traceback(None)
        return cached
    from engine.placement import place

    try:
        p = place(model, gpu, precision, kv_precision, max(1, int(math.ceil(tokens_per_seq))), min_sequences, gpus=gpus)
    except DoesNotFitError as exc:
        _LAYOUT_CACHE[key] = exc
        raise
    if not p.fits:
        _LAYOUT_CACHE[key] = None
        return None
    lay = Layout(p.gpus_per_replica, p.tp, p.pp, p.nodes, p.regime, p.regime_reason, float(p.kv_budget_bytes),
                 float(p.overhead_bytes_per_gpu), float(p.weights_bytes_per_gpu))
    _LAYOUT_CACHE[key] = lay
    return lay


def _no_fit_message(model: ModelSpec, gpu: GpuSpec, precision: str, gpus: int | None) -> str:
    where = f"{gpus} x {gpu.id}" if gpus else f"any allowed number of {gpu.id}"
    return f"{model.id} at {precision} does not fit on {where}"


def max_sequences(prep: ModelPrep, lay: Layout, tokens_per_seq: float, cap: float) -> int:
    """Sequences of ``tokens_per_seq`` tokens the replica's KV budget holds, capped by the scheduler limit."""
    m = prep.perf
    w = m.window
    per_seq = m.kv_full_bytes_per_token * tokens_per_seq + m.kv_window_bytes_per_token * (
        min(tokens_per_seq, w) if w > 0 else tokens_per_seq)
    if per_seq <= 0:
        return int(cap)
    n = int(lay.kv_budget_bytes // per_seq)
    return int(min(n, cap))


_COUNTS_CACHE: dict[tuple[int, int], tuple[ModelSpec, GpuSpec, tuple[int, ...]]] = {}


def valid_gpu_counts(model: ModelSpec, gpu: GpuSpec, minimum: int = 1) -> list[int]:
    """GPU counts a replica of ``model`` may use (engine/sharding.py's rule), from ``minimum`` up (cached)."""
    key = (id(model), id(gpu))
    hit = _COUNTS_CACHE.get(key)
    if hit is None or hit[0] is not model or hit[1] is not gpu:
        from engine.sharding import valid_gpu_counts as counts

        hit = (model, gpu, tuple(counts(model, gpu)))
        _COUNTS_CACHE[key] = hit
    return [c for c in hit[2] if c >= minimum]


_SUBS_CACHE: dict[tuple, list[Layout]] = {}


def smaller_layouts(prep: ModelPrep, gpu: GpuSpec, n: int) -> list[Layout]:
    """Fitting layouts with fewer GPUs than ``n`` (candidates for data-parallel copies; cached)."""
    key = (id(prep.model), id(gpu), prep.precision, prep.kv_precision, n)
    hit = _SUBS_CACHE.get(key)
    if hit is not None:
        return hit
    out = []
    for m in valid_gpu_counts(prep.model, gpu):
        if m >= n:
            break
        try:
            sub = layout_or_none(prep.model, gpu, prep.precision, prep.kv_precision, m)
        except (DoesNotFitError, InputError):
            continue
        if sub is not None:
            out.append(sub)
    _SUBS_CACHE[key] = out
    return out


def deployment_regime(prep: ModelPrep, gpu: GpuSpec, lay: Layout, cand: Candidate) -> tuple[str, str, Layout]:
    """(regime, reason, one copy's layout) of the chosen deployment.

    With data-parallel copies inside the replica (see :func:`evaluate_config`) the regime is
    the copy's: 16 single-GPU copies never talk to each other, so they are not "multi-node".
    """
    n, dp = lay.gpus_per_replica, cand.data_parallel
    if dp <= 1:
        return lay.regime, lay.regime_reason, lay
    m = cand.tp * cand.pp
    copy = next((sub for sub in smaller_layouts(prep, gpu, n) if (sub.tp, sub.pp) == (cand.tp, cand.pp)), None)
    idle = n - dp * m
    reason = (f"{n} GPUs per replica run as {dp} data-parallel copies of TP {cand.tp} x PP {cand.pp} "
              f"(faster than one TP {lay.tp} x PP {lay.pp} group here)"
              + (f"; {idle} GPUs idle" if idle > 0 else ""))
    if copy is None:  # not expected: evaluate_config chose the copy among smaller_layouts
        return cand.regime, reason, lay
    return copy.regime, f"{reason}; each copy: {copy.regime_reason}", copy
