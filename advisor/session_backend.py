"""The wizard's production :class:`~advisor.session.Backend`: the shipped rulebook and pipeline.

Why its own module: this is where the headless session meets the rest of
sizewise (the rulebook, ``advisor.answers``, ``advisor.pipeline``, the
report), so it changes when those do, while :mod:`advisor.session` changes
only with the wizard's navigation rules. Everything heavy is imported where
it is used, so importing this module stays cheap; it never imports Textual.
"""

from __future__ import annotations

from typing import Any

from advisor.report.format import plural
from advisor.result_view import PLANNED_ROW, ResultView, result_view
from advisor import session_evals
from advisor.session import MISSING, Choice, Preview, Question

_STEP_BY_NUMBER = {1: "task", 2: "quality", 3: "volume", 4: "test_plan"}


class RulebookBackend:
    """The wizard's :class:`Backend` over the real rulebook and recommendation pipeline.

    Visibility, defaults and validation are :mod:`advisor.answers`'s
    ``is_visible``, ``default_for`` and ``validate_answer`` (the functions its
    ``validate`` uses for answers files and ``--set``), evaluated in the
    rulebook's dependency order, so the wizard cannot accept what
    ``sizewise recommend`` would refuse. The result and the report come from
    ``advisor.pipeline`` and ``advisor.report``.
    """

    def __init__(self, rules_dir: Any = None, *, generated_on: str | None = None) -> None:
        from advisor.rulebook import load_rulebook

        #: report date (YYYY-MM-DD); None = today (tests inject one)
        self.generated_on = generated_on
        self.rulebook = load_rulebook(rules_dir)
        self.rules_hash: str = self.rulebook.hash
        self.questions = _with_evals(tuple(_question_view(cq.model) for cq in self.rulebook.questions.values()))
        self.order = tuple(q.id if isinstance(q, Question) else q
                           for q in _with_evals(tuple(self.rulebook.question_order)))
        self._models = {cq.model.id: cq.model for cq in self.rulebook.questions.values()}
        self._recs: dict[tuple, Any] = {}
        self._engine: Any = None  # the engine search adapter, kept for its caches

    # -- questions ------------------------------------------------------------
    def visible(self, qid: str, answers: dict[str, Any]) -> bool:
        from advisor.answers import is_visible

        if qid in session_evals.IDS:
            return session_evals.visible(answers)
        return is_visible(self.rulebook, qid, answers)

    def default(self, qid: str, answers: dict[str, Any]) -> Any:
        from advisor.answers import default_for

        if qid in session_evals.IDS:
            return session_evals.default(qid)
        if self._models[qid].required:
            return MISSING
        return default_for(self.rulebook, qid, answers)

    def check(self, qid: str, raw: Any, answers: dict[str, Any]) -> tuple[Any, str | None]:
        from advisor.answers import Invalid, validate_answer

        if qid in session_evals.IDS:
            return session_evals.check(qid, raw)
        value = validate_answer(self._models[qid], raw, answers=answers, rulebook=self.rulebook)
        if isinstance(value, Invalid):
            return None, value.message
        return value, None

    # -- outputs --------------------------------------------------------------
    def recommendation(self, answers: dict[str, Any], *, sensitivity: bool = True) -> Any:
        """The :class:`advisor.recommendation.Recommendation` for complete answers (cached)."""
        answers = session_evals.to_pipeline(answers)  # the evaluation questions -> an evaluations block
        key = (sensitivity, tuple(sorted((k, repr(v)) for k, v in answers.items())))
        if key not in self._recs:
            from advisor.pipeline import recommend

            raw = {k: v for k, v in answers.items() if v is not None}
            rec = recommend(raw, self.rulebook, generated_on=self.generated_on, with_sensitivity=sensitivity)
            if len(self._recs) > 64:
                self._recs.clear()
            self._recs[key] = rec
        return self._recs[key]

    def preview(self, given: dict[str, Any]) -> Preview | None:
        """The starting size's cheapest deployment: the side panel's figure.

        Fast path: :func:`advisor.pipeline.preview.starting_size` runs the same
        validation, rule decisions and one-size search as
        ``advisor.pipeline.recommend`` (the same "cheapest that meets latency"
        choice) without the other candidates, optimizations and sensitivity runs
        the panel does not show; ``tests/tui/test_real_rules.py`` checks it
        against the full pipeline. With evaluation results the full pipeline
        answers, since measured scores may move the size.
        """
        from engine.errors import SizewiseError

        try:
            return self._fast_preview(session_evals.to_pipeline(given))
        except SizewiseError:  # missing answers so far, or nothing fits
            return None

    def _fast_preview(self, given: dict[str, Any]) -> Preview | None:
        from advisor.pipeline.preview import starting_size

        if self._engine is None:
            from advisor.pipeline.engine_search import EngineSearch

            self._engine = EngineSearch()
        start = starting_size(self.rulebook, given, self._engine)
        if start is None:
            return self._full_preview(given)
        cfg = start.best
        if cfg is None:
            return None
        return Preview(size=start.size.upper(), gpu=cfg.gpu_name or cfg.gpu, gpus=cfg.total_gpus,
                       monthly_usd=round(cfg.monthly(start.deployment), 2),
                       note=f"{cfg.precision}, {plural(cfg.replicas, 'replica')}")

    def _full_preview(self, given: dict[str, Any]) -> Preview | None:
        rec = self.recommendation(given, sensitivity=False)
        d = rec.recommendation
        best = next((c for c in d.candidates if c.size == d.recommended_size), None)
        if best is None or not best.fits or best.monthly_usd is None:
            return None
        return Preview(
            size=best.size.upper(),
            gpu=best.gpu_name or best.gpu or "-",
            gpus=best.total_gpus or best.gpus_per_replica or 0,
            monthly_usd=best.monthly_usd,
            note=f"{best.precision}, {plural(best.replicas, 'replica')}" if best.replicas else "",
        )

    def result(self, answers: dict[str, Any]) -> ResultView:
        return result_view(self.recommendation(answers))

    def breakdown(self, answers: dict[str, Any], size: str) -> Any:
        """One candidate's memory / throughput / cost breakdown (:mod:`advisor.breakdown`), or None.

        ``size`` is the Result screen's row label: a size ('13B', '13B *' for the recommended
        one) or the planned model's row ('planned: <id>')."""
        from advisor.answers import validate
        from advisor.breakdown import candidate_breakdown

        rec = self.recommendation(answers)
        label = size.strip().removesuffix("*").strip()
        if label.startswith(PLANNED_ROW):
            cand = rec.planned_model
        else:
            cand = next((c for c in rec.recommendation.candidates if c.size.lower() == label.lower()), None)
        if cand is None:
            return None
        raw = {k: v for k, v in session_evals.to_pipeline(answers).items() if v is not None and k != "evaluations"}
        return candidate_breakdown(cand, validate(self.rulebook, raw)[0].values)

    def render(self, answers: dict[str, Any], fmt: str) -> str:
        from advisor.report import render

        return render(self.recommendation(answers), fmt)

    def audit(self) -> str:
        """Markdown summary of ``sizewise audit`` on this rulebook (the palette's entry)."""
        from advisor.rulebook.audit import audit

        report = audit(self.rulebook)
        passed = sum(c.status == "pass" for c in report.cases)
        lines = [
            f"# Audit of {report.rules_dir}",
            "",
            f"Rules hash `{report.rules_hash}`: {len(report.files)} files, {report.tables} tables, {report.rules} rules.",
            f"Golden cases: {passed} of {len(report.cases)} pass; rule coverage {report.coverage_pct:.1f}%.",
            f"Findings: {report.errors} error(s), {report.warnings} warning(s).",
            "",
        ]
        lines += [f"- {f}" for f in report.findings[:40]] or ["No findings."]
        if len(report.findings) > 40:
            lines.append(f"- ... and {len(report.findings) - 40} more: run `sizewise audit`.")
        return "\n".join(lines)


def _with_evals(items: tuple) -> tuple:
    """``items`` (questions or ids) with the evaluation questions right after ``quality_evidence``."""
    out: list = []
    for item in items:
        out.append(item)
        if (item.id if isinstance(item, Question) else item) == session_evals.AFTER:
            out.extend(q if isinstance(item, Question) else q.id for q in session_evals.QUESTIONS)
    return tuple(out)


def _question_view(model: Any) -> Question:
    """The rulebook's pydantic question -> the view's plain :class:`Question`."""
    bounds = model.bounds
    return Question(
        id=model.id,
        step=_STEP_BY_NUMBER[model.step],
        prompt=model.prompt,
        kind=model.type,
        help=model.help,
        choices=tuple(Choice(c.value, c.label, c.help, tuple(c.examples)) for c in (model.choices or [])),
        unit=model.unit,
        minimum=bounds.min if bounds else None,
        maximum=bounds.max if bounds else None,
    )

