"""The candidates table: each priced size as the document states it, and the inflection points.

Why its own stage: the engine's configuration is a live view with both cost
modes; the document needs fixed, rounded figures in both modes, the reason a
size does not fit (memory or latency), and the cost multiple against the
recommended size. The inflection points are judged on the recommended
deployment chosen here.
"""

from __future__ import annotations

from advisor.pipeline import hardware
from advisor.pipeline.common import SIZE_PARAMS_B, as_list, get, r
from advisor.pipeline.decisions import Plan
from advisor.pipeline.inputs import Inputs
from advisor.pipeline.search import CandidateSearch
from advisor.recommendation import Band, Candidate, CostBlock, InflectionPoint


def candidates(inp: Inputs, search: CandidateSearch, p: Plan, best: dict) -> list[Candidate]:
    ref = best.get(p.recommended)
    return [candidate(inp, search, size, best[size], ref, is_start=(size == p.start)) for size in p.sizes]


def candidate(inp: Inputs, search: CandidateSearch, size: str, cfg, ref, *, is_start: bool) -> Candidate:
    from engine.catalog import load_models

    real = sorted(m.id for m in load_models().values() if not m.generic and m.size_class == size)
    if cfg is None:
        reason = "memory"
        why = "no configuration of the allowed GPUs holds this size"
        if inp.ttft_target_s is not None and any(True for _ in search.search(size)):
            reason = "latency"
            why = (
                f"configurations fit in memory, but none meets the latency targets "
                f"(TTFT {inp.ttft_target_s:g} s, {inp.tpot_target_ms:g} ms per token)"
            )
        return Candidate(
            size=size, model=size, real_models=real, fits=False, is_start=is_start, note=why, no_fit_reason=reason
        )
    mode = inp.deployment
    monthly = cfg.monthly(mode)
    blocks = {m: _block(cfg, m) for m in ("cloud", "owned")}
    fit = cfg.fit(mode) if hasattr(cfg, "fit") else None
    hw = _hardware_fields(search, size, cfg, fit)
    ref_monthly = ref.monthly(mode) if ref is not None else None
    return Candidate(
        size=size,
        model=size,
        real_models=real,
        fits=True,
        gpu=cfg.gpu,
        gpu_name=cfg.gpu_name,
        gpus_per_replica=cfg.gpus_per_replica,
        replicas=cfg.replicas,
        total_gpus=cfg.total_gpus,
        regime=cfg.regime,
        regime_reason=cfg.regime_reason,
        precision=cfg.precision,
        kv_precision=cfg.kv_precision,
        concurrency_per_replica=cfg.concurrency,
        ttft_s=r(cfg.ttft_s, 4),
        tpot_ms=r(cfg.tpot_ms, 3),
        meets_latency=cfg.meets_latency,
        monthly_usd=blocks[mode].monthly_usd,
        annual_usd=blocks[mode].annual_usd,
        usd_per_million_output_tokens=blocks[mode].usd_per_million_output_tokens,
        usd_per_million_total_tokens=blocks[mode].usd_per_million_total_tokens,
        band=blocks[mode].band,
        calibration_gaps=cfg.calibration_gaps,
        cloud=blocks["cloud"],
        owned=blocks["owned"],
        cost_multiple_vs_start=r(monthly / ref_monthly, 3) if ref_monthly else None,
        is_start=is_start,
        **hw,
    )


def _hardware_fields(search: CandidateSearch, size: str, cfg, fit) -> dict:
    """The candidate's offer, its label, GPUs paid for, spares and hardware notes (advisor/pipeline/hardware.py)."""
    from engine.catalog import resolve_model

    gpu = cfg._ctx["gpus"][cfg.gpu] if hasattr(cfg, "_ctx") else None
    if gpu is None:
        return {}
    return {
        "offer": hardware.offer_doc(fit),
        "hardware_label": hardware.hardware_label(fit, cfg.gpu_name),
        "gpus_paid": fit.packing.gpus_paid if fit is not None else None,
        "replicas_for_availability": getattr(cfg, "replicas_added", 0),
        "precision_label": hardware.precision_label(cfg.precision, gpu),
        "hardware_notes": hardware.hardware_notes(cfg, fit, gpu, resolve_model(size).hidden_size),
    }


def _block(cfg, mode: str) -> CostBlock:
    monthly = cfg.monthly(mode)
    fit = cfg.fit(mode) if hasattr(cfg, "fit") else None
    return CostBlock(
        mode=mode,  # type: ignore[arg-type]
        monthly_usd=r(monthly),  # type: ignore[arg-type]
        annual_usd=r(monthly * 12),  # type: ignore[arg-type]
        usd_per_million_output_tokens=r(monthly / cfg.output_tokens_per_month * 1e6, 4),  # type: ignore[arg-type]
        usd_per_million_total_tokens=r(monthly / (cfg.output_tokens_per_month + cfg.input_tokens_per_month) * 1e6, 4),  # type: ignore[arg-type]
        band=Band(low=r(monthly * cfg.band_low_x), high=r(monthly * cfg.band_high_x)),  # type: ignore[arg-type]
        offer=hardware.offer_doc(fit),
    )


def inflections(outputs, cfg, size) -> list[InflectionPoint]:
    """The article's three inflection points, judged on the recommended deployment (plus rule labels)."""
    labels = {str(get(x, "id", x)) for x in as_list(outputs.get("inflection_labels"))}
    gpus = cfg.gpus_per_replica if cfg else None
    regime = cfg.regime if cfg else None
    params = SIZE_PARAMS_B.get(size, 0.0)
    pts = [
        InflectionPoint(
            id="single_gpu_threshold",
            name="single-GPU threshold",
            crossed=bool(gpus and gpus > 1),
            detail=(
                f"{size} needs {gpus} GPUs per replica ({regime}); tensor-parallel communication now costs throughput"
                if gpus and gpus > 1
                else f"{size} fits one GPU per replica: no inter-GPU coordination"
                if gpus
                else f"{size} does not fit the allowed hardware"
            ),
        ),
        InflectionPoint(
            id="memory_bound_regime",
            name="memory-bound regime",
            crossed=params >= 70 or "memory_bound_regime" in labels,
            detail=f"by the article's definition (70B and up), {size} "
            + ("is in it" if params >= 70 else "is below it")
            + "; the engine computes prefill (compute-bound) and decode (bandwidth-bound) separately, so the cost "
            "shown already reflects whichever binds",
        ),
        InflectionPoint(
            id="distributed_overhead",
            name="distributed-system overhead",
            crossed=bool(regime == "multi-node" or (gpus and gpus >= 4) or "distributed_overhead" in labels),
            detail=(
                f"{gpus} GPU{'s' if gpus != 1 else ''} per replica ({regime})"
                if gpus
                else "not applicable"
            )
            + "; the article places it at 175B+ on 4+ GPUs",
        ),
    ]
    by_id = {str(get(x, "id", x)): x for x in as_list(outputs.get("inflection_labels"))}
    for pt in pts:
        lab = by_id.get(pt.id)
        pt.detail = (f"On the recommended deployment: {pt.detail}." if pt.id != "memory_bound_regime" else f"{pt.detail[0].upper()}{pt.detail[1:]}.")
        if lab is not None and get(lab, "message", None):
            pt.detail += f" The article's size rule flags {size}: {get(lab, 'message')}"
    known = {pt.id for pt in pts}
    for lab in sorted(labels - known):
        x = by_id[lab]
        pts.append(
            InflectionPoint(
                id=lab,
                name=str(get(x, "title", None) or lab.replace("_", " ")),
                crossed=True,
                detail=str(get(x, "message", None) or "raised by the rules"),
            )
        )
    return pts
