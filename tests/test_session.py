"""WizardSession without a terminal: navigation, edits, invalidation, drafts.

Driven over a tiny fixture backend (tests/tui/fixture_backend.py) so the
navigation rules are checked independently of the shipped rulebook.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "tui"))

from fixture_backend import COMPLETE, FixtureBackend  # noqa: E402

from advisor import drafts  # noqa: E402
from advisor.session import RESULT, REVIEW, STEP_IDS, WizardSession  # noqa: E402


def fill(session: WizardSession, answers: dict) -> None:
    for qid, value in answers.items():
        session.set_answer(qid, value)


def test_next_is_refused_until_the_step_is_answered():
    s = WizardSession(FixtureBackend())
    assert s.step_id == "task"
    assert s.next() is False
    assert s.blocking() == ["How complex is the task?: an answer is needed"]
    s.set_answer("task_complexity", "simple")
    assert s.next() is True
    assert s.step_id == "quality"


def test_numbers_accept_suffixes_and_report_the_reason():
    s = WizardSession(FixtureBackend(), overrides=dict(COMPLETE))
    assert s.answers["requests_per_day"] == 200_000
    assert s.set_answer("requests_per_day", "100M") is None
    assert s.answers["requests_per_day"] == 100_000_000
    assert s.set_answer("requests_per_day", "lots") == "'lots' is not a number (examples: 200000, 100M, 2K)"
    assert "requests_per_day" not in s.answers
    assert s.overrides["requests_per_day"] == "lots"  # what was typed is kept, flagged


def test_dependent_default_is_recomputed_unless_overridden():
    s = WizardSession(FixtureBackend())
    s.set_answer("task_complexity", "simple")
    assert s.answers["domain_specific"] is True
    s.set_answer("task_complexity", "complex")
    assert s.answers["domain_specific"] is False  # default followed the earlier answer
    s.set_answer("domain_specific", True)
    s.set_answer("task_complexity", "advanced")
    assert s.answers["domain_specific"] is True  # the user's own answer is kept


def test_answer_that_became_hidden_is_dropped():
    s = WizardSession(FixtureBackend(), overrides={**COMPLETE, "latency": "interactive", "ttft_target_s": "1.5"})
    assert s.answers["ttft_target_s"] == 1.5
    s.set_answer("latency", "batch")
    assert "ttft_target_s" not in s.answers and "ttft_target_s" not in s.overrides
    s.set_answer("latency", "interactive")
    assert s.answers["ttft_target_s"] == 1.0  # back to its default, not the old answer


def test_answer_that_became_invalid_is_flagged_and_blocks_review():
    s = WizardSession(FixtureBackend(), overrides={**COMPLETE, "latency": "interactive", "ttft_target_s": "5"})
    while s.cursor < RESULT:
        assert s.next()
    assert s.goto("quality")
    s.set_answer("quality_bar", "expert")
    assert s.problems == {"ttft_target_s": "an expert-grade interactive service needs a first token within 2 s"}
    assert not s.complete
    assert s.next() is False
    assert s.can_goto(REVIEW) is False  # cannot jump past a flagged answer
    assert s.step_state(STEP_IDS.index("quality")) == "current"
    s.set_answer("ttft_target_s", "1")
    assert s.goto(REVIEW) and s.next() and s.step_id == "result"


def test_goto_only_reaches_completed_steps():
    s = WizardSession(FixtureBackend())
    assert s.goto("volume") is False
    fill(s, COMPLETE)
    assert s.goto("volume") is False  # not reached yet
    for _ in range(3):
        assert s.next()
    assert s.step_id == "test_plan"
    assert s.goto("task") and s.step_id == "task"
    assert s.goto("test_plan")
    assert s.back() and s.step_id == "volume"


def test_result_cursor_falls_back_to_review_when_answers_break():
    s = WizardSession(FixtureBackend(), overrides=dict(COMPLETE))
    while s.next():
        pass
    assert s.step_id == "result"
    s.set_answer("requests_per_day", "-3")
    assert s.step_id == "review"
    assert s.blocking() == ["Requests per day: must be at least 1 requests/day"]


def test_draft_saved_after_each_completed_step_and_resumed_exactly(tmp_path, monkeypatch):
    monkeypatch.setenv("SIZEWISE_STATE_DIR", str(tmp_path))
    saved = []
    s = WizardSession(FixtureBackend(), on_step_completed=lambda sess: saved.append(drafts.save_draft(sess.snapshot())))
    fill(s, {"task_complexity": "complex", "quality_bar": "expert", "latency": "interactive"})
    assert s.next() and s.next()
    s.set_answer("requests_per_day", "2K")  # typed on step 3, step not completed yet
    assert saved == [tmp_path / "draft.yaml"] * 2
    text = (tmp_path / "draft.yaml").read_text()
    assert text.splitlines()[2] == "# sizewise-wizard: step=volume reached=volume"
    assert "requests_per_day" not in text  # only completed steps are saved
    drafts.save_draft(s.snapshot())  # what Ctrl+C does
    snap = drafts.load_draft()
    r = WizardSession.restore(FixtureBackend(), snap)
    assert (r.step_id, r.overrides, r.answers) == (s.step_id, s.overrides, s.answers)


def test_draft_is_an_answers_file():
    snap = {"step": "review", "reached": "review", "rules_hash": "sha256:ab", "answers": {"b": "2K", "a": True}}
    text = drafts.dump_draft(snap)
    assert text.endswith("rules_hash: sha256:ab\na: true\nb: 2K\n")
    assert drafts.parse_draft(text) == snap


@pytest.mark.parametrize("text", ["", "a: 1\n", "# sizewise-wizard: step=task reached=task\n- 1\n",
                                  "# sizewise-wizard: step=task reached=task\na: [\n"])
def test_unusable_drafts_are_ignored(text):
    assert drafts.parse_draft(text) is None


def test_restore_never_lands_past_missing_answers():
    snap = {"step": "result", "reached": "result", "answers": {"task_complexity": "simple"}}
    r = WizardSession.restore(FixtureBackend(), snap)
    assert r.step_id == "quality"


def test_state_dir_precedence(monkeypatch, tmp_path):
    monkeypatch.delenv("SIZEWISE_STATE_DIR", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert drafts.draft_path() == tmp_path / "sizewise" / "draft.yaml"
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert drafts.draft_path() == tmp_path / ".local" / "state" / "sizewise" / "draft.yaml"


def test_preview_is_cached_by_answers():
    backend = FixtureBackend()
    s = WizardSession(backend, overrides=dict(COMPLETE))
    first = s.preview()
    assert first is not None and first.size == "13B"
    s.preview()
    assert backend.preview_calls == 1
    s.set_answer("task_complexity", "complex")
    assert s.preview().size == "30B" and backend.preview_calls == 2
