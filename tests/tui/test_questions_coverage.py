"""Every rules question can be answered in the wizard, with the answers file's validation and defaults.

Fails when a question is added to rules/questions.yaml that the wizard cannot
show (no widget for its type, never visible) or would type differently from
``sizewise recommend --answers`` (a value accepted by one and refused by the
other, or a default that does not survive being written back into its input).
"""

from __future__ import annotations

import pytest

from advisor.answers import validate
from advisor.session import QUESTION_STEPS, WizardSession
from advisor.session_backend import RulebookBackend
from advisor.tui.widgets.question import format_value

#: the kinds advisor.tui.widgets.question.QuestionField renders (radio list or input)
WIDGET_KINDS = {"choice", "boolean", "number", "integer", "text", "multi_choice"}
#: answers under which every conditional question is asked
ALL_VISIBLE = {
    "task_complexity": "moderate", "quality_bar": "professional", "latency": "interactive",
    "requests_per_day": "200K", "input_tokens": "1500", "output_tokens": "300", "deployment": "cloud",
    "planned_size": "30b", "serving_precision": "bf16", "quality_evidence": "own_evaluation",
}


@pytest.fixture(scope="module")
def backend():
    return RulebookBackend(generated_on="2026-11-27")


def _samples(q) -> list:
    if q.type == "choice":
        return [c.value for c in q.choices]
    if q.type == "multi_choice":
        values = [c.value for c in q.choices]
        return values + [",".join(values[:2]), values[:2]]
    if q.type == "boolean":
        return ["yes", "no", True]
    if q.type in ("number", "integer"):
        low = q.bounds.min if q.bounds and q.bounds.min is not None else 1
        return [low, "2K" if (q.bounds is None or q.bounds.max is None or q.bounds.max >= 2000) else low]
    return ["h100-sxm"] if q.id == "allowed_gpus" else ["some text"]


def test_every_rules_question_has_a_wizard_path(backend):
    session = WizardSession(backend, overrides=dict(ALL_VISIBLE))
    views = {q.id: q for q in backend.questions}
    for qid, cq in backend.rulebook.questions.items():
        assert qid in views, f"{qid}: no wizard question"
        assert views[qid].kind in WIDGET_KINDS, f"{qid}: type {views[qid].kind} has no widget"
        assert views[qid].step in QUESTION_STEPS
        if qid not in session.visible_ids:
            pytest.fail(f"{qid}: never asked in the wizard under {sorted(ALL_VISIBLE)}")


@pytest.mark.parametrize("qid", sorted(RulebookBackend(generated_on="2026-11-27").rulebook.questions))
def test_wizard_types_each_answer_like_an_answers_file(backend, qid):
    q = backend.rulebook.questions[qid].model
    for raw in _samples(q):
        session = WizardSession(backend, overrides=dict(ALL_VISIBLE))
        problem = session.set_answer(qid, raw)
        answers, problems = validate(backend.rulebook, {**ALL_VISIBLE, qid: raw})
        file_problem = next((p.message for p in problems if p.key == qid), None)
        assert problem == file_problem, (qid, raw)
        if problem is None:
            assert session.answers[qid] == answers.values[qid], (qid, raw)
    # the default (what the input shows before the user types) reads back as itself
    session = WizardSession(backend, overrides=dict(ALL_VISIBLE))
    if qid in ALL_VISIBLE or session.answers.get(qid) is None:
        return
    default = session.answers[qid]
    answers, _ = validate(backend.rulebook, dict(ALL_VISIBLE))
    assert default == answers.values[qid], f"{qid}: wizard default {default!r} != answers-file default"
    shown = format_value(default) if q.type not in ("choice", "boolean") else default
    assert session.set_answer(qid, shown) is None and session.answers[qid] == default, (qid, shown)
