"""Result: the recommendation in plain words, then candidates, chart and the rest.

Order follows what a reader needs first: the answer, the alternatives, the
cost curve, what to optimise, how to test, what to watch out for, and the
rule trace for the architect. ``e`` (or the palette) exports the report.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Label, Static

from advisor.tui.screens.base import WizardScreen
from advisor.tui.widgets.nav_button import NavButton


def _section(title: str, lines: tuple[str, ...], empty: str) -> list:
    body = "\n".join(f"• {line}" for line in lines) if lines else empty
    return [Label(Text(title, style="bold underline"), classes="section"), Static(body, classes="section-body")]


class ResultScreen(WizardScreen):
    """Shows ``session.result()``; the side panel is not needed here."""

    SIDE_PANEL = False
    BINDINGS = [Binding("e", "export", "Export", id="export")]

    def compose_body(self):
        view = self.session.result()
        self.view = view
        with VerticalScroll(id="result"):
            yield Static(Text(view.summary, style="bold"), id="summary")
            yield Static("", id="saved")
            yield Label(Text("Candidates", style="bold underline"), classes="section")
            yield DataTable(id="candidates", cursor_type="row", zebra_stripes=True)
            from advisor.tui.widgets.cost_chart import CostChart

            yield CostChart(view.chart, view.recommended, id="chart")
            yield from _section("Optimizations", view.optimizations, "None needed at this volume.")
            yield from _section("Test plan", view.test_plan, "-")
            yield from _section("Warnings", view.warnings, "None apply.")
            yield from _section("Rule trace", view.trace, "-")
            yield Static(f"Rules {view.rules_hash}", classes="muted")

    def after_mount(self) -> None:
        table = self.query_one("#candidates", DataTable)
        table.add_columns(*self.view.candidate_headers)
        table.add_rows(self.view.candidate_rows)
        nxt = self.query_one("#next-button", NavButton)
        nxt.label = "Export"
        nxt.disabled = False

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a candidate: its memory / throughput / cost breakdown (issue 14, look closer)."""
        event.stop()
        row = self.view.candidate_rows[event.cursor_row]
        try:
            breakdown = self.session.breakdown(str(row[0]))
        except Exception as err:  # noqa: BLE001 - shown, never a crash: the answers stay as they are
            self.app.notify(f"{row[0]}: the breakdown could not be computed ({err})", severity="error")
            return
        if breakdown is None:
            self.app.notify(f"{row[0]}: no configuration fits, so there is nothing to break down.")
            return
        from advisor.tui.screens.breakdown import BreakdownScreen

        self.app.push_screen(BreakdownScreen(breakdown))

    def action_next(self) -> None:
        self.action_export()

    def action_export(self) -> None:
        from advisor.tui.screens.export import ExportDialog

        self.app.push_screen(ExportDialog(), self._exported)

    def _exported(self, path) -> None:
        if path is not None:
            self.app._exported(path)  # type: ignore[attr-defined]  # noqa: SLF001 - one place marks the export
            saved = self.query_one("#saved", Static)
            saved.update(Text(f"Saved to {path}", style="bold green"))
            saved.display = True
