"""Shown on top of everything while the terminal is smaller than the wizard needs.

The wizard's screens stay mounted underneath (and every answer lives in the
session), so nothing typed is lost; the notice goes away when the terminal is
big enough again.
"""

from __future__ import annotations

from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Static

MIN_WIDTH, MIN_HEIGHT = 80, 24


class TooSmallScreen(Screen):
    """Says how big the terminal must be, and how big it is now."""

    def compose(self):
        with Middle():
            with Center():
                yield Static("", id="too-small")

    def on_mount(self) -> None:
        self.show_size(self.app.size.width, self.app.size.height)

    def show_size(self, width: int, height: int) -> None:
        self.query_one("#too-small", Static).update(
            f"The terminal is {width}x{height}.\n"
            f"sizewise needs at least {MIN_WIDTH}x{MIN_HEIGHT}.\n"
            "Enlarge the window: your answers are kept."
        )
