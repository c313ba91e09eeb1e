"""Conditions as data: compiled into interval sets over each input's domain.

Why intervals: the same compiled form serves three masters. The evaluator
checks a value against it; the trace prints it in words
(``requests_per_day in [1e6, 5e7)``); and the audit's sweep
(:mod:`advisor.rulebook.sweep`) treats every rule as a box of intervals, which
is what lets gaps and overlaps be found without enumerating the cartesian
product (Calvanese et al. 2016).

Positions on an axis are *edges* ``(x, e)``: ``(x, 0)`` is "just before x" and
``(x, 1)`` "just after x", so a value x occupies ``[(x,0), (x,1))`` and
open/closed ends need no special cases. Choice values are mapped to their
index i in the declared order (``[(i,0), (i+1,0))``); integers likewise use
``[(n,0), (n+1,0))``. "Not asked" (``null``, for a question hidden by its
``when``) is its own point below every value.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from typing import Any, Iterable, Sequence

Edge = tuple[float, int]
Interval = tuple[Edge, Edge]
NEG_INF = -math.inf
NULL_INTERVAL: Interval = ((NEG_INF, 0), (NEG_INF, 1))
OPS = ("in", "not_in", "eq", "ne", "ge", "gt", "le", "lt")
#: spellings from other languages -> ours (for "did you mean")
_ALIASES = {"gte": "ge", ">=": "ge", "lte": "le", "<=": "le", ">": "gt", "<": "lt", "==": "eq", "=": "eq", "!=": "ne",
            "neq": "ne", "min": "ge", "max": "le", "nin": "not_in", "one_of": "in"}


class ConditionError(ValueError):
    """A condition that cannot be compiled; ``path`` is relative to the test (e.g. ``("ge",)``)."""

    def __init__(self, message: str, path: tuple = ()):
        super().__init__(message)
        self.message = message
        self.path = path


def fmt_number(x: float) -> str:
    """Short, exact-enough rendering for messages: 1000000 -> 1e6, 50000000 -> 5e7, 1500 -> 1500."""
    if x == math.inf:
        return "inf"
    if x == -math.inf:
        return "-inf"
    if float(x).is_integer():
        n = int(x)
        if abs(n) >= 100_000:
            mant, exp = f"{n:e}".split("e")
            mant = mant.rstrip("0").rstrip(".")
            return f"{mant}e{int(exp)}"
        return str(n)
    return f"{x:.6g}"


def fmt_value(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return fmt_number(v)
    return str(v)


# --- interval-set algebra ---------------------------------------------------------


def normalize(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """Sort, drop empties and merge touching intervals."""
    out: list[list[Edge]] = []
    for lo, hi in sorted(i for i in intervals if i[0] < i[1]):
        if out and lo <= out[-1][1]:
            if hi > out[-1][1]:
                out[-1][1] = hi
        else:
            out.append([lo, hi])
    return tuple((lo, hi) for lo, hi in out)


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> tuple[Interval, ...]:
    out = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo = max(a[i][0], b[j][0])
        hi = min(a[i][1], b[j][1])
        if lo < hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def subtract(a: Sequence[Interval], b: Sequence[Interval]) -> tuple[Interval, ...]:
    out = []
    for lo, hi in a:
        cur = lo
        for blo, bhi in b:
            if bhi <= cur or blo >= hi:
                continue
            if blo > cur:
                out.append((cur, blo))
            cur = max(cur, bhi)
            if cur >= hi:
                break
        if cur < hi:
            out.append((cur, hi))
    return normalize(out)


def contains(outer: Sequence[Interval], inner: Sequence[Interval]) -> bool:
    return not subtract(inner, outer)


# --- domains ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Domain:
    """The values an input can take: an ordered finite set or a bounded numeric range (+ maybe null)."""

    id: str
    kind: str  # "finite" | "numeric"
    values: tuple = ()
    lo: float = 0.0
    hi: float = 0.0
    integer: bool = False
    nullable: bool = False

    @property
    def pieces(self) -> tuple[Interval, ...]:
        """The whole domain as intervals."""
        if self.kind == "finite":
            body = [((0.0, 0), (float(len(self.values)), 0))] if self.values else []
        elif self.integer:
            body = [((self.lo, 0), (self.hi + 1, 0))]
        else:
            body = [((self.lo, 0), (self.hi, 1))]
        return normalize(([NULL_INTERVAL] if self.nullable else []) + body)

    def index(self, value: Any) -> int | None:
        for i, v in enumerate(self.values):
            if v == value and type(v) is type(value):
                return i
        return None

    def point(self, value: Any) -> Interval | None:
        """The interval a single value occupies; None when it is outside the domain's type."""
        if value is None:
            return NULL_INTERVAL
        if self.kind == "finite":
            i = self.index(value)
            return None if i is None else ((float(i), 0), (float(i + 1), 0))
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        x = float(value)
        if self.integer:
            if not x.is_integer():
                return ((x, 0), (x, 1))  # matches nothing integral; kept for completeness
            return ((x, 0), (x + 1, 0))
        return ((x, 0), (x, 1))

    def describe(self, intervals: Sequence[Interval]) -> str:
        """``task_complexity in {complex}``, ``requests_per_day in [1e6, 5e7)``, ``x not asked``."""
        intervals = normalize(intervals)
        if intervals == self.pieces:
            return f"{self.id} any"
        null = any(lo[0] == NEG_INF for lo, _ in intervals)
        body = [iv for iv in intervals if iv[0][0] != NEG_INF]
        parts = []
        if body:
            if self.kind == "finite":
                vals = [fmt_value(self.values[i]) for lo, hi in body for i in range(int(lo[0]), int(hi[0]))]
                parts.append(f"{self.id} in {{{', '.join(vals)}}}")
            else:
                parts.append(f"{self.id} in " + " or ".join(self._fmt_interval(iv) for iv in body))
        if null:
            parts.append(f"{self.id} not asked")
        return " or ".join(parts) if parts else f"{self.id} in {{}}"

    def _fmt_interval(self, iv: Interval) -> str:
        (a, ea), (b, eb) = iv
        if self.integer:
            if b - a == 1:
                return f"{{{fmt_number(a)}}}"
            return f"[{fmt_number(a)}, {fmt_number(b)})" if b <= self.hi else f"[{fmt_number(a)}, {fmt_number(self.hi)}]"
        if a == b and ea == 0 and eb == 1:
            return f"{{{fmt_number(a)}}}"
        return f"{'[' if ea == 0 else '('}{fmt_number(a)}, {fmt_number(b)}{')' if eb == 0 else ']'}"

    def describe_value(self, value: Any) -> str:
        return "not asked" if value is None else fmt_value(value)


def _numeric_ray(domain: Domain, op: str, x: float) -> tuple[Interval, ...]:
    """Values of ``domain`` satisfying ``value <op> x`` (numeric domains, no null)."""
    lo_d, hi_d = (domain.lo, 0), ((domain.hi + 1, 0) if domain.integer else (domain.hi, 1))
    if domain.integer:
        edges = {
            "ge": ((math.ceil(x), 0), hi_d),
            "gt": ((math.floor(x) + 1, 0), hi_d),
            "le": (lo_d, (math.floor(x) + 1, 0)),
            "lt": (lo_d, (math.ceil(x), 0)),
        }[op]
    else:
        edges = {"ge": ((x, 0), hi_d), "gt": ((x, 1), hi_d), "le": (lo_d, (x, 1)), "lt": (lo_d, (x, 0))}[op]
    return intersect(normalize([edges]), domain.pieces)


@dataclasses.dataclass(frozen=True)
class Test:
    """One compiled test on one input."""

    column: str
    intervals: tuple[Interval, ...]
    domain: Domain
    source: Any  # the YAML as written

    def matches(self, value: Any) -> bool:
        pt = self.domain.point(value)
        if pt is None:
            return False
        return any(lo <= pt[0] and pt[1] <= hi for lo, hi in self.intervals)

    def text(self) -> str:
        return self.domain.describe(self.intervals)


def compile_test(column: str, raw: Any, domain: Domain) -> Test:
    """Compile the YAML test ``raw`` on ``domain``; raises :class:`ConditionError`."""
    return Test(column, _compile(raw, domain, ()), domain, raw)


def _number(v: Any, what: str, path: tuple, not_a_number: str) -> float:
    """A number as written in a rule: a finite YAML number (5e7, 50000000) or a quantity ("50M").

    A quoted plain number (``lt: "1.0e6"``) is refused: in YAML it is text that
    only looks like the number, and every other tool reading the file (the
    JSON schema, editors, a diff) treats it so. A quantity with a suffix
    (``"50M"``) cannot be mistaken for a YAML number, so it stays accepted.
    """
    if isinstance(v, str):
        from advisor.rulebook.values import parse_number

        x = parse_number(v)
        if x is not None and v.strip()[-1:].isdigit():
            raise ConditionError(f"{what} takes a number; got the quoted text \"{v}\" (write the number without quotes)", path)
        v = x if x is not None else v
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ConditionError(not_a_number, path)
    if not math.isfinite(v):
        raise ConditionError(f"{what} takes a finite number; got {fmt_value(v)}", path)
    return v


def _value_interval(domain: Domain, v: Any, path: tuple) -> tuple[Interval, ...]:
    if v is None:
        if not domain.nullable:
            raise ConditionError(f"'{domain.id}' is always asked, so it is never null", path)
        return (NULL_INTERVAL,)
    if isinstance(v, (list, dict)):
        raise ConditionError(f"expected a single value for '{domain.id}', got a {'list' if isinstance(v, list) else 'mapping'}", path)
    if domain.kind == "finite":
        i = domain.index(v)
        if i is None:
            shown = ", ".join(fmt_value(x) for x in domain.values)
            hint = difflib.get_close_matches(str(v), [str(x) for x in domain.values], n=1, cutoff=0.6)
            did = f"; did you mean '{hint[0]}'?" if hint else ""
            raise ConditionError(f"unknown value '{fmt_value(v)}' for '{domain.id}' (expected one of: {shown}){did}", path)
        return (((float(i), 0), (float(i + 1), 0)),)
    v = _number(v, f"'{domain.id}'", path, f"'{domain.id}' is a number; got {type(v).__name__} '{fmt_value(v)}'")
    pt = domain.point(v)
    return intersect((pt,), domain.pieces)


def _compile(raw: Any, domain: Domain, path: tuple) -> tuple[Interval, ...]:
    if isinstance(raw, list):
        if not raw:
            raise ConditionError("an empty list matches nothing", path)
        out: list[Interval] = []
        for i, v in enumerate(raw):
            out.extend(_value_interval(domain, v, path + (i,)))
        return normalize(out)
    if isinstance(raw, dict):
        if not raw:
            raise ConditionError("an empty test mapping; write a value, a list or {in|not_in|eq|ne|ge|gt|le|lt: ...}", path)
        result = domain.pieces
        for op, arg in raw.items():
            p = path + (op,)
            if op not in OPS:
                alias = _ALIASES.get(str(op))
                hint = [alias] if alias else difflib.get_close_matches(str(op), OPS, n=1, cutoff=0.5)
                did = f"; did you mean '{hint[0]}'?" if hint else ""
                raise ConditionError(f"unknown operator '{op}' (use one of: {', '.join(OPS)}){did}", p)
            if op in ("in", "not_in"):
                if not isinstance(arg, list):
                    raise ConditionError(f"'{op}' takes a list", p)
                s = _compile(arg, domain, p)
                result = intersect(result, s) if op == "in" else subtract(result, s)
            elif op in ("eq", "ne"):
                s = _value_interval(domain, arg, p)
                result = intersect(result, s) if op == "eq" else subtract(result, s)
            else:
                if arg is None or isinstance(arg, (list, dict, bool)):
                    raise ConditionError(f"'{op}' takes a single value", p)
                if domain.kind == "finite":
                    if domain.values and isinstance(domain.values[0], bool):
                        raise ConditionError(f"'{op}' needs an ordered input; '{domain.id}' is a yes/no answer", p)
                    (iv,) = _value_interval(domain, arg, p)
                    i = int(iv[0][0])
                    n = float(len(domain.values))
                    ray = {
                        "ge": ((float(i), 0), (n, 0)),
                        "gt": ((float(i + 1), 0), (n, 0)),
                        "le": ((0.0, 0), (float(i + 1), 0)),
                        "lt": ((0.0, 0), (float(i), 0)),
                    }[op]
                    result = intersect(result, normalize([ray]))
                else:
                    x = _number(arg, f"'{op}' on '{domain.id}'", p, f"'{op}' on '{domain.id}' takes a number; got '{fmt_value(arg)}'")
                    result = intersect(result, _numeric_ray(domain, op, float(x)))
        return normalize(result)
    return _value_interval(domain, raw, path)


@dataclasses.dataclass(frozen=True)
class Condition:
    """A conjunction of tests (an empty condition always holds)."""

    tests: tuple[Test, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(t.column for t in self.tests)

    def first_failure(self, values: dict[str, Any]) -> Test | None:
        """The first test (in written order) that ``values`` fail, or None when all hold."""
        for t in self.tests:
            if not t.matches(values.get(t.column)):
                return t
        return None

    def holds(self, values: dict[str, Any]) -> bool:
        return self.first_failure(values) is None

    def text(self) -> str:
        return ", ".join(t.text() for t in self.tests) or "always"

    def box(self) -> dict[str, tuple[Interval, ...]]:
        return {t.column: t.intervals for t in self.tests}


def compile_condition(raw: Any, scope: dict[str, Domain]) -> tuple[Condition, list[tuple[tuple, str]]]:
    """Compile a YAML condition mapping; returns the condition and ``(path, message)`` problems.

    Tests that fail to compile are dropped (the problems say why), so one run
    reports every bad test of a file.
    """
    problems: list[tuple[tuple, str]] = []
    if raw is None:
        return Condition(), problems
    if not isinstance(raw, dict):
        return Condition(), [((), "a condition is a mapping of input id -> test")]
    tests = []
    for column, test in raw.items():
        domain = scope.get(column)
        if domain is None:
            hint = difflib.get_close_matches(str(column), list(scope), n=1, cutoff=0.6)
            did = f"; did you mean '{hint[0]}'?" if hint else ""
            problems.append(((column,), f"unknown input '{column}'{did}"))
            continue
        try:
            tests.append(compile_test(column, test, domain))
        except ConditionError as err:
            problems.append(((column,) + err.path, err.message))
    return Condition(tuple(tests)), problems
