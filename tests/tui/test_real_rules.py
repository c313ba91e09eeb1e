"""The wizard over the shipped rulebook and the real recommendation pipeline.

Oracles: the report the wizard exports is byte-identical to the one the
non-interactive path renders for the same answers, and a bad value typed in
the wizard is refused with the very message ``--set`` gets.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from advisor.answers import parse_set, validate
from advisor.session import WizardSession
from advisor.session_backend import RulebookBackend

DAY = "2026-11-27"
ANSWERS = {
    "task_complexity": "moderate", "quality_bar": "professional", "latency": "interactive",
    "requests_per_day": "200K", "input_tokens": "1500", "output_tokens": "300", "deployment": "cloud",
}


@pytest.fixture(scope="module")
def backend():
    return RulebookBackend(generated_on=DAY)


@pytest.mark.parametrize("qid,bad", [("requests_per_day", "lots"), ("requests_per_day", "-5"),
                                     ("latency", "realtime"), ("output_tokens", "2.5")])
def test_wizard_and_set_refuse_with_the_same_message(backend, qid, bad):
    session = WizardSession(backend, overrides=dict(ANSWERS))
    wizard_message = session.set_answer(qid, bad)
    raw, _ = parse_set([f"{k}={v}" for k, v in {**ANSWERS, qid: bad}.items()])
    _, problems = validate(backend.rulebook, raw)
    assert wizard_message is not None
    assert [p.message for p in problems if p.key == qid] == [wizard_message]


def test_session_answers_equal_the_shared_validation(backend):
    session = WizardSession(backend, overrides=dict(ANSWERS))
    answers, problems = validate(backend.rulebook, dict(ANSWERS))
    assert problems == [] and session.complete
    assert session.answers == {k: v for k, v in answers.values.items() if k not in answers.hidden}


async def test_full_run_exports_the_same_report_as_recommend(backend, tmp_path):
    from advisor.pipeline import recommend
    from advisor.report import render
    from advisor.tui.app import SizewiseApp

    app = SizewiseApp(backend, overrides=ANSWERS)
    async with app.run_test(size=(120, 36)) as pilot:
        assert app.sub_title == f"rules {backend.rules_hash[:19]}"
        for _ in range(5):
            await pilot.press("ctrl+n")
            await pilot.pause()
        assert app.session.step_id == "result"
        assert app.session.preview().size == "13B"
        await pilot.press("e")
        await pilot.pause()
        await pilot.click("#save")
        await pilot.pause()
    expected = render(recommend(dict(ANSWERS), backend.rulebook, generated_on=DAY), "markdown")
    assert (tmp_path / "sizewise-report.md").read_text() == expected


def test_prefill_refuses_unknown_keys_and_keeps_bad_values_to_fix(backend, tmp_path):
    from advisor.answers import AnswersError
    from advisor.commands.wizard import prefill

    good = tmp_path / "a.yaml"
    good.write_text("task_complexity: moderate\nrequests_per_day: lots\nrules_hash: sha256:00\n")
    assert prefill(backend, str(good)) == ({"task_complexity": "moderate", "requests_per_day": "lots"}, None)
    bad = tmp_path / "b.yaml"
    bad.write_text("task_complexty: moderate\n")
    with pytest.raises(AnswersError, match="unknown question; did you mean 'task_complexity'"):
        prefill(backend, str(bad))


def test_other_rules_directory_has_its_own_hash(backend, tmp_path):
    rules = Path(backend.rulebook.directory)
    copy = tmp_path / "rules"
    shutil.copytree(rules, copy)
    questions = copy / "questions.yaml"
    questions.write_text(questions.read_text() + "\n# edited copy\n")
    other = RulebookBackend(copy)
    assert other.rules_hash.startswith("sha256:")
    assert [q.id for q in other.questions] == [q.id for q in backend.questions]


@pytest.mark.parametrize("changes", [
    {},
    {"latency": "batch", "requests_per_day": "50M", "deployment": "owned"},
    {"task_complexity": "advanced", "quality_bar": "expert", "requests_per_day": "2K", "output_tokens": "2000"},
    {"task_complexity": "simple", "quality_bar": "acceptable", "serving_precision": "bf16", "quantization_rejected_by_tests": "yes"},
])
def test_fast_preview_matches_the_full_pipeline(backend, changes):
    session = WizardSession(backend, overrides={**ANSWERS, **changes})
    assert session.complete, session.problems
    given = session.given_answers()
    fast, full = backend._fast_preview(given), backend._full_preview(given)
    assert fast is not None and fast == full


def test_cached_backend_replays_the_first_screen_without_loading(backend, tmp_path):
    from advisor.session_cache import CachedRulebookBackend

    first = CachedRulebookBackend(cache_dir=tmp_path)  # records the snapshot (loads the rules)
    assert first.loaded and len(list(tmp_path.glob("rules-*.json"))) == 1
    again = CachedRulebookBackend(cache_dir=tmp_path)
    replayed = WizardSession(again)
    real = WizardSession(backend)
    assert not again.loaded  # the first screen needed nothing but the snapshot
    assert (replayed.visible_ids, replayed.answers, replayed.problems) == (real.visible_ids, real.answers, real.problems)
    assert again.rules_hash == backend.rules_hash and again.questions == backend.questions
    # the first answer the snapshot does not know loads the real rules and agrees with them
    assert replayed.set_answer("requests_per_day", "lots") == real.set_answer("requests_per_day", "lots")
    assert again.loaded


def test_cache_is_rerecorded_when_rules_change_or_file_is_corrupt(backend, tmp_path):
    from advisor.session_cache import CachedRulebookBackend

    rules = tmp_path / "rules"
    shutil.copytree(Path(backend.rulebook.directory), rules)
    cache = tmp_path / "cache"
    one = CachedRulebookBackend(rules, cache_dir=cache)
    (rules / "questions.yaml").write_text((rules / "questions.yaml").read_text() + "\n# edited\n")
    two = CachedRulebookBackend(rules, cache_dir=cache)
    assert one.cache_path != two.cache_path and two.loaded
    two.cache_path.write_text("{not json")
    three = CachedRulebookBackend(rules, cache_dir=cache)
    assert three.loaded and three.rules_hash == two.rules_hash
    assert CachedRulebookBackend(rules, cache_dir=cache).loaded is False  # rewritten, usable again
