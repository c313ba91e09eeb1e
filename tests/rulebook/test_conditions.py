"""Conditions compile to interval sets: semantics per operator and domain kind."""

from __future__ import annotations

import pytest

from advisor.rulebook.conditions import ConditionError, Domain, compile_condition, compile_test, fmt_number

SIZE = Domain("size", "finite", ("7b", "13b", "30b", "70b"))
ASKED = Domain("reason", "finite", ("task", "budget"), nullable=True)
TOKENS = Domain("tokens", "numeric", lo=0, hi=1e12)
MONTHS = Domain("months", "numeric", lo=1, hi=120, integer=True)


@pytest.mark.parametrize(
    "domain, raw, text, yes, no",
    [
        (SIZE, "13b", "size in {13b}", ["13b"], ["7b", "30b"]),
        (SIZE, ["7b", "70b"], "size in {7b, 70b}", ["7b", "70b"], ["13b"]),
        (SIZE, {"ge": "30b"}, "size in {30b, 70b}", ["30b", "70b"], ["13b"]),
        (SIZE, {"gt": "7b", "lt": "70b"}, "size in {13b, 30b}", ["13b", "30b"], ["7b", "70b"]),
        (SIZE, {"not_in": ["13b"]}, "size in {7b, 30b, 70b}", ["7b"], ["13b"]),
        (SIZE, {"ne": "7b"}, "size in {13b, 30b, 70b}", ["70b"], ["7b"]),
        (ASKED, None, "reason not asked", [None], ["task"]),
        (ASKED, {"ne": "budget"}, "reason in {task} or reason not asked", ["task", None], ["budget"]),
        (TOKENS, {"ge": 1e6, "lt": "50M"}, "tokens in [1e6, 5e7)", [1e6, 4.9e7], [5e7, 999_999]),
        (TOKENS, {"gt": 0, "le": 5}, "tokens in (0, 5]", [5, 0.1], [0, 5.1]),
        (TOKENS, 100, "tokens in {100}", [100], [100.5]),
        (MONTHS, {"ge": 3}, "months in [3, 120]", [3, 120], [2]),
        (MONTHS, {"gt": 2.5, "lt": 6}, "months in [3, 6)", [3, 5], [2, 6]),
        (MONTHS, {"ge": 1}, "months any", [1], [None]),
    ],
)
def test_operators(domain, raw, text, yes, no):
    t = compile_test(domain.id, raw, domain)
    assert t.text() == text
    assert all(t.matches(v) for v in yes) and not any(t.matches(v) for v in no)


@pytest.mark.parametrize(
    "domain, raw, message, path",
    [
        (SIZE, "14b", "unknown value '14b' for 'size' (expected one of: 7b, 13b, 30b, 70b); did you mean '13b'?", ()),
        (SIZE, [], "an empty list matches nothing", ()),
        (SIZE, {"gte": "7b"}, "unknown operator 'gte' (use one of: in, not_in, eq, ne, ge, gt, le, lt); did you mean 'ge'?", ("gte",)),
        (SIZE, None, "'size' is always asked, so it is never null", ()),
        (TOKENS, "lots", "'tokens' is a number; got str 'lots'", ()),
        (TOKENS, {"in": 5}, "'in' takes a list", ("in",)),
        (Domain("b", "finite", (False, True)), {"ge": True}, "'ge' takes a single value", ("ge",)),
    ],
)
def test_compile_errors(domain, raw, message, path):
    with pytest.raises(ConditionError) as err:
        compile_test(domain.id, raw, domain)
    assert (err.value.message, err.value.path) == (message, path)


def test_condition_reports_first_failure_in_written_order():
    cond, problems = compile_condition({"size": "13b", "tokens": {"lt": 10}, "nope": 1}, {"size": SIZE, "tokens": TOKENS})
    assert problems == [(("nope",), "unknown input 'nope'")]
    assert cond.first_failure({"size": "7b", "tokens": 50}).column == "size"
    assert cond.first_failure({"size": "13b", "tokens": 50}).column == "tokens"
    assert cond.holds({"size": "13b", "tokens": 5})
    assert cond.text() == "size in {13b}, tokens in [0, 10)"


@pytest.mark.parametrize("x, text", [(1e6, "1e6"), (5e7, "5e7"), (1500, "1500"), (0.05, "0.05"), (2.5e8, "2.5e8"), (float("inf"), "inf")])
def test_fmt_number(x, text):
    assert fmt_number(x) == text
