"""Searches over configurations: the sweep the recommendation uses, the GPU count an estimate chooses,
and the quantization comparison.

Why together: each evaluates many configurations with :func:`engine.evaluate.evaluate_config`
and keeps the ones that matter - every fitting (model x GPU x precision x GPU count)
sorted cheapest first (:func:`sweep`, :func:`cheapest`), the fewest GPUs per replica
that meet the latency targets (:func:`fewest_meeting_latency`, :func:`cheaper_count`),
or the cheapest layout per precision (:func:`compare_quantization`).
"""

from __future__ import annotations

from typing import Any, Iterable

from engine.calibration import load_calibration
from engine.catalog import GpuSpec, ModelSpec, resolve_gpu, resolve_model
from engine.defaults import Assumptions, load_assumptions
from engine.errors import DoesNotFitError, InputError
from engine.evaluate import Candidate, evaluate_config
from engine.layout import Layout, layout_for, valid_gpu_counts
from engine.performance import replica_perf
from engine.prep import GpuPrep, ModelPrep, prepare_gpu, prepare_model
from engine.request import default_kv_precision


def sweep(models: Iterable[str | ModelSpec], gpus: Iterable[str | GpuSpec], precisions: Iterable[str], *,
          requests_per_day: float | None, input_tokens: float, output_tokens: float,
          deployment: str = "cloud", ttft_target_s: float | None = None, tpot_target_ms: float | None = None,
          concurrency: int | str | None = None, kv_precision: str | None = None,
          gpu_counts: Iterable[int] | None = None, max_extra_counts: int = 2,
          assumptions: Assumptions | None = None, prices: dict[str, float] | None = None,
          purchase: dict[str, float] | None = None, serving_engine: str | None = None) -> list[Candidate]:
    """Every (model x GPU x precision x GPU count) that fits, evaluated; sorted cheapest first.

    GPU counts: ``gpu_counts`` if given, else the fewest that fit plus the next
    ``max_extra_counts`` valid counts (powers of two in a node, then whole nodes):
    more GPUs per replica can be cheaper per token when they free KV memory for a
    larger batch. Combinations that do not fit are skipped, never reported.
    ``prices`` / ``purchase`` override the catalog's $/GPU-hour and purchase price per GPU id.
    Latency: candidates carry ``meets_latency``; filter on it (see :func:`cheapest`).
    """
    a = assumptions or load_assumptions()
    calib = load_calibration(serving_engine)
    prices = prices or {}
    purchase = purchase or {}
    model_specs = [m if isinstance(m, ModelSpec) else resolve_model(m) for m in models]
    gpu_specs = [g if isinstance(g, GpuSpec) else resolve_gpu(g) for g in gpus]
    precs = list(precisions)
    out: list[Candidate] = []
    memo: dict = {}  # per-sweep: inputs (demand, targets, assumptions) are fixed for its duration
    for model in model_specs:
        for gpu in gpu_specs:
            for prec in precs:
                kvp = kv_precision or default_kv_precision(prec)
                prep = prepare_model(model, prec, kvp)
                gprep = prepare_gpu(gpu, prec, assumptions=a)
                if gpu_counts is None:
                    try:
                        first = layout_for(model, gpu, prec, kvp, None)
                    except DoesNotFitError:
                        continue
                    counts = valid_gpu_counts(model, gpu, first.gpus_per_replica)[: 1 + max_extra_counts]
                else:
                    counts = list(gpu_counts)
                for n in counts:
                    try:
                        lay = layout_for(model, gpu, prec, kvp, n)
                    except (DoesNotFitError, InputError):
                        continue
                    c = evaluate_config(prep, gprep, lay, input_tokens=input_tokens, output_tokens=output_tokens,
                                        requests_per_day=requests_per_day, concurrency=concurrency, calib=calib, a=a,
                                        deployment=deployment, usd_per_gpu_hour=prices.get(gpu.id),
                                        purchase_usd=purchase.get(gpu.id), ttft_target_s=ttft_target_s,
                                        tpot_target_ms=tpot_target_ms, memo=memo)
                    if c is not None:
                        out.append(c)
    out.sort(key=lambda c: (c.monthly_usd, c.total_gpus, c.model_id, c.gpu_id, c.precision, c.gpus_per_replica))
    return out


def cheapest(candidates: Iterable[Candidate], *, require_latency: bool = True) -> Candidate | None:
    """The cheapest candidate (meeting the latency targets unless ``require_latency`` is False)."""
    best = None
    for c in candidates:
        if require_latency and not c.meets_latency:
            continue
        if best is None or (c.monthly_usd, c.total_gpus) < (best.monthly_usd, best.total_gpus):
            best = c
    return best


#: with no --gpus and no --concurrency, GPU counts tried beyond the fewest that fit (each costs ~1 ms once)
LATENCY_EXTRA_COUNTS = 4
#: another tried GPU count is named only when it saves more than this share of the monthly cost
CHEAPER_COUNT_MARGIN = 0.05


def fewest_meeting_latency(prep: ModelPrep, gprep: GpuPrep, first: Layout, first_cand: Candidate,
                            kwargs: dict[str, Any]) -> tuple[Layout, Candidate, list[tuple[Layout, Candidate]]]:
    """The fewest GPUs per replica that fit AND meet the latency targets, and every count tried.

    Why: the fewest GPUs that merely hold the weights can miss the TPOT target even at one
    sequence (Llama-3.1-70B on 2 x A100: 53 ms), and then need 7x the GPUs of 4-GPU replicas.
    Tries ``first`` and the next LATENCY_EXTRA_COUNTS larger valid counts and chooses the
    fewest that meets the targets; if none does, the fewest that fit is kept (and the caller
    says so). All are evaluated (a few ms, once per command) so the caller can name a cheaper one.
    """
    model, gpu = prep.model, gprep.gpu
    tried = [(first, first_cand)]
    chosen = (first, first_cand) if first_cand.meets_latency else None
    for n in valid_gpu_counts(model, gpu, first.gpus_per_replica + 1)[:LATENCY_EXTRA_COUNTS]:
        try:
            lay = layout_for(model, gpu, prep.precision, prep.kv_precision, n)
        except (DoesNotFitError, InputError):
            continue
        c = evaluate_config(prep, gprep, lay, **kwargs)
        if c is None:
            continue
        tried.append((lay, c))
        if chosen is None and c.meets_latency:
            chosen = (lay, c)
    lay, cand = chosen or (first, first_cand)
    return lay, cand, tried


def cheaper_count(chosen: Candidate, tried: Iterable[Candidate]) -> Candidate | None:
    """A tried GPU count cheaper per month than ``chosen`` by more than CHEAPER_COUNT_MARGIN, or None.

    Only counts that meet the latency targets compete with one that does.
    """
    best = None
    for c in tried:
        if c.gpus_per_replica == chosen.gpus_per_replica or (chosen.meets_latency and not c.meets_latency):
            continue
        if best is None or (c.monthly_usd, c.gpus_per_replica) < (best.monthly_usd, best.gpus_per_replica):
            best = c
    if best is not None and best.monthly_usd < chosen.monthly_usd * (1.0 - CHEAPER_COUNT_MARGIN):
        return best
    return None


def compare_quantization(model: str | ModelSpec, gpu: str | GpuSpec, precisions: Iterable[str] = ("bf16", "fp8", "int8", "int4"),
                         *, requests_per_day: float | None, input_tokens: float, output_tokens: float,
                         deployment: str = "cloud", assumptions: Assumptions | None = None,
                         baseline: str = "bf16", serving_engine: str | None = None) -> list[dict[str, Any]]:
    """One row per precision: memory, GPUs, throughput, per-phase times and $ (cheapest layout meeting latency).

    Rows carry the article's quality prior per precision (labelled a prior) and the saving
    against ``baseline`` (engine/optimizations.py). Per phase: ``prefill_s`` is one request's
    prefill (weight-only int8/int4 keep the bf16 rate, C10), ``decode_step_ms`` one decode step
    at the chosen concurrency. Precisions that fit nowhere are reported with ``fits: False``.
    """
    from engine.optimizations import compare_precisions

    a = assumptions or load_assumptions()
    calib = load_calibration(serving_engine)
    spec = model if isinstance(model, ModelSpec) else resolve_model(model)
    gspec = gpu if isinstance(gpu, GpuSpec) else resolve_gpu(gpu)
    rows: list[dict[str, Any]] = []
    for prec in precisions:
        cands = sweep([spec], [gspec], [prec], requests_per_day=requests_per_day, input_tokens=input_tokens,
                      output_tokens=output_tokens, deployment=deployment, assumptions=a,
                      serving_engine=serving_engine)
        best = cheapest(cands) or cheapest(cands, require_latency=False)
        if best is None:
            rows.append({"precision": prec, "fits": False})
            continue
        prep = prepare_model(spec, prec, best.kv_precision)
        gprep = prepare_gpu(gspec, prec, assumptions=a)
        r = replica_perf(prep.perf, gprep.perf, calib.efficiency_for(gspec.vendor, prec), best.tp, best.pp,
                         input_tokens, output_tokens,
                         best.concurrency / best.data_parallel, input_tokens * a.prefix_cache_hit_rate)
        rows.append({
            "precision": prec, "fits": True, "kv_precision": best.kv_precision, "weights_gb": round(best.weights_gb, 3),
            "gpus_per_replica": best.gpus_per_replica, "total_gpus": best.total_gpus, "concurrency": best.concurrency,
            "output_tokens_per_s_per_gpu": round(best.output_tokens_per_s / best.gpus_per_replica, 2),
            "prefill_s": round(r.prefill_s, 5), "decode_step_ms": round(r.decode_step_s * 1000, 4),
            "compute_path": gprep.compute_note, "ttft_s": round(best.ttft_s, 4), "tpot_ms": round(best.tpot_ms, 3),
            "meets_latency": best.meets_latency, "monthly_usd": round(best.monthly_usd, 2),
            "usd_per_million_output_tokens": round(best.usd_per_million_output_tokens, 5),
        })
    fitting = [r for r in rows if r["fits"]]
    annotated = {r["precision"]: r for r in compare_precisions(fitting, baseline)} if fitting else {}
    return [annotated.get(r["precision"], r) for r in rows]
