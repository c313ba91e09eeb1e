"""Two small dialogs for choices that can lose work: confirm once, and what to do on quit.

Why: every destructive choice (discard a draft, start over) asks once, and
Esc on any of them only closes the dialog, never destroys anything (issue 14:
Esc on the resume dialog used to delete the draft).
"""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label


class ConfirmDialog(ModalScreen[bool]):
    """Dismisses True when the user confirms ``action``; Esc or Cancel give False."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel-confirm")]

    def __init__(self, question: str, action: str) -> None:
        super().__init__()
        self.question, self.action = question, action

    def compose(self):
        with Vertical(id="dialog"):
            yield Label(f"[b]{self.question}[/b]")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button(self.action, id="confirm", variant="error")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#cancel"))  # Enter right away keeps the work

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm")

    def action_cancel(self) -> None:
        self.dismiss(False)


class QuitDialog(ModalScreen[str | None]):
    """Quitting with answers not in an up-to-date export: 'export', 'keep', 'discard' or None (stay)."""

    BINDINGS = [Binding("escape", "stay", "Stay", id="stay")]

    def __init__(self, exported_before: bool) -> None:
        super().__init__()
        self.exported_before = exported_before

    def compose(self):
        why = ("The answers changed since the last export." if self.exported_before
               else "These answers have not been exported.")
        with Vertical(id="dialog"):
            yield Label(f"[b]Quit sizewise?[/b] {why}")
            with Horizontal(classes="buttons"):
                yield Button("Stay", id="stay-button")
                yield Button("Export...", id="export")
                yield Button("Keep draft", id="keep", variant="primary")
                yield Button("Discard", id="discard", variant="error")

    def on_mount(self) -> None:
        # four buttons do not fit the 64-column #dialog (Discard was cut to "Di"); 76 still fits 80x24
        self.query_one("#dialog").styles.width = 76
        self.set_focus(self.query_one("#keep"))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        choice = event.button.id
        if choice == "discard":
            def confirmed(yes: bool | None) -> None:
                if yes:
                    self.dismiss("discard")  # not returned: Textual would await it from this screen

            self.app.push_screen(ConfirmDialog("Discard these answers? No draft is kept.", "Discard"), confirmed)
            return
        self.dismiss(None if choice == "stay-button" else choice)

    def action_stay(self) -> None:
        self.dismiss(None)
