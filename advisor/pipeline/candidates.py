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
from advisor.pipeline.search import CandidateSearch, is_class
from advisor.recommendation import Alternative, Band, Candidate, CostBlock, InflectionPoint


def candidates(inp: Inputs, search: CandidateSearch, p: Plan, best: dict) -> list[Candidate]:
    ref = best.get(p.recommended)
    out = [candidate(inp, search, size, best[size], ref, is_start=(size == p.start)) for size in p.sizes]
    _explain_cheaper_larger(out, search)
    return out


def _alternatives(inp: Inputs, ch) -> list[Alternative]:
    mode = inp.deployment
    return [Alternative(model=mid, monthly_usd=r(c.monthly(mode)) if c is not None else None, note=why, status=status)
            for mid, c, why, status in ch.alternatives]


def candidate(inp: Inputs, search: CandidateSearch, size: str, cfg, ref, *, is_start: bool) -> Candidate:
    ch = search.choice(size) if is_class(size) else None
    if ch is None:
        real, costed, alts, label = [], size, [], ""
    else:
        costed = ch.costed
        alts = _alternatives(inp, ch)
        real = sorted([*([costed] if costed and not ch.generic else []), *(a.model for a in alts)])
        label = (f"no {size.upper()}-class model in the catalog: costed as the generic {size} shape"
                 if ch.generic else "")
        if ch.costed is None and not alts:
            why = (f"no {size.upper()}-class model in the catalog takes {ch.tokens:,} tokens"
                   + (f" ({', '.join(ch.too_short)}: shorter windows)" if ch.too_short else ""))
            if ch.no_real_model:
                why = f"no {size.upper()}-class model in the catalog, and the generic shape's window is under {ch.tokens:,} tokens"
            return Candidate(size=size, model=size, costed_model=None, real_models=[], fits=False,
                             is_start=is_start, note=why, no_fit_reason="context")
    if cfg is None:
        reason = "memory"
        why = "no configuration of the allowed GPUs holds this size"
        tried = [a.model for a in alts if a.status in ("priced", "no_fit")] if ch is not None else [size]
        if inp.ttft_target_s is not None and any(True for m in tried for _ in search.search(m)):
            reason = "latency"
            why = (
                f"configurations fit in memory, but none meets the latency targets "
                f"(TTFT {inp.ttft_target_s:g} s, {inp.tpot_target_ms:g} ms per token)"
            )
        return Candidate(
            size=size, model=size, costed_model=None, real_models=real, alternatives=alts, fits=False,
            is_start=is_start, note=why, no_fit_reason=reason,
        )
    mode = inp.deployment
    monthly = cfg.monthly(mode)
    blocks = {m: _block(cfg, m) for m in ("cloud", "owned")}
    fit = cfg.fit(mode) if hasattr(cfg, "fit") else None
    hw = _hardware_fields(search, cfg.model, cfg, fit)
    ref_monthly = ref.monthly(mode) if ref is not None else None
    return Candidate(
        size=size,
        model=size,
        costed_model=costed,
        costed_label=label,
        real_models=real,
        alternatives=alts,
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
        note=ch.fallback if ch is not None else "",
        **hw,
    )


def _explain_cheaper_larger(cands: list[Candidate], search: CandidateSearch) -> None:
    """Issue 11: a larger class costing less than a smaller one must say why (its model's architecture).

    The reason compares the two costed models: grouped-query / latent attention (KV bytes per token),
    sliding-window layers, mixture-of-experts (active parameters), or a lower precision chosen."""
    from engine.catalog import resolve_model
    from engine.memory import kv_bytes
    from engine.params import param_counts

    priced = [c for c in cands if c.fits and c.monthly_usd is not None and c.costed_model]
    tokens = search.inp.input_tokens + search.inp.output_tokens
    for i, big in enumerate(priced):
        cheaper_than = [s for s in priced[:i] if s.monthly_usd > big.monthly_usd]  # type: ignore[operator]
        if not cheaper_than:
            continue
        small = max(cheaper_than, key=lambda s: s.monthly_usd)  # type: ignore[arg-type,return-value]
        mb, ms = resolve_model(big.costed_model), resolve_model(small.costed_model)  # type: ignore[arg-type]
        why = []
        kb, ks = kv_bytes(mb, "bf16", tokens, 1), kv_bytes(ms, "bf16", tokens, 1)
        if kb < ks:
            kinds = []
            if mb.mla is not None:
                kinds.append("latent attention")
            elif mb.num_kv_heads < mb.num_attention_heads:
                kinds.append(f"grouped-query attention ({mb.num_kv_heads} KV heads)")
            if mb.sliding_window and mb.sliding_window_layers:
                kinds.append(f"a {mb.sliding_window:,}-token window on {mb.sliding_window_layers} layers")
            why.append(f"{' and '.join(kinds) or 'a smaller KV cache'}: {kb / 1e6:,.0f} MB of KV per request vs "
                       f"{ks / 1e6:,.0f} MB for {small.costed_model}")
        pa, ps = param_counts(mb).active, param_counts(ms).active
        if mb.moe is not None and pa < ps:
            why.append(f"mixture-of-experts: {pa / 1e9:.1f}B active parameters per token")
        if big.precision != small.precision:
            why.append(f"it runs at {big.precision} where {small.costed_model} runs at {small.precision}")
        if big.gpu != small.gpu:
            why.append(f"its cheapest hardware ({big.gpu_name}) differs")
        reason = "; ".join(why) or "the engine finds a cheaper fleet for it at this volume (batch fills better)"
        big.cheaper_reason = f"{big.costed_model} costs less than {small.size} ({small.costed_model}): {reason}"
        big.note = (big.note + " " if big.note else "") + big.cheaper_reason + "."


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
