"""Hostile or mangled input never escapes as anything but a SizewiseError (no tracebacks)."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.answers import validate
from advisor.rulebook.evaluator import evaluate
from advisor.rulebook.loader import RulebookError, load_rulebook
from engine.errors import SizewiseError

RULES = Path(__file__).resolve().parents[2] / "rules"
SHIPPED = {p.name: yaml.safe_load(p.read_text()) for p in sorted(RULES.glob("*.yaml"))}

junk = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 10**12), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8), st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


def paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from paths(v, prefix + (i,))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.data())
def test_mangled_rules_load_or_fail_cleanly(tmp_path_factory, data):
    files = copy.deepcopy(SHIPPED)
    for _ in range(data.draw(st.integers(1, 3))):
        name = data.draw(st.sampled_from(sorted(files)))
        all_paths = [p for p in paths(files[name]) if p]
        if not all_paths:
            continue
        target = data.draw(st.sampled_from(all_paths))
        parent = files[name]
        for part in target[:-1]:
            parent = parent[part]
        action = data.draw(st.sampled_from(["replace", "delete", "rename"]))
        last = target[-1]
        if action == "replace" or isinstance(parent, list):
            parent[last] = data.draw(junk)
        elif action == "delete":
            del parent[last]
        else:
            parent[str(last) + "x"] = parent.pop(last)
    d = tmp_path_factory.mktemp("rules")
    for name, content in files.items():
        (d / name).write_text(yaml.safe_dump(content))
    try:
        book = load_rulebook(d)
    except RulebookError as err:
        assert err.problems and all(p.message for p in err.problems)
        return
    try:
        evaluate(book, {"task_complexity": "moderate", "quality_bar": "professional", "latency": "interactive",
                        "requests_per_day": 1000, "input_tokens": 100, "output_tokens": 100, "deployment": "cloud"})
    except SizewiseError:
        pass


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["task_complexity", "quality_bar", "latency", "requests_per_day", "input_tokens",
                                        "output_tokens", "deployment", "ttft_target_s", "planned_size", "evaluations",
                                        "rules_hash", "budget_usd_per_month", "nonsense"]), junk, max_size=8))
def test_junk_answers_give_problems_not_exceptions(shipped, raw):
    answers, problems = validate(shipped, raw)
    if not problems:
        evaluate(shipped, answers)
    for p in problems:
        assert str(p)
