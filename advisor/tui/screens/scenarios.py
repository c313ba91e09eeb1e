"""Save / load named answer sets and compare two (advisor.scenarios): small dialogs.

Esc closes each without doing anything; loading over answers the user typed
asks once (it replaces them).
"""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static


class NameDialog(ModalScreen[str | None]):
    """Ask for a scenario name; dismisses the name (Enter) or None (Esc)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel-name")]

    def compose(self):
        with VerticalScroll(id="dialog"):
            yield Label("[b]Save these answers as[/b] (letters, digits, - _ .)")
            yield Input(placeholder="e.g. interactive-cloud", id="scenario-name")
            yield Static("", id="name-message")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#scenario-name", Input))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        from advisor.scenarios import check_name
        from engine.errors import SizewiseError

        event.stop()
        try:
            self.dismiss(check_name(event.value))
        except SizewiseError as err:
            self.query_one("#name-message", Static).update(f"[red]{err}[/red]")

    def action_cancel(self) -> None:
        self.dismiss(None)


class PickDialog(ModalScreen[str | None]):
    """Pick one saved scenario; dismisses its name or None (Esc)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel-pick")]

    def __init__(self, title: str, names: list[str]) -> None:
        super().__init__()
        self.title_text, self.names = title, names

    def compose(self):
        with VerticalScroll(id="dialog"):
            yield Label(f"[b]{self.title_text}[/b]")
            yield OptionList(*self.names, id="scenario-list")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#scenario-list", OptionList))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.names[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)


class CompareScreen(ModalScreen[None]):
    """Two saved scenarios side by side."""

    BINDINGS = [Binding("escape,q", "close", "Close", id="close-compare")]

    def __init__(self, lines: list[str]) -> None:
        super().__init__()
        self.lines = lines

    def compose(self):
        with VerticalScroll(id="dialog"):
            yield Label("[b]Compare scenarios[/b]")
            yield Static("\n".join(self.lines), id="comparison", markup=False)
            yield Static("[dim]Esc closes[/dim]")

    def action_close(self) -> None:
        self.dismiss(None)
