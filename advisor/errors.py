"""Errors raised by the advisor layer (rules, answers, reports).

All derive from :class:`engine.errors.SizewiseError`, so the command line has a
single place that turns them into a message and an exit code.
"""

from __future__ import annotations

from engine.errors import SizewiseError


class UserError(SizewiseError):
    """Bad input from the user: a message and exit code 2."""


class Findings(SizewiseError):
    """Not an error of input: the command ran and found problems (exit 1)."""

    exit_code = 1
