"""The pipeline: answers -> rulebook decisions -> engine search -> :class:`Recommendation`.

Why it is shaped this way: the rulebook decides *what to consider* (starting
size, test ladder, mandated optimizations, warnings, latency targets); the
engine decides *what it costs* (memory, placement, throughput, fleet, dollars);
the pipeline joins them and never invents a number of its own: every figure in
the Recommendation is an answer, a rule output, an engine result, or a
labelled article figure from a data file.

Each stage is a module holding plain functions over typed inputs: the frozen
:class:`~advisor.pipeline.inputs.Inputs` of the run, the rules'
:class:`~advisor.pipeline.decisions.Plan`, and the run's
:class:`~advisor.pipeline.search.CandidateSearch` (its one memo of engine
searches). :data:`STAGES` is their order: a stage imports only the stages
before it (tests/test_import_hygiene.py checks). Rounding happens once, in the
stages, so JSON output is byte-identical across runs.
"""

from __future__ import annotations

#: the pipeline's modules in dependency order: each imports only modules listed before it
STAGES = (
    "common",
    "hardware",
    "inputs",
    "decisions",
    "engine_search",
    "search",
    "candidates",
    "planned",
    "optimizations",
    "crossover",
    "progression",
    "sensitivity",
    "case_studies",
    "article",
    "assumptions",
    "api",
    "buy_rent",
    "consistency",
    "summary",
)
#: modules that use the stages from outside the sequence (no stage imports them)
ENTRIES = ("preview",)

import datetime as dt  # noqa: E402

from advisor.pipeline import (  # noqa: E402
    api,
    article,
    buy_rent,
    assumptions,
    candidates,
    consistency,
    crossover,
    decisions,
    inputs,
    optimizations,
    planned as planned_stage,
    progression,
    sensitivity,
    summary,
)
from advisor.pipeline.common import str_or_none  # noqa: E402
from advisor.pipeline.search import CandidateSearch  # noqa: E402
from advisor.recommendation import Recommendation  # noqa: E402

DEFAULT_TITLE = "Model sizing recommendation"


def recommend(answers, rulebook=None, *, evaluations=None, generated_on: str | None = None, title: str | None = None,
              overrides=None, gpus: list | None = None, engine=None, decide=None, with_sensitivity: bool = True,
              ) -> Recommendation:
    """Answers (validated ``Answers`` or a raw mapping) -> :class:`Recommendation`.

    ``evaluations`` (an ``advisor.answers.Evaluations``) replaces the answers file's own;
    ``generated_on`` is the report date (YYYY-MM-DD; default today, UTC); ``overrides`` an
    ``engine.overrides.Overrides`` (prices, utilisation, power); ``gpus`` restricts the hardware
    to these catalog ids or ``engine.catalog.GpuSpec`` objects; ``engine`` is the search adapter
    (default :class:`advisor.pipeline.engine_search.EngineSearch`); ``decide(rulebook, answers)
    -> (outputs, trace rows)`` replaces the rulebook evaluator (tests).
    """
    rulebook = _shipped_rulebook() if rulebook is None else rulebook
    ans = inputs.validated(answers, rulebook, evaluations)
    engine = engine if engine is not None else _engine_search(overrides)  # a bad overrides file fails before the rules run
    decide = decide or decisions.decisions
    # Steps 1-3: the rules decide the starting size, the ladder, the mandates and the latency targets
    outputs, trace = decide(rulebook, ans)
    inp = inputs.inputs_for(rulebook, ans.values, outputs, gpus, decide)
    plan = decisions.plan(inp, ans.evaluations)
    # The engine prices every size on the table: the cheapest deployment that fits and meets latency
    search = CandidateSearch(inp, engine)
    best = search.best_per_size(plan.sizes)
    plan, ladder_notes = decisions.trim_small_rungs(plan, best, inp.deployment)
    chosen = best.get(plan.recommended)
    cands = candidates.candidates(inp, search, plan, best)
    # Step 3's levers in dollars
    opts, opt_notes = optimizations.optimizations(inp, search, plan, best)
    volume = decisions.volume(inp)
    # Self-hosting against an API serving the same class (the article: APIs are viable at low volume)
    headline = next((c for c in cands if c.size == plan.recommended and c.fits), None)
    a = search.engine.assumptions_for(inp.peak_to_average)
    own_rent = buy_rent.buy_or_rent(headline, a)
    planned, planned_text = planned_stage.planned_model(inp, search, headline, chosen)
    vs_api = api.api_comparison(plan.recommended, volume, headline.monthly_usd if headline is not None else None,
                                api.headroom(chosen, a), hours_per_month=a.hours_per_month)
    rec = Recommendation(
        title=title or DEFAULT_TITLE,
        generated_on=generated_on or dt.datetime.now(tz=dt.timezone.utc).date().isoformat(),
        answers=decisions.answer_rows(rulebook, ans),
        volume=volume,
        recommendation=decisions.decision(inp, plan, cands, trace),
        # Step 4: the test ladder, and the user's own measurements on it
        test_plan=progression.ladder_plan(plan.ladder, outputs, plan.verdict).model_copy(update={"notes": ladder_notes}),
        evaluations=progression.with_task_costs(progression.evaluation_results(plan.verdict), cands, volume,
                                                a.hours_per_month),
        quality_steps=progression.quality_steps(plan.sizes, best, inp.deployment, plan.verdict,
                                               {c.size: c.cheaper_reason for c in cands if c.cheaper_reason}),
        optimizations=opts,
        inflection_points=candidates.inflections(outputs, chosen, plan.recommended),
        crossover=crossover.crossover(inp, search.engine, plan.recommended, chosen),
        # What would change the answer, and where the article's figures differ from these
        sensitivity=sensitivity.sensitivity(inp, search, ans, plan, chosen) if with_sensitivity else [],
        article_comparison=article.article_rows(inp, search, plan, best, volume, opts),
        assumptions=assumptions.assumptions(inp, search.engine, best),
        size_basis=str_or_none(outputs.get("size_basis")),
        trace=trace,
        api_comparison=vs_api.rows,
        api_break_even_tokens_per_day=vs_api.break_even_tokens_per_day,
        api_conclusion=vs_api.verdict,
        api_recommended=bool(outputs.get("api_may_recommend")) and vs_api.api_cheaper,
        buy_vs_rent=own_rent.text,
        buy_vs_rent_break_even_utilisation=own_rent.break_even_utilisation,
        buy_vs_rent_payback_months=own_rent.payback_months,
        notes=[*ans.notes, *inp.notes, *opt_notes],
        planned_model=planned,
        planned_model_conclusion=planned_text,
    )
    # Every warning, mandate and "changes" flag agrees with the priced tables (issue 13)
    rec = consistency.consistent(rec, outputs)
    return summary.summarised(rec, plan.verdict)


def recommend_from_answers(answers, **kwargs) -> Recommendation:
    """What the audit calls for golden cases: a raw answers mapping -> Recommendation.

    Deterministic: the report date is fixed (1970-01-01) unless given, so a case's
    expected report values never depend on the day the audit runs.
    """
    kwargs.setdefault("generated_on", "1970-01-01")
    return recommend(dict(answers), **kwargs)


def _shipped_rulebook():
    from advisor.rulebook import load_rulebook

    return load_rulebook()


def _engine_search(overrides):
    from advisor.pipeline.engine_search import EngineSearch

    return EngineSearch(overrides=overrides)
