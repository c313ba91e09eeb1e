"""advisor.answers: the one validation for the wizard, --answers and --set."""

from __future__ import annotations

import pytest

from advisor.answers import (
    AnswersError,
    Invalid,
    default_for,
    is_visible,
    load_answers,
    parse_set,
    read_answers_file,
    validate,
    validate_answer,
)

SEVEN = {
    "task_complexity": "moderate",
    "quality_bar": "professional",
    "latency": "interactive",
    "requests_per_day": 200000,
    "input_tokens": 1500,
    "output_tokens": 300,
    "deployment": "cloud",
}


def test_the_seven_public_answers_are_complete(shipped):
    answers, problems = validate(shipped, SEVEN)
    assert problems == []
    assert answers.given == tuple(SEVEN)
    assert answers.values["ttft_target_s"] == 1.0
    assert answers.values["peak_to_average"] == 3  # conditional default: interactive
    assert answers.values["planned_size_reason"] is None and "planned_size_reason" in answers.hidden
    assert all(q.required == (q.id in SEVEN) for q in shipped.question_models)


def test_default_depends_on_earlier_answer(shipped):
    assert default_for(shipped, "peak_to_average", {"latency": "batch"}) == 1
    assert default_for(shipped, "peak_to_average", {"latency": "interactive"}) == 3
    assert default_for(shipped, "task_complexity", {}) is None


def test_hidden_questions_drop_their_answers(shipped):
    answers, problems = validate(shipped, {**SEVEN, "latency": "batch", "ttft_target_s": 2})
    assert problems == []
    assert answers.values["ttft_target_s"] is None
    assert answers.notes == ("ttft_target_s: answer dropped: the question is asked only when latency in {interactive}",)
    assert not is_visible(shipped, "ttft_target_s", {"latency": "batch"})


def test_all_problems_at_once(shipped):
    raw = {"task_complexity": "modrate", "request_per_day": 5, "input_tokens": "1.5K", "output_tokens": 0.5, "deployment": "cloud"}
    _, problems = validate(shipped, raw)
    assert [str(p) for p in problems] == [
        "request_per_day: unknown question; did you mean 'requests_per_day'?",
        "task_complexity: 'modrate' is not one of: simple, moderate, complex, advanced; did you mean 'moderate'?",
        "quality_bar: missing answer (acceptable|professional|expert|state_of_the_art): add 'quality_bar: <value>' to the answers file or pass --set quality_bar=<value>",
        "latency: missing answer (interactive|batch): add 'latency: <value>' to the answers file or pass --set latency=<value>",
        "requests_per_day: missing answer (a number requests/day): add 'requests_per_day: <value>' to the answers file or pass --set requests_per_day=<value>",
        "output_tokens: expected a whole number, got 0.5",
    ]


@pytest.mark.parametrize(
    "qid, raw, expected",
    [
        ("requests_per_day", "100M", 1e8),
        ("requests_per_day", "2K", 2000.0),
        ("requests_per_day", 250, 250),
        ("input_tokens", "2K", 2000),
        ("budget_includes_inference", "no", False),
        ("budget_includes_inference", True, True),
        ("latency", "Interactive", "interactive"),
        ("requests_per_day", "lots", Invalid("'lots' is not a number (examples: 2000, 2K, 100M, 1.5e9, 1.5M/month)")),
        ("requests_per_day", 0, Invalid("requests per day must be between 1 and 1e11, got 0")),
        ("deployment_months", 121, Invalid("must be between 1 and 120 months, got 121")),
        ("input_tokens", True, Invalid("expected a number, got 'true'")),
        ("budget_includes_inference", "maybe", Invalid("expected true or false, got 'maybe'")),
    ],
)
def test_validate_answer(shipped, qid, raw, expected):
    assert validate_answer(shipped.question(qid), raw) == expected


def test_same_bad_value_same_message_on_every_path(shipped, tmp_path):
    q = shipped.question("requests_per_day")
    direct = validate_answer(q, "-5")
    (tmp_path / "a.yaml").write_text("".join(f"{k}: {v}\n" for k, v in {**SEVEN, "requests_per_day": -5}.items()))
    with pytest.raises(AnswersError) as from_file:
        load_answers(tmp_path / "a.yaml", shipped)
    with pytest.raises(AnswersError) as from_set:
        load_answers(None, shipped, [f"{k}={v}" for k, v in SEVEN.items()] + ["requests_per_day=-5"])
    assert str(from_file.value) == f"the answers have a problem: {tmp_path / 'a.yaml'}:4:19: requests_per_day: {direct.message}"
    assert str(from_set.value) == f"the answers have a problem: --set: requests_per_day: {direct.message}"


def test_set_overrides_file_and_parses_strings(shipped, tmp_path):
    (tmp_path / "a.yaml").write_text("".join(f"{k}: {v}\n" for k, v in SEVEN.items()))
    answers = load_answers(tmp_path / "a.yaml", shipped, ["latency=batch", "requests_per_day=3M"])
    assert answers.values["latency"] == "batch" and answers.values["requests_per_day"] == 3e6
    raw, problems = parse_set(["oops", "evaluations=1"])
    assert [str(p) for p in problems] == [
        "--set: --set expects key=value, got 'oops'",
        "--set: evaluations: evaluations cannot be given with --set; put them in the answers file",
    ]


def test_evaluations_and_rules_hash_are_validated_with_positions(shipped, tmp_path):
    text = "".join(f"{k}: {v}\n" for k, v in SEVEN.items()) + (
        "rules_hash: sha256:0000\n"
        "evaluations:\n"
        "  target_accuracy: 0.85\n"
        "  results:\n"
        "    - {size: 7b, correct: 161, examples: 200}\n"
        "    - {size: 13b, correct: 250, examples: 200}\n"
        "    - {size: 14b, correct: 1, examples: 2}\n"
    )
    (tmp_path / "a.yaml").write_text(text)
    raw = read_answers_file(tmp_path / "a.yaml")
    answers, problems = validate(shipped, raw)
    f = tmp_path / "a.yaml"
    assert [str(p) for p in problems] == [
        f"{f}:13:7: evaluations.results[1]: correct (250) is more than examples (200)",
        f"{f}:14:14: evaluations.results[2].size: input should be '1b', '3b', '7b', '13b', '30b', '70b', '175b' or '1t', got '14b'",
    ]
    assert answers.notes[0].startswith("rules_hash: these answers were written for other rules")


def test_good_evaluations_are_kept(shipped):
    answers, problems = validate(shipped, {**SEVEN, "rules_hash": shipped.hash, "evaluations": {"target_accuracy": 0.8, "results": [{"size": "7b", "correct": 170, "examples": 200}]}})
    assert problems == [] and answers.notes == ()
    assert answers.evaluations.results[0].accuracy == 0.85


def test_answers_file_must_be_a_mapping(tmp_path):
    (tmp_path / "a.yaml").write_text("- just\n- a list\n")
    with pytest.raises(AnswersError, match="an answers file is a mapping"):
        read_answers_file(tmp_path / "a.yaml")
    (tmp_path / "b.yaml").write_text("latency: batch\nlatency: interactive\n")
    with pytest.raises(AnswersError, match="duplicate key 'latency'"):
        read_answers_file(tmp_path / "b.yaml")


def test_empty_value_counts_as_not_answered(shipped, tmp_path):
    (tmp_path / "a.yaml").write_text("".join(f"{k}: {v}\n" for k, v in SEVEN.items() if k != "latency") + "latency:\nbudget_usd_per_month:\n")
    answers, problems = validate(shipped, read_answers_file(tmp_path / "a.yaml"))
    assert [str(p) for p in problems] == [
        f"{tmp_path / 'a.yaml'}:7:9: latency: missing answer (interactive|batch): add 'latency: <value>' to the answers file or pass --set latency=<value>"
    ]
    assert answers.values["budget_usd_per_month"] is None and "budget_usd_per_month" in answers.defaulted


@pytest.mark.parametrize(
    "raw, per_day",
    [("50M/month", 50e6 * 12 / 365), ("50M per month", 50e6 * 12 / 365), ("10K/hour", 240_000.0), ("3650/year", 10.0),
     ("2K / day", 2000.0), ("7K a week", 1000.0)],
)
def test_requests_in_other_periods_are_converted_to_per_day(shipped, raw, per_day):
    assert validate_answer(shipped.question("requests_per_day"), raw) == pytest.approx(per_day, rel=1e-12)


def test_periods_only_for_per_day_questions(shipped):
    assert validate_answer(shipped.question("input_tokens"), "2K/month") == Invalid("'2K/month' is not a number (examples: 2000, 2K, 100M, 1.5e9)")


def test_question_checks_run_with_earlier_answers(tmp_path):
    from advisor.rulebook.loader import load_rulebook

    (tmp_path / "q.yaml").write_text(
        "questions:\n"
        "  - {id: latency, step: 2, prompt: Mode, type: choice, choices: [{value: interactive, label: I}, {value: batch, label: B}]}\n"
        "  - id: timeout_s\n    step: 2\n    prompt: Timeout\n    type: number\n    bounds: {min: 1, max: 3600}\n    default: 30\n"
        "    checks:\n      - when: {latency: interactive}\n        require: {timeout_s: {le: 30}}\n"
        "        message: must be 30 s or less for interactive use\n"
    )
    book = load_rulebook(tmp_path)
    q = book.question("timeout_s")
    assert validate_answer(q, 60, answers={"latency": "interactive"}, rulebook=book) == Invalid("must be 30 s or less for interactive use")
    assert validate_answer(q, 60, answers={"latency": "batch"}, rulebook=book) == 60
    assert validate_answer(q, 60, answers={"latency": "interactive"}) == 60  # without the rulebook only type and bounds run
    _, problems = validate(book, {"latency": "interactive", "timeout_s": 45})
    assert [str(p) for p in problems] == ["timeout_s: must be 30 s or less for interactive use"]
    assert book.question_order == ["latency", "timeout_s"]
