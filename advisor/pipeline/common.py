"""Small helpers every stage of the pipeline shares: size classes, rounding, reading rule outputs.

Why here: rounding happens once, with one function, so that JSON output is
byte-identical across runs; and the rulebook's outputs may be plain values,
mappings or objects, so one accessor reads them the same everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from advisor import evals

SIZE_ORDER = evals.SIZE_ORDER
#: the rungs below the article's 7B floor, offered only where a rule (small_rungs) puts them on the ladder
SMALL_RUNGS = ("1b", "3b")
#: the article's ladder (7B and up): distillation students and the article comparison stay on it
ARTICLE_SIZES = tuple(s for s in SIZE_ORDER if s not in SMALL_RUNGS)
SIZE_PARAMS_B = {"1b": 1.0, "3b": 3.0, "7b": 7.0, "13b": 13.0, "30b": 30.0, "70b": 70.0, "175b": 175.0, "1t": 1000.0}


def size_key(size: str) -> int:
    """Sort key of a size class (unknown sizes last)."""
    return SIZE_ORDER.index(size) if size in SIZE_ORDER else len(SIZE_ORDER)


def r(x: float | None, digits: int = 2) -> float | None:
    """Round for the document (None and non-finite pass through as None)."""
    if x is None or not math.isfinite(x):
        return None
    return round(float(x), digits)


def get(obj, name, default=None):
    """``obj[name]`` for a mapping, ``obj.name`` otherwise (the evaluator's results come in both shapes)."""
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def as_list(v) -> list:
    if v is None:
        return []
    if isinstance(v, (list, tuple)):
        return list(v)
    return [v]


def str_or_none(v) -> str | None:
    return None if v is None else str(v)


def display(v) -> str:
    """An answer or rule value as the report shows it (yes/no, thousands separators, lists joined)."""
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{int(v):,}" if v.is_integer() else f"{v:g}"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, (list, tuple)):
        return ", ".join(display(x) for x in v) if v else "none"
    return str(v)
