"""F1 help: the focused question's help, its choices with examples, and the keys."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from advisor.session import Question

KEYS = """\
| Key | Does |
|---|---|
| ctrl+n | next step (when the step is complete) |
| escape | back one step; closes this help and any dialog |
| tab / shift+tab | move between questions |
| up / down, enter | pick a choice |
| F1 / escape | open / close this help |
| ctrl+p | command palette: go to step, export, audit rules, theme |
| ctrl+c | save a draft and quit (resume with `sizewise`) |
"""


def help_markdown(question: Question | None) -> str:
    """The help text shown for ``question`` (or general help)."""
    if question is None:
        return "# sizewise wizard\n\nAnswer each step; the side panel shows the best deployment so far.\n\n" + KEYS
    parts = [f"# {question.prompt}", question.help or "No further help for this question."]
    if question.choices:
        rows = ["| Choice | Meaning | Examples |", "|---|---|---|"]
        rows += [f"| {c.label} | {c.help} | {', '.join(c.examples)} |" for c in question.choices]
        parts.append("\n".join(rows))
    if question.kind in ("number", "integer"):
        bounds = []
        if question.minimum is not None:
            bounds.append(f"at least {question.minimum:g}")
        if question.maximum is not None:
            bounds.append(f"at most {question.maximum:g}")
        unit = f" in {question.unit}" if question.unit else ""
        parts.append(f"A number{unit}" + (f", {' and '.join(bounds)}" if bounds else "") +
                     ". Suffixes are accepted: `2K` = 2,000, `100M` = 100,000,000, `1B` = 10^9.")
    parts.append("## Keys\n\n" + KEYS)
    return "\n\n".join(parts)


class HelpScreen(ModalScreen[None]):
    """Closed with Escape or F1."""

    BINDINGS = [Binding("escape,f1,q", "close", "Close help", id="close-help")]

    def __init__(self, question: Question | None, text: str | None = None) -> None:
        super().__init__()
        self.question = question
        self.text = text if text is not None else help_markdown(question)

    def compose(self):
        with VerticalScroll(id="help"):
            yield Markdown(self.text)

    def action_close(self) -> None:
        self.dismiss(None)
