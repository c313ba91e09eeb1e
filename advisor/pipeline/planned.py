"""The model the team already planned (answers.planned_model), costed beside the recommendation.

Why its own stage: a team that arrives with "we were going to run Llama-3.3-70B" needs
that model priced on the same workload, hardware pool and latency targets as the
recommendation, so the report's comparison is like for like. It is priced as itself
(its own architecture, window and precision options), not as its size class, and it
never changes the recommendation: the rules and the evaluation decide that.
"""

from __future__ import annotations

from advisor.pipeline.candidates import candidate
from advisor.pipeline.inputs import Inputs
from advisor.pipeline.search import CandidateSearch
from advisor.recommendation import Candidate
from advisor.report.format import plural


def planned_model(inp: Inputs, search: CandidateSearch, recommended: Candidate | None,
                  recommended_cfg) -> tuple[Candidate | None, str | None]:
    """(the planned model as a priced candidate, one sentence comparing it), or (None, None) when none was named.

    ``recommended_cfg`` is the recommended size's deployment (its cost is the multiple's base)."""
    from engine.catalog import resolve_model

    given = str(inp.values.get("planned_model") or "").strip()
    if not given:
        return None, None
    spec = resolve_model(given)  # validated when the answers were read: an unknown id never gets here
    size = spec.size_class or "moe"
    tokens = int(inp.input_tokens + inp.output_tokens)
    named = spec.id if spec.id == given else f"{spec.id} (you wrote '{given}')"
    if spec.max_context < tokens:
        cand = Candidate(size=size, model=spec.id, costed_model=None, fits=False, no_fit_reason="context",
                         note=f"its context window ({spec.max_context:,} tokens) is shorter than a request "
                              f"({tokens:,} tokens: input + output)")
        return cand, f"{named} cannot serve this workload: {cand.note}."
    cfg = search.best(spec.id)
    cand = candidate(inp, search, spec.id, cfg, recommended_cfg, is_start=False).model_copy(update={"size": size, "model": spec.id})
    if not cand.fits:
        return cand, f"{named} has no deployment on the allowed hardware: {cand.note}."
    replicas = plural(cand.replicas, "replica")
    order = f", ordered as {cand.hardware_label}" if cand.hardware_label else ""
    text = (f"{named} would cost ${cand.monthly_usd:,.0f} per month at {cand.precision.upper()} "  # type: ignore[union-attr]
            f"on {replicas} of {cand.gpus_per_replica} x {cand.gpu_name}{order}"
            + (" (extrapolated beyond the calibration points; the report's † notes under Candidates say why)"
               if cand.calibration_gaps else ""))
    if recommended is not None and recommended.fits and recommended.monthly_usd:
        mult = cand.monthly_usd / recommended.monthly_usd  # type: ignore[operator]
        if recommended.costed_model == spec.id:
            text += ": it is the model the recommendation is costed by"
        else:
            text += (f", {mult:.2f}x the recommended {recommended.size.upper()} "
                     f"({recommended.costed_model}, ${recommended.monthly_usd:,.0f})")
            if mult > 1.0:
                text += ("; run the test plan first and pay for it only if the smaller sizes fall short "
                         "on your examples")
            elif mult < 1.0:
                text += ("; it costs less than the recommendation, so if it meets your bar on your own "
                         "examples it is the better buy")
    return cand, text + "."
