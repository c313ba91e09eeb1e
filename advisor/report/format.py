"""Fixed formatters for the report: money, counts, percentages, multiples and Markdown tables.

Why one place: the output must be byte-identical across runs and agree with the
summary sentence the pipeline writes, so every number goes through these
functions (never ``str(float)``), and table cells are escaped (``|`` and
newlines) with every row as wide as its header.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


# ---------------------------------------------------------------------------
# fixed formatting


def usd(x: float | None) -> str:
    """Dollars: whole dollars from $100 up, cents below."""
    if x is None:
        return "n/a"
    if abs(x) >= 100:
        return f"${x:,.0f}"
    return f"${x:,.2f}"


def usd_per_m(x: float | None) -> str:
    """$/M tokens: three significant decimals for small prices."""
    if x is None:
        return "n/a"
    if abs(x) >= 100:
        return f"${x:,.0f}"
    if abs(x) >= 1:
        return f"${x:,.2f}"
    return f"${x:.3f}"


def num(x: float | None, digits: int = 0) -> str:
    if x is None:
        return "n/a"
    return f"{x:,.{digits}f}"


def tokens(x: float) -> str:
    """Token counts: 1.5K, 12.3M, 6.8B (fixed one decimal)."""
    for div, unit in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(x) >= div:
            return f"{x / div:,.1f}{unit}"
    return f"{x:,.0f}"


def pct(x: float | None, digits: int = 1) -> str:
    """A fraction as a percentage: 0.853 -> 85.3%."""
    if x is None:
        return "n/a"
    return f"{x * 100:.{digits}f}%"


def mult(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"{x:.2f}x"


def band_pct(lo: float, hi: float) -> str:
    return f"{lo:g}%" if lo == hi else f"{lo:g}-{hi:g}%"


def band_x(lo: float, hi: float) -> str:
    return f"{lo:g}x" if lo == hi else f"{lo:g}-{hi:g}x"


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")
    return text.strip() or "-"


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], align: Sequence[str] | None = None) -> str:
    """A GFM table; every row is padded or checked to the header's width."""
    headers = [_cell(h) for h in headers]
    width = len(headers)
    align = list(align or ["l"] * width)
    sep = {"l": "---", "r": "---:", "c": ":---:"}
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join(sep[a] for a in align) + "|"]
    for row in rows:
        cells = [_cell(c) for c in row]
        if len(cells) != width:
            raise ValueError(f"table row has {len(cells)} cells, header has {width}")
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)
