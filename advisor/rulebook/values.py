"""Typing and validating one answer against its question.

Why here and not in :mod:`advisor.answers`: the loader must run the very same
check on every question's default ("a default that fails its own validation"
is a rule-file error), and the answers layer builds on the rulebook, not the
other way round. :mod:`advisor.answers` re-exports :func:`validate_answer`.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from typing import Any

from advisor.rulebook.conditions import fmt_number, fmt_value


@dataclasses.dataclass(frozen=True)
class Invalid:
    """Why an answer was refused (returned instead of a value)."""

    message: str

    def __str__(self) -> str:
        return self.message


_TRUE = {"true", "yes", "y", "on", "1"}
_FALSE = {"false", "no", "n", "off", "0"}


def parse_number(text: str, *, per_day: bool = False) -> float | None:
    """``100M`` -> 1e8, ``2K`` -> 2000, ``1,000`` -> 1000 (``per_day``: ``1.5M/month`` too); None when not a number.

    The grammar is engine.units.parse_quantity's, the one of every flag and file (docs/numbers.md).
    """
    from engine.errors import InputError
    from engine.units import parse_quantity

    try:
        return parse_quantity(text, name="value", allow_negative=True, per_day=per_day)
    except InputError:
        return None


def coerce(question: Any, raw: Any) -> Any:
    """Type ``raw`` (a YAML value or a ``--set`` string) for ``question``; :class:`Invalid` if impossible."""
    qtype = question.type
    if raw is None:
        return Invalid("no value given")
    if qtype == "choice":
        return _one_choice(question, raw)
    if qtype == "multi_choice":
        return _multi_choice(question, raw)
    if qtype == "boolean":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
            return raw.strip().lower() in _TRUE
        return Invalid(f"expected true or false, got '{fmt_value(raw)}'")
    if qtype in ("number", "integer"):
        if isinstance(raw, bool):
            return Invalid(f"expected a number, got '{fmt_value(raw)}'")
        if isinstance(raw, (int, float)):
            x = float(raw)
        elif isinstance(raw, str):
            per_day = (question.unit or "").endswith("/day")
            x = parse_number(raw, per_day=per_day)
            if x is None:
                hint = ", 1.5M/month" if per_day else ""
                return Invalid(f"'{raw.strip()}' is not a number (examples: 2000, 2K, 100M, 1.5e9{hint})")
        else:
            return Invalid(f"expected a number, got a {type(raw).__name__}")
        if not math.isfinite(x):
            return Invalid("must be a finite number")
        if qtype == "integer":
            if not x.is_integer():
                return Invalid(f"expected a whole number, got {fmt_number(x)}")
            return int(x)
        return int(x) if isinstance(raw, int) else x
    # text
    if not isinstance(raw, str):
        raw = fmt_value(raw)
    if len(raw) > question.max_length:
        return Invalid(f"longer than {question.max_length} characters")
    if getattr(question, "catalog", None) == "models" and raw.strip():
        return _catalog_model(raw.strip())
    return raw


def _catalog_model(text: str) -> Any:
    """A model id or alias as typed (stripped), or :class:`Invalid` naming the nearest ids.

    Why keep the text and not the canonical id: the answers file keeps what the team wrote;
    the report shows the id it resolved to. A generic class ('13b') is refused: it is a size,
    which planned_size already asks.
    """
    from engine.catalog import resolve_model
    from engine.errors import UnknownIdError

    try:
        spec = resolve_model(text)
    except UnknownIdError as err:
        return Invalid(str(err))
    if spec.generic:
        return Invalid(f"'{text}' is a size class, not a model: name a catalog model "
                       "(e.g. meta-llama/Llama-3.3-70B-Instruct), or answer planned_size for a size")
    return text


def _unlike_bound(value: float, bound: float) -> str:
    """``value`` as fmt_number writes it, or in full when that would read as the bound it broke.

    Why: 100000000001 is over a maximum of 1e11, and "got 1e11" says the opposite.
    """
    text = fmt_number(value)
    if text != fmt_number(bound):
        return text
    return f"{value:,.0f}" if float(value).is_integer() else repr(float(value))


def _one_choice(question: Any, raw: Any) -> Any:
    values = [c.value for c in question.choices or []]
    text = raw if isinstance(raw, str) else fmt_value(raw)
    text = text.strip()
    if text in values:
        return text
    lowered = {v.lower(): v for v in values}
    norm = text.lower().replace("-", "_").replace(" ", "_")
    if norm in lowered:
        return lowered[norm]
    hint = difflib.get_close_matches(norm, values, n=1, cutoff=0.6)
    did = f"; did you mean '{hint[0]}'?" if hint else ""
    return Invalid(f"'{text}' is not one of: {', '.join(values)}{did}")


def _multi_choice(question: Any, raw: Any) -> Any:
    """A list (YAML list, or ``"aws, gcp"`` from ``--set`` or the wizard) of distinct choice values, in the order given.

    Why a list and not a set: the report names the providers in the order the team gave them.
    """
    items = list(raw) if isinstance(raw, (list, tuple)) else str(raw).split(",")
    picked: list[str] = []
    for item in items:
        if isinstance(item, str) and not item.strip():
            continue
        value = _one_choice(question, item)
        if isinstance(value, Invalid):
            return value
        if value not in picked:
            picked.append(value)
    if not picked:
        return Invalid("choose at least one of: " + ", ".join(c.value for c in question.choices or []))
    return picked


def check_bounds(question: Any, value: Any) -> Invalid | None:
    b = question.bounds
    if b is None or question.type not in ("number", "integer"):
        return None
    if value < b.min or value > b.max:
        got = _unlike_bound(value, b.min if value < b.min else b.max)
        if b.message:
            text = b.message.replace("{min}", fmt_number(b.min)).replace("{max}", fmt_number(b.max)).replace("{value}", got)
            return Invalid(text)
        return Invalid(f"must be between {fmt_number(b.min)} and {fmt_number(b.max)}{' ' + question.unit if question.unit else ''}, got {got}")
    return None


def validate_value(question: Any, raw: Any) -> Any:
    """Type and range check (no cross-answer checks): the value or :class:`Invalid`."""
    value = coerce(question, raw)
    if isinstance(value, Invalid):
        return value
    problem = check_bounds(question, value)
    return problem or value
