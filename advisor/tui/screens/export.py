"""Export dialog: format, path, and an explicit overwrite confirmation.

The file is written atomically (advisor.fileio); an existing file is never
replaced unless the user ticks "Overwrite". Dismisses with the path written,
or None when cancelled.
"""

from __future__ import annotations

from pathlib import Path

from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet, Static

from engine.errors import SizewiseError

EXTENSIONS = {"markdown": ".md", "json": ".json"}


class ExportDialog(ModalScreen[Path | None]):
    """Ask where to save the report, then save it."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel-export")]

    def compose(self):
        with Vertical(id="dialog"):
            yield Label("[b]Export the report[/b]")
            yield RadioSet(RadioButton("Markdown", value=True), RadioButton("JSON"), id="format")
            yield Input(value="sizewise-report.md", id="path")
            yield Checkbox("Overwrite if the file exists", id="overwrite")
            yield Static("", id="export-message")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Save", id="save", variant="primary")

    def on_mount(self) -> None:
        # Enter in the path field saves: the quickest keyboard path
        self.set_focus(self.query_one("#path", Input))

    @property
    def fmt(self) -> str:
        return "json" if self.query_one("#format", RadioSet).pressed_index == 1 else "markdown"

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        path_input = self.query_one("#path", Input)
        path = Path(path_input.value or "sizewise-report")
        path_input.value = str(path.with_suffix(EXTENSIONS[self.fmt]))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "cancel":
            self.dismiss(None)
        else:
            self.save()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.save()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def save(self) -> None:
        from advisor.fileio import atomic_write_text

        message = self.query_one("#export-message", Static)
        raw = self.query_one("#path", Input).value.strip()
        if not raw:
            message.update("[red]Give a file name.[/red]")
            return
        path = Path(raw).expanduser()
        force = self.query_one("#overwrite", Checkbox).value
        if path.exists() and not force:
            message.update(f"[red]{path} exists: tick Overwrite to replace it.[/red]")
            return
        try:
            text = self.app.session.render(self.fmt)  # type: ignore[attr-defined]
            written = atomic_write_text(path, text, force=force)
        except SizewiseError as err:
            message.update(f"[red]{err}[/red]")
            return
        self.dismiss(written.resolve())
