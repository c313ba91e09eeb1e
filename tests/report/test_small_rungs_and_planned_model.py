"""Issue 11: 1-3B rungs below 7B decided by a rule, and a planned model costed beside the recommendation."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from advisor.pipeline import recommend_from_answers
from advisor.report import render
from engine.catalog import resolve_model

ROOT = Path(__file__).resolve().parents[2]
#: a simple task at massive volume (1.15B tokens/day): the small_rungs rule offers 1B and 3B
MASSIVE_7B = {"latency": "interactive", "deployment": "cloud", "task_complexity": "simple", "quality_bar": "acceptable",
              "requests_per_day": 500_000, "input_tokens": 2000, "output_tokens": 300}
#: the same task at low volume: the article's 7B floor holds
LOW_7B = {**MASSIVE_7B, "requests_per_day": 500, "input_tokens": 500, "output_tokens": 200}


def _sizes(rec):
    return [c.size for c in rec.recommendation.candidates]


def test_massive_volume_on_a_7b_task_puts_1b_and_3b_first():
    rec = recommend_from_answers(MASSIVE_7B)
    assert rec.recommendation.test_ladder[:3] == ["1b", "3b", "7b"]
    assert _sizes(rec)[:3] == ["1b", "3b", "7b"]
    small = {c.size: c for c in rec.recommendation.candidates}
    # each small rung is costed by a real model of its class, never a stand-in shape
    for size in ("1b", "3b"):
        m = resolve_model(small[size].costed_model)
        assert m.size_class == size and not m.generic
        assert small[size].monthly_usd < small["7b"].monthly_usd
    assert rec.recommendation.recommended_size == "7b"   # the rules start at 7B; only an evaluation moves it
    md = render(rec, "markdown")
    assert "testing the ladder 1B -> 3B -> 7B -> 13B" in md
    assert "small_rungs | below_7b_at_volume" in md


def test_low_volume_keeps_the_article_floor():
    rec = recommend_from_answers(LOW_7B)
    assert rec.recommendation.test_ladder == ["7b", "13b"]
    assert "1b" not in _sizes(rec) and "3b" not in _sizes(rec)


def test_a_rung_that_saves_nothing_is_left_off_the_ladder_with_the_reason():
    # 120M tokens/day of 60-token requests: two replicas of one small GPU carry every size alike
    rec = recommend_from_answers({**MASSIVE_7B, "requests_per_day": 2_000_000, "input_tokens": 50, "output_tokens": 10})
    cands = {c.size: c for c in rec.recommendation.candidates}
    assert cands["1b"].monthly_usd >= cands["7b"].monthly_usd   # priced, and shown
    assert rec.recommendation.test_ladder == ["7b", "13b"]
    assert rec.test_plan.ladder == ["7b", "13b"]
    assert any("left off the ladder" in n and "1B and 3B" in n for n in rec.test_plan.notes)


def test_an_architect_can_turn_the_rung_off(tmp_path):
    from advisor.rulebook import load_rulebook

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    path = rules / "step4_testing.yaml"
    text = path.read_text(encoding="utf-8")
    assert "then: {small_rungs: [1b, 3b]}" in text
    path.write_text(text.replace("then: {small_rungs: [1b, 3b]}", "then: {small_rungs: []}"), encoding="utf-8")
    rec = recommend_from_answers(MASSIVE_7B, rulebook=load_rulebook(rules))
    assert rec.recommendation.test_ladder == ["7b", "13b"]
    assert "1b" not in _sizes(rec)


def test_a_measured_small_rung_can_become_the_recommendation():
    from advisor.answers import EvaluationResult, Evaluations

    ev = Evaluations(target_accuracy=0.85, results=[
        EvaluationResult(size="3b", correct=180, examples=200), EvaluationResult(size="7b", correct=190, examples=200)])
    rec = recommend_from_answers(MASSIVE_7B, evaluations=ev)
    assert rec.recommendation.recommended_size == "3b"
    assert "3b" in rec.recommendation.test_ladder


def test_distillation_students_stay_on_the_article_ladder():
    from advisor.pipeline.optimizations import student_for

    assert student_for("30b") == "7b"
    assert student_for("13b") == "7b"
    assert student_for("7b") is None


# --- planned model ---------------------------------------------------------------------


def test_a_planned_model_is_costed_beside_the_recommendation():
    rec = recommend_from_answers({**MASSIVE_7B, "planned_model": "llama-3.3-70b"})
    p = rec.planned_model
    assert p is not None and p.fits
    assert p.model == "meta-llama/Llama-3.3-70B-Instruct" and p.size == "70b"
    head = next(c for c in rec.recommendation.candidates if c.size == rec.recommendation.recommended_size)
    assert p.cost_multiple_vs_start == pytest.approx(p.monthly_usd / head.monthly_usd, rel=1e-3)
    md = render(rec, "markdown")
    assert "**Your planned model.** meta-llama/Llama-3.3-70B-Instruct (you wrote 'llama-3.3-70b') would cost" in md
    assert "| planned (70B) | meta-llama/Llama-3.3-70B-Instruct (your planned model) |" in md
    doc = json.loads(render(rec, "json"))
    assert doc["planned_model"]["model"] == "meta-llama/Llama-3.3-70B-Instruct"
    assert doc["planned_model"]["monthly_usd"] == p.monthly_usd


def test_a_planned_model_whose_window_is_too_short_is_not_priced():
    rec = recommend_from_answers({**MASSIVE_7B, "input_tokens": 30_000, "output_tokens": 1500,
                                  "planned_model": "meta-llama/Llama-2-13b-hf"})
    p = rec.planned_model
    assert p is not None and not p.fits and p.no_fit_reason == "context" and p.monthly_usd is None
    assert "4,096 tokens" in rec.planned_model_conclusion and "31,500" in rec.planned_model_conclusion


def test_no_planned_model_no_section():
    rec = recommend_from_answers(MASSIVE_7B)
    assert rec.planned_model is None and rec.planned_model_conclusion is None
    assert "Your planned model" not in render(rec, "markdown")


@pytest.mark.parametrize("given,expect", [
    ("llama-3.3-7b", "did you mean meta-llama/Llama-3.3-70B-Instruct"),
    ("13b", "is a size class, not a model"),
])
def test_an_unknown_or_generic_planned_model_is_one_clear_message(tmp_path, given, expect):
    from advisor.cli import main

    answers = tmp_path / "a.yaml"
    answers.write_text(yaml.safe_dump({**MASSIVE_7B, "planned_model": given}), encoding="utf-8")
    import io
    from contextlib import redirect_stderr

    err = io.StringIO()
    with redirect_stderr(err):
        rc = main(["recommend", "--answers", str(answers), "-o", str(tmp_path / "r.md")])
    assert rc == 2
    text = err.getvalue()
    assert expect in text and "planned_model" in text and "Traceback" not in text
    assert f"{answers}:" in text   # file:line of the bad answer


def test_the_result_screen_shows_the_planned_model_and_the_ladder_notes():
    from advisor.result_view import result_view

    rec = recommend_from_answers({**MASSIVE_7B, "planned_model": "Qwen/Qwen3-32B"})
    view = result_view(rec)
    planned = [r for r in view.candidate_rows if r[0].startswith("planned: ")]
    assert planned and planned[0][0] == "planned: Qwen/Qwen3-32B"
    assert planned[0][4] == f"${rec.planned_model.monthly_usd:,.0f}"
    assert "Your planned model: Qwen/Qwen3-32B would cost" in view.summary
    assert all(label != "PLANNED" for label, _ in view.chart)   # not a rung of the cost curve
    same = recommend_from_answers({**MASSIVE_7B, "requests_per_day": 2_000_000, "input_tokens": 50, "output_tokens": 10})
    assert any("left off the ladder" in line for line in result_view(same).test_plan)


@pytest.mark.parametrize("case", sorted((ROOT / "rules" / "cases").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_alternative_says_why_it_is_not_costed_in_a_status(case):
    answers = yaml.safe_load(case.read_text(encoding="utf-8"))["answers"]
    rec = recommend_from_answers(answers, with_sensitivity=False)
    seen = set()
    for c in rec.recommendation.candidates:
        for a in c.alternatives:
            seen.add(a.status)
            if a.status == "priced":
                assert a.monthly_usd is not None and a.monthly_usd >= c.monthly_usd
            elif a.status == "superseded":
                spec = resolve_model(a.model)
                assert spec.superseded_by and a.monthly_usd is None and spec.superseded_by in a.note
            elif a.status == "dominated":
                assert a.monthly_usd is None and a.note.startswith("not priced: ")
            elif a.status == "no_fit":
                assert a.monthly_usd is None
            else:
                assert a.status == "same_architecture" and a.note.startswith("same architecture as ")
    assert seen   # every golden case lists at least one alternative


def test_a_cheaper_planned_model_is_called_the_better_buy_only_if_it_passes():
    rec = recommend_from_answers({**MASSIVE_7B, "planned_model": "meta-llama/Llama-3.2-1B"})
    head = next(c for c in rec.recommendation.candidates if c.size == rec.recommendation.recommended_size)
    assert rec.planned_model.monthly_usd < head.monthly_usd
    assert "costs less than the recommendation, so if it meets your bar" in rec.planned_model_conclusion


def test_a_superseded_release_costs_the_class_only_when_no_current_model_meets_the_targets():
    # 8 ms per token on L40S: Llama-3.1-8B and Qwen3-8B miss it; Qwen2.5-7B (7.6B parameters, 28 layers, a
    # 4-head KV cache) meets it
    answers = {**LOW_7B, "requests_per_day": 2000, "ttft_target_s": 0.5, "tpot_target_ms": 8, "allowed_gpus": "l40s"}
    rec = recommend_from_answers(answers, with_sensitivity=False)
    c7 = next(c for c in rec.recommendation.candidates if c.size == "7b")
    assert c7.fits and resolve_model(c7.costed_model).superseded_by
    assert "no current 7B-class model meets the latency targets" in c7.note
    current = [a for a in c7.alternatives if not resolve_model(a.model).superseded_by]
    assert current and all(a.status in ("no_fit", "dominated", "same_architecture") for a in current)
    md = render(rec, "markdown")
    assert f"- 7B: {c7.note}" in md
    assert "older release" in md.split("## Your answers")[0]   # the executive summary says it too
    # with the latency target met by current models, the superseded release is listed, never costed
    relaxed = recommend_from_answers({**answers, "tpot_target_ms": 50}, with_sensitivity=False)
    r7 = next(c for c in relaxed.recommendation.candidates if c.size == "7b")
    assert not resolve_model(r7.costed_model).superseded_by and not r7.note
