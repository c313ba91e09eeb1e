"""parse_quantity: the accepted spellings, the rejections, and a round trip."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.errors import InputError
from engine.units import GB, GIB, format_quantity, parse_positive_int, parse_quantity


@pytest.mark.parametrize(
    "text,expected",
    [
        ("100M", 100e6),
        ("2K", 2000.0),
        ("2k", 2000.0),
        ("1.5e9", 1.5e9),
        ("1,000", 1000.0),
        ("1,000,000", 1e6),
        ("2.5B", 2.5e9),
        ("7G", 7e9),
        ("1T", 1e12),
        (" 42 ", 42.0),
        ("0.5", 0.5),
        (".5K", 500.0),
        (3, 3.0),
        (2.5, 2.5),
    ],
)
def test_accepted_spellings(text, expected):
    assert parse_quantity(text, name="--x") == expected


@pytest.mark.parametrize("bad", ["abc", "", "1..2", "1,00", "12Q", "K", "--5", "1e", "1 000"])
def test_non_numeric_is_rejected_naming_the_flag(bad):
    with pytest.raises(InputError) as err:
        parse_quantity(bad, name="--input-tokens")
    assert "--input-tokens" in str(err.value)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "nan", "inf", "-inf", "1e400"])
def test_nan_and_infinity_are_rejected(bad):
    with pytest.raises(InputError, match="--requests-per-day"):
        parse_quantity(bad, name="--requests-per-day")


def test_negative_rejected_unless_allowed():
    with pytest.raises(InputError, match="negative"):
        parse_quantity("-5", name="--gpus")
    assert parse_quantity("-5", name="delta", allow_negative=True) == -5


def test_zero_rejected_when_asked():
    with pytest.raises(InputError, match="greater than zero"):
        parse_quantity("0", name="--concurrency", allow_zero=False)


def test_bool_and_other_types_rejected():
    with pytest.raises(InputError):
        parse_quantity(True, name="x")
    with pytest.raises(InputError):
        parse_quantity([1], name="x")


def test_positive_int():
    assert parse_positive_int("2K", name="--input-tokens") == 2000
    with pytest.raises(InputError, match="whole"):
        parse_positive_int("2.5", name="--gpus")
    with pytest.raises(InputError, match="maximum"):
        parse_positive_int("1e30", name="--requests-per-day", maximum=1e15)
    with pytest.raises(InputError):
        parse_positive_int(0, name="--gpus")


def test_byte_constants():
    assert GB == 10**9 and GIB == 1024**3
    assert 24 * GIB / GB == pytest.approx(25.769803776)


@given(st.floats(min_value=0, max_value=1e15, allow_nan=False, allow_infinity=False))
def test_round_trip_through_suffix_spelling(x):
    assert parse_quantity(format_quantity(x), name="x") == x


@given(st.integers(min_value=0, max_value=10**15), st.sampled_from(["", "K", "M", "B", "T"]))
def test_suffix_multiplies(n, suffix):
    mult = {"": 1, "K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}[suffix]
    assert math.isclose(parse_quantity(f"{n}{suffix}", name="x"), n * mult, rel_tol=1e-15)
