"""The article's figures beside the computed ones: cost table, memory, the cost ladder, tiers, case study, MoE.

Why a stage of its own: every article number comes from the engine's article
data (``engine.article.load_article``, each with its check id); this stage lines each one up with
the figure the pipeline computed for the same thing and says why they differ.
"""

from __future__ import annotations

from advisor.pipeline.case_studies import case_study_rows
from advisor.pipeline.common import r
from advisor.pipeline.decisions import Plan
from advisor.pipeline.inputs import Inputs
from advisor.pipeline.optimizations import MOE_MODEL
from advisor.pipeline.search import CandidateSearch
from advisor.recommendation import ArticleFigure, Optimizations, Volume


def article_rows(inp: Inputs, search: CandidateSearch, p: Plan, best: dict, volume: Volume,
                 opts: Optimizations) -> list[ArticleFigure]:
    from engine.article import load_article

    art = load_article()
    sizes = p.sizes
    rows: list[ArticleFigure] = []
    mode = inp.deployment
    workload = art["cost_table"]["workload"]
    same_workload = (
        abs(inp.output_tokens * inp.requests_per_day - workload["output_tokens_per_day"]) < 1
        and inp.input_tokens == workload["input_tokens_per_request"]
        and inp.output_tokens == workload["output_tokens_per_request"]
    )
    for size in sizes:
        cfg = best.get(size)
        row = art["cost_table"]["rows"].get(size)
        if row and cfg is not None:
            lo, hi = row["monthly_usd"]
            computed = cfg.monthly(mode)
            rows.append(
                ArticleFigure(
                    topic=f"{size} monthly cost",
                    article=f"${lo:,.0f}-${hi:,.0f} on {row['hardware']}",
                    computed=f"${computed:,.0f} on {cfg.total_gpus}x {cfg.gpu_name} ({cfg.precision})",
                    ratio=r(computed / ((lo + hi) / 2.0), 3),
                    reason=(
                        "same workload as the article's table; the difference is the physics (the table's hardware "
                        "cannot prefill 2K-token prompts at that volume)"
                        if same_workload
                        else "the article's row is for its own workload (100M output tokens/day, 2K in / 30 out, FP16), "
                        "not yours; shown for scale"
                    ),
                    check=", ".join(row["check"]) if isinstance(row["check"], list) else str(row["check"]),
                )
            )
        vram = art["vram"].get(size)
        if vram and cfg is not None and cfg.memory_gb is not None:
            key = {"bf16": "fp16", "fp16": "fp16", "fp8": "int8", "int8": "int8", "int4": "int4"}.get(cfg.precision, "fp16")
            prac = vram.get(f"{key}_practical_gb")
            if prac:
                rows.append(
                    ArticleFigure(
                        topic=f"{size} memory per replica ({cfg.precision})",
                        article=f"{prac[0]:g}-{prac[1]:g} GB ({key} practical, params x bytes x 1.2-1.4)",
                        computed=f"{cfg.weights_gb:.1f} GB weights, {cfg.memory_gb:.1f} GB with KV cache and runtime at {cfg.concurrency} sequences",
                        ratio=r(cfg.memory_gb / ((prac[0] + prac[1]) / 2.0), 3),
                        reason="the article's allowance covers a 2-4K context at batch 1; the engine adds the KV cache of every sequence in flight and explicit runtime terms",
                        check=str(vram.get("check", "C17")),
                    )
                )
    ladder = art["cost_ladder"]["vs_7b_x"]
    base = best.get("7b")
    if base is not None:
        for size in sizes:
            cfg = best.get(size)
            if size == "7b" or cfg is None or size not in ladder:
                continue
            lo, hi = ladder[size]
            m = cfg.monthly(mode) / base.monthly(mode)
            rows.append(
                ArticleFigure(
                    topic=f"{size} cost vs 7b",
                    article=f"{lo:g}-{hi:g}x",
                    computed=f"{m:.2f}x",
                    ratio=r(m / ((lo + hi) / 2.0), 3),
                    reason="computed from the cheapest deployment of each size for your workload; the article's ladder is generic",
                    check=str(art["cost_ladder"].get("check", "C06")),
                )
            )
    v = volume
    if v.tier and v.tier_on_other_basis and v.tier_on_other_basis != v.tier:
        rows.append(
            ArticleFigure(
                topic="volume tier",
                article="tiers by 'tokens per day' without saying which tokens",
                computed=f"{v.tier} on {v.basis} tokens; {v.tier_on_other_basis} on {v.other_basis} tokens",
                reason="the rules declare one basis; the other is shown because the article is ambiguous",
                check="C16",
            )
        )
    if opts.distillation is not None or "distillation" in p.considered:
        rows.extend(case_study_rows(inp, search))
    if opts.moe is not None:
        m = art["moe_mixtral"]
        mo = opts.moe
        rows.append(
            ArticleFigure(
                topic="Mixtral 8x7B size",
                article=f"{m['total_params_b']}B total, {m['active_params_b']}B active, {m['memory_fp16_gb']} GB at FP16",
                computed=f"{mo.total_params_b:.1f}B total, {mo.active_params_b:.1f}B active, "
                f"{search.engine.weights_gb(MOE_MODEL, 'bf16'):.1f} GB at BF16",
                ratio=r(mo.total_params_b / m["total_params_b"], 3),
                reason="experts share attention and embeddings, so 8 x 7B overcounts",
                check=str(m.get("check", "C09")),
            )
        )
    return rows
