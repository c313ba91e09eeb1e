"""Back / Next: a one-line button for the navigation row of every wizard screen.

Why not Textual's ``Button``: its stylesheet (every variant, the flat and
ANSI styles) takes longer to parse than the rest of the first screen's
widgets together, some 12 ms of a start measured against a bare one-screen
app, and the row only ever needs a compact default and a compact primary
button. This one looks like those (no border), takes focus, is pressed by a
click, Enter or Space, honours ``disabled``, and posts :class:`NavButton.Pressed`.
Dialogs and Review's Edit buttons, shown later, keep Textual's Button.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static


class NavButton(Static, can_focus=True):
    """A compact button: ``label`` on one line, ``-primary`` for the main action."""

    DEFAULT_CSS = """
    NavButton {
        width: auto;
        min-width: 10;
        height: 1;
        padding: 0 1;
        text-align: center;
        content-align: center middle;
        text-style: bold;
        color: $button-foreground;
        background: $surface;
        pointer: pointer;
        &.-primary { color: $button-color-foreground; background: $primary; }
        &:focus { text-style: $button-focus-text-style; background-tint: $foreground 5%; }
        &:hover { background: $surface-darken-1; }
        &.-primary:hover { background: $primary-darken-2; }
        &:disabled { text-opacity: 0.6; pointer: not-allowed; }
    }
    """

    BINDINGS = [Binding("enter,space", "press", "Press", show=False)]

    class Pressed(Message):
        """The button was pressed (``button`` is the NavButton)."""

        def __init__(self, button: "NavButton") -> None:
            super().__init__()
            self.button = button

        @property
        def control(self) -> "NavButton":
            return self.button

    def __init__(self, label: str, *, primary: bool = False, **kwargs) -> None:
        super().__init__(label, markup=False, **kwargs)
        self._label = label
        if primary:
            self.add_class("-primary")

    @property
    def label(self) -> str:
        return self._label

    @label.setter
    def label(self, text: str) -> None:
        self._label = str(text)
        self.update(self._label)

    def press(self) -> None:
        if not self.disabled:
            self.post_message(self.Pressed(self))

    def action_press(self) -> None:
        self.press()

    def on_click(self, event) -> None:
        event.stop()
        self.press()
