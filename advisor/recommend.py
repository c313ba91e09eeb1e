"""The pipeline: answers -> rulebook decisions -> engine search -> :class:`Recommendation`.

Why it is shaped this way: the rulebook decides *what to consider* (starting
size, test ladder, mandated optimizations, warnings, latency targets); the
engine decides *what it costs* (memory, placement, throughput, fleet, dollars);
this module joins them and never invents a number of its own: every figure in
the Recommendation is either an answer, a rule output, an engine result, or a
labelled article figure from a data file.

Steps:

1. validate the answers (advisor.answers, the wizard's own validation);
2. evaluate the rulebook -> decisions + trace (:func:`_decisions` adapts the
   evaluator's result to plain values);
3. for each candidate size (the test ladder, the starting size and any size
   the user already planned), search the engine over catalog GPUs x precisions x
   GPU counts (respecting ``deployment``, latency targets and an optional GPU
   restriction) and keep the cheapest configuration that fits and meets
   latency (:mod:`advisor.report.engine_search` is the engine adapter);
4. derive the report sections: optimizations in dollars, inflection points,
   training-vs-inference crossover, sensitivity (0.5x, 2x, 10x volume, 2x
   context, each re-evaluated through the rules and the engine), the user's
   evaluation results with Wilson intervals, quality-vs-cost per step, the
   article's figures beside the computed ones, assumptions with sources.

Rounding happens once, here, so that JSON output is byte-identical across runs.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Mapping
from importlib import resources
from typing import Any

import yaml

from advisor import evals
from advisor.errors import UserError
from engine.errors import SizewiseError
from advisor.recommendation import (
    AnswerRow,
    ArticleFigure,
    Assumption,
    Band,
    Candidate,
    CostBlock,
    Crossover,
    Decision,
    Distillation,
    EvalComparison,
    EvalScore,
    Evaluations,
    InflectionPoint,
    LatencyTargets,
    MoeAlternative,
    Optimizations,
    QualityStep,
    QuantizationSaving,
    Recommendation,
    SensitivityRow,
    TestPlan,
    TestStep,
    TraceRow,
    Volume,
    WarningItem,
)

SIZE_ORDER = evals.SIZE_ORDER
SIZE_PARAMS_B = {"7b": 7.0, "13b": 13.0, "30b": 30.0, "70b": 70.0, "175b": 175.0, "1t": 1000.0}
OPTIMIZATIONS = ("quantization", "distillation", "moe")
DEFAULT_TITLE = "Model sizing recommendation"
#: the article's MoE example (Mixtral-class), resolved in the engine catalog
MOE_MODEL = "mixtral-8x7b"
SENSITIVITY = (
    ("0.5x volume", 0.5, 1.0),
    ("2x volume", 2.0, 1.0),
    ("10x volume", 10.0, 1.0),
    ("2x context", 1.0, 2.0),
)
#: the article's volume tiers, half-open, in tokens/day (seed-consistency C16); used only to
#: show the tier on the basis the rules did NOT declare
ARTICLE_TIERS = ((0.0, "low"), (1e6, "moderate"), (5e7, "high"), (5e8, "massive"))


def _size_key(size: str) -> int:
    return SIZE_ORDER.index(size) if size in SIZE_ORDER else len(SIZE_ORDER)


def _r(x: float | None, digits: int = 2) -> float | None:
    """Round for the document (None and non-finite pass through as None)."""
    if x is None or not math.isfinite(x):
        return None
    return round(float(x), digits)


@functools.lru_cache(maxsize=1)
def article_quality() -> dict[str, Any]:
    """advisor/report/data/article_quality.yaml: the article's per-step quality priors and step 4."""
    text = resources.files("advisor.report").joinpath("data/article_quality.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


# ---------------------------------------------------------------------------
# answers


def load_cli_answers(path: str | None, rulebook, sets, *, stdin=None):
    """Answers for ``sizewise recommend``: FILE or '-' (stdin), plus ``--set`` (validated)."""
    from advisor import answers as A

    sets = list(sets or [])
    if path is None:
        return A.load_answers(None, rulebook, sets)
    if path == "-":
        if stdin is None or (hasattr(stdin, "isatty") and stdin.isatty()):
            # never wait on a terminal: this command must not prompt
            raise UserError("--answers -: standard input is a terminal; pipe an answers file in, or give --answers FILE")
        raw = read_answers_stream(stdin, "<stdin>")
    else:
        raw = A.read_answers_file(path)
    if not raw.data and not sets:
        where = "<stdin>" if path == "-" else path
        raise UserError(
            f"{where}: the answers file is empty; fill in the required answers "
            "(`sizewise answers template` prints a file with every question)"
        )
    overrides, problems = A.parse_set(sets)
    answers, more = A.validate(rulebook, raw.merged(overrides))
    problems.extend(more)
    if problems:
        raise A.AnswersError(problems)
    return answers


def read_answers_stream(stream, display: str):
    """An answers mapping read from a stream (stdin) with the same safe loader as files.

    Adapter: advisor.answers reads only paths; this mirrors ``read_answers_file``
    for bytes (requested from its owner as ``read_answers_bytes``).
    """
    from advisor import answers as A
    from engine.yamlsafe import MAX_FILE_BYTES, YamlProblems, load_yaml_bytes

    data = stream.buffer.read(MAX_FILE_BYTES + 1) if hasattr(stream, "buffer") else stream.read().encode("utf-8")
    try:
        doc = load_yaml_bytes(data, display)
    except YamlProblems as err:
        raise A.AnswersError(
            A.AnswerProblem("", p.message, "invalid", f"{p.file}:{p.line}:{p.column}" if p.line else p.file)
            for p in err.problems
        ) from None
    if doc.data is None:
        return A.RawAnswers({}, {}, doc.locator)
    if not isinstance(doc.data, dict):
        line, col = doc.locator.position(())
        raise A.AnswersError([A.AnswerProblem("", "an answers file is a mapping of question id -> answer", "invalid", f"{display}:{line}:{col}")])
    where = {}
    for key in doc.data:
        line, col = doc.locator.position((key,))
        where[key] = f"{display}:{line}:{col}"
    return A.RawAnswers(dict(doc.data), where, doc.locator)


def _validated(answers, rulebook):
    """Accept validated ``Answers`` or a raw mapping (validated here, every problem at once)."""
    from advisor import answers as A

    if isinstance(answers, A.Answers):
        return answers
    if isinstance(answers, Mapping):
        return A.resolve(rulebook, answers)
    raise TypeError(f"answers must be a mapping or advisor.answers.Answers, not {type(answers).__name__}")


# ---------------------------------------------------------------------------
# rulebook decisions (adapter over the evaluator's result)


def _get(obj, name, default=None):
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _decisions(rulebook, answers, *, trace: bool = True) -> tuple[dict[str, Any], list[TraceRow]]:
    """Evaluate the rules; return ``(outputs, trace rows)`` as plain values (``trace=False``: no rows)."""
    from advisor.rulebook import evaluate

    result = evaluate(rulebook, answers)
    outputs = dict(_get(result, "outputs", {}) or {})
    rows: list[TraceRow] = []
    if not trace:
        return outputs, rows
    for entry in _get(result, "trace", []) or []:
        rows.extend(_trace_rows(entry))
    return outputs, rows


def _trace_row(table: str, r, *, matched: bool, detail: str) -> TraceRow:
    """One rule of a trace entry -> a row (the rule id and its location read the same in every shape)."""
    return TraceRow(
        table=table,
        rule=str(_get(r, "rule", _get(r, "id", ""))),
        location=str(_get(r, "where", _get(r, "location", ""))),
        matched=matched,
        detail=detail,
    )


def _trace_rows(entry) -> list[TraceRow]:
    """One table's trace entry -> rows (matched rules, and the first failing condition of the rest)."""
    table = str(_get(entry, "table", _get(entry, "table_id", "")))
    out: list[TraceRow] = []
    matched = _get(entry, "matched", None)
    rules = _get(entry, "rules", None)
    if rules is not None:
        for r in rules:
            detail = str(_get(r, "detail", _get(r, "reason", _get(r, "because", ""))) or "")
            out.append(_trace_row(table, r, matched=bool(_get(r, "matched", False)), detail=detail))
        return out
    for r in matched or []:
        detail = str(_get(r, "because", _get(r, "detail", "")) or "")
        outs = _get(r, "outputs", None)
        if isinstance(outs, Mapping) and outs:
            detail += " -> " + ", ".join(f"{k}={_display(v)}" for k, v in outs.items())
        out.append(_trace_row(table, r, matched=True, detail=detail))
    for r in (_get(entry, "missed", None) or _get(entry, "unmatched", None) or []):
        failed = _get(r, "failed", None) or _get(r, "first_failing", None) or _get(r, "detail", "")
        actual = _get(r, "actual", None)
        detail = str(failed or "")
        if actual is not None and detail:
            detail += f" (actual: {_display(actual)})"
        out.append(_trace_row(table, r, matched=False, detail=detail))
    return out


def _as_list(v) -> list:
    if v is None:
        return []
    if isinstance(v, (list, tuple)):
        return list(v)
    return [v]


# ---------------------------------------------------------------------------
# the pipeline


def recommend(
    answers,
    rulebook=None,
    *,
    evaluations=None,
    generated_on: str | None = None,
    title: str | None = None,
    overrides=None,
    gpus: list | None = None,
    engine=None,
    decide=None,
    with_sensitivity: bool = True,
) -> Recommendation:
    """Answers (validated ``Answers`` or a raw mapping) -> :class:`Recommendation`.

    ``evaluations`` (an ``advisor.answers.Evaluations``) replaces the answers
    file's own; ``generated_on`` is the report date (YYYY-MM-DD; default today,
    UTC); ``overrides`` an ``engine.overrides.Overrides`` (prices, utilisation,
    power); ``gpus`` restricts the hardware to these catalog ids or ``engine.catalog.GpuSpec``
    objects (a team's own hardware, not in the catalog); ``engine`` is
    the search adapter (default :class:`advisor.report.engine_search.EngineSearch`);
    ``decide(rulebook, answers) -> (outputs, trace rows)`` replaces the rulebook
    evaluator (tests; default :func:`_decisions`).
    """
    if rulebook is None:
        from advisor.rulebook import load_rulebook

        rulebook = load_rulebook()
    ans = _validated(answers, rulebook)
    if evaluations is not None:  # the caller's measurements replace the file's, for the rules too
        ans = _with_evaluations(ans, evaluations)
    values = dict(ans.values)
    evaluations = ans.evaluations
    if engine is None:
        from advisor.report.engine_search import EngineSearch

        engine = EngineSearch(overrides=overrides)
    gpus = list(gpus) if gpus else _restricted_gpus(values)
    generated_on = generated_on or dt.datetime.now(tz=dt.timezone.utc).date().isoformat()

    decide = decide or _decisions
    outputs, trace = decide(rulebook, ans)
    ctx = _Context(rulebook=rulebook, values=values, outputs=outputs, engine=engine, gpus=gpus, decide=decide)

    start = str(outputs.get("start_size"))
    ladder = [str(s) for s in _as_list(outputs.get("test_ladder"))] or [start]
    mandatory = [o for o in OPTIMIZATIONS if o in _as_list(outputs.get("mandatory_optimizations"))]
    considered = [o for o in OPTIMIZATIONS if o in _as_list(outputs.get("considered_optimizations")) or o in mandatory]
    deployment = str(outputs.get("deployment") or values.get("deployment") or "cloud")
    planned = values.get("planned_size")
    sizes = sorted({start, *ladder} | ({planned} if planned in SIZE_PARAMS_B else set()), key=_size_key)

    verdict = None
    if evaluations is not None and evaluations.results:
        verdict = evals.judge([(r.size, r.correct, r.examples) for r in evaluations.results], evaluations.target_accuracy)
    recommended = verdict.chosen if verdict is not None and verdict.chosen else start
    # one size above the recommendation too: what the next step up would cost
    up = SIZE_ORDER.index(recommended) + 1 if recommended in SIZE_ORDER else len(SIZE_ORDER)
    step_up = {SIZE_ORDER[up]} if up < SIZE_ORDER.index("1t") else set()
    sizes = sorted({*sizes, recommended, *step_up}, key=_size_key)

    best = {size: ctx.best(size) for size in sizes}
    ref = best.get(recommended)
    candidates = [ctx.candidate(size, best[size], ref, is_start=(size == start)) for size in sizes]

    notes = list(ans.notes)
    rec = Recommendation(
        title=title or DEFAULT_TITLE,
        generated_on=generated_on,
        answers=_answer_rows(rulebook, ans),
        volume=ctx.volume(),
        recommendation=Decision(
            summary="",
            start_size=start,
            recommended_size=recommended,
            deployment=deployment,  # type: ignore[arg-type]
            test_ladder=ladder,
            mandatory_optimizations=mandatory,  # type: ignore[arg-type]
            considered_optimizations=considered,  # type: ignore[arg-type]
            volume_tier=_str_or_none(outputs.get("volume_tier")),
            latency=LatencyTargets(
                latency=str(values.get("latency")),
                ttft_target_s=ctx.ttft_target_s,
                tpot_target_ms=ctx.tpot_target_ms,
            ),
            candidates=candidates,
            warnings=_warnings(rulebook, outputs, trace),
            rules_hash=rulebook.hash,
        ),
        test_plan=_test_plan(ladder, outputs, verdict),
        optimizations=Optimizations(),
        trace=trace,
        notes=notes,
    )
    rec.optimizations = ctx.optimizations(recommended, best, considered, mandatory)
    rec.inflection_points = _inflections(outputs, best.get(recommended), recommended)
    rec.crossover = ctx.crossover(recommended, best.get(recommended))
    if verdict is not None:
        rec.evaluations = _evaluations(verdict)
    rec.quality_steps = _quality_steps(sizes, best, deployment, verdict)
    if with_sensitivity:
        rec.sensitivity = ctx.sensitivity(ans, recommended, best.get(recommended), verdict)
    rec.article_comparison = ctx.article_rows(sizes, best, rec)
    rec.assumptions = ctx.assumptions(best)
    rec.notes = notes + ctx.notes
    budget = values.get("budget_usd_per_month")
    if budget is not None:
        rec.recommendation.budget_usd_per_month = float(budget)
        cand = rec.candidate(recommended)
        if cand is not None and cand.monthly_usd is not None:
            rec.recommendation.within_budget = cand.monthly_usd <= float(budget)
    rec.recommendation.allowed_gpus = sorted(g if isinstance(g, str) else g.id for g in gpus) if gpus else None
    rec.size_basis = _str_or_none(outputs.get("size_basis"))
    rec.recommendation.summary = _summary(rec, best.get(recommended), verdict)
    return rec


def recommend_from_answers(answers: Mapping[str, Any], **kwargs) -> Recommendation:
    """What the audit calls for golden cases: a raw answers mapping -> Recommendation.

    Deterministic: the report date is fixed (1970-01-01) unless given, so a case's
    expected report values never depend on the day the audit runs.
    """
    kwargs.setdefault("generated_on", "1970-01-01")
    return recommend(dict(answers), **kwargs)


def _str_or_none(v) -> str | None:
    return None if v is None else str(v)


def _restricted_gpus(values: Mapping[str, Any]) -> list[str] | None:
    """A GPU restriction from the answers, if the rules ask for one (e.g. ``gpus: [a100-80gb]``)."""
    for key in ("allowed_gpus", "gpus", "hardware", "gpu"):
        v = values.get(key)
        if v in (None, "", "any", "undecided"):
            continue
        items = v if isinstance(v, (list, tuple)) else [s.strip() for s in str(v).split(",")]
        items = [str(i) for i in items if str(i).strip()]
        if items:
            return items
    return None


def _answer_rows(rulebook, ans) -> list[AnswerRow]:
    rows = []
    for qid, q in ((q.id, q) for q in rulebook.question_models):
        if qid in ans.hidden:
            continue
        v = ans.values.get(qid)
        origin = "given" if qid in ans.given else "default"
        rows.append(AnswerRow(id=qid, prompt=q.prompt, value=_display(v), origin=origin))  # type: ignore[arg-type]
    return rows


def _display(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{int(v):,}" if v.is_integer() else f"{v:g}"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, (list, tuple)):
        return ", ".join(_display(x) for x in v)
    return str(v)


def _warnings(rulebook, outputs, trace) -> list[WarningItem]:
    items: list[WarningItem] = []
    seen = set()
    raw = outputs.get("warnings")
    for w in _as_list(raw):
        wid = str(_get(w, "id", w))
        if wid in seen:
            continue
        seen.add(wid)
        msg = rulebook.messages.get(wid) if hasattr(rulebook, "messages") else None
        title = str(_get(w, "title", None) or (msg.title if msg else wid))
        text = str(_get(w, "message", None) or (msg.message if msg else ""))
        where = str(_get(w, "rule", None) or _get(w, "where", None) or "")
        if not where:
            where = next((t.location for t in trace if t.matched and wid in t.detail), "")
        items.append(WarningItem(id=wid, title=title, message=_fill(text, outputs), rule=where))
    return items


def _fill(text: str, outputs: Mapping[str, Any]) -> str:
    """Fill ``{id}`` placeholders the evaluator may have left (unknown ones stay as written)."""
    import re

    def sub(m):
        v = outputs.get(m.group(1))
        return m.group(0) if v is None else _display(v)

    return re.sub(r"\{([a-z][a-z0-9_]*)\}", sub, text)


def _test_plan(ladder: list[str], outputs: Mapping[str, Any] | None = None, verdict=None) -> TestPlan:
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


def _evaluations(v: evals.EvalVerdict) -> Evaluations:
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
            )
            for c in v.comparisons
        ],
        chosen_size=v.chosen,
        notes=list(v.notes),
    )


def _quality_steps(sizes, best, deployment, verdict) -> list[QualityStep]:
    prior = {(s["from"], s["to"]): s for s in article_quality()["steps"]}
    measured = {s.size: s for s in verdict.scores} if verdict is not None else {}
    out = []
    for a, b in zip(sizes, sizes[1:]):
        p = prior.get((a, b))
        ca, cb = best.get(a), best.get(b)
        mult = None
        if ca is not None and cb is not None:
            ma, mb = ca.monthly(deployment), cb.monthly(deployment)
            mult = _r(mb / ma, 3) if ma > 0 else None
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
                basis="your evaluation" if gain is not None else "article prior",
            )
        )
    return out


def _inflections(outputs, cfg, size) -> list[InflectionPoint]:
    """The article's three inflection points, judged on the recommended deployment (plus rule labels)."""
    labels = {str(_get(x, "id", x)) for x in _as_list(outputs.get("inflection_labels"))}
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
    by_id = {str(_get(x, "id", x)): x for x in _as_list(outputs.get("inflection_labels"))}
    for p in pts:
        lab = by_id.get(p.id)
        p.detail = (f"On the recommended deployment: {p.detail}." if p.id != "memory_bound_regime" else f"{p.detail[0].upper()}{p.detail[1:]}.")
        if lab is not None and _get(lab, "message", None):
            p.detail += f" The article's size rule flags {size}: {_get(lab, 'message')}"
    known = {p.id for p in pts}
    for lab in sorted(labels - known):
        x = by_id[lab]
        pts.append(
            InflectionPoint(
                id=lab,
                name=str(_get(x, "title", None) or lab.replace("_", " ")),
                crossed=True,
                detail=str(_get(x, "message", None) or "raised by the rules"),
            )
        )
    return pts


def _replicas_text(c: Candidate) -> str:
    per = f"{c.gpus_per_replica} x {c.gpu_name}"
    if c.replicas == 1:
        return f"one replica of {per}"
    return f"{c.replicas} replicas of {per} ({c.total_gpus} GPUs)"


def _summary(rec: Recommendation, cfg, verdict) -> str:
    from advisor.report.markdown import usd, usd_per_m

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
        example = f" (for example {cand.real_models[0]})" if cand.real_models else ""
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


# ---------------------------------------------------------------------------
# per-answer-set context: demand, latency targets, engine calls, sections needing the engine


class _Context:
    def __init__(self, *, rulebook, values, outputs, engine, gpus, decide):
        self.decide = decide
        self.rulebook = rulebook
        self.values = values
        self.outputs = outputs
        self.engine = engine
        self.gpus = gpus
        self.notes: list[str] = []
        self.deployment = str(outputs.get("deployment") or values.get("deployment") or "cloud")
        self.serving_engine = outputs.get("serving_engine") or values.get("serving_engine")  # None: the engine's default
        interactive = values.get("latency") == "interactive"
        t = outputs.get("ttft_target_s", values.get("ttft_target_s"))
        p = outputs.get("tpot_target_ms", values.get("tpot_target_ms"))
        self.ttft_target_s = float(t) if interactive and t is not None else None
        self.tpot_target_ms = float(p) if interactive and p is not None else None
        self.requests_per_day = float(values["requests_per_day"])
        self.input_tokens = float(values["input_tokens"])
        self.output_tokens = float(values["output_tokens"])
        ptoa = values.get("peak_to_average")
        self.peak_to_average = float(ptoa) if ptoa is not None else None
        rejected = bool(values.get("quantization_rejected_by_tests"))
        self.precisions = ("bf16",) if rejected else None  # None = every precision the engine knows
        if rejected:
            self.notes.append("Quantization was rejected by your own tests, so only 16-bit precision is considered.")
        self._cache: dict[tuple, Any] = {}

    # -- engine calls ---------------------------------------------------------
    def search(self, model: str, *, volume=1.0, context=1.0, precisions=None, gpus=None):
        key = (model, volume, context, precisions, tuple(gpus) if gpus else None)
        if key not in self._cache and volume != 1.0 and context == 1.0 and hasattr(self.engine, "rescaled"):
            # only the fleet depends on volume: rescale the base search instead of sweeping again
            base = self.search(model, precisions=precisions, gpus=gpus)
            self._cache[key] = self.engine.rescaled(base, volume)
        if key not in self._cache:
            self._cache[key] = self.engine.search(
                model,
                requests_per_day=self.requests_per_day * volume,
                input_tokens=self.input_tokens * context,
                output_tokens=self.output_tokens,
                peak_to_average=self.peak_to_average,
                ttft_target_s=self.ttft_target_s,
                tpot_target_ms=self.tpot_target_ms,
                gpus=gpus if gpus is not None else self.gpus,
                precisions=precisions if precisions is not None else self.precisions,
                deployment=self.deployment,
                serving_engine=self.serving_engine,
            )
        return self._cache[key]

    def best(self, model: str, *, only_precision: str | None = None, **kw):
        configs = [c for c in self.search(model, **kw) if c.meets_latency]
        if only_precision is not None:
            configs = [c for c in configs if c.precision == only_precision]
        if not configs:
            return None
        return min(configs, key=lambda c: (round(c.monthly(self.deployment), 6), c.total_gpus, c.gpu, c.precision))

    # -- sections -------------------------------------------------------------
    def volume(self) -> Volume:
        rpd, i, o = self.requests_per_day, self.input_tokens, self.output_tokens
        total = rpd * (i + o)
        out = rpd * o
        basis = _str_or_none(self.outputs.get("volume_basis"))
        if basis is not None:
            basis = basis.removesuffix("_tokens")  # 'total_tokens' -> 'total'
        other = None
        other_tier = None
        if basis in ("total", "output"):
            other = "output" if basis == "total" else "total"
            given = self.outputs.get(f"volume_tier_{other}_basis")
            # the rules' own tier on the other basis when they publish it, else the article's bounds
            other_tier = str(given) if given is not None else _article_tier(out if other == "output" else total)
        return Volume(
            requests_per_day=rpd,
            input_tokens_per_request=i,
            output_tokens_per_request=o,
            input_tokens_per_day=rpd * i,
            output_tokens_per_day=out,
            total_tokens_per_day=total,
            tier=_str_or_none(self.outputs.get("volume_tier")),
            basis=basis,
            tier_on_other_basis=other_tier,
            other_basis=other,
        )

    def candidate(self, size: str, cfg, ref, *, is_start: bool) -> Candidate:
        from engine.catalog import load_models

        real = sorted(m.id for m in load_models().values() if not m.generic and m.size_class == size)
        if cfg is None:
            reason = "memory"
            why = "no configuration of the allowed GPUs holds this size"
            if self.ttft_target_s is not None and any(True for _ in self.search(size)):
                reason = "latency"
                why = (
                    f"configurations fit in memory, but none meets the latency targets "
                    f"(TTFT {self.ttft_target_s:g} s, {self.tpot_target_ms:g} ms per token)"
                )
            return Candidate(
                size=size, model=size, real_models=real, fits=False, is_start=is_start, note=why, no_fit_reason=reason
            )
        mode = self.deployment
        monthly = cfg.monthly(mode)
        blocks = {m: self._block(cfg, m) for m in ("cloud", "owned")}
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
            ttft_s=_r(cfg.ttft_s, 4),
            tpot_ms=_r(cfg.tpot_ms, 3),
            meets_latency=cfg.meets_latency,
            monthly_usd=blocks[mode].monthly_usd,
            annual_usd=blocks[mode].annual_usd,
            usd_per_million_output_tokens=blocks[mode].usd_per_million_output_tokens,
            usd_per_million_total_tokens=blocks[mode].usd_per_million_total_tokens,
            band=blocks[mode].band,
            calibration_gaps=cfg.calibration_gaps,
            cloud=blocks["cloud"],
            owned=blocks["owned"],
            cost_multiple_vs_start=_r(monthly / ref_monthly, 3) if ref_monthly else None,
            is_start=is_start,
        )

    def _block(self, cfg, mode: str) -> CostBlock:
        monthly = cfg.monthly(mode)
        return CostBlock(
            mode=mode,  # type: ignore[arg-type]
            monthly_usd=_r(monthly),  # type: ignore[arg-type]
            annual_usd=_r(monthly * 12),  # type: ignore[arg-type]
            usd_per_million_output_tokens=_r(monthly / cfg.output_tokens_per_month * 1e6, 4),  # type: ignore[arg-type]
            usd_per_million_total_tokens=_r(monthly / (cfg.output_tokens_per_month + cfg.input_tokens_per_month) * 1e6, 4),  # type: ignore[arg-type]
            band=Band(low=_r(monthly * cfg.band_low_x), high=_r(monthly * cfg.band_high_x)),  # type: ignore[arg-type]
        )

    def optimizations(self, size, best, considered, mandatory) -> Optimizations:
        mode = self.deployment
        out = Optimizations()
        # quantization: best 16-bit deployment vs best at each lower precision
        base = self.best(size, only_precision="bf16")
        if self.precisions is not None:
            out.not_costed["quantization"] = "your own tests rejected INT8/INT4 quality, so only 16-bit is considered"
        elif base is None:
            out.not_costed["quantization"] = f"no 16-bit deployment of {size} fits the allowed hardware to compare against"
        if base is not None and self.precisions is None:
            from engine.optimizations import quality_prior

            for prec in ("fp8", "int8", "int4"):
                q = self.best(size, only_precision=prec)
                if q is None:
                    continue
                before, after = base.monthly(mode), q.monthly(mode)
                prior = quality_prior(prec) or {"quality_loss_pct": [0, 0]}
                lo, hi = prior["quality_loss_pct"]
                note = []
                if q.gpus_per_replica < base.gpus_per_replica:
                    note.append(f"{base.gpus_per_replica} -> {q.gpus_per_replica} GPUs per replica")
                if q.gpu != base.gpu:
                    note.append(f"best GPU {base.gpu} -> {q.gpu}")
                if prec in ("int8", "int4"):
                    note.append("weight-only: prefill FLOPs unchanged")
                out.quantization.append(
                    QuantizationSaving(
                        size=size,
                        gpu=q.gpu,
                        from_precision="bf16",
                        to_precision=prec,
                        monthly_usd_before=_r(before),  # type: ignore[arg-type]
                        monthly_usd_after=_r(after),  # type: ignore[arg-type]
                        monthly_saving_usd=_r(before - after),  # type: ignore[arg-type]
                        quality_loss_prior_pct=Band(low=lo, high=hi),
                        note="; ".join(note),
                    )
                )
        # distillation
        teacher = self._teacher(size)
        if "distillation" not in considered:
            viable = self.outputs.get("distillation_viable")
            out.not_costed["distillation"] = (
                "the task is broad, general-purpose: a distilled student would lose the teacher's breadth (see the rule trace)"
                if viable is False or self.values.get("task_scope") == "broad"
                else "the rules do not consider it at this volume tier (see the rule trace)"
            )
        elif teacher is None:
            out.not_costed["distillation"] = f"{size} is the smallest size class: there is nothing smaller to distil into"
        else:
            out.distillation = self._distillation(teacher, best)
            if out.distillation is None:
                out.not_costed["distillation"] = "teacher or student does not fit the allowed hardware"
        # MoE
        if "moe" in considered or _size_key(size) >= _size_key("30b"):
            out.moe = self._moe(size, best)
            if out.moe is None:
                out.not_costed["moe"] = "the Mixtral-class model could not be costed on the allowed hardware"
        else:
            out.not_costed["moe"] = (
                f"a Mixtral-class model (about 47B resident) is an alternative to 30B-70B dense models; "
                f"not costed for a {size} recommendation below the massive volume tier"
            )
        return out

    def _teacher(self, size: str) -> str | None:
        planned = self.values.get("planned_size")
        if planned in SIZE_PARAMS_B and _size_key(planned) > _size_key(size):
            return planned
        return size if size != SIZE_ORDER[0] else None

    def _distillation(self, teacher: str, best) -> Distillation | None:
        from engine.optimizations import payback

        student = _student_for(teacher)
        if student is None:
            return None
        mode = self.deployment
        t_cfg = best.get(teacher) or self.best(teacher)
        s_cfg = best.get(student) or self.best(student)
        if t_cfg is None or s_cfg is None:
            self.notes.append(f"Distillation {teacher} -> {student} not costed: one of them does not fit the allowed hardware.")
            return None
        upfront, basis = self.engine.distillation_upfront_usd(student)
        before, after = t_cfg.monthly(mode), s_cfg.monthly(mode)
        pb = payback(upfront, before, after)
        months = pb.payback_months if math.isfinite(pb.payback_months) else None
        note = (
            f"A {student} student trained on the {teacher} teacher's outputs for your domain; the article's students keep "
            "90-95% of the teacher's quality on domain tasks (a prior: test it on your examples)."
        )
        months_planned = self.values.get("deployment_months")
        if months is not None and months_planned:
            note += (
                f" Over {int(months_planned)} months of service it "
                + ("pays back." if months <= float(months_planned) else "does not pay back.")
            )
        return Distillation(
            teacher_size=teacher,
            student_size=student,
            upfront_usd=_r(upfront),  # type: ignore[arg-type]
            upfront_basis=basis,
            monthly_usd_before=_r(before),  # type: ignore[arg-type]
            monthly_usd_after=_r(after),  # type: ignore[arg-type]
            monthly_saving_usd=_r(before - after),  # type: ignore[arg-type]
            payback_months=_r(months, 2),
            note=note,
        )

    def _moe(self, size: str, best) -> MoeAlternative | None:
        compare = "70b"
        try:
            cfg = self.best(MOE_MODEL)
        except Exception as err:  # an engine or catalog gap must not sink the report
            self.notes.append(f"MoE alternative not costed: {err}")
            return None
        dense = best.get(compare) or self.best(compare)
        mode = self.deployment
        info = self.engine.model_info(MOE_MODEL)
        prec = cfg.precision if cfg else "bf16"
        floor_gb = self.engine.weights_gb(MOE_MODEL, prec)
        note = (
            f"All {info['total_params_b']:.1f}B parameters stay resident (the memory floor), but each token uses only "
            f"{info['active_params_b']:.1f}B, so compute per token is close to a dense 13B. The article says it matches "
            "or beats dense 70B on many benchmarks: a prior, not a prediction for your task; test it like any rung."
        )
        return MoeAlternative(
            model=info["id"],
            total_params_b=round(info["total_params_b"], 2),
            active_params_b=round(info["active_params_b"], 2),
            memory_floor_gb=round(floor_gb, 2),
            precision=prec,
            gpu=cfg.gpu if cfg else None,
            gpus_per_replica=cfg.gpus_per_replica if cfg else None,
            replicas=cfg.replicas if cfg else None,
            monthly_usd=_r(cfg.monthly(mode)) if cfg else None,
            compared_to_size=compare,
            compared_monthly_usd=_r(dense.monthly(mode)) if dense else None,
            note=note,
        )

    def crossover(self, size: str, cfg) -> Crossover | None:
        if cfg is None:
            return None
        from engine.optimizations import crossover_days

        training_usd, basis = self.engine.distillation_upfront_usd(size)
        daily = cfg.monthly(self.deployment) * 12 / 365.0
        days = crossover_days(training_usd, daily)
        return Crossover(
            training_usd=_r(training_usd),  # type: ignore[arg-type]
            training_basis=f"fine-tune of a {size} ({basis})",
            inference_usd_per_day=_r(daily),  # type: ignore[arg-type]
            crossover_days=_r(days, 1),
            inference_to_training_x_per_year=_r(daily * 365.0 / training_usd, 2) if training_usd > 0 else None,
            note="The article claims inference passes training within 1-6 days at its example volume; this is the "
            "figure for your volume (seed-consistency C08).",
        )

    def sensitivity(self, ans, size: str, cfg, verdict) -> list[SensitivityRow]:
        rows = []
        for label, vol, ctxf in SENSITIVITY:
            values = dict(ans.values)
            values["requests_per_day"] = self.requests_per_day * vol
            values["input_tokens"] = int(round(self.input_tokens * ctxf))
            new_size = size
            what = []
            try:
                if self.decide is _decisions:
                    outputs, _ = _decisions(self.rulebook, _with_values(ans, values), trace=False)
                else:
                    outputs, _ = self.decide(self.rulebook, _with_values(ans, values))
                if not (verdict is not None and verdict.chosen):
                    new_size = str(outputs.get("start_size", size))
                mand_new = sorted(set(_as_list(outputs.get("mandatory_optimizations"))))
                mand_old = sorted(set(_as_list(self.outputs.get("mandatory_optimizations"))))
                if mand_new != mand_old:
                    what.append(f"mandates {', '.join(mand_old) or 'none'} -> {', '.join(mand_new) or 'none'}")
                if outputs.get("volume_tier") != self.outputs.get("volume_tier"):
                    what.append(f"tier {self.outputs.get('volume_tier')} -> {outputs.get('volume_tier')}")
            except Exception as err:  # out of the rules' bounds (e.g. 10x over the maximum)
                what.append(f"rules not re-evaluated: {err}")
            try:
                new = self.best(new_size, volume=vol, context=ctxf)
            except SizewiseError as err:  # e.g. 10x an already absurd volume: say so, keep the report
                new = None
                what.append(f"the engine refused this scenario: {err}")
            if new_size != size:
                what.insert(0, f"size {size} -> {new_size}")
            if cfg is not None and new is not None:
                if new.gpu != cfg.gpu:
                    what.append(f"GPU {cfg.gpu} -> {new.gpu}")
                if new.precision != cfg.precision:
                    what.append(f"precision {cfg.precision} -> {new.precision}")
                if new.gpus_per_replica != cfg.gpus_per_replica:
                    what.append(f"GPUs per replica {cfg.gpus_per_replica} -> {new.gpus_per_replica}")
            elif new is None:
                what.append("no deployment fits")
            elif cfg is None:
                what.append("a deployment now fits")
            changes = bool(what)
            if cfg is None and new is None:
                what = [w for w in what if w != "no deployment fits"] or ["still no deployment fits"]
                changes = what != ["still no deployment fits"]
            if new is not None and cfg is not None and new.replicas != cfg.replicas:
                what.append(f"replicas {cfg.replicas} -> {new.replicas}")
            rows.append(
                SensitivityRow(
                    scenario=label,
                    volume_factor=vol,
                    context_factor=ctxf,
                    size=new_size,
                    gpu=new.gpu if new else None,
                    gpus_per_replica=new.gpus_per_replica if new else None,
                    replicas=new.replicas if new else None,
                    precision=new.precision if new else None,
                    monthly_usd=_r(new.monthly(self.deployment)) if new else None,
                    changes=changes,
                    what_changes="; ".join(what) if what else "only the bill scales",
                )
            )
        return rows

    def article_rows(self, sizes, best, rec: Recommendation) -> list[ArticleFigure]:
        from engine.article import load_article

        art = load_article()
        rows: list[ArticleFigure] = []
        mode = self.deployment
        workload = art["cost_table"]["workload"]
        same_workload = (
            abs(self.output_tokens * self.requests_per_day - workload["output_tokens_per_day"]) < 1
            and self.input_tokens == workload["input_tokens_per_request"]
            and self.output_tokens == workload["output_tokens_per_request"]
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
                        ratio=_r(computed / ((lo + hi) / 2.0), 3),
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
                            ratio=_r(cfg.memory_gb / ((prac[0] + prac[1]) / 2.0), 3),
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
                        ratio=_r(m / ((lo + hi) / 2.0), 3),
                        reason="computed from the cheapest deployment of each size for your workload; the article's ladder is generic",
                        check=str(art["cost_ladder"].get("check", "C06")),
                    )
                )
        v = rec.volume
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
        if rec.optimizations.distillation is not None or "distillation" in rec.recommendation.considered_optimizations:
            rows.extend(self._case_study_rows())
        if rec.optimizations.moe is not None:
            m = art["moe_mixtral"]
            mo = rec.optimizations.moe
            rows.append(
                ArticleFigure(
                    topic="Mixtral 8x7B size",
                    article=f"{m['total_params_b']}B total, {m['active_params_b']}B active, {m['memory_fp16_gb']} GB at FP16",
                    computed=f"{mo.total_params_b:.1f}B total, {mo.active_params_b:.1f}B active, "
                    f"{self.engine.weights_gb(MOE_MODEL, 'bf16'):.1f} GB at BF16",
                    ratio=_r(mo.total_params_b / m["total_params_b"], 3),
                    reason="experts share attention and embeddings, so 8 x 7B overcounts",
                    check=str(m.get("check", "C09")),
                )
            )
        return rows

    def _case_study_rows(self) -> list[ArticleFigure]:
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
        fit = self.engine.fits_single("13b", "rtx-4090", "bf16")
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
        if abs(self.requests_per_day - queries_per_day) > 0.05 * queries_per_day:
            # the before/after fleet check only means something at the case study's own volume
            return rows
        # before: the article's 70B at FP16 on A100-80GB; after: the 13B student at whatever precision fits a 4090
        for label, model, hw, precs in (
            ("before", cs["before"]["model"], cs["before"]["hardware"], ("bf16",)),
            ("after", cs["after"]["model"], cs["after"]["hardware"], None),
        ):
            gpu = "a100-80gb" if "A100" in hw else "rtx-4090"
            cfg = self._case_best(model, gpu, queries_per_day, precs)
            if cfg is None:
                computed = f"{model} does not fit {hw} at any precision for this workload"
            else:
                computed = (
                    f"{cfg.total_gpus}x {cfg.gpu_name} ({cfg.precision}) for {queries_per_day / 1e6:.2f}M queries/day "
                    f"at {self.input_tokens:,.0f} in / {self.output_tokens:,.0f} out tokens: ${cfg.monthly('cloud'):,.0f}/month in the cloud"
                )
            rows.append(
                ArticleFigure(
                    topic=f"case study {label}: {model} at 50M queries/month",
                    article=f"{hw}, ${cs[label]['cloud_month_usd']:,}/month",
                    computed=computed,
                    ratio=_r(cfg.monthly("cloud") / cs[label]["cloud_month_usd"], 3) if cfg else None,
                    reason="the article's hardware cannot carry its stated volume; the engine sizes the fleet for it",
                    check="C13",
                )
            )
        return rows

    def _case_best(self, model, gpu, queries_per_day, precisions=None):
        configs = self.engine.search(
            model,
            requests_per_day=queries_per_day,
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            peak_to_average=self.peak_to_average,
            ttft_target_s=self.ttft_target_s,
            tpot_target_ms=self.tpot_target_ms,
            gpus=[gpu],
            precisions=precisions,
            deployment="cloud",
            serving_engine=self.serving_engine,
        )
        ok = [c for c in configs if c.meets_latency]
        return min(ok, key=lambda c: (round(c.monthly("cloud"), 6), c.precision)) if ok else None

    def assumptions(self, best) -> list[Assumption]:
        rows = list(self.engine.assumption_rows(peak_to_average=self.peak_to_average, serving_engine=self.serving_engine))
        used = sorted({c.gpu for c in best.values() if c is not None})
        rows.extend(self.engine.gpu_price_rows(used))
        return rows


def _with_evaluations(ans, evaluations):
    import dataclasses

    from advisor.answers import Evaluations as AnswerEvaluations

    if not isinstance(evaluations, AnswerEvaluations):
        evaluations = AnswerEvaluations.model_validate(evaluations)
    return dataclasses.replace(ans, evaluations=evaluations)


def _with_values(ans, values):
    import dataclasses

    return dataclasses.replace(ans, values=values)


def _student_for(teacher: str) -> str | None:
    """The student size: the largest class at most a quarter of the teacher (70b -> 13b, 30b -> 7b), else one below."""
    tp = SIZE_PARAMS_B[teacher]
    smaller = [s for s in SIZE_ORDER if SIZE_PARAMS_B[s] < tp]
    if not smaller:
        return None
    quarter = [s for s in smaller if SIZE_PARAMS_B[s] <= tp / 4.0]
    return quarter[-1] if quarter else smaller[-1]


def _article_tier(tokens_per_day: float) -> str:
    tier = ARTICLE_TIERS[0][1]
    for lower, name in ARTICLE_TIERS:
        if tokens_per_day >= lower:
            tier = name
    return tier
