"""Derived values: a tiny declared arithmetic language (no ``eval``).

``tokens_per_day_total = requests_per_day * (input_tokens + output_tokens)``
is written in YAML as::

    expr: {mul: [requests_per_day, {add: [input_tokens, output_tokens]}]}

An expression is a number, an input id, or a one-key mapping whose key is an
operator and whose value is a list of expressions. ``bounds`` computes the
range a derived value can take from its inputs' ranges (interval arithmetic),
so derived values get a bounded numeric domain the audit can sweep without the
author declaring one.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from typing import Any

OPERATORS = {"add": (1, None), "sub": (2, 2), "mul": (1, None), "div": (2, 2), "min": (1, None), "max": (1, None)}


class ExprError(ValueError):
    def __init__(self, message: str, path: tuple = ()):
        super().__init__(message)
        self.message = message
        self.path = path


@dataclasses.dataclass(frozen=True)
class Expr:
    op: str  # "const" | "ref" | operator
    value: Any = None  # const number or ref id
    args: tuple["Expr", ...] = ()

    def refs(self) -> set[str]:
        if self.op == "ref":
            return {self.value}
        out: set[str] = set()
        for a in self.args:
            out |= a.refs()
        return out

    def eval(self, values: dict[str, Any]) -> float | None:
        """The value, or None when any referenced input is null (not asked)."""
        if self.op == "const":
            return self.value
        if self.op == "ref":
            v = values.get(self.value)
            return None if v is None else float(v)
        xs = [a.eval(values) for a in self.args]
        if any(x is None for x in xs):
            return None
        if self.op == "add":
            return math.fsum(xs)
        if self.op == "sub":
            return xs[0] - xs[1]
        if self.op == "mul":
            return math.prod(xs)
        if self.op == "div":
            return math.inf if xs[1] == 0 else xs[0] / xs[1]
        if self.op == "min":
            return min(xs)
        return max(xs)

    def bounds(self, ranges: dict[str, tuple[float, float]]) -> tuple[float, float]:
        """Smallest interval holding every value the expression can take."""
        if self.op == "const":
            return (self.value, self.value)
        if self.op == "ref":
            return ranges[self.value]
        bs = [a.bounds(ranges) for a in self.args]
        if self.op == "add":
            return (math.fsum(b[0] for b in bs), math.fsum(b[1] for b in bs))
        if self.op == "sub":
            return (bs[0][0] - bs[1][1], bs[0][1] - bs[1][0])
        if self.op in ("min", "max"):
            f = min if self.op == "min" else max
            return (f(b[0] for b in bs), f(b[1] for b in bs))
        if self.op == "mul":
            lo, hi = bs[0]
            for blo, bhi in bs[1:]:
                prods = [lo * blo, lo * bhi, hi * blo, hi * bhi]
                lo, hi = min(prods), max(prods)
            return (lo, hi)
        (alo, ahi), (blo, bhi) = bs
        if blo <= 0 <= bhi:
            raise ExprError("divisor's range includes 0; the result would be unbounded")
        qs = [alo / blo, alo / bhi, ahi / blo, ahi / bhi]
        return (min(qs), max(qs))

    def text(self) -> str:
        if self.op == "const":
            return f"{self.value:g}"
        if self.op == "ref":
            return str(self.value)
        sym = {"add": " + ", "sub": " - ", "mul": " * ", "div": " / "}.get(self.op)
        if sym:
            return "(" + sym.join(a.text() for a in self.args) + ")"
        return f"{self.op}(" + ", ".join(a.text() for a in self.args) + ")"


def compile_expr(raw: Any, known: set[str], path: tuple = ()) -> Expr:
    """Compile YAML ``raw``; ``known`` holds the ids an expression may name."""
    if isinstance(raw, bool) or raw is None:
        raise ExprError(f"expected a number, an id or {{{'|'.join(OPERATORS)}: [...]}}, got {raw!r}", path)
    if isinstance(raw, (int, float)):
        if not math.isfinite(raw):
            raise ExprError("constants must be finite", path)
        return Expr("const", float(raw))
    if isinstance(raw, str):
        if raw not in known:
            hint = difflib.get_close_matches(raw, sorted(known), n=1, cutoff=0.6)
            did = f"; did you mean '{hint[0]}'?" if hint else ""
            raise ExprError(f"unknown input '{raw}'{did}", path)
        return Expr("ref", raw)
    if isinstance(raw, dict) and len(raw) == 1:
        ((op, args),) = raw.items()
        if op not in OPERATORS:
            raise ExprError(f"unknown operator '{op}' (use one of: {', '.join(OPERATORS)})", path + (op,))
        if not isinstance(args, list):
            raise ExprError(f"'{op}' takes a list of expressions", path + (op,))
        lo, hi = OPERATORS[op]
        if len(args) < lo or (hi is not None and len(args) > hi):
            want = f"exactly {lo}" if lo == hi else f"at least {lo}"
            raise ExprError(f"'{op}' takes {want} operand{'s' if lo != 1 else ''}, got {len(args)}", path + (op,))
        return Expr(op, None, tuple(compile_expr(a, known, path + (op, i)) for i, a in enumerate(args)))
    raise ExprError(f"expected a number, an id or a one-key mapping {{{'|'.join(OPERATORS)}: [...]}}", path)
