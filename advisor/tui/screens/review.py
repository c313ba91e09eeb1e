"""Review: every answer, with a jump to edit it; Next shows the result."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Label, Static

from advisor.session import QUESTION_STEPS, STEPS
from advisor.tui.screens.base import WizardScreen
from advisor.tui.widgets.nav_button import NavButton
from advisor.tui.widgets.question import format_value


class ReviewScreen(WizardScreen):
    """All visible answers grouped by step; each row's Edit button jumps back."""

    def compose_body(self):
        s = self.session
        with VerticalScroll(id="review"):
            yield Static(f"Rules {s.backend.rules_hash[:19]}… (full hash on the result)", classes="muted")
            for index, step in enumerate(QUESTION_STEPS):
                questions = s.questions_of(step)
                if not questions:
                    continue
                yield Label(Text(STEPS[index][1], style="bold underline"), classes="review-step")
                for q in questions:
                    if q.id in s.problems:
                        value = Text(f"✗ {s.problems[q.id]}", style="bold red")
                    elif q.id in s.answers:
                        value = Text(self._label(q, s.answers[q.id]))
                        if not s.is_overridden(q.id):
                            value.append(" (default)", style="dim")
                    else:
                        value = Text("missing", style="bold red")
                    line = Text(q.prompt, style="dim")
                    line.append("  ")
                    line.append_text(value)
                    with Horizontal(classes="review-row"):
                        yield Button("Edit", id=f"edit-{q.id}", classes="edit", compact=True)
                        yield Static(line, classes="review-answer")

    @staticmethod
    def _label(q, value) -> str:
        if value is None:  # an optional answer left empty: no unit after nothing (issue 14 item 7)
            return "none"
        for c in q.choices:
            if c.value == value:
                return c.label
        text = format_value(value)
        return f"{text} {q.unit}" if q.unit and q.kind in ("number", "integer") else text

    def after_mount(self) -> None:
        self.query_one("#next-button", NavButton).label = "Show result"
        self.query_one("#next-button", NavButton).disabled = not self.session.complete

    @on(Button.Pressed, ".edit")
    def edit(self, event: Button.Pressed) -> None:
        """Jump to the step of this answer, its question focused."""
        event.stop()
        qid = (event.button.id or "").removeprefix("edit-")
        if self.session.goto_question(qid):
            self.app.show_current(focus=qid)  # type: ignore[attr-defined]
