"""Issue 14: no lost work (quit after changes, defaulted numbers, keys after a step change).

Each test reproduces one reported loss with the keys a user pressed; each
failed before its fix.
"""

from __future__ import annotations

from test_pilot import answer_everything

from advisor import drafts
from advisor.tui.screens.confirm import ConfirmDialog, QuitDialog
from advisor.tui.screens.export import ExportDialog


async def _export(pilot) -> None:
    await pilot.press("e")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ExportDialog)
    await pilot.press("enter")  # Enter in the path field saves
    await pilot.pause()
    assert pilot.app.exported is not None, pilot.app.screen.query_one("#export-message").render()


async def test_changes_after_an_export_are_not_lost_on_quit(make_app, tmp_path):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.pause()
        await answer_everything(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.session.step_id == "result"
        await _export(pilot)
        assert not app.session.changed_since_export
        # go back and change the quality bar, then quit
        app.action_goto(1)
        await pilot.pause()
        app.session.set_answer("quality_bar", "expert")
        assert app.session.changed_since_export and app.export_stale
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, QuitDialog)  # asks instead of leaving
        await pilot.press("escape")  # Esc stays
        await pilot.pause()
        assert not isinstance(app.screen, QuitDialog) and app.return_value is None
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.click("#keep")
        await pilot.pause()
    assert app.return_value == 0
    assert drafts.load_draft()["answers"]["quality_bar"] == "expert"


async def test_quit_discard_asks_once(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("down", "enter", "ctrl+n")
        await pilot.pause()
        assert drafts.draft_path().exists()
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.click("#discard")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.click("#confirm")
        await pilot.pause()
    assert app.return_value == 0
    assert not drafts.draft_path().exists()


async def test_nothing_typed_quits_at_once(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_value == 0


async def test_clearing_a_defaulted_number_keeps_it_empty_while_typing(make_app):
    """End, Backspace on a defaulted number then '10' used to give '101' (issue 14 item 3)."""
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("down", "enter", "ctrl+n")  # moderate -> step 2
        await pilot.pause()
        await pilot.press("down", "enter", "tab", "enter")  # professional; latency: interactive
        await pilot.pause()
        field = app.screen.query_one("#input-ttft_target_s")
        assert field.display and field.value  # shows its default
        field.focus()
        await pilot.pause()
        await pilot.press("end", *["backspace"] * len(field.value))
        await pilot.pause()
        assert field.value == ""
        await pilot.press("1", "0")
        await pilot.pause()
        assert field.value == "10" and app.session.answers["ttft_target_s"] == 10
        await pilot.press(*["backspace"] * 2)
        await pilot.pause()
        assert field.value == ""  # still empty while focused; the default is used
        await pilot.press("tab")
        await pilot.pause()
        assert field.value != ""  # the default is shown again once the user leaves the field


def _burst(app, *keys: str) -> None:
    """Queue keys the way a terminal delivers fast typing: all of them before any is handled.

    ``pilot.press`` waits for the app to go idle after every key, so focus has
    always moved before the next key arrives and the race never shows. Typed
    fast in tmux, the keys after Tab were already queued for the field being
    left. Sending every event to the driver first reproduces that: without the
    priority Tab binding these tests fail with '5K300' in the first field.
    """
    from textual import events
    from textual.app import _character_to_key

    for key in keys:
        char = key if len(key) == 1 else None
        if len(key) == 1 and not key.isalnum():
            key = _character_to_key(key)
        event = events.Key(key, char)
        event.set_sender(app)
        app._driver.send_message(event)


async def _to_step_2_batch(pilot) -> None:
    await pilot.pause()
    await pilot.press("down", "enter", "ctrl+n")
    await pilot.pause()
    await pilot.press("down", "enter", "tab", "down", "enter")  # professional, batch
    await pilot.pause()


async def _settle(pilot) -> None:
    for _ in range(10):
        await pilot.pause()


async def test_keys_typed_fast_after_tab_go_to_the_next_field(make_app):
    """``5K Tab 300`` in one burst on the volume step (issue 14 item 6)."""
    app = make_app()
    async with app.run_test() as pilot:
        await _to_step_2_batch(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.session.step_id == "volume"
        _burst(app, *"5K", "tab", *"300")
        await _settle(pilot)
        assert app.session.raw("requests_per_day") == "5K"
        assert app.session.raw("output_tokens") == "300"


async def test_keys_right_after_a_step_change_go_where_focus_went(make_app):
    """``C-n 5K Tab 300`` as one burst: the second number went into the first field (issue 14 item 6)."""
    app = make_app()
    async with app.run_test() as pilot:
        await _to_step_2_batch(pilot)
        _burst(app, "ctrl+n", *"5K", "tab", *"300")
        await _settle(pilot)
        assert app.session.step_id == "volume"
        assert app.session.raw("requests_per_day") == "5K"
        assert app.session.raw("output_tokens") == "300"


def test_polish_read_backs():
    """Issue 14 item 7: '1.5M/month' read back, 'Yes', help says Esc closes it, empty budget has no unit."""
    from advisor.session import Question
    from advisor.tui.screens.help import help_markdown
    from advisor.tui.screens.review import ReviewScreen
    from advisor.tui.widgets.question import format_value, readable_number

    assert readable_number(1.5e6 / (365 / 12)) == "49,315.07"
    assert readable_number(200_000.0) == "200,000" and readable_number(0.85) == "0.85"
    assert format_value(True) == "Yes" and format_value(False) == "No"
    assert "close this help" in help_markdown(None)
    budget = Question("budget_usd_per_month", "volume", "Budget?", "number", unit="USD/month")
    assert ReviewScreen._label(budget, None) == "none"
