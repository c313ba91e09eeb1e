"""The wizard's view types: what a screen shows of one question, its choices, the live preview,
and the :class:`Backend` protocol a session asks for rules, validation and results.

Why a module of their own: the session's state machine (:mod:`advisor.session`) and the
backends (:mod:`advisor.session_backend`, test doubles) share these types and nothing else;
``advisor.session`` re-exports them, so callers keep importing them from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from advisor.result_view import ResultView


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
