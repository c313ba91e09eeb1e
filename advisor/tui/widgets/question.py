"""One question rendered for its type, with its inline validation line.

Choices and yes/no questions are radio lists (the article's example tasks
shown with each choice); numbers are inputs that accept ``100M`` or ``2K``,
with the unit beside them. Whatever the user does is posted as
:class:`QuestionField.Answered`; the screen passes it to the session, whose
validation (the one shared with ``--answers`` and ``--set``) decides, and
:meth:`QuestionField.show` renders the verdict. Values set from the session
(recomputed defaults) are applied with the change messages suppressed, so a
default never turns into an answer the user gave.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, RadioButton, RadioSet, Static

from advisor.session import Question, WizardSession


def format_value(value: Any) -> str:
    """How a number is written back into an input: 200000, 0.85, 1.5."""
    if isinstance(value, (list, tuple)):  # multi_choice: written back as the 'a,b' an answers file takes
        return ",".join(str(v) for v in value)
    if isinstance(value, bool) or value is None:
        return "" if value is None else ("Yes" if value else "No")
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def readable_number(value: float) -> str:
    """A parsed number read back: 200,000 or 49,315.07 (never 49,315.06849; issue 14 item 7)."""
    if float(value).is_integer():
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:,.4g}"


def _choice_label(label: str, help_text: str, examples: tuple[str, ...]) -> Text:
    text = Text(label, style="bold")
    extra = ", ".join(examples) if examples else help_text
    if extra:
        text.append(f"  {extra}", style="dim")
    return text


def _select(radio_set: RadioSet, index: int) -> None:
    """Press button ``index`` from code, without any change message.

    Going through the buttons' own messages does not work here: this runs
    while a RadioSet.Changed is handled, and Textual keeps that handler's
    ``prevent(RadioButton.Changed)`` for every message it causes, so the set
    would never hear of the change (two buttons would end up on).
    """
    buttons = list(radio_set.query(RadioButton))
    with radio_set.prevent(RadioButton.Changed):
        for i, button in enumerate(buttons):
            button.value = i == index
    radio_set._pressed_button = buttons[index]  # noqa: SLF001 - no public setter in Textual 8.2
    radio_set._selected = index  # noqa: SLF001


class QuestionField(Vertical):
    """Prompt, control, and a line with the parsed value or the reason it is refused."""

    class Answered(Message):
        """The user changed the answer of ``qid`` to ``raw``."""

        def __init__(self, qid: str, raw: Any) -> None:
            super().__init__()
            self.qid = qid
            self.raw = raw

    def __init__(self, question: Question) -> None:
        super().__init__(id=f"q-{question.id}", classes="question")
        self.question = question
        self._values: list[Any] = []

    def compose(self):
        q = self.question
        yield Label(Text(q.prompt, style="bold"), classes="prompt")
        if q.kind in ("choice", "boolean"):
            if q.kind == "choice":
                self._values = [c.value for c in q.choices]
                buttons = [RadioButton(_choice_label(c.label, c.help, c.examples)) for c in q.choices]
            else:
                self._values = [True, False]
                buttons = [RadioButton("Yes"), RadioButton("No")]
            yield RadioSet(*buttons, id=f"input-{q.id}", classes="control")
        else:
            with Horizontal(classes="number-row"):
                big = q.maximum is not None and q.maximum >= 1e6
                hint = "a number, e.g. 200K or 1.5M" if big else "a number"
                if q.kind == "text":
                    hint = "text"
                elif q.kind == "multi_choice":
                    hint = "one or more of: " + ", ".join(c.value for c in q.choices)
                yield Input(placeholder=hint, id=f"input-{q.id}", classes="control")
                if q.unit:
                    yield Label(q.unit, classes="unit")
        yield Static("", classes="verdict")

    # -- from the user --------------------------------------------------------
    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        self.post_message(self.Answered(self.question.id, self._values[event.index]))

    def on_input_blurred(self, event: Input.Blurred) -> None:
        event.stop()
        screen = self.screen
        session = getattr(self.app, "session", None)
        if session is not None and self.question.id in session.visible_ids and hasattr(screen, "refresh_state"):
            self.show(session)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Answered(self.question.id, event.value))

    # -- from the session -----------------------------------------------------
    def show(self, session: WizardSession) -> None:
        """Sync the control (unless the user is typing in it) and the verdict line."""
        qid = self.question.id
        raw = session.raw(qid)
        control = self.query_one(f"#input-{qid}")
        if isinstance(control, RadioSet):
            value = session.answers.get(qid, raw)
            index = self._values.index(value) if value in self._values else None
            if index is not None and control.pressed_index != index:
                _select(control, index)
        elif isinstance(control, Input) and not control.has_focus:
            # never rewrite the input the user is in: clearing a defaulted number used to put the
            # default back with the cursor before it (End, Backspace, "10" gave "101"; issue 14 item 3).
            # The default comes back when the field loses focus (on_input_blurred).
            text = raw if isinstance(raw, str) else format_value(raw)
            if control.value != text:
                with control.prevent(Input.Changed):
                    control.value = text
        verdict = self.query_one(".verdict", Static)
        problem = session.problems.get(qid)
        control.set_class(problem is not None, "-refused")  # not -invalid: Input resets that one
        if problem is not None:
            line = Text(f"✗ {problem}", style="bold red")
        elif qid in session.answers and session.answers[qid] is None:
            line = Text("(optional: leave empty for none)", style="dim")
        elif qid in session.answers and self.question.kind in ("number", "integer"):
            unit = f" {self.question.unit}" if self.question.unit else ""
            source = "" if session.is_overridden(qid) else "  (default)"
            line = Text(f"= {readable_number(session.answers[qid])}{unit}{source}", style="green")
        elif qid in session.answers and not session.is_overridden(qid):
            line = Text("(default)", style="dim")
        else:
            line = Text("")
        verdict.update(line)
        verdict.display = bool(line.plain)  # no empty line under the control
