"""Parity over every golden case: the wizard's result, its export and ``sizewise recommend`` agree.

Why every case: each case in ``rules/cases/`` is a scenario the rules were
written for (evaluations included); if the wizard's session drops or changes
any answer on its way to the pipeline (issue 14, item 1: the ``evaluations:``
block was dropped by ``sizewise wizard --answers``), one of these reports
differs from the non-interactive one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from advisor.commands.wizard import prefill
from advisor.result_view import result_view
from advisor.session import WizardSession
from advisor.session_backend import RulebookBackend

DAY = "2026-11-27"
ROOT = Path(__file__).resolve().parents[2]
CASES = sorted((ROOT / "rules" / "cases").glob("*.yaml"))


@pytest.fixture(scope="module")
def backend():
    return RulebookBackend(generated_on=DAY)


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_wizard_export_and_recommend_agree(backend, case, tmp_path, capsys, monkeypatch):
    from advisor import drafts
    from advisor.cli import main

    answers = yaml.safe_load(case.read_text())["answers"]
    answers_file = tmp_path / "answers.yaml"
    answers_file.write_text(yaml.safe_dump(answers, sort_keys=False))
    monkeypatch.chdir(ROOT)  # where the backend was loaded: rule files are named relative to it
    for fmt in ("markdown", "json"):
        capsys.readouterr()
        assert main(["recommend", "--answers", str(answers_file), "--date", DAY, "--format", fmt]) == 0
        cli = capsys.readouterr().out

        overrides, evaluations = prefill(backend, str(answers_file))
        session = WizardSession(backend, overrides=overrides, evaluations=evaluations)
        assert session.complete, session.blocking()
        assert session.render(fmt) == cli, f"{case.name}: wizard export differs from recommend ({fmt})"
        # the draft keeps what the export used: resuming it gives the same report
        snap = drafts.parse_draft(drafts.dump_draft(session.snapshot()))
        assert WizardSession.restore(backend, snap).render(fmt) == cli
    # the Result screen shows the same recommendation as the report
    view = session.result()
    rec = backend.recommendation(session.given_answers())
    assert view == result_view(rec)
    if "evaluations" in answers:
        assert rec.evaluations is not None


EVAL_ANSWERS = {"latency": "interactive", "deployment": "cloud", "task_complexity": "moderate",
                "quality_bar": "professional", "requests_per_day": 2000, "input_tokens": 400,
                "output_tokens": 100, "quality_evidence": "own_evaluation"}
TYPED = {"target_accuracy": 0.85, "results": [{"size": "7b", "correct": 174, "examples": 200},
                                              {"size": "13b", "correct": 181, "examples": 200}]}


def test_scores_typed_in_the_wizard_equal_the_answers_file_block(backend):
    """Issue 14, item 1: choosing 'An evaluation on our own task data' asks for the scores."""
    from advisor.pipeline import recommend
    from advisor.report import render

    session = WizardSession(backend, overrides=dict(EVAL_ANSWERS))
    assert {"eval_7b", "eval_13b", "eval_file", "eval_target_accuracy"} <= set(session.visible_ids)
    assert session.set_answer("eval_7b", "174/200") is None
    assert session.set_answer("eval_13b", "181/200") is None
    assert session.set_answer("eval_30b", "201/200") is not None  # more correct than examples: refused
    session.clear_answer("eval_30b")
    expected = render(recommend({**EVAL_ANSWERS, "evaluations": TYPED}, backend.rulebook, generated_on=DAY), "markdown")
    assert session.render("markdown") == expected
    assert "Your own evaluation" in expected or "7b meets the target" in expected
    assert session.preview().size == "7B"  # the side panel follows the measured scores


def test_results_file_imported_in_the_wizard(backend):
    fixtures = ROOT / "tests" / "evals" / "fixtures"
    session = WizardSession(backend, overrides=dict(EVAL_ANSWERS))
    assert session.set_answer("eval_file", str(fixtures / "results.csv")) is None
    assert "McNemar's paired test" in session.render("markdown")
    problem = session.set_answer("eval_file", str(fixtures / "nope.json"))
    assert problem is not None and "no such results file" in problem


def test_draft_keeps_typed_scores_and_stays_an_answers_file(backend, tmp_path):
    import yaml

    from advisor import drafts
    from advisor.answers import validate

    session = WizardSession(backend, overrides={**EVAL_ANSWERS, "eval_7b": "174/200"})
    text = drafts.dump_draft(session.snapshot())
    assert "# sizewise-wizard-evals: " in text
    _, problems = validate(backend.rulebook, yaml.safe_load(text))
    assert problems == []  # no wizard-only key in the YAML body
    restored = WizardSession.restore(backend, drafts.parse_draft(text))
    assert restored.overrides["eval_7b"] == "174/200"
    assert restored.render("markdown") == session.render("markdown")
