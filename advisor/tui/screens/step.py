"""A question step (1 Task, 2 Quality, 3 Volume, 4 Test plan).

Every question of the step is mounted once; questions hidden by their
``when`` condition are only hidden (``display: none``), so a question that
comes back shows its recomputed default and nothing is remounted while the
user types.
"""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.widgets import Static

from advisor.tui.screens.base import WizardScreen
from advisor.tui.widgets.nav_button import NavButton
from advisor.tui.widgets.question import QuestionField


class StepScreen(WizardScreen):
    """The questions of the session's current step."""

    #: no automatic focus: the default ("*") would focus the scrolling
    #: container as the screen is composed and after_mount would move focus
    #: again; each move restyles the whole question list (:focus-within),
    #: about 20 ms of the wizard's start. after_mount focuses the first
    #: question once its control shows the session's value (a focused input
    #: is not overwritten by refresh_state, so focusing earlier would leave it
    #: empty).
    AUTO_FOCUS = ""

    def compose_body(self):
        step = self.session.step_id
        visible = set(self.session.visible_ids)
        with VerticalScroll(id="questions"):
            for q in self.session.backend.questions:
                if q.step == step:
                    field = QuestionField(q)
                    field.display = q.id in visible  # styled once, already right
                    yield field

    def after_mount(self) -> None:
        first = next((f for f in self.query(QuestionField) if f.display), None)
        # keys typed right after the step change may already have moved focus (Tab): taking it
        # back would send the next keys to the first field ("5K Tab 30K" -> "5K30K", issue 14 item 6)
        if first is not None and self.focused is None:
            control = first.query_one(".control")
            if self.focused is not control:
                self.set_focus(control)

    def refresh_state(self) -> None:
        super().refresh_state()
        visible = set(self.session.visible_ids)
        for field in self.query(QuestionField):
            field.display = field.question.id in visible
            field.show(self.session)
        ok = self.session.step_complete(self.session.cursor)
        self.query_one("#next-button", NavButton).disabled = not ok
        if ok:
            self.query_one("#nav-message", Static).update("")

    def on_question_field_answered(self, event: QuestionField.Answered) -> None:
        if event.qid in self.session.visible_ids:
            self.session.set_answer(event.qid, event.raw)
        self.refresh_state()

    def show_blocking(self) -> None:
        step = self.session.step_id
        todo = [q for q in self.session.visible_ids
                if self.session.question(q).step == step
                and (q in self.session.problems or q not in self.session.answers)]
        if todo:
            self.focus_question(todo[0])

    def focus_question(self, qid: str) -> None:
        """Used by Review's edit jumps."""
        for field in self.query(QuestionField):
            if field.question.id == qid:
                self.set_focus(field.query_one(".control"))
                field.scroll_visible()
