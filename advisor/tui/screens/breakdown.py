"""A candidate's breakdown (Enter on a row of the Result screen's candidates table).

The figures are :mod:`advisor.breakdown`'s: ``sizewise estimate`` run on the
candidate's configuration, whose command line is shown so it can be re-run.
Esc closes it.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static


class BreakdownScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,enter,q", "close", "Close", id="close-breakdown")]

    def __init__(self, breakdown) -> None:
        super().__init__()
        self.breakdown = breakdown

    def compose(self):
        b = self.breakdown
        with VerticalScroll(id="dialog"):
            yield Label(Text(b.title, style="bold"))
            for title, lines in (("Memory", b.memory), ("Throughput", b.throughput), ("Cost", b.cost)):
                yield Label(Text(title, style="bold underline"), classes="section")
                yield Static("\n".join(lines), classes="section-body")
            yield Static(Text(f"Same figures: {b.command}", style="dim"), classes="section-body")
            yield Static(Text("Esc closes", style="dim"))

    def action_close(self) -> None:
        self.dismiss(None)
