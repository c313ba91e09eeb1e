"""User-facing errors raised by the engine.

Why a hierarchy of its own: the command line turns any ``SizewiseError`` into
one clear line on stderr and exit code 2, so every problem the user can cause
(unknown id, absurd number, a model that cannot fit) must be one of these and
never a bare ``ValueError`` that would surface as a traceback.
"""

from __future__ import annotations

import difflib
from typing import Iterable

#: longest piece of user input echoed back in a message (a pasted file must not become a 100 KB line)
MAX_SHOWN_CHARS = 60
#: inputs longer than this are not fuzzy-matched: nothing in a catalog is that long, and difflib is quadratic
_MAX_MATCHED_CHARS = 100
_MAX_SUGGESTIONS = 3
_MAX_EXAMPLES = 20


class SizewiseError(Exception):
    """Base class: ``str(err)`` is the complete message shown to the user."""

    exit_code = 2


class InputError(SizewiseError):
    """A value the user supplied is malformed, out of range or absurd."""


def _escape_char(c: str) -> str:
    # str.isprintable is False exactly for the categories a terminal may interpret or hide: controls (ESC,
    # BEL, NUL, C1), format characters (U+202E, zero-width space, BOM), line/paragraph separators,
    # surrogates, private use, unassigned, and spaces other than " " (a no-break space would pass for one)
    return c if c.isprintable() else c.encode("unicode_escape").decode("ascii")


def _json_escape_char(c: str) -> str:
    if c.isprintable():
        return c
    code = ord(c)
    if code > 0xFFFF:  # JSON spells a character outside the BMP as a surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def escape_controls(text: object, *, keep_newlines: bool = False, json: bool = False) -> str:
    """``text`` with every character a terminal would interpret written as an escape (``\\x1b``).

    The one escaping function of the tool: :func:`shown` (one-line echoes in
    messages) and :func:`terminal_text` (whole messages and reports written to
    stdout/stderr) are both built on it, so ESC, BEL, NUL, U+202E and friends
    are escaped the same way wherever they come from (answers, overrides, rule
    and case files, flags, file names). With ``keep_newlines`` a ``\\n`` stays a
    line break (a list of problems keeps its lines); tabs and every other
    control are always escaped. With ``json`` the escapes are JSON's
    (``\\u001b``), so a JSON document stays valid and means the same: in JSON
    text a non-printable character can only occur inside a string.
    """
    text = str(text)
    if text.isascii() and text.isprintable():
        return text  # the common case: nothing to do
    escape = _json_escape_char if json else _escape_char
    if keep_newlines:
        return "\n".join("".join(map(escape, line)) for line in text.split("\n"))
    return "".join(map(escape, text))


def shown(text: object, limit: int = MAX_SHOWN_CHARS) -> str:
    """User text made safe to echo on one terminal line.

    Why: an id is echoed in the error message, and whatever the user (or a
    script) passed reaches the terminal verbatim: an ESC sequence would be
    interpreted, a newline would break the one-line contract, a pasted file
    would print in full. Control and format characters become Python escapes
    (``\\x1b``, ``\\n``, ``\\u202e``, by :func:`escape_controls`) and the text is
    cut at ``limit`` characters with ``...``.
    """
    text = str(text)
    return escape_controls(text[:limit]) + ("..." if len(text) > limit else "")


def terminal_text(text: object, *, json: bool = False) -> str:
    """A whole message or report made safe for a terminal: lines kept, every control character escaped.

    Applied where text leaves the program (the CLI's error printer, ``explain``,
    ``audit``, ``recommend``, ``answers template``), so a string from a file or a
    flag that no message escaped on its own still cannot reach the terminal raw.
    Escaping twice is harmless: an escape is printable text. ``json``: the text
    is a JSON document (see :func:`escape_controls`).
    """
    return escape_controls(text, keep_newlines=True, json=json)


#: longest list of problems printed in one message; the rest are counted ("... and 49,980 more")
MAX_LISTED_PROBLEMS = 20


def capped_lines(lines: list[str], limit: int = MAX_LISTED_PROBLEMS) -> list[str]:
    """At most ``limit`` lines plus one saying how many were left out (50,000 unknown keys stay readable).

    The count line takes the indentation of the lines it stands for.
    """
    if len(lines) <= limit + 1:
        return list(lines)
    last = lines[limit - 1]
    indent = last[: len(last) - len(last.lstrip())]
    return [*lines[:limit], f"{indent}... and {len(lines) - limit:,} more"]


def _score(query: str, candidate: str) -> float:
    """Similarity in [0, 1.5]: difflib's ratio, plus a bonus when one contains the other.

    The bonus is why ``h100`` suggests ``h100-sxm`` and ``h100-pcie`` before
    ``h200``, and why a short family name (``mixtral``) finds its models even
    though its ratio against a long id is low.
    """
    ratio = difflib.SequenceMatcher(None, query, candidate).ratio()
    if (len(query) >= 3 and query in candidate) or (len(candidate) >= 3 and candidate in query):
        return max(ratio, 0.5) + 0.5
    return ratio


def closest(queries: Iterable[str], known: Iterable[str], canonical: dict[str, str] | None = None,
            n: int = _MAX_SUGGESTIONS, cutoff: float = 0.5) -> list[str]:
    """Up to ``n`` canonical ids whose spellings are closest to any of ``queries``.

    ``known`` holds every accepted spelling; ``canonical`` maps a lower-cased
    spelling to the id it stands for (default: itself). Each canonical id is
    suggested at most once, so ``llama3.1-8b`` and ``llama-3.1-8b`` do not both
    appear for one model.
    """
    queries = [q.strip().lower() for q in queries if q and len(q) <= _MAX_MATCHED_CHARS]
    queries = [q for q in dict.fromkeys(queries) if q]
    if not queries:
        return []
    best: dict[str, tuple[float, int]] = {}
    for order, spelling in enumerate(known):
        target = canonical.get(spelling.lower(), spelling) if canonical else spelling
        score = max(_score(q, spelling.lower()) for q in queries)
        if score >= cutoff and score > best.get(target, (-1.0, 0))[0]:
            best[target] = (score, best.get(target, (0, order))[1])
    ranked = sorted(best, key=lambda t: (-best[t][0], best[t][1]))
    return ranked[:n]


def _listing(ids: list[str]) -> str:
    more = len(ids) - _MAX_EXAMPLES
    return ", ".join(ids[:_MAX_EXAMPLES]) + (f", ... ({more} more)" if more > 0 else "")


class UnknownIdError(SizewiseError):
    """An id (model, GPU, size, question) that no catalog knows.

    ``known`` are the accepted spellings matched against; ``canonical`` maps a
    lower-cased spelling to the id to suggest; ``match`` are extra forms of the
    input to match (e.g. without an org prefix or ``-Instruct``); ``examples``
    are ids named when nothing is close (default: the canonical ids), so the
    user always learns at least one valid answer.
    """

    def __init__(self, kind: str, given: str, known: Iterable[str], *, canonical: dict[str, str] | None = None,
                 match: Iterable[str] = (), examples: list[str] | None = None):
        known = list(known)
        self.kind = kind
        self.given = given
        self.suggestions = closest([str(given), *match], known, canonical)
        if self.suggestions:
            hint = f"; did you mean {', '.join(self.suggestions)}?"
        else:
            if examples is None:
                examples = list(dict.fromkeys(canonical.get(k.lower(), k) for k in known) if canonical else known)
            hint = f"; known {kind}s include {_listing(examples)}" if examples else ""
        where = f" (see `sizewise catalog {kind}s`)" if kind in ("gpu", "model") else ""
        super().__init__(f"unknown {kind} '{shown(given)}'{hint}{where}")


class DoesNotFitError(SizewiseError):
    """The model cannot be placed on any allowed count of the chosen GPU."""


class ConfigError(SizewiseError):
    """A data or config file (catalog, overrides, HF config.json) is unusable."""
