"""SVG snapshots of the dialogs that guard against lost work, at 80x24 and 120x40 (issue 14).

The quit dialog (answers not exported, or changed since the export) and the
one-time confirmation behind its Discard button and the resume dialog's
Start over. Accept changes with ``pytest tests/tui --snapshot-update``.
"""

from __future__ import annotations

import pytest
from fixture_backend import COMPLETE

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.mark.parametrize("size", SIZES)
def test_quit_dialog(snap_compare, make_app, size):
    assert snap_compare(make_app(overrides=COMPLETE), press=["ctrl+q"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_discard_confirmation(snap_compare, make_app, size):
    async def run_before(pilot) -> None:
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.click("#discard")
        await pilot.pause()

    assert snap_compare(make_app(overrides=COMPLETE), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_start_over_confirmation(snap_compare, make_app, size):
    draft = {"step": "quality", "reached": "quality", "rules_hash": None, "answers": {"task_complexity": "complex"}}

    async def run_before(pilot) -> None:
        await pilot.pause()
        await pilot.click("#start-over-button")
        await pilot.pause()

    assert snap_compare(make_app(offer_draft=draft), terminal_size=size, run_before=run_before)
