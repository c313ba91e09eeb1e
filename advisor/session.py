"""The wizard's state, without a terminal: steps, visible questions, answers, cursor.

Why headless: the Textual app (:mod:`advisor.tui`) is a thin view over this
object, so every navigation rule (next, back, go to a completed step, edit an
earlier answer) is tested without a terminal, including a property test over
random sequences of moves. This module never imports Textual.

Where the questions, their ``when`` conditions, defaults and validation come
from is hidden behind :class:`Backend`: the production backend
(:class:`advisor.session_backend.RulebookBackend`) wraps the rulebook,
``advisor.answers`` (the one validation shared with ``--answers`` and ``--set``)
and the recommendation pipeline; tests use a tiny in-memory one. The Result
screen's data is :mod:`advisor.result_view`; the snapshot that makes the first
screen quick is :mod:`advisor.session_cache`.

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
from typing import Any, Callable

from advisor.result_view import ResultView
from advisor.session_types import Backend, Choice, Preview, Question  # noqa: F401 - the session's view types, re-exported


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


@dataclass
class WizardSession:
    """The wizard's state machine. See the module docstring for the invariants."""

    backend: Backend
    overrides: dict[str, Any] = field(default_factory=dict)
    cursor: int = 0
    reached: int = 0
    #: called with the session after every completed step (the draft is saved there)
    on_step_completed: Callable[["WizardSession"], None] | None = None
    #: the answers file's ``evaluations:`` block (step 4 measurements), as given;
    #: carried to the pipeline, the draft and the export exactly like an answer
    #: (``sizewise wizard --answers F`` once dropped it: issue 14, item 1)
    evaluations: dict[str, Any] | None = None

    answers: dict[str, Any] = field(default_factory=dict, init=False)
    problems: dict[str, str] = field(default_factory=dict, init=False)
    visible_ids: tuple[str, ...] = field(default=(), init=False)
    _preview_cache: dict[tuple, Preview | None] = field(default_factory=dict, init=False, repr=False)
    last_preview_ms: float = field(default=0.0, init=False)
    #: the given answers as last exported (None = never exported): see changed_since_export
    _exported_key: tuple | None = field(default=None, init=False, repr=False)

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
        given = {k: self.answers[k] for k in self.overrides if k in self.answers}
        if self.evaluations is not None:
            given["evaluations"] = self.evaluations
        return given

    def result(self) -> ResultView:
        if not self.complete:
            raise ValueError("the answers are not complete")
        return self.backend.result(self.given_answers())

    def breakdown(self, size: str) -> Any:
        """A candidate's breakdown (advisor.breakdown), when the backend offers one."""
        if not self.complete or not hasattr(self.backend, "breakdown"):
            return None
        return self.backend.breakdown(self.given_answers(), size)

    def render(self, fmt: str) -> str:
        if not self.complete:
            raise ValueError("the answers are not complete")
        return self.backend.render(self.given_answers(), fmt)

    def _answers_key(self) -> tuple:
        return tuple(sorted((k, repr(v)) for k, v in self.given_answers().items()))

    def mark_exported(self) -> None:
        """The report of the current answers was written: nothing would be lost by quitting."""
        self._exported_key = self._answers_key()

    @property
    def exported(self) -> bool:
        return self._exported_key is not None

    @property
    def changed_since_export(self) -> bool:
        """True when quitting now could lose work: never exported, or answers changed since.

        A session with no answer of the user's has nothing to lose.
        """
        if self._exported_key is None:
            return bool(self.overrides) or self.evaluations is not None
        return self._exported_key != self._answers_key()

    # ------------------------------------------------------------------ drafts
    def snapshot(self) -> dict[str, Any]:
        """What a draft must hold to resume exactly here (see advisor.drafts)."""
        return {
            "step": self.step_id,
            "reached": STEP_IDS[self.reached],
            "rules_hash": self.backend.rules_hash,
            "answers": dict(self.overrides),
            **({"evaluations": self.evaluations} if self.evaluations is not None else {}),
        }

    @classmethod
    def restore(cls, backend: Backend, snapshot: dict[str, Any], **kwargs: Any) -> "WizardSession":
        """Rebuild a session from :meth:`snapshot`; unknown steps fall back to the start."""
        step = snapshot.get("step")
        reached = snapshot.get("reached", step)
        cursor = STEP_IDS.index(step) if step in STEP_IDS else 0
        reached_i = STEP_IDS.index(reached) if reached in STEP_IDS else cursor
        answers = snapshot.get("answers") or {}
        kwargs.setdefault("evaluations", snapshot.get("evaluations"))
        session = cls(backend, overrides=dict(answers), cursor=0, reached=max(reached_i, cursor), **kwargs)
        # the cursor may only land where the answers allow
        for i in range(cursor, -1, -1):
            if i <= session.reached and session.can_goto(i):
                session.cursor = i
                break
        session._settle_cursor()
        return session

