"""Fixed formatters for the report: money, counts, percentages, multiples, Markdown escaping and tables.

Why one place: the output must be byte-identical across runs and agree with the
summary sentence the pipeline writes, so every number goes through these
functions (never ``str(float)``); and every string that comes from a user
(``--title``, text answers) or from a rule file (messages, titles, ``because``)
goes through the escaper of the Markdown context it lands in, so it renders as
text and can never add a heading, HTML, a link, an image, a fence or a table
cell the template did not put there (issue 16 item 3). Strings the template
itself writes as Markdown are wrapped in :class:`Md` so the table does not
escape them twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence


# ---------------------------------------------------------------------------
# Markdown escaping, one function per context


class Md(str):
    """Markdown the template wrote on purpose (bold, code); :func:`table` passes it through."""


#: C0/C1 controls, line and paragraph separators, bidi overrides, zero-width characters, BOM
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]+")
#: inline punctuation that can open code, emphasis, links, images, HTML, entities or strikethrough
#: (``_`` only at a word edge: inside a word it cannot emphasise, and ids like ``none_yet`` stay legible)
_INLINE = re.compile(r"([\\`*\[\]<&!~]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
#: what makes a line a block (heading, list, quote, rule, fence, setext underline, numbered list)
_BLOCK_START = re.compile(r"^(?:[#>+=\-]|\d+(?=[.)]))")


def _one_line(value: object) -> str:
    text = "" if value is None else str(value)
    return " ".join(_CONTROL.sub(" ", text).split())


def _escape(value: object, also: str = "", *, block: bool = True) -> str:
    text = _INLINE.sub(r"\\\1", size_label(_one_line(value)))
    for ch in also:
        text = text.replace(ch, "\\" + ch)
    m = _BLOCK_START.match(text) if block else None
    if m and not text.startswith("\\"):
        cut = m.end() if m.group(0)[0].isdigit() else 0
        text = text[:cut] + "\\" + text[cut:]
    return text


#: a size class written lower-case ("13b"), not inside a model id ("Llama-2-13b-hf")
_SIZE = re.compile(r"(?<![\w./-])(\d+(?:\.\d+)?)b(?![\w-])")


def size_label(value: object) -> str:
    """Sizes cased one way for readers: ``13b`` -> ``13B`` (model ids such as ``Llama-2-13b-hf`` untouched)."""
    return _SIZE.sub(lambda m: m.group(1) + "B", "" if value is None else str(value))


def plural(n: float | int | None, word: str, words: str | None = None) -> str:
    """``1 replica``, ``2 replicas`` (numbers with thousands separators)."""
    if n is None:
        return f"n/a {words or word + 's'}"
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


def md_text(value: object) -> str:
    """Paragraph or list-item text: one line, inline markup escaped, no block start."""
    return _escape(value)


def md_heading(value: object) -> str:
    """Heading text: as :func:`md_text`, and every ``#`` escaped (a trailing run would close the heading)."""
    return _escape(value, "#")


def md_cell(value: object) -> str:
    """Table cell text: inline markup and ``|`` escaped (a cell is inline, so no block start to escape)."""
    return _escape(value, "|", block=False)


def md_link_text(value: object) -> str:
    """Link text: as :func:`md_text` (brackets already escaped, so the link cannot close early)."""
    return _escape(value)


def md_code(value: object) -> str:
    """Inline code: a backtick fence longer than any run inside, padded when needed; one line."""
    text = _one_line(value)
    longest = max((len(r) for r in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" ")) else ""
    return f"{fence}{pad}{text or ' '}{pad}{fence}"


def mermaid_label(value: object) -> str:
    """A quoted Mermaid label: one line, no double quote (Mermaid has no escape inside quotes)."""
    return size_label(_one_line(value)).replace('"', "'").replace("`", "'")


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


def band_usd(lo: float, hi: float) -> str:
    """A monthly band; zero width prints one figure (the caller states why)."""
    return f"{usd(lo)} (exact)" if lo == hi else f"{usd(lo)}-{usd(hi)}"


def band_pct(lo: float, hi: float) -> str:
    return f"{lo:g}%" if lo == hi else f"{lo:g}-{hi:g}%"


def band_x(lo: float, hi: float) -> str:
    return f"{lo:g}x" if lo == hi else f"{lo:g}-{hi:g}x"


def _cell(value: object) -> str:
    if isinstance(value, Md):
        text = _one_line(value).replace("|", "\\|")
    else:
        text = md_cell(value)
    return text or "-"


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
