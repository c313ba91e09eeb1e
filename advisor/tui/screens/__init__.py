"""One module per screen; the app builds them through :func:`screen_for`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from textual.screen import Screen

    from advisor.session import WizardSession


def screen_for(session: "WizardSession") -> "Screen":
    """The screen that shows the session's current step."""
    from advisor.session import RESULT, REVIEW

    if session.cursor == RESULT:
        from advisor.tui.screens.result import ResultScreen

        return ResultScreen()
    if session.cursor == REVIEW:
        from advisor.tui.screens.review import ReviewScreen

        return ReviewScreen()
    from advisor.tui.screens.step import StepScreen

    return StepScreen()
