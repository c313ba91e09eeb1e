"""On start, when a draft exists: resume where the user was, or start over."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from advisor.session import STEP_IDS, STEPS


class ResumeDialog(ModalScreen[bool | None]):
    """Dismisses True to resume, False to start over (confirmed once), None on Esc (draft kept)."""

    BINDINGS = [Binding("escape", "dismiss_only", "Close", id="close-resume")]

    def __init__(self, snapshot: dict, changed_rules: bool) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.changed_rules = changed_rules

    def compose(self):
        step = self.snapshot.get("step")
        title = STEPS[STEP_IDS.index(step)][1] if step in STEP_IDS else "the start"
        count = len(self.snapshot.get("answers") or {})
        with Vertical(id="dialog"):
            yield Label("[b]Resume your last session?[/b]")
            yield Label(f"A draft with {count} answer(s) was saved at step {title}.")
            if self.changed_rules:
                yield Label("[yellow]The rules changed since; answers are checked again.[/yellow]")
            with Horizontal(classes="buttons"):
                yield Button("Start over", id="start-over-button")
                yield Button("Resume", id="resume", variant="primary")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#resume"))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "resume":
            self.dismiss(True)
            return
        from advisor.tui.screens.confirm import ConfirmDialog

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.dismiss(False)  # not returned: Textual would await it from this screen

        self.app.push_screen(ConfirmDialog("Start over? The draft is deleted.", "Start over"), confirmed)

    def action_dismiss_only(self) -> None:
        """Esc closes the dialog: a fresh start, the draft stays on disk until a step is completed."""
        self.dismiss(None)
