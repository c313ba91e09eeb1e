"""The row of steps at the top: done, current and remaining, clickable when reachable."""

from __future__ import annotations

from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Static

from advisor.session import STEPS, WizardSession

#: marker per state: done, current, reached-but-now-invalid, not reached
MARKS = {"done": "✓", "current": "▶", "invalid": "!", "todo": "·"}


class StepLabel(Static):
    """One step; a click asks the screen to jump there."""

    def __init__(self, index: int) -> None:
        super().__init__(id=f"step-{index}", classes="step")
        self.index = index

    def on_click(self) -> None:
        self.post_message(StepIndicator.Selected(self.index))


class StepIndicator(Horizontal):
    """Shows every step with its state; refreshed by the screen after each change."""

    class Selected(Message):
        """The user clicked a step (the session decides whether it may go there)."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def compose(self):
        for i in range(len(STEPS)):
            yield StepLabel(i)

    def show(self, session: WizardSession) -> None:
        """Render each step's mark and state class from the session."""
        for label in self.query(StepLabel):
            state = session.step_state(label.index)
            if not session.step_visible(label.index):
                state = "skipped"
            label.update(f"{MARKS.get(state, '-')} {STEPS[label.index][1]}")
            label.set_classes(f"step -{state}")
