"""The hardware questions (issue 10): providers, pricing, GPU classes, allowed GPUs, availability."""

from advisor.answers import validate
from advisor.rulebook import load_rulebook
from engine.offers import ANY_PROVIDER, provider_ids

BASE = {"task_complexity": "simple", "quality_bar": "acceptable", "latency": "interactive",
        "requests_per_day": 500, "input_tokens": 500, "output_tokens": 200, "deployment": "cloud"}


def test_provider_choices_are_the_catalogs_providers():
    q = load_rulebook().questions["providers"].model
    assert sorted(c.value for c in q.choices) == sorted([*provider_ids(), ANY_PROVIDER])


def test_defaults_are_any_provider_on_demand_datacenter_redundant():
    ans, problems = validate(load_rulebook(), BASE)
    assert problems == []
    v = ans.values
    assert (v["providers"], v["pricing"], v["gpu_classes"], v["allowed_gpus"], v["availability"]) == (
        ["any"], "on_demand", ["datacenter"], None, "redundant")


def test_multi_choice_accepts_a_list_or_a_comma_string_and_keeps_order():
    rb = load_rulebook()
    a, _ = validate(rb, {**BASE, "providers": "Lambda, aws, lambda"})
    b, _ = validate(rb, {**BASE, "providers": ["lambda", "aws"]})
    assert a.values["providers"] == b.values["providers"] == ["lambda", "aws"]


def test_unknown_provider_is_one_problem_with_a_suggestion():
    _, problems = validate(load_rulebook(), {**BASE, "providers": ["aws", "nebuis"]})
    assert [p.key for p in problems] == ["providers"]
    assert "did you mean 'nebius'" in problems[0].message


def test_availability_is_asked_only_for_interactive_traffic():
    ans, _ = validate(load_rulebook(), {**BASE, "latency": "batch"})
    assert "availability" in ans.hidden and ans.values["availability"] is None
