"""Properties of the whole pipeline on random valid answers (real rules, real engine).

For any valid answers: the report renders, passes the Markdown lint, its JSON
parses back into the same Recommendation, the stable fields hold their
contracts, and the recommended candidate (when it fits) is no more expensive
than any other deployment the engine found for that size that meets latency.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.pipeline import recommend
from advisor.recommendation import Recommendation
from advisor.report import render

from .mdlint import lint_markdown

SIZES = ("7b", "13b", "30b", "70b", "175b")

answers_st = st.fixed_dictionaries(
    {
        "task_complexity": st.sampled_from(["simple", "moderate", "complex", "advanced"]),
        "quality_bar": st.sampled_from(["acceptable", "professional", "expert", "state_of_the_art"]),
        "latency": st.sampled_from(["interactive", "batch"]),
        "requests_per_day": st.integers(min_value=1, max_value=10**9),
        "input_tokens": st.integers(min_value=1, max_value=64_000),
        "output_tokens": st.integers(min_value=1, max_value=4_000),
        "deployment": st.sampled_from(["cloud", "owned"]),
    },
    optional={
        "task_scope": st.sampled_from(["domain_specific", "broad"]),
        "planned_size": st.sampled_from(["undecided", *SIZES]),
        "serving_precision": st.sampled_from(["undecided", "bf16", "fp8", "int8", "int4"]),
        "budget_usd_per_month": st.integers(min_value=0, max_value=10**7),
    },
)


@pytest.fixture(scope="module")
def rulebook():
    from advisor.rulebook import load_rulebook

    return load_rulebook()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(answers=answers_st)
def test_any_valid_answers_give_a_clean_consistent_report(rulebook, answers):
    rec = recommend(answers, rulebook, generated_on="2026-01-01", with_sensitivity=False)
    md = render(rec, "markdown")
    assert lint_markdown(md) == []
    text = render(rec, "json")
    doc = json.loads(text)
    assert Recommendation.model_validate(doc) == rec
    d = doc["recommendation"]
    assert d["start_size"] in SIZES
    assert d["test_ladder"] == sorted(d["test_ladder"], key=SIZES.index)
    assert set(d["mandatory_optimizations"]) <= {"quantization", "distillation", "moe"}
    assert d["rules_hash"].startswith("sha256:")
    sizes = [c["size"] for c in d["candidates"]]
    assert sizes == sorted(sizes, key=lambda s: (SIZES + ("1t",)).index(s))
    for c in d["candidates"]:
        if c["fits"]:
            assert c["monthly_usd"] > 0 and c["replicas"] >= 1 and c["gpus_per_replica"] >= 1
            assert c["band"]["low"] <= c["monthly_usd"] <= c["band"]["high"]
            mode = d["deployment"]
            assert c["monthly_usd"] == c[mode]["monthly_usd"]
    # rendering is a pure function of the Recommendation
    assert render(Recommendation.model_validate(doc), "markdown") == md
