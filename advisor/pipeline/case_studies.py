"""The article's distillation case study, re-checked: its arithmetic, its hardware, and its fleet at its volume (C13).

Why apart from the comparison: the case study has its own workload (50M
queries a month on named hardware), so it runs its own searches on the
article's GPUs; the comparison shows these rows only when distillation is in play.
"""

from __future__ import annotations

from advisor.pipeline.common import r
from advisor.pipeline.inputs import Inputs
from advisor.pipeline.search import CandidateSearch
from advisor.recommendation import ArticleFigure


def case_study_rows(inp: Inputs, search: CandidateSearch) -> list[ArticleFigure]:
    """The article's distillation case study: its arithmetic, and where its hardware does not hold (C13)."""
    from engine.article import load_article
    from engine.optimizations import article_case_study_payback

    cs = load_article()["distillation_case_study"]
    pb = article_case_study_payback()
    rows = [
        ArticleFigure(
            topic="distillation case study payback",
            article=f"${cs['distillation_cost_usd']:,} upfront, ${cs['before']['cloud_month_usd']:,} -> "
            f"${cs['after']['cloud_month_usd']:,}/month, payback {cs['payback_months'][0]}-{cs['payback_months'][1]} months",
            computed=f"${pb.upfront_usd:,.0f} / (${pb.annual_saving_usd:,.0f} / 12) = {pb.payback_months:.1f} months",
            reason="the article's own arithmetic is consistent; its dollar figures are for its hardware, checked below",
            check=str(cs.get("check", "C13")),
        )
    ]
    fit = search.engine.fits_single("13b", "rtx-4090", "bf16")
    if fit is not None:
        need_gb, have_gb, fits = fit
        rows.append(
            ArticleFigure(
                topic="case study: 13B FP16 on one RTX 4090",
                article="the distilled 13B runs on 1x RTX 4090",
                computed=f"13B weights alone are {need_gb:.1f} GB at 16-bit; one RTX 4090 holds {have_gb:.1f} GB: "
                + ("fits" if fits else "does NOT fit (needs INT8 or INT4, so the saving mixes in quantization)"),
                reason="the article compares decimal GB with GiB capacities and ignores runtime memory",
                check="C07, C13, C19",
            )
        )
    queries_per_day = cs["queries_per_month"] * 12 / 365.0
    if abs(inp.requests_per_day - queries_per_day) > 0.05 * queries_per_day:
        # the before/after fleet check only means something at the case study's own volume
        return rows
    # before: the article's 70B at FP16 on A100-80GB; after: the 13B student at whatever precision fits a 4090
    for label, model, hw, precs in (
        ("before", cs["before"]["model"], cs["before"]["hardware"], ("bf16",)),
        ("after", cs["after"]["model"], cs["after"]["hardware"], None),
    ):
        gpu = "a100-80gb" if "A100" in hw else "rtx-4090"
        cfg = _case_best(inp, search, model, gpu, queries_per_day, precs)
        if cfg is None:
            computed = f"{model} does not fit {hw} at any precision for this workload"
        else:
            computed = (
                f"{cfg.total_gpus}x {cfg.gpu_name} ({cfg.precision}) for {queries_per_day / 1e6:.2f}M queries/day "
                f"at {inp.input_tokens:,.0f} in / {inp.output_tokens:,.0f} out tokens: ${cfg.monthly('cloud'):,.0f}/month in the cloud"
            )
        rows.append(
            ArticleFigure(
                topic=f"case study {label}: {model} at 50M queries/month",
                article=f"{hw}, ${cs[label]['cloud_month_usd']:,}/month",
                computed=computed,
                ratio=r(cfg.monthly("cloud") / cs[label]["cloud_month_usd"], 3) if cfg else None,
                reason="the article's hardware cannot carry its stated volume; the engine sizes the fleet for it",
                check="C13",
            )
        )
    return rows


def _case_best(inp: Inputs, search: CandidateSearch, model, gpu, queries_per_day, precisions=None):
    """The cheapest cloud deployment of ``model`` on ``gpu`` at the case study's volume (not memoised: run once)."""
    configs = search.engine.search(
        model,
        requests_per_day=queries_per_day,
        input_tokens=inp.input_tokens,
        output_tokens=inp.output_tokens,
        peak_to_average=inp.peak_to_average,
        ttft_target_s=inp.ttft_target_s,
        tpot_target_ms=inp.tpot_target_ms,
        gpus=[gpu],
        precisions=precisions,
        deployment="cloud",
        serving_engine=inp.serving_engine,
    )
    ok = [c for c in configs if c.meets_latency]
    return min(ok, key=lambda c: (round(c.monthly("cloud"), 6), c.precision)) if ok else None
