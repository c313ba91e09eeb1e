"""Markdown sections that state the sizing: the answer, the user's answers, the candidates and their cost chart.

Why together: they read the same part of the Recommendation (the decision and
its candidates) and change when the candidate table changes.
"""

from __future__ import annotations

from advisor.recommendation import Candidate, Recommendation
from advisor.report.format import Md, band_usd, md_code, md_cell, md_text, mermaid_label, usd, usd_per_m, num, tokens, mult, table


# ---------------------------------------------------------------------------
# sections


def _hardware(c: Candidate) -> str:
    if not c.fits or c.gpu is None:
        return "misses latency" if c.no_fit_reason == "latency" else "does not fit"
    return f"{c.gpus_per_replica}x {c.gpu_name or c.gpu}"


def _answers(rec: Recommendation) -> list[str]:
    rows = [(a.prompt, a.label or a.value, Md(md_code(f"{a.id}: {a.value}")), "you" if a.origin == "given" else a.origin) for a in rec.answers]
    v = rec.volume
    lines = ["## Your answers", "", table(["Question", "Answer", "In the answers file", "Given by"], rows), ""]
    lines.append(md_text(
        f"Volume: {tokens(v.requests_per_day)} requests/day x ({num(v.input_tokens_per_request)} in + "
        f"{num(v.output_tokens_per_request)} out) tokens = {tokens(v.input_tokens_per_day)} input, "
        f"{tokens(v.output_tokens_per_day)} output, {tokens(v.total_tokens_per_day)} total tokens/day."
    ))
    if v.tier:
        tier = f"Volume tier: **{md_text(v.tier)}** on {md_text(v.basis)} tokens per day (the basis the rules declare)"
        if v.tier_on_other_basis and v.tier_on_other_basis != v.tier:
            tier += f"; on {md_text(v.other_basis)} tokens it would be **{md_text(v.tier_on_other_basis)}**"
        lines.append("")
        lines.append(tier + ".")
    return lines


def _alternative_tag(a) -> str:
    """Why an alternative is not the costed model, in a word or two (the JSON note has the sentence)."""
    if a.monthly_usd is not None:
        return usd(a.monthly_usd)
    if a.status == "superseded":
        return a.note.removeprefix("not priced: ")
    if a.status == "dominated":
        return "dominated"
    if a.status == "same_architecture":
        return a.note
    return "does not fit"


def _models(c):
    """The costed model first, then the class's other models whose window holds the workload, with their cost."""
    if c.costed_label:
        return c.costed_label
    if c.costed_model is None and not c.alternatives:
        return c.note or "-"
    alts = [md_cell(f"{a.model} ({_alternative_tag(a)})") for a in c.alternatives]
    head = f"**{md_cell(c.costed_model)}** (costed)" if c.costed_model else "none fits"
    return Md("; ".join([head, *alts]))


def _candidates(rec: Recommendation) -> list[str]:
    d = rec.recommendation
    mode = d.deployment
    rows = []
    planned = rec.planned_model
    # the planned model rides along in every per-size table, after the ladder
    shown = [*d.candidates, *([planned] if planned is not None else [])]
    for c in shown:
        if c is planned:
            size = f"planned ({'MoE' if c.size == 'moe' else c.size})"
            models = Md(f"{md_cell(c.model)} (your planned model{'' if c.fits else ': ' + md_cell(c.note)})")
        else:
            size = Md(f"**{md_cell(c.size)}**") if c.size == d.recommended_size else c.size
            models = _models(c)
        rows.append(
            (
                size,
                models,
                _hardware(c),
                c.replicas if c.fits else "-",
                c.regime or "-",
                c.precision_label or c.precision or "-",
                usd_per_m(c.usd_per_million_output_tokens),
                usd_per_m(c.usd_per_million_total_tokens),
                usd(c.monthly_usd),
                (band_usd(c.band.low, c.band.high) + (" †" if c.calibration_gaps else "")) if c.band else "n/a",
                mult(c.cost_multiple_vs_start),
            )
        )
    lines = [
        "## Candidates",
        "",
        f"The cheapest deployment that fits and meets the latency target, per size ({md_text(mode)} pricing; "
        "the recommended size in bold). Monthly band = the monthly cost at either end of the engine's calibration "
        "error (one figure when the same whole instances are needed at both ends); 'vs rec.' = monthly cost "
        "as a multiple of the recommended size's.",
        "",
        table(
            [
                "Size",
                "Models",
                "Hardware per replica",
                "Replicas",
                "Regime",
                "Precision",
                "$/M output",
                "$/M total",
                "Monthly",
                "Monthly band",
                "vs rec.",
            ],
            rows,
            ["l", "l", "l", "r", "l", "l", "r", "r", "r", "r", "r"],
        ),
    ]
    cost_rows = []
    for c in shown:
        if not c.fits:
            continue
        cost_rows.append(
            (
                f"planned ({c.model})" if c is planned else c.size,
                usd(c.cloud.monthly_usd) if c.cloud else "n/a",
                usd(c.cloud.annual_usd) if c.cloud else "n/a",
                usd(c.owned.monthly_usd) if c.owned else "n/a",
                usd(c.owned.annual_usd) if c.owned else "n/a",
                num(c.ttft_s, 3) + " s" if c.ttft_s is not None else "n/a",
                num(c.tpot_ms, 1) + " ms" if c.tpot_ms is not None else "n/a",
            )
        )
    if cost_rows:
        lines += [
            "",
            "### Cloud and owned cost",
            "",
            table(
                ["Size", "Cloud monthly", "Cloud annual", "Owned monthly", "Owned annual", "TTFT", "Time per token"],
                cost_rows,
                ["l", "r", "r", "r", "r", "r", "r"],
            ),
        ]
    # what to order and the † list label it by its id (they key their lines by size)
    listed = [*d.candidates, *([planned.model_copy(update={"size": f"planned {planned.model}"})] if planned else [])]
    lines += _offers(listed)
    # a planned model's only note is why it does not fit, and its own row says that
    notes = [f"- {md_text(f'{c.size}: {c.note}')}" for c in d.candidates if c.note]
    if notes:
        lines += ["", *notes]
    lines += _coverage(listed)
    lines += ["", *_chart(rec)]
    return lines


def _offers(candidates: list[Candidate]) -> list[str]:
    """What to order per size: the offer, GPUs paid for vs used, price, pricing type, source; then hardware notes."""
    rows = []
    for c in candidates:
        o = c.offer
        if not c.fits or o is None:
            continue
        price = usd(o.usd_per_instance_hour) + "/h" if o.usd_per_instance_hour is not None else "bought"
        rows.append((c.size, c.hardware_label or "-", f"{c.gpus_paid} / {c.total_gpus}", price, o.pricing, o.region,
                     f"{o.source}; as of {o.as_of}" if o.as_of else o.source))
    if not rows:
        return []
    lines = ["", "### What to order", "",
             "Whole instances from the offers catalog (engine/data/offers.yaml): the cost above counts every "
             "instance paid for.", "",
             table(["Size", "Offer", "GPUs paid / used", "Per instance", "Pricing", "Region", "Source"], rows,
                   ["l", "l", "r", "r", "l", "l", "l"])]
    notes = [f"- {md_text(f'{c.size}: {n}.')}" for c in candidates if c.fits for n in c.hardware_notes]
    return lines + (["", *notes] if notes else [])


def _coverage(candidates: list[Candidate]) -> list[str]:
    """† notes: candidates whose estimate extrapolates beyond the calibration points, and why."""
    outside = [c for c in candidates if c.fits and c.calibration_gaps]
    if not outside:
        return []
    lines = ["", "† Extrapolated: the monthly band comes from the published measurements the engine was calibrated "
             "on (docs/methodology.md); these candidates lie outside them, so their throughput error may be larger "
             "than the band (the cost moves only when the error changes the number of instances). Measure before you buy:"]
    for c in outside:
        lines.append(f"- {md_text(f'{c.size} ({_hardware(c)}, {c.precision}): ' + '; '.join(c.calibration_gaps) + '.')}")
    return lines


def _chart(rec: Recommendation) -> list[str]:
    fitted = [c for c in rec.recommendation.candidates if c.fits and c.monthly_usd is not None]
    lines = ["### Cost curve", ""]
    if not fitted:
        return lines + ["No size fits the allowed hardware, so there is no cost curve to draw."]
    top = max(c.monthly_usd for c in fitted)  # type: ignore[type-var]
    y_max = _nice_ceiling(top)
    labels = ", ".join(f'"{mermaid_label(c.size)}"' for c in fitted)
    values = ", ".join(f"{c.monthly_usd:.0f}" for c in fitted)
    lines += [
        "```mermaid",
        "xychart-beta",
        f'    title "{mermaid_label(f"Monthly cost by model size ({rec.recommendation.deployment}, USD)")}"',
        f"    x-axis [{labels}]",
        f'    y-axis "USD per month" 0 --> {y_max:.0f}',
        f"    bar [{values}]",
        "```",
    ]
    missing = [c.size for c in rec.recommendation.candidates if c not in fitted]
    if missing:
        lines += ["", md_text(f"Not drawn (no deployment fits and meets latency): {', '.join(missing)}.")]
    return lines


def _nice_ceiling(x: float) -> float:
    """A round axis maximum at or above ``x`` (1, 2, 2.5 or 5 times a power of ten)."""
    if x <= 0:
        return 1.0
    power = 1.0
    while power * 10 <= x:
        power *= 10
    while power > x:
        power /= 10
    for m in (1, 2, 2.5, 5, 10):
        if m * power >= x:
            return m * power
    return 10 * power  # pragma: no cover


#: in report order
SECTIONS = (_answers, _candidates)
