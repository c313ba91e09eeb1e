"""User-facing errors raised by the engine.

Why a hierarchy of its own: the command line turns any ``SizewiseError`` into
one clear line on stderr and exit code 2, so every problem the user can cause
(unknown id, absurd number, a model that cannot fit) must be one of these and
never a bare ``ValueError`` that would surface as a traceback.
"""

from __future__ import annotations

import difflib


class SizewiseError(Exception):
    """Base class: ``str(err)`` is the complete message shown to the user."""

    exit_code = 2


class InputError(SizewiseError):
    """A value the user supplied is malformed, out of range or absurd."""


class UnknownIdError(SizewiseError):
    """An id (model, GPU, size, question) that no catalog knows."""

    def __init__(self, kind: str, given: str, known: list[str]):
        self.kind = kind
        self.given = given
        self.suggestions = difflib.get_close_matches(given.lower(), [k.lower() for k in known], n=3, cutoff=0.5)
        # map back to the catalog's spelling
        lower = {k.lower(): k for k in known}
        self.suggestions = [lower[s] for s in self.suggestions]
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"unknown {kind} '{given}'{hint} (see `sizewise catalog {kind}s`)" if kind in ("gpu", "model") else f"unknown {kind} '{given}'{hint}")


class DoesNotFitError(SizewiseError):
    """The model cannot be placed on any allowed count of the chosen GPU."""


class ConfigError(SizewiseError):
    """A data or config file (catalog, overrides, HF config.json) is unusable."""
