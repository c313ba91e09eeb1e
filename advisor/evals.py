"""Closing the loop with the user's own evaluation results (step 4).

Why: the article's advice is "test the smallest size on 100-500 representative
examples and move up only on a clear gap". Measured scores on the user's task
beat any generic prior, but a score on 200 examples is itself uncertain, so the
report must say how uncertain and when the data cannot tell two sizes apart.

Choices (documented in docs/report.md):

* Confidence interval of an accuracy: the Wilson score interval (good coverage
  at small N and near 0 or 1, unlike the normal "Wald" interval).
* "Meets the target": the observed accuracy is at least the target. Whether
  that is *confirmed* is said separately: confirmed when the Wilson lower bound
  is at least the target as well; otherwise the report says how many examples
  would confirm it at the observed rate.
* "Can two sizes be told apart": a two-sided, pooled two-proportion z-test at
  the same confidence level. It treats the two runs as independent samples,
  which is conservative when both sizes saw the same examples.
* With per-example results for both sizes on the same examples (an imported
  results file, :mod:`advisor.eval_import`), the runs are paired and the test
  is McNemar's on the discordant examples instead: exact binomial when fewer
  than 25 examples disagree, the continuity-corrected chi-square otherwise.
  Each comparison names the test it used.
* "Examples needed to tell them apart": the classic per-group sample size for
  that test (Fleiss, without continuity correction) at 80% power, evaluated at
  the observed rates.

Plain functions on ints and floats; no pydantic here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

#: order of the size classes, smallest first (the ladder order)
#: 1b and 3b are the rungs below the article's 7B floor that rules/step4_testing.yaml small_rungs may add
SIZE_ORDER: tuple[str, ...] = ("1b", "3b", "7b", "13b", "30b", "70b", "175b", "1t")

DEFAULT_CONFIDENCE = 0.95
DEFAULT_POWER = 0.80
#: the article's test-sample range (step 4); more than this is allowed, fewer is flagged
ARTICLE_SAMPLE_RANGE = (100, 500)


def z_two_sided(confidence: float) -> float:
    """The standard-normal quantile for a two-sided interval (0.95 -> 1.959964)."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def wilson_interval(correct: int, examples: int, confidence: float = DEFAULT_CONFIDENCE) -> tuple[float, float]:
    """Wilson score interval for ``correct`` successes out of ``examples``.

    >>> tuple(round(x, 4) for x in wilson_interval(170, 200))
    (0.7939, 0.8929)
    """
    if examples <= 0:
        raise ValueError("examples must be positive")
    if not 0 <= correct <= examples:
        raise ValueError("correct must be between 0 and examples")
    z = z_two_sided(confidence)
    n = float(examples)
    p = correct / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denom
    half = (z / denom) * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n))
    # p = 0 and p = 1 give exactly 0 and 1 analytically; do not report rounding noise
    low = 0.0 if correct == 0 else max(0.0, centre - half)
    high = 1.0 if correct == examples else min(1.0, centre + half)
    return low, high


def two_proportion_z(correct_a: int, examples_a: int, correct_b: int, examples_b: int) -> float:
    """Pooled two-proportion z statistic of b minus a (0.0 when both are 0% or 100%)."""
    pa = correct_a / examples_a
    pb = correct_b / examples_b
    pooled = (correct_a + correct_b) / (examples_a + examples_b)
    se = math.sqrt(pooled * (1.0 - pooled) * (1.0 / examples_a + 1.0 / examples_b))
    if se == 0.0:
        return 0.0
    return (pb - pa) / se


def can_separate(
    correct_a: int, examples_a: int, correct_b: int, examples_b: int, confidence: float = DEFAULT_CONFIDENCE
) -> bool:
    """True when the two accuracies differ at the given confidence (two-sided test)."""
    return abs(two_proportion_z(correct_a, examples_a, correct_b, examples_b)) >= z_two_sided(confidence)


#: names of the tests a comparison can use (shown in the report)
TEST_TWO_PROPORTION = "two-proportion z-test"
TEST_MCNEMAR_EXACT = "McNemar's paired test (exact binomial)"
TEST_MCNEMAR_CHI2 = "McNemar's paired test (chi-square, continuity-corrected)"
#: below this many discordant examples McNemar's test uses the exact binomial
MCNEMAR_EXACT_BELOW = 25


def mcnemar(a: dict[str, bool], b: dict[str, bool]) -> tuple[int, int, float, str]:
    """McNemar's test of two sizes on the same examples: (a only, b only, two-sided p, test name).

    ``a`` and ``b`` map example id -> passed, over the same ids.
    """
    only_a = sum(1 for k, v in a.items() if v and not b[k])
    only_b = sum(1 for k, v in a.items() if not v and b[k])
    n = only_a + only_b
    if n == 0:
        return only_a, only_b, 1.0, TEST_MCNEMAR_EXACT
    if n < MCNEMAR_EXACT_BELOW:
        k = min(only_a, only_b)
        tail = sum(math.comb(n, i) for i in range(k + 1)) / 2.0**n
        return only_a, only_b, min(1.0, 2.0 * tail), TEST_MCNEMAR_EXACT
    chi2 = (abs(only_a - only_b) - 1.0) ** 2 / n
    # chi-square with 1 degree of freedom: P(X > chi2) = 2 * (1 - Phi(sqrt(chi2)))
    p = 2.0 * (1.0 - NormalDist().cdf(math.sqrt(chi2)))
    return only_a, only_b, p, TEST_MCNEMAR_CHI2


def paired(a: dict[str, bool] | None, b: dict[str, bool] | None) -> bool:
    """Whether two per-example results cover exactly the same examples (McNemar applies)."""
    return a is not None and b is not None and len(a) > 0 and set(a) == set(b)


def examples_to_separate(
    p_a: float, p_b: float, confidence: float = DEFAULT_CONFIDENCE, power: float = DEFAULT_POWER
) -> int | None:
    """Examples per size needed to tell accuracies ``p_a`` and ``p_b`` apart.

    Fleiss' formula without continuity correction. ``None`` when the rates are
    equal (no finite sample separates them).
    """
    if p_a == p_b:
        return None
    z_a = z_two_sided(confidence)
    z_b = NormalDist().inv_cdf(power)
    p_bar = (p_a + p_b) / 2.0
    num = z_a * math.sqrt(2.0 * p_bar * (1.0 - p_bar)) + z_b * math.sqrt(p_a * (1.0 - p_a) + p_b * (1.0 - p_b))
    return math.ceil((num / (p_a - p_b)) ** 2)


def examples_to_confirm(p: float, target: float, confidence: float = DEFAULT_CONFIDENCE) -> int | None:
    """Smallest N at which an observed accuracy ``p`` has a Wilson lower bound >= ``target``.

    ``None`` when ``p <= target`` (more data at the same rate never confirms it).
    The lower bound grows with N at a fixed rate, so a doubling search then a
    bisection finds the smallest N exactly.
    """
    if p <= target:
        return None
    z = z_two_sided(confidence)

    def lower(n: int) -> float:
        z2 = z * z
        denom = 1.0 + z2 / n
        return (p + z2 / (2 * n)) / denom - (z / denom) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))

    hi = 1
    while lower(hi) < target:
        hi *= 2
        if hi > 10**12:  # p a hair above target: say "not practical" rather than loop
            return None
    lo = hi // 2
    while lo + 1 < hi:
        mid = (lo + hi) // 2
        if lower(mid) >= target:
            hi = mid
        else:
            lo = mid
    return hi


@dataclass(frozen=True)
class SizeScore:
    size: str
    correct: int
    examples: int
    accuracy: float
    ci_low: float
    ci_high: float
    meets_target: bool          # observed accuracy >= target
    confirmed: bool             # Wilson lower bound >= target too
    examples_to_confirm: int | None  # when meets_target and not confirmed


@dataclass(frozen=True)
class Comparison:
    """Adjacent measured sizes: is the gap real at this N?"""

    smaller: str
    larger: str
    gain: float                 # accuracy points (larger - smaller), e.g. 0.075
    separable: bool
    examples_needed: int | None  # per size, when not separable (None if rates equal)
    test: str = TEST_TWO_PROPORTION  # which test decided ``separable``


@dataclass(frozen=True)
class EvalVerdict:
    target: float
    confidence: float
    scores: tuple[SizeScore, ...]        # in ladder order
    comparisons: tuple[Comparison, ...]  # adjacent pairs, ladder order
    chosen: str | None                   # smallest size whose accuracy meets the target
    notes: tuple[str, ...]               # plain-language statements for the report


def _size_key(size: str) -> int:
    return SIZE_ORDER.index(size) if size in SIZE_ORDER else len(SIZE_ORDER)


def judge(results: list[tuple], target: float, confidence: float = DEFAULT_CONFIDENCE) -> EvalVerdict:
    """Pick the smallest measured size whose accuracy meets ``target`` and say how sure that is.

    ``results`` are ``(size, correct, examples)`` or ``(size, correct, examples,
    outcomes)`` with ``outcomes`` example id -> passed (or None); sizes may come
    in any order. Adjacent sizes with outcomes on the same examples are compared
    with McNemar's paired test.
    """
    ordered = sorted(results, key=lambda r: (_size_key(r[0]), r[0]))
    outcomes = {r[0]: (r[3] if len(r) > 3 else None) for r in ordered}
    scores: list[SizeScore] = []
    for size, correct, examples, *_ in ordered:
        acc = correct / examples
        low, high = wilson_interval(correct, examples, confidence)
        meets = acc >= target
        confirmed = meets and low >= target
        scores.append(
            SizeScore(
                size=size,
                correct=correct,
                examples=examples,
                accuracy=acc,
                ci_low=low,
                ci_high=high,
                meets_target=meets,
                confirmed=confirmed,
                examples_to_confirm=examples_to_confirm(acc, target, confidence) if meets and not confirmed else None,
            )
        )
    comparisons: list[Comparison] = []
    for a, b in zip(scores, scores[1:]):
        test = TEST_TWO_PROPORTION
        if paired(outcomes[a.size], outcomes[b.size]):
            _, _, p_value, test = mcnemar(outcomes[a.size], outcomes[b.size])
            sep = p_value < 1.0 - confidence
        else:
            sep = can_separate(a.correct, a.examples, b.correct, b.examples, confidence)
        comparisons.append(
            Comparison(
                smaller=a.size,
                larger=b.size,
                gain=b.accuracy - a.accuracy,
                separable=sep,
                examples_needed=None if sep else examples_to_separate(a.accuracy, b.accuracy, confidence),
                test=test,
            )
        )
    chosen = next((s.size for s in scores if s.meets_target), None)
    pct = f"{confidence * 100:.0f}%"
    notes: list[str] = []
    lo_n, hi_n = ARTICLE_SAMPLE_RANGE
    for s in scores:
        if s.examples < lo_n:
            notes.append(
                f"{s.size}: {s.examples} examples is below the {lo_n}-{hi_n} the framework asks for; "
                "treat its score as indicative only."
            )
    if chosen is None:
        best = max(scores, key=lambda s: s.accuracy) if scores else None
        if best is not None:
            notes.append(
                f"No measured size reaches the target {target:.1%}; the best is {best.size} at "
                f"{best.accuracy:.1%} (CI {best.ci_low:.1%}-{best.ci_high:.1%}). Test the next size up."
            )
    else:
        c = next(s for s in scores if s.size == chosen)
        if c.confirmed:
            notes.append(
                f"{chosen} meets the target {target:.1%}: {c.accuracy:.1%} on {c.examples} examples, "
                f"{pct} Wilson interval {c.ci_low:.1%}-{c.ci_high:.1%}, entirely above the target."
            )
        else:
            more = (
                f"about {c.examples_to_confirm} examples at this rate would confirm it"
                if c.examples_to_confirm is not None
                else "its rate is too close to the target for any practical sample to confirm it"
            )
            notes.append(
                f"{chosen} meets the target {target:.1%} on its observed score ({c.accuracy:.1%} on "
                f"{c.examples} examples), but its {pct} interval {c.ci_low:.1%}-{c.ci_high:.1%} still "
                f"includes the target: {more}."
            )
    for comp in comparisons:
        if comp.separable:
            notes.append(
                f"{comp.smaller} vs {comp.larger}: the gap of {comp.gain * 100:+.1f} points is larger than the noise at "
                f"this sample size ({pct} confidence, {comp.test})."
            )
        else:
            need = (
                f"about {comp.examples_needed} examples per size would be needed to tell them apart "
                f"(80% power, {pct} confidence)"
                if comp.examples_needed is not None
                else "their scores are identical"
            )
            notes.append(
                f"{comp.smaller} vs {comp.larger}: a gap of {comp.gain * 100:+.1f} points is within the noise at "
                f"this sample size ({comp.test}); {need}."
            )
    return EvalVerdict(
        target=target,
        confidence=confidence,
        scores=tuple(scores),
        comparisons=tuple(comparisons),
        chosen=chosen,
        notes=tuple(notes),
    )
