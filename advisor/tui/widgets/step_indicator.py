"""The row of steps at the top: done, current and remaining, clickable when reachable.

One widget for the whole row (each step is a clickable span of its text), not
one widget per step: fewer widgets to style makes the first screen appear sooner.
"""

from __future__ import annotations

from textual.widgets import Static

from advisor.session import STEPS, WizardSession

#: marker per state: done, current, reached-but-now-invalid, not reached, skipped
MARKS = {"done": "✓", "current": "▶", "invalid": "!", "todo": "·", "skipped": "-"}
#: content-markup style per state (theme variables, so both themes work)
STYLES = {
    "done": "$text-success",
    "current": "bold $text on $primary",
    "invalid": "bold $text-error",
    "todo": "$text-muted",
    "skipped": "strike $text-disabled",
}


def step_states(session: WizardSession) -> list[str]:
    """Each step's state, as the row shows it."""
    return [
        session.step_state(i) if session.step_visible(i) else "skipped"
        for i in range(len(STEPS))
    ]


class StepIndicator(Static):
    """Shows every step with its state; a click on a step asks the screen to go there."""

    #: (first column, last column + 1) of each step's label, for clicks
    spans: list[tuple[int, int]] = []

    def show(self, session: WizardSession) -> None:
        """Render each step's mark and style from the session."""
        parts, spans, column = [], [], 0
        for index, state in enumerate(step_states(session)):
            label = f" {MARKS[state]} {STEPS[index][1]} "
            parts.append(f"[{STYLES[state]}]{label}[/]")
            spans.append((column, column + len(label)))
            column += len(label) + 1
        self.spans = spans
        self.update(" ".join(parts))

    def on_click(self, event) -> None:
        for index, (start, end) in enumerate(self.spans):
            if start <= event.x < end:
                self.screen.action_jump(index)  # type: ignore[attr-defined]
                return
