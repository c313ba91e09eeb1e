"""The footer: the keys of the current screen, as one line of text.

Why not Textual's ``Footer``: it mounts one widget per key and rebuilds them
all whenever the bindings change (each focus move), each rebuild restyling
every key twice (its ``compact`` flag is bound after mounting). On the
wizard's first screen that was some 10-20 ms of a start measured against a
bare one-screen app. One widget with clickable spans (as in
:mod:`advisor.tui.widgets.step_indicator`) shows the same keys and reacts
to the same clicks.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


class KeyBar(Static):
    """Shows every binding of the focused chain that asks to be shown; a click presses it."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        width: 1fr;
        text-wrap: nowrap;
        text-overflow: clip;
        color: $footer-foreground;
        background: $footer-background;
    }
    """

    #: (first column, last column + 1, key, enabled) of each key shown, for clicks
    spans: list[tuple[int, int, str, bool]] = []

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self._shown: str | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen) -> None:
        if self.is_attached and screen is self.screen:
            self.show_keys()

    def show_keys(self) -> None:
        """Render the active bindings (one entry per action, in binding order)."""
        app = self.app
        active = self.screen.active_bindings
        entries: dict[str, tuple[str, str, str, bool]] = {}
        for _node, binding, enabled, _tooltip in active.values():
            if binding.show and binding.action not in entries:
                entries[binding.action] = (binding.key, app.get_key_display(binding), binding.description, enabled)
        palette = None
        if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
            _node, binding, enabled, _tooltip = active[app.COMMAND_PALETTE_BINDING]
            palette = (binding.key, app.get_key_display(binding), binding.description, enabled)
            entries.pop(binding.action, None)
        parts: list[Content] = []
        spans: list[tuple[int, int, str, bool]] = []
        column = 0
        for key, display, description, enabled in entries.values():
            part = self._entry(display, description, enabled)
            spans.append((column, column + part.cell_length, key, enabled))
            parts.append(part)
            column += part.cell_length
        line = Content("").join(parts)  # each entry is padded: " ^n Next "
        if palette is not None:
            key, display, description, enabled = palette
            part = self._entry(display, description, enabled)
            width = self.size.width or app.size.width
            gap = max(1, width - line.cell_length - part.cell_length)
            spans.append((line.cell_length + gap, line.cell_length + gap + part.cell_length, key, enabled))
            line = line + Content(" " * gap) + part
        signature = line.plain + repr([s[3] for s in spans])
        self.spans = spans
        if signature != self._shown:
            self._shown = signature
            self.update(line)

    @staticmethod
    def _entry(display: str, description: str, enabled: bool) -> Content:
        key = Content.styled(f" {display} ", "bold $footer-key-foreground on $footer-key-background")
        text = key + Content.styled(f"{description} ", "$footer-description-foreground")
        return text if enabled else text.stylize("dim")

    def on_resize(self) -> None:
        self._shown = None
        self.show_keys()

    def on_click(self, event) -> None:
        for start, end, key, enabled in self.spans:
            if start <= event.x < end:
                if enabled:
                    self.app.simulate_key(key)
                else:
                    self.app.bell()
                return
