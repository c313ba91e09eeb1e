"""One estimate: the ``sizewise estimate`` boundary, a checked request in, an explained :class:`Estimate` out.

Why this module is short: each step lives where it changes. The request and its
defaults are engine/request.py; the hot-path inputs engine/prep.py; the layouts a
replica may use engine/layout.py (over engine/placement.py); one configuration's
throughput, fleet and cost engine/evaluate.py; the search over GPU counts
engine/sweep.py; the JSON document engine/estimate_json.py. What is left here is
the sequence, and the one choice only a single estimate makes: which GPU count to
report, and what to warn about it.
"""

from __future__ import annotations

from engine.calibration import Calibration, load_calibration
from engine.errors import DoesNotFitError
from engine.estimate_json import Estimate, shape_estimate
from engine.evaluate import Candidate, evaluate_config
from engine.layout import Layout, layout_for, max_sequences
from engine.prep import GpuPrep, ModelPrep, prepare_gpu, prepare_model
from engine.request import EstimateRequest, ResolvedRequest, resolve_request
from engine.sweep import cheaper_count, fewest_meeting_latency


def estimate(req: EstimateRequest) -> Estimate:
    """Memory, deployment, throughput, fleet and cost of one model on one GPU type, with sources."""
    w = resolve_request(req)
    calib = load_calibration(req.serving_engine)
    prep = prepare_model(w.model, w.precision, w.kv_precision)
    gprep = prepare_gpu(w.gpu, w.precision, req.int8_mode, w.assumptions)
    lay, cand = _deployment(w, calib, prep, gprep)
    return shape_estimate(w, calib, prep, gprep, lay, cand)


def _deployment(w: ResolvedRequest, calib: Calibration, prep: ModelPrep,
                gprep: GpuPrep) -> tuple[Layout, Candidate]:
    """The layout and evaluated deployment to report (appends to ``w.warnings`` what the user should know).

    ``--gpus`` fixes the count; otherwise the fewest GPUs that hold the weights and the
    given concurrency, then (without ``--concurrency``) the fewest that also meet the
    latency targets, naming a clearly cheaper count if one was tried.
    """
    req, a, model, gpu, warnings = w.req, w.assumptions, w.model, w.gpu, w.warnings
    prec, kvp, s, g = w.precision, w.kv_precision, w.input_tokens, w.output_tokens
    need = req.concurrency if isinstance(req.concurrency, int) else 1
    if req.gpus is None:
        lay = layout_for(model, gpu, prec, kvp, None, need, s + g)
    else:
        lay = layout_for(model, gpu, prec, kvp, req.gpus)
    kwargs = dict(input_tokens=s, output_tokens=g, requests_per_day=w.requests_per_day, concurrency=req.concurrency,
                  calib=calib, a=a, deployment=req.deployment, usd_per_gpu_hour=w.usd_per_gpu_hour,
                  purchase_usd=w.purchases.get(gpu.id), ttft_target_s=req.ttft_target_s,
                  tpot_target_ms=req.tpot_target_ms)
    cand = evaluate_config(prep, gprep, lay, **kwargs)
    if cand is None:
        cap = min(a.max_batch_sequences, calib.max_batch_sequences)
        maxc = max_sequences(prep, lay, s + g, cap)
        if maxc < 1:
            raise DoesNotFitError(
                f"{model.id} at {prec} on {lay.gpus_per_replica} x {gpu.id}: the weights fit but not one sequence of "
                f"{int(s + g):,} tokens of KV cache; use more GPUs (--gpus), a smaller precision or shorter requests")
        if maxc >= cap:
            raise DoesNotFitError(f"--concurrency {req.concurrency}: the {calib.profile} profile runs at most {int(cap):,} "
                                  f"sequences at once (the engine's default scheduler limit); lower --concurrency")
        raise DoesNotFitError(
            f"--concurrency {req.concurrency}: only {maxc:,} sequences of {int(s + g):,} tokens fit in the KV cache of "
            f"{lay.gpus_per_replica} x {gpu.id}; lower --concurrency or add --gpus")
    tried: list[tuple[Layout, Candidate]] = [(lay, cand)]
    if req.gpus is None and req.concurrency is None:
        lay, cand, tried = fewest_meeting_latency(prep, gprep, lay, cand, kwargs)
        cheaper = cheaper_count(cand, [c for _, c in tried])
        if cheaper is not None:
            warnings.append(f"{cheaper.gpus_per_replica} GPUs per replica would cost ${cheaper.monthly_usd:,.0f}/month "
                            f"({(cheaper.monthly_usd / cand.monthly_usd - 1) * 100:+.0f}%): "
                            f"try --gpus {cheaper.gpus_per_replica}")
    if not cand.meets_latency and req.concurrency is None:
        others = [lt.gpus_per_replica for lt, _ in tried if lt.gpus_per_replica != lay.gpus_per_replica]
        also = (f"; also tried {', '.join(map(str, others))} GPUs per replica: none meets them" if others else "")
        warnings.append("even one request at a time misses the latency targets (TTFT/TPOT); reported at concurrency 1"
                        + also)
    return lay, cand
