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

from engine.errors import InputError, shown

#: 10^9 bytes (decimal gigabyte; the unit of every ``_gb`` name)
GB = 1e9
#: 2^30 bytes (binary gibibyte; GPU memory "as marketed")
GIB = 2**30
#: 2^20 bytes
MIB = 2**20

#: Suffix multipliers. K/M/B/T are the counting prefixes people use for tokens
#: and parameters (``7B``, ``100M``); G is accepted as a synonym of B.
SUFFIXES: dict[str, float] = {"K": 1e3, "M": 1e6, "B": 1e9, "G": 1e9, "T": 1e12}

# The one number grammar of the tool (docs/numbers.md): ASCII digits only (re.ASCII: Python's \d and float()
# also take Arabic-Indic and fullwidth digits), plain or with comma thousands groups, optional fraction and
# exponent, optional K/M/B/G/T suffix. No other bases (0x10), no underscores (1_000), no sexagesimal (1:30).
_NUMBER = re.compile(
    r"""^\s*
    (?P<num>[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?
          |[+-]?\.[0-9]+(?:[eE][+-]?[0-9]+)?)
    \s*(?P<suffix>[kKmMbBgGtT]?)\s*$""",
    re.VERBOSE | re.ASCII,
)

#: "per <period>" -> factor to per day (a month is 365/12 days)
PER_DAY: dict[str, float] = {"day": 1.0, "d": 1.0, "week": 1 / 7, "wk": 1 / 7, "month": 12 / 365, "mo": 12 / 365,
                             "year": 1 / 365, "yr": 1 / 365, "hour": 24.0, "h": 24.0}
_RATE = re.compile(r"^\s*(?P<num>.*?)\s*(?:/\s*|\bper\s+|\ba\s+)(?P<period>day|d|week|wk|month|mo|year|yr|hour|h)\s*$",
                   re.IGNORECASE | re.ASCII)


def parse_quantity(value: object, *, name: str, allow_negative: bool = False, allow_zero: bool = True,
                   per_day: bool = False) -> float:
    """Parse ``100M``, ``2K``, ``1.5e9``, ``1,000``, ``2.5B``, ``1T`` (or a number) into a float.

    ``name`` is the flag or field the value came from; every error names it so
    the user knows which input to fix. NaN and infinity are always rejected;
    negatives unless ``allow_negative``; zero unless ``allow_zero``. With
    ``per_day`` (a quantity per day: requests, tokens) a rate in another period
    is converted (``50M/month``, ``10K per hour``, ``1B a year``): users know
    their volume per month as often as per day.
    """
    if isinstance(value, bool):  # bool is an int subclass; True is not a quantity
        raise InputError(f"{name}: expected a number, got {value!r}")
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        text, factor = value, 1.0
        rate = _RATE.match(value) if per_day else None
        if rate:
            text, factor = rate.group("num"), PER_DAY[rate.group("period").lower()]
        match = _NUMBER.match(text)
        if not match:
            hint = ", 1.5M/month" if per_day else ""
            raise InputError(
                f"{name}: '{shown(value)}' is not a number (examples: 2000, 2K, 100M, 1.5e9, 2.5B, 1,000{hint})"
            )
        number = float(match.group("num").replace(",", ""))
        suffix = match.group("suffix").upper()
        if suffix:
            number *= SUFFIXES[suffix]
        number *= factor
    else:
        raise InputError(f"{name}: expected a number, got {type(value).__name__}")
    if math.isnan(number) or math.isinf(number):
        raise InputError(f"{name}: must be a finite number, got {shown(repr(value))}")
    if number < 0 and not allow_negative:
        raise InputError(f"{name}: must not be negative, got {shown(repr(value))}")
    if number == 0 and not allow_zero:
        raise InputError(f"{name}: must be greater than zero, got {shown(repr(value))}")
    return number


def parse_positive_int(value: object, *, name: str, maximum: float | None = None) -> int:
    """A count (tokens, GPUs, requests): a whole number >= 1, optionally capped.

    ``2K`` -> 2000 is fine; ``2.5`` is not (a count must be whole).
    ``maximum`` rejects absurd inputs (1e30 requests/day) with a message
    naming the limit instead of letting the engine overflow.
    """
    number = parse_quantity(value, name=name, allow_zero=False)
    if number != int(number):
        raise InputError(f"{name}: must be a whole number, got {shown(repr(value))}")
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
