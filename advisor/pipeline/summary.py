"""The answer in one paragraph: what to deploy, on what, for how much, and why that size.

Why last: the sentence quotes the finished document (the recommended
candidate, the test plan, the budget, the warnings), so it is written once
everything else is in place, with the report's own money formatters so the
prose and the tables agree to the dollar.
"""

from __future__ import annotations

from advisor.pipeline.common import SMALL_RUNGS
from advisor.recommendation import Candidate, Recommendation
from advisor.report.format import usd, usd_per_m


def summarised(rec: Recommendation, verdict) -> Recommendation:
    """``rec`` with its decision's summary, headline, why, risks and next step written (returns the same object)."""
    d = rec.recommendation
    d.headline = headline(rec)
    d.why = why(rec, verdict)
    d.risks = risks(rec)
    d.next_step = next_step(rec)
    d.summary = " ".join(x for x in (d.headline, d.why) if x)
    return rec


def band_text(c: Candidate) -> str:
    """The monthly band, or one figure with the reason when it has no width."""
    if c.band is None:
        return "no band"
    if c.band.low == c.band.high:
        return "exact: the same whole instances are needed at either end of the engine's error band"
    return f"band {usd(c.band.low)}-{usd(c.band.high)}"


def _replicas_text(c: Candidate) -> str:
    per = f"{c.gpus_per_replica} x {c.gpu_name}"
    gpus = f"{c.total_gpus} GPU{'' if c.total_gpus == 1 else 's'}"
    text = f"one replica of {per}" if c.replicas == 1 else f"{c.replicas} replicas of {per} ({gpus})"
    if c.hardware_label:  # what to order (issue 10): whole instances, the pricing type used
        text += f", ordered as {c.hardware_label}"
    return text


def headline(rec: Recommendation) -> str:
    d = rec.recommendation
    size = d.recommended_size
    cand = rec.candidate(size)
    mode = "in the cloud" if d.deployment == "cloud" else "on owned hardware (amortised, with power and hosting)"
    if cand is None or not cand.fits:
        return (
            f"Start testing at {size.upper()}, but no deployment of it fits the allowed hardware and latency targets; "
            "relax the hardware restriction or the latency target, or test a smaller size."
        )
    # a fitting class always has a costed model; a generic shape's label says so elsewhere
    example = f" (costed as {cand.costed_model})" if cand.costed_model and not cand.costed_label else ""
    return (
        f"Deploy a {size.upper()}-class model{example} at {cand.precision.upper()} on "  # type: ignore[union-attr]
        f"{_replicas_text(cand)}: about {usd(cand.monthly_usd)} per month {mode} "
        f"({band_text(cand)}; {usd_per_m(cand.usd_per_million_output_tokens)} per million output tokens)."
    )


def why(rec: Recommendation, verdict) -> str:
    d = rec.recommendation
    size = d.recommended_size
    text = ""
    if verdict is not None and verdict.chosen:
        text += f"Your own evaluation picks {verdict.chosen.upper()} as the smallest size meeting {verdict.target:.0%}."
    elif d.start_size == size:
        reason = {
            "both_steps": "Your task's complexity and your quality bar both point to {size}",
            "step1": "Your task's complexity calls for {size} (your quality bar alone would allow less)",
            "step2": "Your quality bar calls for {size} (your task alone would allow less)",
        }.get(str(rec.size_basis or ""), "{size} is where the framework starts for your task and quality bar")
        text += (
            f"{reason.format(size=size.upper())}; confirm it on "
            f"{rec.test_plan.sample_size_min}-{rec.test_plan.sample_size_max} of your own examples before committing, "
            f"testing the ladder {' -> '.join(s.upper() for s in d.test_ladder)}."
        )
        below = [s.upper() for s in d.test_ladder if s in SMALL_RUNGS]
        if below:
            text += (f" {' and '.join(below)} {'comes' if len(below) == 1 else 'come'} first because at this "
                     "volume a smaller model that meets the bar cuts the fleet (the small_rungs rule).")
    if d.budget_usd_per_month is not None and d.within_budget is not None:
        if d.within_budget:
            text += f" That is within your budget of ${d.budget_usd_per_month:,.0f} per month."
        else:
            fitting = [c.size.upper() for c in d.candidates if c.fits and c.monthly_usd is not None and c.monthly_usd <= d.budget_usd_per_month]
            text += f" That is over your budget of ${d.budget_usd_per_month:,.0f} per month" + (
                f" (within it: {', '.join(fitting)})." if fitting else "; no candidate size fits it."
            )
    if d.allowed_gpus:
        text += f" Hardware restricted to {', '.join(d.allowed_gpus)}."
    if d.mandatory_optimizations:
        text += f" Mandatory at this volume: {', '.join(_mandate_text(rec, m) for m in d.mandatory_optimizations)}."
    if d.warnings:
        text += f" {len(d.warnings)} warning{'s' if len(d.warnings) != 1 else ''} below."
    return text.strip()


def _mandate_text(rec: Recommendation, opt: str) -> str:
    """A mandate as the tables back it: already applied, its saving, or why there is none."""
    cand = rec.candidate(rec.recommendation.recommended_size)
    if opt == "quantization":
        if cand is not None and cand.fits and cand.precision not in ("bf16", "fp16", "fp32"):
            return f"quantization (already applied: the deployment above serves at {str(cand.precision).upper()})"
        rows = rec.optimizations.quantization
        best = max((q.monthly_saving_usd for q in rows), default=None)
        if best is not None and best > 0:
            return f"quantization (saves up to {usd(best)} per month)"
        if rows:
            return "quantization (no saving on this deployment, see Optimizations)"
    return opt


def _superseded(model_id: str) -> bool:
    from engine.catalog import load_models

    m = load_models().get(model_id.lower())
    return bool(m is not None and m.superseded_by)


def risks(rec: Recommendation) -> list[str]:
    """The top risks, most important first: warnings, an extrapolated estimate, the budget, no fit (at most 4)."""
    d = rec.recommendation
    out = [f"{w.title} (see Warnings)." for w in d.warnings]
    cand = rec.candidate(d.recommended_size)
    if cand is None or not cand.fits:
        out.insert(0, f"No deployment of {d.recommended_size.upper()} fits the allowed hardware and latency targets.")
    elif cand.calibration_gaps:
        out.append("The estimate extrapolates beyond the engine's calibration points "
                   f"({cand.calibration_gaps[0]}): measure throughput before you buy.")
    if cand is not None and cand.fits and cand.costed_model and cand.note and _superseded(cand.costed_model):
        # the class is priced by a superseded model: the team would deploy a newer one that misses the targets
        out.insert(0, f"{cand.note[0].upper()}{cand.note[1:]}: relax the latency targets or allow other "
                      "hardware to deploy a current model.")
    if d.within_budget is False:
        out.insert(0, f"Over your budget of ${d.budget_usd_per_month:,.0f} per month.")
    if not out:
        out.append("None of the article's costly mistakes applies, and the estimate lies within the engine's calibration points.")
    return out[:4]


def next_step(rec: Recommendation) -> str:
    t = rec.test_plan
    if not t.steps:
        return ""
    s = t.steps[0]
    return f"{s.action.rstrip('.')} ({s.examples_min}-{s.examples_max} examples; the first rung of the test plan)."
