"""Units and user-typed quantities.

Why this module exists: every number a user types (``--input-tokens 2K``,
``--requests-per-day 1.5e6``, ``100M`` in an answers file) goes through one
parser, so the accepted spellings and the error messages are the same
everywhere, and nothing downstream ever sees NaN, infinity or a negative
count. Byte constants live here so ``1e9`` vs ``2**30`` is never written
inline (see seed-consistency C19: GPU capacities are binary GiB, the article's
"GB" are decimal).
"""

from __future__ import annotations

import math
import re

from engine.errors import InputError

#: 10^9 bytes (decimal gigabyte; the unit of every ``_gb`` name)
GB = 1e9
#: 2^30 bytes (binary gibibyte; GPU memory "as marketed")
GIB = 2**30
#: 2^20 bytes
MIB = 2**20

#: Suffix multipliers. K/M/B/T are the counting prefixes people use for tokens
#: and parameters (``7B``, ``100M``); G is accepted as a synonym of B.
SUFFIXES: dict[str, float] = {"K": 1e3, "M": 1e6, "B": 1e9, "G": 1e9, "T": 1e12}

# digits with optional thousands separators or plain digits, optional fraction and exponent
_NUMBER = re.compile(
    r"""^\s*
    (?P<num>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:[eE][+-]?\d+)?
          |[+-]?\.\d+(?:[eE][+-]?\d+)?)
    \s*(?P<suffix>[kKmMbBgGtT]?)\s*$""",
    re.VERBOSE,
)


def parse_quantity(value: object, *, name: str, allow_negative: bool = False, allow_zero: bool = True) -> float:
    """Parse ``100M``, ``2K``, ``1.5e9``, ``1,000``, ``2.5B``, ``1T`` (or a number) into a float.

    ``name`` is the flag or field the value came from; every error names it so
    the user knows which input to fix. NaN and infinity are always rejected;
    negatives unless ``allow_negative``; zero unless ``allow_zero``.
    """
    if isinstance(value, bool):  # bool is an int subclass; True is not a quantity
        raise InputError(f"{name}: expected a number, got {value!r}")
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        match = _NUMBER.match(value)
        if not match:
            raise InputError(
                f"{name}: '{value}' is not a number (examples: 2000, 2K, 100M, 1.5e9, 2.5B, 1,000)"
            )
        number = float(match.group("num").replace(",", ""))
        suffix = match.group("suffix").upper()
        if suffix:
            number *= SUFFIXES[suffix]
    else:
        raise InputError(f"{name}: expected a number, got {type(value).__name__}")
    if math.isnan(number) or math.isinf(number):
        raise InputError(f"{name}: must be a finite number, got {value!r}")
    if number < 0 and not allow_negative:
        raise InputError(f"{name}: must not be negative, got {value!r}")
    if number == 0 and not allow_zero:
        raise InputError(f"{name}: must be greater than zero, got {value!r}")
    return number


def parse_positive_int(value: object, *, name: str, maximum: float | None = None) -> int:
    """A count (tokens, GPUs, requests): a whole number >= 1, optionally capped.

    ``2K`` -> 2000 is fine; ``2.5`` is not (a count must be whole).
    ``maximum`` rejects absurd inputs (1e30 requests/day) with a message
    naming the limit instead of letting the engine overflow.
    """
    number = parse_quantity(value, name=name, allow_zero=False)
    if number != int(number):
        raise InputError(f"{name}: must be a whole number, got {value!r}")
    if maximum is not None and number > maximum:
        raise InputError(f"{name}: {value} is too large (the supported maximum is {maximum:g})")
    return int(number)


def format_quantity(number: float) -> str:
    """Shortest suffix spelling that parses back to ``number`` exactly (for echoes and tests)."""
    if number == 0:
        return "0"
    for suffix in ("T", "B", "M", "K"):
        scaled = number / SUFFIXES[suffix]
        if abs(scaled) >= 1 and float(repr(scaled)) * SUFFIXES[suffix] == number:
            return f"{scaled!r}{suffix}"
    return repr(float(number))
