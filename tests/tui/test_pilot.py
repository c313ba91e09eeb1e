"""Pilot tests: every path through the wizard, driven by keys (and a few clicks)."""

from __future__ import annotations

import json
from pathlib import Path

from fixture_backend import COMPLETE

from advisor import drafts
from advisor.session import STEP_IDS
from advisor.tui.screens.export import ExportDialog
from advisor.tui.screens.help import HelpScreen
from advisor.tui.screens.too_small import TooSmallScreen


async def type_into(pilot, selector: str, text: str) -> None:
    widget = pilot.app.screen.query_one(selector)
    widget.focus()
    widget.value = ""
    await pilot.press(*text)
    await pilot.pause()


async def answer_everything(pilot) -> None:
    """Keys a user presses for a complete run (moderate / professional / batch / 200K)."""
    app = pilot.app
    domain = app.screen.query_one("#input-domain_specific")
    assert [b.value for b in domain.query("RadioButton")] == [False, True]  # default: not domain-specific
    await pilot.press("down", "enter")  # Simple -> Moderate
    await pilot.pause()
    # the recomputed default is shown with exactly one button on, and is not an answer
    assert [b.value for b in domain.query("RadioButton")] == [True, False]
    assert "domain_specific" not in app.session.overrides
    await pilot.press("ctrl+n")
    await pilot.pause()
    assert app.session.step_id == "quality"
    await pilot.press("down", "enter")  # Professional
    await pilot.press("tab", "down", "enter")  # latency: Batch
    await pilot.press("ctrl+n")
    await pilot.pause()
    assert app.session.step_id == "volume"
    await pilot.press(*"200K")
    await pilot.pause()
    await pilot.press("ctrl+n")
    await pilot.pause()
    assert app.session.step_id == "test_plan"
    await pilot.press("ctrl+n")
    await pilot.pause()
    assert app.session.step_id == "review"


async def test_full_run_to_an_exported_report(make_app, tmp_path):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.pause()
        await answer_everything(pilot)
        assert app.session.answers["requests_per_day"] == 200_000
        await pilot.click("#next-button")  # the mouse works too: one click, one step
        await pilot.pause()
        assert app.session.step_id == "result" and not isinstance(app.screen, ExportDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert app.session.step_id == "review"
        # defaults shown in the form never turn into answers the user gave
        assert set(app.session.overrides) == {"task_complexity", "quality_bar", "latency", "requests_per_day"}
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.session.step_id == "result"
        assert "Start with a 13B model" in str(app.screen.query_one("#summary").render())
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
        await pilot.click("#format RadioButton", offset=(2, 1))  # JSON, with the mouse
        await pilot.pause()
        assert app.screen.query_one("#path").value == "sizewise-report.json"
        await pilot.press("tab", "tab", "tab")
        await pilot.click("#save")
        await pilot.pause()
        target = tmp_path / "sizewise-report.json"
        assert app.exported == target.resolve()
        assert json.loads(target.read_text())["start_size"] == "13b"
        assert f"Saved to {target.resolve()}" in str(app.screen.query_one("#saved").render())
        assert drafts.draft_path().exists()  # saved after each completed step
        await pilot.press("ctrl+q")
    assert app.return_value == 0
    assert not drafts.draft_path().exists()  # finished and exported: nothing to resume


async def test_back_and_edit_invalidates_dependent_answer(make_app):
    app = make_app(overrides={**COMPLETE, "latency": "interactive", "ttft_target_s": "1.5"})
    async with app.run_test() as pilot:
        for _ in range(4):
            await pilot.press("ctrl+n")
            await pilot.pause()
        assert app.session.step_id == "review"
        await pilot.click("#edit-quality_bar")
        await pilot.pause()
        assert app.session.step_id == "quality"
        assert app.focused.id == "input-quality_bar"
        await pilot.press("down", "enter")  # Professional -> Expert: 1.5 s is now too slow? no: limit 2 s
        await pilot.pause()
        assert app.session.answers["quality_bar"] == "expert"
        await type_into(pilot, "#input-ttft_target_s", "3")
        assert "needs a first token within 2 s" in str(app.screen.query_one("#q-ttft_target_s .verdict").render())
        assert app.screen.query_one("#next-button").disabled
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.session.step_id == "quality"  # refused
        assert app.focused.id == "input-ttft_target_s"  # taken to the answer to fix
        assert "needs a first token within 2 s" in str(app.screen.query_one("#nav-message").render())
        await pilot.press("escape")
        await pilot.pause()
        assert app.session.step_id == "task"
        from advisor.tui.widgets.step_indicator import step_states

        assert step_states(app.session)[1] == "invalid"  # reached, now invalid: shown with "!"
        assert "! 2 Quality" in str(app.screen.query_one("#steps").render())
        await pilot.press("down", "enter")  # complex: domain default recomputed
        await pilot.pause()
        assert app.session.answers["domain_specific"] is False
        # switching latency to batch hides the flagged answer: it is dropped
        await pilot.press("ctrl+n")
        await pilot.pause()
        app.screen.query_one("#input-latency").focus()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert "ttft_target_s" not in app.session.overrides
        assert not app.screen.query_one("#q-ttft_target_s").display


async def test_resume_after_interrupted_run(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("down", "down", "enter", "ctrl+n")  # complex
        await pilot.pause()
        await pilot.press("down", "down", "enter")  # expert (not yet a completed step)
        await pilot.pause()
        await pilot.press("ctrl+c")
    assert app.return_value == 130
    snapshot = drafts.load_draft()
    assert snapshot["step"] == "quality"
    assert snapshot["answers"] == {"task_complexity": "complex", "quality_bar": "expert"}

    again = make_app(offer_draft=snapshot)
    async with again.run_test() as pilot:
        await pilot.pause()
        assert str(again.screen.query_one("#dialog").query("Label")[1].render()) == (
            "A draft with 2 answer(s) was saved at step 2 Quality."
        )
        await pilot.press("enter")  # Resume is focused
        await pilot.pause()
        assert again.session.step_id == "quality"
        assert again.session.answers["quality_bar"] == "expert"
        assert again.screen.query_one("#input-quality_bar").pressed_index == 2

    fresh = make_app(offer_draft=snapshot)
    async with fresh.run_test() as pilot:
        await pilot.pause()
        await pilot.press("escape")  # only closes the dialog: the draft is kept (issue 14 item 4)
        await pilot.pause()
        assert fresh.session.step_id == "task" and not fresh.session.overrides
    assert drafts.draft_path().exists()

    over = make_app(offer_draft=snapshot)
    async with over.run_test() as pilot:
        await pilot.pause()
        await pilot.click("#start-over-button")
        await pilot.pause()
        await pilot.press("escape")  # the confirmation: Esc keeps the draft
        await pilot.pause()
        assert drafts.draft_path().exists()
        await pilot.click("#start-over-button")
        await pilot.pause()
        await pilot.click("#confirm")  # asked once, confirmed
        await pilot.pause()
        assert over.session.step_id == "task" and not over.session.overrides
    assert not drafts.draft_path().exists()


async def test_export_refused_without_overwrite_confirmation(make_app, tmp_path):
    target = tmp_path / "sizewise-report.md"
    target.write_text("keep me\n")
    app = make_app(overrides=COMPLETE)
    async with app.run_test() as pilot:
        assert app.session.goto("review") is False  # not reached yet
        for _ in range(5):
            await pilot.press("ctrl+n")
            await pilot.pause()
        assert app.session.step_id == "result"
        await pilot.press("e")
        await pilot.pause()
        assert app.focused.id == "path"
        await pilot.press("enter")  # Enter in the path field saves...
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)  # ...but not over an existing file
        assert "exists: tick Overwrite to replace it" in str(app.screen.query_one("#export-message").render())
        assert target.read_text() == "keep me\n"
        await pilot.click("#overwrite")
        await pilot.click("#save")
        await pilot.pause()
        assert target.read_text().startswith("# Recommendation")
        assert not list(Path(tmp_path).glob(".sizewise-report*"))  # no temp file left


async def test_too_small_terminal_keeps_what_was_typed(make_app):
    app = make_app(overrides={"task_complexity": "simple"})
    async with app.run_test() as pilot:
        await pilot.press("ctrl+n", "ctrl+n")
        await pilot.pause()
        await pilot.press("ctrl+n")  # quality unanswered: stays
        app.session.set_answer("quality_bar", "acceptable")
        app.session.set_answer("latency", "batch")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.session.step_id == "volume"
        await type_into(pilot, "#input-requests_per_day", "1.5M")
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        text = str(app.screen.query_one("#too-small").render())
        assert "The terminal is 60x20." in text and "at least 80x24" in text
        await pilot.press("x")  # keys do not reach the hidden form
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not isinstance(app.screen, TooSmallScreen)
        assert app.screen.query_one("#input-requests_per_day").value == "1.5M"
        assert app.session.answers["requests_per_day"] == 1_500_000


async def test_f1_shows_help_for_the_focused_question(make_app):
    app = make_app(overrides={"task_complexity": "simple"})
    async with app.run_test() as pilot:
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.press("tab")  # to the latency question
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert app.screen.question.id == "latency"
        await pilot.press("escape")
        await pilot.pause()
        assert app.session.step_id == "quality"  # escape closed help, did not go back
        app.screen.query_one("#input-quality_bar").focus()
        await pilot.press("f1")
        await pilot.pause()
        assert "| Expert | revenue-critical | professional services |" in app.screen.text


async def test_palette_goto_and_theme(make_app):
    app = make_app(overrides=COMPLETE)
    async with app.run_test() as pilot:
        for _ in range(3):
            await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.session.step_id == "test_plan"
        await pilot.click("#steps", offset=(3, 0))  # the step row is clickable: "1 Task"
        await pilot.pause()
        assert app.session.step_id == "task"
        app.action_goto(STEP_IDS.index("volume"))
        await pilot.pause()
        assert app.session.step_id == "volume"
        app.action_goto(STEP_IDS.index("task"))
        await pilot.pause()
        assert app.session.step_id == "task"
        app.action_goto(STEP_IDS.index("result"))  # not reached: refused
        await pilot.pause()
        assert app.session.step_id == "task"
        await pilot.press("ctrl+t")
        assert app.theme == "textual-light"
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Go to step: 3 Volume", "Export report", "Audit rules", "Switch theme (dark/light)"} <= set(titles)


async def test_palette_audit_shows_the_report_off_the_ui_thread(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        app.action_audit()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert app.screen.text == "# Audit of fixture\n\nNo findings."
        await pilot.press("escape")
        await pilot.pause()
        assert app.session.step_id == "task"


async def test_footer_shows_the_screens_keys_and_a_click_presses_one(make_app):
    """The one-widget footer (KeyBar): the screen's shown bindings, palette last; clicks act."""
    from advisor.tui.widgets.key_bar import KeyBar

    app = make_app(overrides={"task_complexity": "simple"})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        bar = app.screen.query_one(KeyBar)
        assert [key for _, _, key, _ in bar.spans] == ["ctrl+n", "escape", "ctrl+q", "f1", "ctrl+t", "ctrl+p"]
        text = str(bar.render())
        assert "^n Next" in text and "f1 Help" in text and text.rstrip().endswith("^p palette")
        start, end, _, _ = bar.spans[0]  # Next: the first step is complete
        await pilot.click(KeyBar, offset=(start + 1, 0))
        await pilot.pause()
        assert app.session.step_id == "quality"
        bar = app.screen.query_one(KeyBar)
        start, _, key, _ = bar.spans[3]
        assert key == "f1"
        await pilot.click(KeyBar, offset=(start + 1, 0))
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_nav_buttons_take_focus_and_enter_presses_them(make_app):
    """Back/Next (NavButton): Enter on the focused one acts; a disabled one does nothing."""
    app = make_app(overrides={"task_complexity": "simple"})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        back = app.screen.query_one("#back-button")
        assert back.disabled  # first step: nowhere to go back to
        back.press()
        await pilot.pause()
        assert app.session.step_id == "task"
        app.screen.query_one("#next-button").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.step_id == "quality"
        app.screen.query_one("#back-button").focus()
        await pilot.press("space")
        await pilot.pause()
        assert app.session.step_id == "task"
