"""advisor.evals: exact oracles for the Wilson interval, the separation test and sample sizes."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.evals import (
    can_separate,
    examples_to_confirm,
    examples_to_separate,
    judge,
    two_proportion_z,
    wilson_interval,
    z_two_sided,
)


def _wilson_by_quadratic(correct, n, z):
    """Independent oracle: the Wilson bounds are the roots of (p - x)^2 = z^2 x (1 - x) / n."""
    p = correct / n
    a = 1 + z * z / n
    b = -(2 * p + z * z / n)
    c = p * p
    d = math.sqrt(b * b - 4 * a * c)
    return (-b - d) / (2 * a), (-b + d) / (2 * a)


def test_z_for_95_percent():
    assert z_two_sided(0.95) == pytest.approx(1.959963984540054, abs=1e-12)
    assert z_two_sided(0.99) == pytest.approx(2.5758293035489, abs=1e-9)


def test_wilson_170_of_200_at_95():
    low, high = wilson_interval(170, 200)
    assert round(low, 6) == 0.793944
    assert round(high, 6) == 0.892864


def test_wilson_at_the_ends_is_exactly_0_and_1():
    assert wilson_interval(0, 10)[0] == 0.0
    assert wilson_interval(10, 10)[1] == 1.0
    # the other bound: z^2 / (n + z^2) for 0 of n
    z2 = z_two_sided(0.95) ** 2
    assert wilson_interval(0, 10)[1] == pytest.approx(z2 / (10 + z2), abs=1e-12)


@given(st.integers(min_value=1, max_value=5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_matches_quadratic_roots_and_contains_p(cn):
    correct, n = cn
    low, high = wilson_interval(correct, n)
    qlow, qhigh = _wilson_by_quadratic(correct, n, z_two_sided(0.95))
    assert low == pytest.approx(max(0.0, qlow), abs=1e-9)
    assert high == pytest.approx(min(1.0, qhigh), abs=1e-9)
    assert low <= correct / n <= high


def test_wilson_rejects_nonsense():
    with pytest.raises(ValueError):
        wilson_interval(5, 0)
    with pytest.raises(ValueError):
        wilson_interval(11, 10)


def test_two_proportion_z_oracle():
    # 161/200 vs 176/200: pooled 0.8425, se = sqrt(.8425*.1575*(2/200))
    se = math.sqrt(0.8425 * 0.1575 * 0.01)
    assert two_proportion_z(161, 200, 176, 200) == pytest.approx(0.075 / se, rel=1e-12)
    assert can_separate(161, 200, 176, 200)
    assert not can_separate(170, 200, 176, 200)
    assert two_proportion_z(200, 200, 100, 100) == 0.0


def test_examples_to_separate_fleiss_oracle():
    # hand computation: p_bar=.865; (1.95996*sqrt(2*.865*.135) + .841621*sqrt(.85*.15+.88*.12))^2 / .03^2
    assert examples_to_separate(0.85, 0.88) == 2036
    assert examples_to_separate(0.80, 0.90) == 199
    assert examples_to_separate(0.5, 0.5) is None


def test_examples_to_confirm_is_the_smallest_n():
    n = examples_to_confirm(0.88, 0.85)
    assert n == 545

    def lower(n):
        z = z_two_sided(0.95)
        return (0.88 + z * z / (2 * n)) / (1 + z * z / n) - (z / (1 + z * z / n)) * math.sqrt(
            0.88 * 0.12 / n + z * z / (4 * n * n)
        )

    assert lower(n) >= 0.85 > lower(n - 1)
    assert examples_to_confirm(0.85, 0.85) is None
    assert examples_to_confirm(0.80, 0.85) is None


def test_judge_picks_smallest_meeting_and_says_when_unconfirmed():
    v = judge([("13b", 176, 200), ("7b", 161, 200)], target=0.85)
    assert [s.size for s in v.scores] == ["7b", "13b"]
    assert v.chosen == "13b"
    assert v.scores[1].meets_target and not v.scores[1].confirmed
    assert v.scores[1].examples_to_confirm == 545
    assert v.comparisons[0].separable
    assert any("about 545 examples at this rate would confirm it" in n for n in v.notes)


def test_judge_says_when_n_is_too_small_to_tell_sizes_apart():
    v = judge([("7b", 170, 200), ("13b", 176, 200), ("30b", 180, 200)], target=0.84)
    assert v.chosen == "7b"
    c = v.comparisons[0]
    assert not c.separable
    assert c.examples_needed == examples_to_separate(0.85, 0.88) == 2036
    assert any("7b vs 13b: a gap of +3.0 points is within the noise" in n and "2036 examples per size" in n for n in v.notes)


def test_judge_none_meets_and_small_samples_flagged():
    v = judge([("7b", 30, 50), ("13b", 35, 50)], target=0.9)
    assert v.chosen is None
    assert any("below the 100-500" in n for n in v.notes)
    assert any("No measured size reaches the target 90.0%" in n for n in v.notes)
