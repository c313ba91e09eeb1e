"""Step 4, the test progression: the ladder's plan, the user's own evaluation, quality against cost per step.

Why together: all three read the article's per-step priors
(advisor/pipeline/data/article_quality.yaml) and the user's measured scores,
and change when the test ladder does.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from typing import Any

import yaml

from advisor import evals
from advisor.pipeline.common import r
from advisor.recommendation import Band, EvalComparison, EvalScore, Evaluations, QualityStep, TestPlan, TestStep


@functools.lru_cache(maxsize=1)
def article_quality() -> dict[str, Any]:
    """advisor/pipeline/data/article_quality.yaml: the article's per-step quality priors and step 4."""
    text = resources.files("advisor.pipeline").joinpath("data/article_quality.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def ladder_plan(ladder: list[str], outputs: Mapping[str, Any] | None = None, verdict=None) -> TestPlan:
    """Step 4: sample sizes and stop rule from the rules' outputs (fallback: the article's, from data)."""
    outputs = outputs or {}
    aq = article_quality()["test_progression"]
    lo, hi = aq["sample_size_examples"]
    lo = int(outputs.get("test_sample_min_examples") or lo)
    hi = int(outputs.get("test_sample_max_examples") or hi)
    metrics = ", ".join(aq["metrics"])
    steps = []
    for i, size in enumerate(ladder, 1):
        if i == 1:
            action = f"Baseline: run {size} on your examples and record {metrics}."
        else:
            action = (
                f"Run {size} on the same examples only if {ladder[i - 2]} clearly falls short on the cases "
                "that matter most; weigh the gain against the cost multiple in the candidates table."
            )
        measured = next((x for x in verdict.scores if x.size == size), None) if verdict is not None else None
        if measured is not None:
            outcome = "meets" if measured.meets_target else "misses"
            action += (
                f" Done: {measured.accuracy:.1%} on {measured.examples} examples ({outcome} the {verdict.target:.1%} target)."
            )
        steps.append(TestStep(order=i, size=size, examples_min=lo, examples_max=hi, action=action))
    return TestPlan(
        ladder=ladder,
        sample_size_min=lo,
        sample_size_max=hi,
        stop_rule=_sentence(str(outputs.get("test_stop_rule") or aq["stop_rule"]))
        + f" Principle: {aq['smallest_principle']}.",
        steps=steps,
    )


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else text + "."


def evaluation_results(v: evals.EvalVerdict | None) -> Evaluations | None:
    """The user's own evaluation results with their Wilson intervals (None when there are none)."""
    if v is None:
        return None
    return Evaluations(
        target_accuracy=v.target,
        confidence=v.confidence,
        scores=[
            EvalScore(
                size=s.size,
                correct=s.correct,
                examples=s.examples,
                accuracy=round(s.accuracy, 6),
                ci_low=round(s.ci_low, 6),
                ci_high=round(s.ci_high, 6),
                meets_target=s.meets_target,
                confirmed=s.confirmed,
                examples_to_confirm=s.examples_to_confirm,
            )
            for s in v.scores
        ],
        comparisons=[
            EvalComparison(
                smaller=c.smaller,
                larger=c.larger,
                gain_points=round(c.gain, 6),
                separable=c.separable,
                examples_needed=c.examples_needed,
                test=c.test,
            )
            for c in v.comparisons
        ],
        chosen_size=v.chosen,
        notes=list(v.notes),
    )


def quality_steps(sizes, best, deployment, verdict, reasons: dict | None = None) -> list[QualityStep]:
    """Each step up the sizes: the article's quality gain and cost multiple beside the computed (and measured) ones.

    ``reasons`` (size -> text, from the candidates) says why a larger size costs less: a computed
    multiple below 1.0x is shown only with it (issue 11)."""
    reasons = reasons or {}
    prior = {(s["from"], s["to"]): s for s in article_quality()["steps"]}
    measured = {s.size: s for s in verdict.scores} if verdict is not None else {}
    out = []
    for a, b in zip(sizes, sizes[1:]):
        p = prior.get((a, b))
        ca, cb = best.get(a), best.get(b)
        mult = None
        if ca is not None and cb is not None:
            ma, mb = ca.monthly(deployment), cb.monthly(deployment)
            mult = r(mb / ma, 3) if ma > 0 else None
        gain = None
        if a in measured and b in measured:
            gain = round(measured[b].accuracy - measured[a].accuracy, 6)
        out.append(
            QualityStep(
                from_size=a,
                to_size=b,
                article_gain_pct=Band(low=p["perf_gain_pct"][0], high=p["perf_gain_pct"][1]) if p else None,
                article_cost_multiple=Band(low=p["cost_increase_x"][0], high=p["cost_increase_x"][1]) if p else None,
                computed_cost_multiple=mult,
                measured_gain_points=gain,
                basis="your evaluation" if gain is not None else "article prior" if p else "computed only",
                cost_note=(reasons.get(b) or "") if mult is not None and mult < 1.0 else "",
            )
        )
    return out


def with_task_costs(e: Evaluations | None, cands, volume, hours_per_month: float) -> Evaluations | None:
    """Each measured size's cost per request and per accepted answer (issue 13).

    Why: a cheaper model that fails more can cost more per accepted answer; dividing the
    cost of a request by the pass rate puts sizes on the footing the product pays for.
    """
    if e is None or not volume.requests_per_day:
        return e
    requests_per_month = volume.requests_per_day * hours_per_month / 24.0
    by_size = {c.size: c for c in cands if c.fits and c.monthly_usd}
    scores = []
    for sc in e.scores:
        c = by_size.get(sc.size)
        per_request = c.monthly_usd / requests_per_month if c is not None else None
        per_accepted = per_request / sc.accuracy if per_request is not None and sc.accuracy > 0 else None
        scores.append(sc.model_copy(update={
            "usd_per_request": None if per_request is None else float(f"{per_request:.4g}"),
            "usd_per_accepted_answer": None if per_accepted is None else float(f"{per_accepted:.4g}")}))
    return e.model_copy(update={"scores": scores})
