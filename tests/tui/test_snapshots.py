"""SVG snapshots of every screen at 80x24 (the minimum) and 120x36.

Review changed snapshots in snapshot_report.html, then accept them with
``pytest tests/tui --snapshot-update``. The fixture backend keeps them
independent of rule edits; Textual is pinned exactly (pyproject) because the
SVGs are compared byte for byte.
"""

from __future__ import annotations

import pytest
from fixture_backend import COMPLETE

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 36), id="120x36")]


def nexts(count: int):
    async def run_before(pilot) -> None:
        for _ in range(count):
            await pilot.press("ctrl+n")
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_task_step(snap_compare, make_app, size):
    """Step 1 after picking Moderate: radio list with examples, live panel filled."""
    assert snap_compare(make_app(), press=["down", "enter"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_volume_step_with_invalid_number(snap_compare, make_app, size):
    """Step 3 with a refused number: the reason inline, Next disabled, unit shown."""
    app = make_app(overrides={**COMPLETE, "requests_per_day": "lots"})

    async def run_before(pilot) -> None:
        await nexts(2)(pilot)
        pilot.app.screen.query_one("#input-output_tokens").focus()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_review(snap_compare, make_app, size):
    """Review: every answer, defaults marked, Edit buttons."""
    assert snap_compare(make_app(overrides=COMPLETE), terminal_size=size, run_before=nexts(4))


@pytest.mark.parametrize("size", SIZES)
def test_result(snap_compare, make_app, size):
    """Result: plain-words answer, candidates table, cost chart."""
    assert snap_compare(make_app(overrides=COMPLETE), terminal_size=size, run_before=nexts(5))


@pytest.mark.parametrize("size", SIZES)
def test_export_dialog(snap_compare, make_app, size):
    assert snap_compare(make_app(overrides=COMPLETE), press=["e"], terminal_size=size, run_before=nexts(5))


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, make_app, size):
    """F1 on the task question: its help, choices with examples, keys."""
    assert snap_compare(make_app(), press=["f1"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_resume_dialog(snap_compare, make_app, size):
    draft = {"step": "volume", "reached": "volume", "rules_hash": "sha256:other", "answers": {"task_complexity": "simple"}}
    assert snap_compare(make_app(offer_draft=draft), terminal_size=size)


@pytest.mark.parametrize("size", [pytest.param((60, 20), id="60x20"), pytest.param((79, 30), id="79x30")])
def test_too_small(snap_compare, make_app, size):
    assert snap_compare(make_app(), terminal_size=size)


def test_light_theme(snap_compare, make_app):
    assert snap_compare(make_app(overrides=COMPLETE, theme="textual-light"), terminal_size=(120, 36), run_before=nexts(1))
