"""The frame every wizard step shares: header, step row, body, live panel, footer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Header, Static

from advisor.tui.widgets.key_bar import KeyBar
from advisor.tui.widgets.nav_button import NavButton
from advisor.tui.widgets.preview_panel import PreviewPanel
from advisor.tui.widgets.step_indicator import StepIndicator

if TYPE_CHECKING:  # pragma: no cover
    from advisor.session import WizardSession


class WizardScreen(Screen):
    """Base of the step, review and result screens (subclasses fill ``compose_body``).

    Next is ``ctrl+n`` (and the Next button); Back is Escape (and the Back
    button). Neither is a key terminals swallow (no Ctrl+Z, no Ctrl+S, no tmux
    prefix).
    """

    BINDINGS = [
        Binding("ctrl+n", "next", "Next", id="next", priority=True),
        Binding("escape", "back", "Back", id="back"),
    ]
    #: whether the live side panel is shown on this screen
    SIDE_PANEL = True

    @property
    def session(self) -> "WizardSession":
        return self.app.session  # type: ignore[attr-defined]

    def compose(self):
        yield Header()
        yield StepIndicator(id="steps")
        with Horizontal(id="frame"):
            with Vertical(id="body"):
                yield from self.compose_body()
            if self.SIDE_PANEL:
                yield PreviewPanel(id="preview")
        with Horizontal(id="nav"):
            yield NavButton("< Back", id="back-button")
            yield Static("", id="nav-message")
            yield NavButton("Next >", id="next-button", primary=True)
        yield KeyBar(id="keys")  # the footer: one widget, see key_bar.py

    def compose_body(self):  # pragma: no cover - overridden
        yield from ()

    def on_mount(self) -> None:
        # Textual calls on_mount of every class in the MRO, so subclasses must
        # not define it (refresh_state would run twice); they use after_mount.
        self.refresh_state()
        self.after_mount()

    def after_mount(self) -> None:
        """Per-screen set-up after the first refresh (focus, labels)."""

    def refresh_state(self) -> None:
        """Re-render everything that depends on the session."""
        self.query_one(StepIndicator).show(self.session)
        if self.SIDE_PANEL:
            self.query_one(PreviewPanel).show(self.session)
        self.query_one("#back-button", NavButton).disabled = self.session.cursor == 0

    # -- navigation -----------------------------------------------------------
    def action_next(self) -> None:
        if self.session.next():
            self.app.show_current()  # type: ignore[attr-defined]
        else:
            reasons = self.session.blocking()
            self.query_one("#nav-message", Static).update(
                f"[red]{reasons[0]}[/red]" if reasons else ""
            )
            self.show_blocking()

    def show_blocking(self) -> None:
        """Where Next was refused: step screens focus the first question to fix."""

    def action_back(self) -> None:
        if self.session.back():
            self.app.show_current()  # type: ignore[attr-defined]

    def on_nav_button_pressed(self, event: NavButton.Pressed) -> None:
        if event.button.id == "next-button":
            event.stop()
            self.action_next()
        elif event.button.id == "back-button":
            event.stop()
            self.action_back()

    def action_jump(self, index: int) -> None:
        """A click on the step row (markup action of StepIndicator)."""
        if index == self.session.cursor:
            return
        if self.session.goto(index):
            self.app.show_current()  # type: ignore[attr-defined]
        else:
            self.notify("Finish the earlier steps first.", severity="warning")
