"""Shared set-up of the TUI tests: fixture backend, isolated state dir, no blinking.

The snapshot tests run the wizard over the tiny fixture backend (not the
shipped rulebook) so that rule edits do not churn the SVGs; the end-to-end
pilot test in test_pilot.py also runs the real rulebook when it is present.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fixture_backend import FixtureBackend  # noqa: E402


@pytest.fixture(autouse=True)
def isolated_state(tmp_path, monkeypatch):
    """Drafts go to a temporary directory; the working directory too (exports)."""
    state = tmp_path / "state"
    monkeypatch.setenv("SIZEWISE_STATE_DIR", str(state))
    monkeypatch.chdir(tmp_path)
    return state


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch):
    """A blinking cursor would make screenshots depend on timing: keep it on."""
    from textual.widgets import Input

    def steady(self) -> None:
        self._cursor_visible = True

    monkeypatch.setattr(Input, "_toggle_cursor", steady)


@pytest.fixture
def make_app():
    def build(**kwargs):
        from advisor.tui.app import SizewiseApp

        return SizewiseApp(FixtureBackend(), **kwargs)

    return build
