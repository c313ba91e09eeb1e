"""The Textual app: a thin view over :class:`advisor.session.WizardSession`.

The app owns navigation between screens (one per step kind), the draft
(saved after every completed step and on Ctrl+C), the too-small notice, F1
help, the command palette entries and the theme. All decisions (what is
asked, what is valid, what is recommended) come from the session and its
backend; nothing here adds logic of its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from advisor import drafts
from advisor.session import STEPS, Backend, WizardSession
from advisor.tui.screens import screen_for
from advisor.tui.screens.base import WizardScreen
from advisor.tui.screens.too_small import MIN_HEIGHT, MIN_WIDTH, TooSmallScreen

#: return codes of the app (the command passes them on as exit codes)
EXIT_OK, EXIT_INTERRUPTED = 0, 130


class SizewiseApp(App[int]):
    """``sizewise wizard``: four steps, review, result, export."""

    CSS_PATH = "sizewise.tcss"
    TITLE = "sizewise"
    BINDINGS = [
        Binding("f1", "help", "Help", id="help"),
        Binding("ctrl+c", "quit_saving(130)", "Save & quit", priority=True, show=False, id="interrupt"),
        Binding("ctrl+q", "quit_saving(0)", "Quit", priority=True, id="quit"),
        Binding("ctrl+t", "toggle_theme", "Theme", id="toggle-theme"),
        # Tab as a priority binding: the app moves focus before it hands the next key to a widget.
        # Without it, keys typed fast after Tab ("2K Tab 400") were already queued for the field
        # being left and landed there ("2K400"; issue 14 item 6).
        Binding("tab", "focus_next", "Next field", show=False, priority=True, id="focus-next"),
        Binding("shift+tab", "focus_previous", "Previous field", show=False, priority=True, id="focus-previous"),
    ]

    def __init__(
        self,
        backend: Backend,
        *,
        overrides: dict | None = None,
        evaluations: dict | None = None,
        offer_draft: dict | None = None,
        theme: str = "textual-dark",
    ) -> None:
        super().__init__()
        self.backend = backend
        self.session = self._new_session(overrides or {}, evaluations=evaluations)
        self.offer_draft = offer_draft
        self.exported: Path | None = None
        self.draft_saved: Path | None = None
        self.theme = theme
        self.sub_title = f"rules {backend.rules_hash[:19]}"

    def _new_session(self, overrides: dict, snapshot: dict | None = None,
                     evaluations: dict | None = None) -> WizardSession:
        hook = self._save_draft
        if snapshot is not None:
            return WizardSession.restore(self.backend, snapshot, on_step_completed=hook)
        return WizardSession(self.backend, overrides=dict(overrides), evaluations=evaluations,
                             on_step_completed=hook)

    def _save_draft(self, session: WizardSession) -> None:
        try:
            self.draft_saved = drafts.save_draft(session.snapshot())
        except Exception as err:  # noqa: BLE001 - a full disk must not end the session
            self.notify(f"Draft not saved: {err}", severity="warning")

    # -- screens ----------------------------------------------------------------
    def on_mount(self) -> None:
        self.push_screen(screen_for(self.session))
        if self.offer_draft is not None:
            from advisor.tui.screens.resume import ResumeDialog

            changed = self.offer_draft.get("rules_hash") not in (None, self.backend.rules_hash)
            self.push_screen(ResumeDialog(self.offer_draft, changed), self._resume_answered)
        self._check_size(self.size.width, self.size.height)
        if hasattr(self.backend, "start_loading"):  # see CachedRulebookBackend
            self.call_after_refresh(self.backend.start_loading)

    def _resume_answered(self, resume: bool | None) -> None:
        if resume:
            self.session = self._new_session({}, snapshot=self.offer_draft)
            self.show_current()
        elif resume is False:  # Start over, confirmed in the dialog
            drafts.discard_draft()
        # None: Esc only closed the dialog; the draft stays until this session saves its own
        self.offer_draft = None

    def show_current(self, focus: str | None = None) -> None:
        """Replace the wizard screen with the one for the session's cursor."""
        screen = screen_for(self.session)
        if isinstance(self.screen, WizardScreen):
            self.switch_screen(screen)
        else:
            self.push_screen(screen)
        if focus is not None and hasattr(screen, "focus_question"):
            self.call_after_refresh(screen.focus_question, focus)

    # -- terminal size ----------------------------------------------------------
    def on_resize(self, event) -> None:
        self._check_size(event.size.width, event.size.height)

    def _check_size(self, width: int, height: int) -> None:
        small = width < MIN_WIDTH or height < MIN_HEIGHT
        top = self.screen
        if small and not isinstance(top, TooSmallScreen):
            self.push_screen(TooSmallScreen())
        elif small:
            top.show_size(width, height)
        elif isinstance(top, TooSmallScreen):
            self.pop_screen()

    # -- actions ----------------------------------------------------------------
    def action_help(self) -> None:
        from advisor.tui.screens.help import HelpScreen
        from advisor.tui.widgets.question import QuestionField

        if isinstance(self.screen, (HelpScreen, TooSmallScreen)):
            return
        question = None
        node = self.focused
        while node is not None:
            if isinstance(node, QuestionField):
                question = node.question
                break
            node = node.parent
        self.push_screen(HelpScreen(question))

    def action_quit_saving(self, code: int) -> None:
        """Leave without losing work.

        Ctrl+C saves the draft and leaves at once. Ctrl+Q leaves at once when
        nothing would be lost (no answers, or the export is up to date: the
        draft is then dropped); otherwise it asks: export, keep the draft, or
        discard (confirmed once); Esc stays.
        """
        from advisor.tui.screens.confirm import QuitDialog

        if code != 0:
            if self.session.overrides:
                self._save_draft(self.session)
            self.exit(code)
        elif not self.session.changed_since_export:
            if self.session.exported:
                drafts.discard_draft()
            self.exit(code)
        elif not isinstance(self.screen, QuitDialog):
            self.push_screen(QuitDialog(self.session.exported), self._quit_answered)

    def _quit_answered(self, choice: str | None) -> None:
        if choice == "keep":
            self._save_draft(self.session)
            self.exit(EXIT_OK)
        elif choice == "discard":
            drafts.discard_draft()
            self.draft_saved = None
            self.exit(EXIT_OK)
        elif choice == "export":
            self.action_export(then_quit=True)

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    def action_export(self, then_quit: bool = False) -> None:
        if not self.session.complete:
            self.notify("Answer every step before exporting.", severity="warning")
            return
        from advisor.tui.screens.export import ExportDialog

        def done(path: Path | None) -> None:
            self._exported(path)
            if then_quit and path is not None:
                drafts.discard_draft()
                self.exit(EXIT_OK)

        self.push_screen(ExportDialog(), done)

    def _exported(self, path: Path | None) -> None:
        if path is not None:
            self.exported = path
            self.session.mark_exported()
            self.notify(f"Report saved to {path}", title="Exported", timeout=12)

    @property
    def export_stale(self) -> bool:
        """An export exists but the answers changed after it (the shell says so)."""
        return self.exported is not None and self.session.changed_since_export

    def action_goto(self, index: int) -> None:
        if self.session.goto(index):
            self.show_current()
        else:
            self.notify("Finish the earlier steps first.", severity="warning")

    # -- scenarios (advisor.scenarios) ----------------------------------------------
    def action_save_scenario(self) -> None:
        from advisor.tui.screens.scenarios import NameDialog

        def save(name: str | None) -> None:
            if name:
                from advisor.scenarios import save_scenario

                path = save_scenario(name, self.session.snapshot())
                self.notify(f"Answers saved as '{name}' ({path})", title="Saved", timeout=8)

        self.push_screen(NameDialog(), save)

    def action_load_scenario(self) -> None:
        from advisor.scenarios import list_scenarios, load_scenario
        from advisor.tui.screens.confirm import ConfirmDialog
        from advisor.tui.screens.scenarios import PickDialog

        names = list_scenarios()
        if not names:
            self.notify("No saved scenarios yet: use 'Save answers as...' first.", severity="warning")
            return

        def load(name: str) -> None:
            self.session = self._new_session({}, snapshot=load_scenario(name))
            self.show_current()
            self.notify(f"Loaded '{name}'")

        def picked(name: str | None) -> None:
            if not name:
                return
            if self.session.overrides:  # replacing typed answers is destructive: ask once
                self.push_screen(ConfirmDialog(f"Replace the current answers with '{name}'?", "Load"),
                                 lambda yes: load(name) if yes else None)
            else:
                load(name)

        self.push_screen(PickDialog("Load saved answers", names), picked)

    def action_compare_scenarios(self) -> None:
        from advisor.scenarios import comparison_lines, compare, list_scenarios
        from advisor.tui.screens.scenarios import CompareScreen, PickDialog

        names = list_scenarios()
        if len(names) < 2:
            self.notify("Save two scenarios first ('Save answers as...').", severity="warning")
            return

        def second(first: str, other: str | None) -> None:
            if other:
                self.push_screen(CompareScreen(comparison_lines(compare(self.backend, first, other))))

        def first(name: str | None) -> None:
            if name:
                rest = [n for n in names if n != name]
                self.push_screen(PickDialog(f"Compare '{name}' with", rest), lambda other: second(name, other))

        self.push_screen(PickDialog("Compare: first scenario", names), first)

    def action_audit(self) -> None:
        """Audit the rules in use (golden cases included: seconds) off the UI thread."""
        if getattr(self.backend, "audit", None) is None:
            self.notify("This rulebook offers no audit.", severity="warning")
            return
        self.notify("Auditing the rules...")
        self._run_audit()

    @work(thread=True, exclusive=True, group="audit")
    def _run_audit(self) -> None:
        from advisor.tui.screens.help import HelpScreen

        try:
            text = self.backend.audit()  # type: ignore[attr-defined]
        except Exception as err:  # noqa: BLE001 - shown, never a crash
            text = f"# Audit\n\nThe audit could not run: {err}"
        self.call_from_thread(self.push_screen, HelpScreen(None, text=text))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for index, (_, title) in enumerate(STEPS):
            yield SystemCommand(f"Go to step: {title}", "Jump to a step already reached",
                                lambda i=index: self.action_goto(i))
        yield SystemCommand("Export report", "Save the report as Markdown or JSON", self.action_export)
        yield SystemCommand("Save answers as...", "Keep these answers under a name (a scenario)", self.action_save_scenario)
        yield SystemCommand("Load saved answers...", "Replace the answers with a saved scenario", self.action_load_scenario)
        yield SystemCommand("Compare two saved scenarios", "Answers that differ, recommendation, monthly cost",
                            self.action_compare_scenarios)
        yield SystemCommand("Audit rules", "Check the rulebook in use (sizewise audit)", self.action_audit)
        yield SystemCommand("Switch theme (dark/light)", "Toggle the dark and light themes", self.action_toggle_theme)
