"""The wizard's state, without a terminal: steps, visible questions, answers, cursor.

Why headless: the Textual app (:mod:`advisor.tui`) is a thin view over this
object, so every navigation rule (next, back, go to a completed step, edit an
earlier answer) is tested without a terminal, including a property test over
random sequences of moves. This module never imports Textual.

Where the questions, their ``when`` conditions, defaults and validation come
from is hidden behind :class:`Backend`: the production backend
(:class:`RulebookBackend` below) wraps the rulebook, ``advisor.answers`` (the one
validation shared with ``--answers`` and ``--set``) and the recommendation
pipeline; tests use a tiny in-memory one.

State model (what the invariants in ``tests/test_session_properties.py`` check):

* ``overrides``: the raw values the user typed or picked, by question id. Only
  visible questions keep one: an answer whose question became hidden is dropped.
* ``answers``: for every visible question, the validated value of its override,
  or else its default computed from the answers before it. A default the user
  did not override is therefore recomputed whenever an earlier answer changes.
* ``problems``: question id -> reason, for every visible question whose value
  (override or default) fails validation. A flagged answer is never used: the
  step holding it is incomplete until it is fixed.
* ``cursor``: index into :data:`STEPS`; always on a visible step (a question
  step with at least one visible question, Review, or Result).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

class _Missing:
    """Marker: the question has no default, so the user must answer it."""

    def __repr__(self) -> str:
        return "MISSING"


#: returned by ``Backend.default`` for a required question (``None`` is a real
#: default meaning "no value", allowed for optional numbers and text)
MISSING: Any = _Missing()

#: the wizard's steps, in order: (id, title shown in the step indicator)
STEPS: tuple[tuple[str, str], ...] = (
    ("task", "1 Task"),
    ("quality", "2 Quality"),
    ("volume", "3 Volume"),
    ("test_plan", "4 Test plan"),
    ("review", "Review"),
    ("result", "Result"),
)
STEP_IDS: tuple[str, ...] = tuple(s for s, _ in STEPS)
QUESTION_STEPS: tuple[str, ...] = STEP_IDS[:4]
REVIEW = STEP_IDS.index("review")
RESULT = STEP_IDS.index("result")


@dataclass(frozen=True)
class Choice:
    """One option of a choice question, with the article's examples as help."""

    value: str
    label: str
    help: str = ""
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    """What the view needs to render one question (built from the rulebook)."""

    id: str
    step: str  # one of QUESTION_STEPS
    prompt: str
    kind: str  # 'choice' | 'number' | 'integer' | 'boolean' | 'text'
    help: str = ""
    choices: tuple[Choice, ...] = ()
    unit: str | None = None
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class Preview:
    """The live side panel: the current best candidate and its monthly cost."""

    size: str
    gpu: str
    gpus: int
    monthly_usd: float
    note: str = ""


@dataclass(frozen=True)
class ResultView:
    """Everything the Result screen shows, as plain data (no Textual types).

    ``chart`` is (size label, monthly cost in USD) in ladder order;
    ``recommended`` is the label marked on the chart.
    """

    summary: str
    candidate_headers: tuple[str, ...]
    candidate_rows: tuple[tuple[str, ...], ...]
    chart: tuple[tuple[str, float], ...]
    recommended: str
    optimizations: tuple[str, ...]
    test_plan: tuple[str, ...]
    warnings: tuple[str, ...]
    trace: tuple[str, ...]
    rules_hash: str


class Backend(Protocol):
    """Where the questions, validation and the recommendation come from."""

    rules_hash: str
    questions: tuple[Question, ...]

    def visible(self, qid: str, answers: dict[str, Any]) -> bool:
        """Whether question ``qid`` is asked, given the answers before it."""

    def default(self, qid: str, answers: dict[str, Any]) -> Any:
        """The default of ``qid`` given the answers before it (MISSING = required)."""

    def check(self, qid: str, raw: Any, answers: dict[str, Any]) -> tuple[Any, str | None]:
        """Validate one raw value in context: (parsed value, None) or (None, reason)."""

    # The three outputs get the user's own answers (validated), never the
    # defaults: the backend applies those itself (see WizardSession.given_answers).
    def preview(self, given: dict[str, Any]) -> Preview | None:
        """Best candidate for the answers so far (None when not enough is known)."""

    def result(self, given: dict[str, Any]) -> ResultView:
        """The full recommendation, for the Result screen."""

    def render(self, given: dict[str, Any], fmt: str) -> str:
        """The report as text, ``fmt`` in {'markdown', 'json'}."""


@dataclass
class WizardSession:
    """The wizard's state machine. See the module docstring for the invariants."""

    backend: Backend
    overrides: dict[str, Any] = field(default_factory=dict)
    cursor: int = 0
    reached: int = 0
    #: called with the session after every completed step (the draft is saved there)
    on_step_completed: Callable[["WizardSession"], None] | None = None

    answers: dict[str, Any] = field(default_factory=dict, init=False)
    problems: dict[str, str] = field(default_factory=dict, init=False)
    visible_ids: tuple[str, ...] = field(default=(), init=False)
    _preview_cache: dict[tuple, Preview | None] = field(default_factory=dict, init=False, repr=False)
    last_preview_ms: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        self._by_id = {q.id: q for q in self.backend.questions}
        # evaluation order (dependencies first) may differ from the display order
        order = getattr(self.backend, "order", None) or [q.id for q in self.backend.questions]
        self._order = [self._by_id[qid] for qid in order]
        self.overrides = {k: v for k, v in self.overrides.items() if k in self._by_id}
        self.recompute()
        self.cursor = min(max(self.cursor, 0), RESULT)
        self.reached = max(self.reached, self.cursor)
        self._settle_cursor()

    # ------------------------------------------------------------------ derived state
    def recompute(self) -> None:
        """Re-derive visibility, defaults and problems, in question order.

        Each question sees only the answers before it (that is what ``when``
        and dependent defaults may refer to). Overrides of hidden questions are
        dropped, never kept silently.
        """
        answers: dict[str, Any] = {}
        problems: dict[str, str] = {}
        visible: list[str] = []
        for q in self._order:
            if not self.backend.visible(q.id, dict(answers)):
                self.overrides.pop(q.id, None)
                continue
            visible.append(q.id)
            if q.id in self.overrides:
                raw = self.overrides[q.id]
            else:
                raw = self.backend.default(q.id, dict(answers))
                if raw is MISSING:
                    continue  # missing: the user must answer it
                if raw is None:
                    answers[q.id] = None  # optional, no value: valid as it is
                    continue
            value, problem = self.backend.check(q.id, raw, dict(answers))
            if problem is not None:
                problems[q.id] = problem
            else:
                answers[q.id] = value
        shown = set(visible)
        self.answers, self.problems = answers, problems
        self.visible_ids = tuple(q.id for q in self.backend.questions if q.id in shown)

    def question(self, qid: str) -> Question:
        return self._by_id[qid]

    def questions_of(self, step: str) -> list[Question]:
        """The visible questions of one step, in display (rulebook) order."""
        visible = set(self.visible_ids)
        return [q for q in self.backend.questions if q.id in visible and q.step == step]

    def is_overridden(self, qid: str) -> bool:
        return qid in self.overrides

    def raw(self, qid: str) -> Any:
        """What the input shows: the user's raw value, else the current default."""
        if qid in self.overrides:
            return self.overrides[qid]
        return self.answers.get(qid)

    def missing(self, step: str | None = None) -> list[str]:
        """Visible questions without a value and without a problem."""
        return [
            q for q in self.visible_ids
            if q not in self.answers and q not in self.problems
            and (step is None or self._by_id[q].step == step)
        ]

    def step_complete(self, index: int) -> bool:
        """A question step is complete when all its visible questions hold valid answers."""
        if index >= REVIEW:
            return all(self.step_complete(i) for i in range(REVIEW))
        step = STEP_IDS[index]
        return all(q in self.answers for q in self.visible_ids if self._by_id[q].step == step)

    @property
    def complete(self) -> bool:
        return self.step_complete(REVIEW)

    def step_visible(self, index: int) -> bool:
        if index >= REVIEW:
            return True
        return bool(self.questions_of(STEP_IDS[index]))

    def visible_steps(self) -> list[int]:
        return [i for i in range(len(STEPS)) if self.step_visible(i)]

    def can_goto(self, index: int) -> bool:
        """Any step already reached whose earlier steps are all complete."""
        if not 0 <= index < len(STEPS) or not self.step_visible(index):
            return False
        if index > self.reached:
            return False
        return all(self.step_complete(i) for i in range(min(index, REVIEW)))

    def step_state(self, index: int) -> str:
        """'current', 'done', 'invalid' (reached but now incomplete) or 'todo'."""
        if index == self.cursor:
            return "current"
        if index <= self.reached and index < RESULT:
            return "done" if self.step_complete(index) or index == REVIEW else "invalid"
        if index == RESULT and self.reached >= RESULT and self.complete:
            return "done"
        return "todo"

    @property
    def step_id(self) -> str:
        return STEP_IDS[self.cursor]

    # ------------------------------------------------------------------ moves
    def set_answer(self, qid: str, raw: Any) -> str | None:
        """Record what the user typed or picked; returns the problem, if any.

        The raw value is kept even when invalid (flagged), so nothing typed is
        lost; ``None`` or an empty string clears the override, so the question
        goes back to its (recomputed) default.
        """
        if qid not in self._by_id or qid not in self.visible_ids:
            raise KeyError(f"question '{qid}' is not asked now")
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            self.overrides.pop(qid, None)
        else:
            self.overrides[qid] = raw
        self.recompute()
        self._settle_cursor()
        return self.problems.get(qid)

    def clear_answer(self, qid: str) -> None:
        self.set_answer(qid, None)

    def next(self) -> bool:
        """Advance when the current step is complete; saves the draft. False if blocked."""
        if self.cursor == RESULT:
            return False
        if not self.step_complete(self.cursor):
            return False
        target = self.cursor + 1
        while target < RESULT and not self.step_visible(target):
            target += 1
        self.cursor = target
        self.reached = max(self.reached, target)
        if self.on_step_completed is not None:
            self.on_step_completed(self)
        return True

    def back(self) -> bool:
        """Go to the previous visible step. False at the first step."""
        target = self.cursor - 1
        while target >= 0 and not self.step_visible(target):
            target -= 1
        if target < 0:
            return False
        self.cursor = target
        return True

    def goto(self, index: int | str) -> bool:
        """Jump to a step already reached (the step indicator, Review's edit links)."""
        if isinstance(index, str):
            index = STEP_IDS.index(index)
        if not self.can_goto(index):
            return False
        self.cursor = index
        return True

    def goto_question(self, qid: str) -> bool:
        return self.goto(self._by_id[qid].step)

    def blocking(self) -> list[str]:
        """Why Next is refused on the current step: one line per problem or gap."""
        if self.cursor >= REVIEW:
            steps = QUESTION_STEPS
        else:
            steps = (STEP_IDS[self.cursor],)
        out = []
        for qid in self.visible_ids:
            q = self._by_id[qid]
            if q.step not in steps:
                continue
            if qid in self.problems:
                out.append(f"{q.prompt}: {self.problems[qid]}")
            elif qid not in self.answers:
                out.append(f"{q.prompt}: an answer is needed")
        return out

    def _settle_cursor(self) -> None:
        """Keep the cursor on a visible step; Result only while everything is valid."""
        if self.cursor == RESULT and not self.complete:
            self.cursor = REVIEW
        while self.cursor > 0 and not self.step_visible(self.cursor):
            self.cursor -= 1
        if not self.step_visible(self.cursor):  # first step empty: move forward
            self.cursor = next(i for i in range(len(STEPS)) if self.step_visible(i))
        self.reached = max(self.reached, self.cursor)

    # ------------------------------------------------------------------ outputs
    def preview(self) -> Preview | None:
        """The live side panel's figure; cached by the answers it depends on.

        Recomputed only when the valid answers change; the time of the last
        real computation is kept in ``last_preview_ms`` (measured by
        ``benchmarks/startup.py`` and shown nowhere else).
        """
        if self.problems or self.missing():
            return None  # the pipeline needs every required answer; skip the call
        given = self.given_answers()
        key = tuple(sorted((k, repr(v)) for k, v in given.items()))
        if key in self._preview_cache:
            return self._preview_cache[key]
        start = time.perf_counter()
        try:
            value = self.backend.preview(given)
        except Exception:  # noqa: BLE001 - a preview must never break typing
            value = None
        self.last_preview_ms = (time.perf_counter() - start) * 1000
        if len(self._preview_cache) > 256:
            self._preview_cache.clear()
        self._preview_cache[key] = value
        return value

    def given_answers(self) -> dict[str, Any]:
        """The user's own answers, validated (typed): what an answers file would hold.

        The pipeline gets these, not the defaults: it applies the defaults
        itself (the same ones), and the report can then tell "given" from
        "default" exactly as for ``sizewise recommend --answers``.
        """
        return {k: self.answers[k] for k in self.overrides if k in self.answers}

    def result(self) -> ResultView:
        if not self.complete:
            raise ValueError("the answers are not complete")
        return self.backend.result(self.given_answers())

    def render(self, fmt: str) -> str:
        if not self.complete:
            raise ValueError("the answers are not complete")
        return self.backend.render(self.given_answers(), fmt)

    # ------------------------------------------------------------------ drafts
    def snapshot(self) -> dict[str, Any]:
        """What a draft must hold to resume exactly here (see advisor.drafts)."""
        return {
            "step": self.step_id,
            "reached": STEP_IDS[self.reached],
            "rules_hash": self.backend.rules_hash,
            "answers": dict(self.overrides),
        }

    @classmethod
    def restore(cls, backend: Backend, snapshot: dict[str, Any], **kwargs: Any) -> "WizardSession":
        """Rebuild a session from :meth:`snapshot`; unknown steps fall back to the start."""
        step = snapshot.get("step")
        reached = snapshot.get("reached", step)
        cursor = STEP_IDS.index(step) if step in STEP_IDS else 0
        reached_i = STEP_IDS.index(reached) if reached in STEP_IDS else cursor
        answers = snapshot.get("answers") or {}
        session = cls(backend, overrides=dict(answers), cursor=0, reached=max(reached_i, cursor), **kwargs)
        # the cursor may only land where the answers allow
        for i in range(cursor, -1, -1):
            if i <= session.reached and session.can_goto(i):
                session.cursor = i
                break
        session._settle_cursor()
        return session


# ---------------------------------------------------------------------- production backend
_STEP_BY_NUMBER = {1: "task", 2: "quality", 3: "volume", 4: "test_plan"}


class RulebookBackend:
    """The wizard's :class:`Backend` over the real rulebook and recommendation pipeline.

    Visibility, defaults and validation are :mod:`advisor.answers`'s
    ``is_visible``, ``default_for`` and ``validate_answer`` (the functions its
    ``validate`` uses for answers files and ``--set``), evaluated in the
    rulebook's dependency order, so the wizard cannot accept what
    ``sizewise recommend`` would refuse. The result and the report come from
    ``advisor.recommend`` and ``advisor.report``.
    """

    def __init__(self, rules_dir: Any = None, *, generated_on: str | None = None) -> None:
        from advisor.rulebook import load_rulebook

        #: report date (YYYY-MM-DD); None = today (tests inject one)
        self.generated_on = generated_on
        self.rulebook = load_rulebook(rules_dir)
        self.rules_hash: str = self.rulebook.hash
        self.questions = tuple(_question_view(cq.model) for cq in self.rulebook.questions.values())
        self.order = tuple(self.rulebook.question_order)
        self._models = {cq.model.id: cq.model for cq in self.rulebook.questions.values()}
        self._recs: dict[tuple, Any] = {}
        self._engine: Any = None  # the engine search adapter, kept for its caches

    # -- questions ------------------------------------------------------------
    def visible(self, qid: str, answers: dict[str, Any]) -> bool:
        from advisor.answers import is_visible

        return is_visible(self.rulebook, qid, answers)

    def default(self, qid: str, answers: dict[str, Any]) -> Any:
        from advisor.answers import default_for

        if self._models[qid].required:
            return MISSING
        return default_for(self.rulebook, qid, answers)

    def check(self, qid: str, raw: Any, answers: dict[str, Any]) -> tuple[Any, str | None]:
        from advisor.answers import Invalid, validate_answer

        value = validate_answer(self._models[qid], raw, answers=answers, rulebook=self.rulebook)
        if isinstance(value, Invalid):
            return None, value.message
        return value, None

    # -- outputs --------------------------------------------------------------
    def recommendation(self, answers: dict[str, Any], *, sensitivity: bool = True) -> Any:
        """The :class:`advisor.recommendation.Recommendation` for complete answers (cached)."""
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

        Fast path: the same steps as ``advisor.recommend.recommend`` (shared
        validation, rule decisions, the engine search of one size, the same
        "cheapest that meets latency" choice) but for the one size shown,
        without the other candidates, optimizations and sensitivity runs the
        panel does not show; ``tests/tui/test_real_rules.py`` checks it
        against the full pipeline. It uses that module's internals, so if
        they change it falls back to the full pipeline (slower, same figure).
        """
        from engine.errors import SizewiseError

        try:
            try:
                return self._fast_preview(given)
            except SizewiseError:
                raise
            except Exception:  # noqa: BLE001 - internals moved: take the documented path
                return self._full_preview(given)
        except SizewiseError:  # missing answers so far, or nothing fits
            return None

    def _fast_preview(self, given: dict[str, Any]) -> Preview | None:
        from advisor.pipeline import preview as R

        if self._engine is None:
            from advisor.pipeline.engine_search import EngineSearch

            self._engine = EngineSearch()
        ans = R._validated(dict(given), self.rulebook)  # noqa: SLF001
        if ans.evaluations is not None:
            return self._full_preview(given)  # measured scores may move the size
        outputs, _ = R._decisions(self.rulebook, ans)  # noqa: SLF001
        values = dict(ans.values)
        ctx = R._Context(rulebook=self.rulebook, values=values, outputs=outputs, engine=self._engine,  # noqa: SLF001
                         gpus=R._restricted_gpus(values), decide=R._decisions)  # noqa: SLF001
        size = str(outputs.get("start_size"))
        cfg = ctx.best(size)
        if cfg is None:
            return None
        return Preview(size=size.upper(), gpu=cfg.gpu_name or cfg.gpu, gpus=cfg.total_gpus,
                       monthly_usd=round(cfg.monthly(ctx.deployment), 2),
                       note=f"{cfg.precision}, {cfg.replicas} replica(s)")

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
            note=f"{best.precision}, {best.replicas} replica(s)" if best.replicas else "",
        )

    def result(self, answers: dict[str, Any]) -> ResultView:
        return result_view(self.recommendation(answers))

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


def _usd(x: float | None) -> str:
    return "-" if x is None else f"${x:,.0f}"


def result_view(rec: Any) -> ResultView:
    """A :class:`advisor.recommendation.Recommendation` -> what the Result screen shows."""
    d = rec.recommendation
    rows = []
    chart = []
    for c in d.candidates:
        hardware = f"{c.gpus_per_replica}x {c.gpu_name or c.gpu}" if c.fits and c.gpu else "does not fit"
        rows.append((
            c.size.upper() + (" *" if c.size == d.recommended_size else ""),
            hardware,
            str(c.replicas or "-"),
            c.precision or "-",
            _usd(c.monthly_usd),
            "-" if c.usd_per_million_output_tokens is None else f"${c.usd_per_million_output_tokens:,.2f}",
        ))
        if c.monthly_usd is not None:
            chart.append((c.size.upper(), float(c.monthly_usd)))
    o = rec.optimizations
    opts = [
        f"Quantization {q.size.upper()} {q.from_precision}->{q.to_precision}: saves {_usd(q.monthly_saving_usd)}/month "
        f"({_usd(q.monthly_usd_before)} -> {_usd(q.monthly_usd_after)})"
        for q in o.quantization
    ]
    if o.distillation is not None:
        x = o.distillation
        payback = f"{x.payback_months:.1f} months" if x.payback_months is not None else "never"
        opts.append(f"Distillation {x.teacher_size.upper()}->{x.student_size.upper()}: {_usd(x.upfront_usd)} upfront, "
                    f"saves {_usd(x.monthly_saving_usd)}/month, payback {payback}")
    if o.moe is not None:
        m = o.moe
        opts.append(f"Mixture of experts ({m.model}): {_usd(m.monthly_usd)}/month vs dense {m.compared_to_size.upper()} "
                    f"{_usd(m.compared_monthly_usd)}; memory floor {m.memory_floor_gb:.0f} GB")
    t = rec.test_plan
    plan = [f"{s.order}. {s.size.upper()} ({s.examples_min}-{s.examples_max} examples): {s.action}" for s in t.steps]
    plan.append(f"Stop rule: {t.stop_rule}")
    trace = [f"{r.table}.{r.rule} ({r.location}){'' if r.matched else ' no match'}: {r.detail}".rstrip(": ")
             for r in rec.trace if r.matched]
    return ResultView(
        summary=d.summary,
        candidate_headers=("Size", "Hardware", "Replicas", "Precision", "Monthly", "$/M out"),
        candidate_rows=tuple(rows),
        chart=tuple(chart),
        recommended=d.recommended_size.upper(),
        optimizations=tuple(opts),
        test_plan=tuple(plan),
        warnings=tuple(f"{w.title}: {w.message}" for w in d.warnings),
        trace=tuple(trace),
        rules_hash=d.rules_hash,
    )


# ---------------------------------------------------------------------- fast start
class CachedRulebookBackend:
    """:class:`RulebookBackend`, started from a JSON snapshot so the first screen is quick.

    Why: loading the rulebook costs more than starting Textual itself (pydantic
    model building, position-aware YAML parsing), yet the first screen only
    needs the questions and the answers to a handful of visibility, default and
    validation calls made for an empty session. Those calls are recorded once
    per rule set in ``<state dir>/cache/rules-<key>.json`` (plain JSON, no
    pickle) and replayed; the real backend is loaded in a background thread
    after the first paint (:meth:`start_loading`), or on the spot by the first
    call the snapshot cannot answer. Every answer therefore still comes from
    ``advisor.answers``: the snapshot only replays what it said.

    The cache key hashes the bytes of every rule file and of the code whose
    behaviour the snapshot records (rulebook, answers, YAML loader, units,
    this module) plus the Python version, so any change re-records it.
    """

    _NO = object()

    def __init__(self, rules_dir: Any = None, *, generated_on: str | None = None, cache_dir: Any = None) -> None:
        import threading
        from pathlib import Path

        self.rules_dir = rules_dir
        self.generated_on = generated_on
        self._real: RulebookBackend | None = None
        self._error: BaseException | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        if cache_dir is None:
            from advisor.drafts import state_dir

            cache_dir = state_dir() / "cache"
        key = _cache_key(rules_dir)
        path = Path(cache_dir) / f"rules-{key[:32]}.json"
        data = _read_cache(path, key)
        if data is None:
            data = _record(self.real, key)
            _write_cache(path, data)
        self.cache_path = path
        self.rules_hash: str = data["rules_hash"]
        self.questions = tuple(
            Question(**{**q, "choices": tuple(Choice(**{**c, "examples": tuple(c["examples"])}) for c in q["choices"])})
            for q in data["questions"]
        )
        self.order = tuple(data["order"])
        self._memo: dict[str, Any] = data["memo"]

    # -- the real backend -------------------------------------------------------
    def start_loading(self) -> None:
        """Load the real backend in the background (called after the first paint)."""
        import threading

        if self._real is None and self._thread is None:
            self._thread = threading.Thread(target=self._load, name="sizewise-rules", daemon=True)
            self._thread.start()

    def _load(self) -> None:
        with self._lock:
            if self._real is None and self._error is None:
                try:
                    self._real = RulebookBackend(self.rules_dir, generated_on=self.generated_on)
                except BaseException as err:  # noqa: BLE001 - re-raised where it is needed
                    self._error = err

    @property
    def real(self) -> RulebookBackend:
        """The loaded backend (waits for the background load, or loads now)."""
        if self._real is None:
            self._load()
        if self._error is not None:
            raise self._error
        assert self._real is not None
        return self._real

    @property
    def loaded(self) -> bool:
        return self._real is not None

    @property
    def rulebook(self) -> Any:
        return self.real.rulebook

    # -- questions: replay, else ask the real backend -----------------------------
    def _replay(self, method: str, qid: str, answers: dict[str, Any], raw: Any = None) -> Any:
        hit = self._memo.get(_memo_key(method, qid, answers, raw), self._NO)
        return _decode(hit) if hit is not self._NO else self._NO

    def visible(self, qid: str, answers: dict[str, Any]) -> bool:
        hit = self._replay("visible", qid, answers)
        return self.real.visible(qid, answers) if hit is self._NO else hit

    def default(self, qid: str, answers: dict[str, Any]) -> Any:
        hit = self._replay("default", qid, answers)
        return self.real.default(qid, answers) if hit is self._NO else hit

    def check(self, qid: str, raw: Any, answers: dict[str, Any]) -> tuple[Any, str | None]:
        hit = self._replay("check", qid, answers, raw)
        return self.real.check(qid, raw, answers) if hit is self._NO else tuple(hit)  # type: ignore[return-value]

    # -- outputs: always the real pipeline ----------------------------------------
    def preview(self, given: dict[str, Any]) -> Preview | None:
        return self.real.preview(given)

    def result(self, given: dict[str, Any]) -> ResultView:
        return self.real.result(given)

    def render(self, given: dict[str, Any], fmt: str) -> str:
        return self.real.render(given, fmt)

    def audit(self) -> str:
        return self.real.audit()


def _rules_directory(rules_dir: Any) -> Any:
    """Where the rules are; mirrors ``advisor.rulebook.loader.shipped_rules_dir``
    without importing the loader (and pydantic) just to compute a cache key."""
    from pathlib import Path

    if rules_dir is not None:
        return Path(rules_dir)
    import advisor

    pkg = Path(advisor.__file__).parent
    return pkg / "_rules" if (pkg / "_rules").is_dir() else pkg.parent / "rules"


def _cache_key(rules_dir: Any) -> str:
    import hashlib
    import sys
    from pathlib import Path

    digest = hashlib.sha256(f"{sys.version_info[:3]}\0".encode())
    directory = _rules_directory(rules_dir)
    code_root = Path(__file__).resolve().parents[1]
    code = sorted((code_root / "advisor" / "rulebook").glob("*.py")) + [
        code_root / "advisor" / "answers.py", code_root / "engine" / "yamlsafe.py",
        code_root / "engine" / "units.py", Path(__file__).resolve(),
    ]
    files = sorted(p for p in directory.rglob("*") if p.is_file()) if directory.is_dir() else []
    digest.update(str(directory.resolve()).encode() + b"\0")
    for p in [*files, *code]:
        try:
            data = p.read_bytes()
        except OSError:
            data = b"<missing>"
        digest.update(str(p).encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def _memo_key(method: str, qid: str, answers: dict[str, Any], raw: Any) -> str:
    import json

    return json.dumps([method, qid, sorted(answers.items()), raw], default=repr)


def _encode(value: Any) -> Any:
    return {"$missing": True} if value is MISSING else value


def _decode(value: Any) -> Any:
    return MISSING if isinstance(value, dict) and value.get("$missing") else value


class _Recorder:
    """Wraps the real backend and writes down every question call an empty session makes."""

    def __init__(self, real: RulebookBackend) -> None:
        self.real, self.memo = real, {}
        self.rules_hash, self.questions, self.order = real.rules_hash, real.questions, real.order

    def visible(self, qid, answers):
        out = self.real.visible(qid, answers)
        self.memo[_memo_key("visible", qid, answers, None)] = out
        return out

    def default(self, qid, answers):
        out = self.real.default(qid, answers)
        self.memo[_memo_key("default", qid, answers, None)] = _encode(out)
        return out

    def check(self, qid, raw, answers):
        out = self.real.check(qid, raw, answers)
        self.memo[_memo_key("check", qid, answers, raw)] = list(out)
        return out


def _record(real: RulebookBackend, key: str) -> dict[str, Any]:
    import dataclasses

    recorder = _Recorder(real)
    WizardSession(recorder)  # type: ignore[arg-type]
    return {
        "key": key,
        "rules_hash": real.rules_hash,
        "questions": [dataclasses.asdict(q) for q in real.questions],
        "order": list(real.order),
        "memo": recorder.memo,
    }


def _read_cache(path: Any, key: str) -> dict[str, Any] | None:
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    if not {"rules_hash", "questions", "order", "memo"} <= set(data):
        return None
    return data


def _write_cache(path: Any, data: dict[str, Any]) -> None:
    """Best effort: a read-only state directory only costs the fast start."""
    import json

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        from advisor.fileio import atomic_write_text

        atomic_write_text(path, json.dumps(data, sort_keys=True), force=True)
    except Exception:  # noqa: BLE001
        pass
