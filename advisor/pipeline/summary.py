"""The answer in one paragraph: what to deploy, on what, for how much, and why that size.

Why last: the sentence quotes the finished document (the recommended
candidate, the test plan, the budget, the warnings), so it is written once
everything else is in place, with the report's own money formatters so the
prose and the tables agree to the dollar.
"""

from __future__ import annotations

from advisor.recommendation import Candidate, Recommendation
from advisor.report.format import usd, usd_per_m


def summarised(rec: Recommendation, verdict) -> Recommendation:
    """``rec`` with its decision's summary written (returns the same object)."""
    rec.recommendation.summary = summary(rec, verdict)
    return rec


def _replicas_text(c: Candidate) -> str:
    per = f"{c.gpus_per_replica} x {c.gpu_name}"
    text = f"one replica of {per}" if c.replicas == 1 else f"{c.replicas} replicas of {per} ({c.total_gpus} GPUs)"
    if c.hardware_label:  # what to order (issue 10): whole instances, the pricing type used
        text += f", ordered as {c.hardware_label}"
    return text


def summary(rec: Recommendation, verdict) -> str:
    d = rec.recommendation
    size = d.recommended_size
    cand = rec.candidate(size)
    mode = "in the cloud" if d.deployment == "cloud" else "on owned hardware (amortised, with power and hosting)"
    if cand is None or not cand.fits:
        text = (
            f"Start testing at {size}, but no deployment of it fits the allowed hardware and latency targets; "
            "relax the hardware restriction or the latency target, or test a smaller size."
        )
    else:
        example = f" (costed as {cand.costed_model})" if cand.costed_model and not cand.costed_label else ""
        text = (
            f"Deploy a {size.upper()}-class model{example} at {cand.precision.upper()} on "  # type: ignore[union-attr]
            f"{_replicas_text(cand)}: about {usd(cand.monthly_usd)} per month {mode} "
            f"(band {usd(cand.band.low)}-{usd(cand.band.high)}; {usd_per_m(cand.usd_per_million_output_tokens)} per million output tokens)."  # type: ignore[union-attr]
        )
    if verdict is not None and verdict.chosen:
        text += f" Your own evaluation picks {verdict.chosen} as the smallest size meeting {verdict.target:.0%}."
    elif d.start_size == size:
        why = {
            "both_steps": "your task's complexity and your quality bar both point to it",
            "step1": "your task's complexity calls for it (your quality bar alone would allow less)",
            "step2": "your quality bar calls for it (your task alone would allow less)",
        }.get(str(rec.size_basis or ""), "it is where the framework starts for your task and quality bar")
        text += (
            f" Why {size}: {why}; confirm it on "
            f"{rec.test_plan.sample_size_min}-{rec.test_plan.sample_size_max} of your own examples before committing, "
            f"testing the ladder {' -> '.join(d.test_ladder)}."
        )
    if d.budget_usd_per_month is not None and d.within_budget is not None:
        if d.within_budget:
            text += f" That is within your budget of ${d.budget_usd_per_month:,.0f} per month."
        else:
            fitting = [c.size for c in d.candidates if c.fits and c.monthly_usd is not None and c.monthly_usd <= d.budget_usd_per_month]
            text += f" That is over your budget of ${d.budget_usd_per_month:,.0f} per month" + (
                f" (within it: {', '.join(fitting)})." if fitting else "; no candidate size fits it."
            )
    if d.allowed_gpus:
        text += f" Hardware restricted to {', '.join(d.allowed_gpus)}."
    if d.mandatory_optimizations:
        text += f" Mandatory at this volume: {', '.join(d.mandatory_optimizations)}."
    if d.warnings:
        text += f" {len(d.warnings)} warning{'s' if len(d.warnings) != 1 else ''} below."
    return text
