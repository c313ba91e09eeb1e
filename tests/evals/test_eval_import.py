"""Results files from evaluation tools change the recommendation as the same numbers typed in.

Fixtures (tests/evals/fixtures): Llama-2 7B scores 174 of 200, 13B 181 of 200
on the same 200 examples (13B passes a superset of 7B's), target 0.85, in each
of the four formats. Typed in, the two-proportion test cannot tell the sizes
apart (87.0% vs 90.5%); with the per-example files McNemar's exact test sees
7 discordant examples all one way (p = 0.016) and says so.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor.answers import Evaluations
from advisor.eval_import import EvalFileError, evaluations_from_files, read_results
from advisor.pipeline import recommend
from advisor.report import render
from advisor.rulebook import load_rulebook

FIX = Path(__file__).parent / "fixtures"
DAY = "2026-11-27"
ANSWERS = {"latency": "interactive", "deployment": "cloud", "task_complexity": "moderate",
           "quality_bar": "professional", "requests_per_day": 2000, "input_tokens": 400, "output_tokens": 100}
TYPED = {"target_accuracy": 0.85, "results": [{"size": "7b", "correct": 174, "examples": 200},
                                              {"size": "13b", "correct": 181, "examples": 200}]}
LM = sorted((FIX / "lm_eval").glob("*/results_*.json"))
FORMATS = {
    "lm-eval+samples": (LM, True),
    "lm-eval-aggregate": (sorted((FIX / "lm_eval_aggregate").glob("*.json")), False),
    "promptfoo": ([FIX / "promptfoo.json"], True),
    "inspect": ([FIX / "inspect_7b.json", FIX / "inspect_13b.json"], True),
    "csv": ([FIX / "results.csv"], True),
}


@pytest.fixture(scope="module")
def rulebook():
    return load_rulebook()


@pytest.fixture(scope="module")
def typed(rulebook):
    return recommend(dict(ANSWERS), rulebook, evaluations=Evaluations.model_validate(TYPED), generated_on=DAY)


@pytest.mark.parametrize("name", FORMATS)
def test_each_format_reads_the_same_counts(name):
    paths, per_example = FORMATS[name]
    results = sorted((r for p in paths for r in read_results(p)), key=lambda r: r.examples - r.correct)
    assert [(r.size, r.correct, r.examples) for r in results] == [("13b", 181, 200), ("7b", 174, 200)]
    assert all((r.outcomes is not None) == per_example for r in results)


@pytest.mark.parametrize("name", FORMATS)
def test_each_format_changes_the_recommendation_as_typed_numbers(rulebook, typed, name):
    paths, per_example = FORMATS[name]
    untouched = recommend(dict(ANSWERS), rulebook, generated_on=DAY)
    ev = evaluations_from_files(paths, 0.85)
    rec = recommend(dict(ANSWERS), rulebook, evaluations=ev, generated_on=DAY)
    assert untouched.recommendation.recommended_size != "7b"  # the files do change it
    assert rec.recommendation == typed.recommendation
    assert rec.evaluations.scores == typed.evaluations.scores
    (cmp,), (typed_cmp,) = rec.evaluations.comparisons, typed.evaluations.comparisons
    assert typed_cmp.test == "two-proportion z-test" and not typed_cmp.separable
    if per_example:  # paired: McNemar's exact test on the 7 discordant examples, named in the report
        assert cmp.test == "McNemar's paired test (exact binomial)" and cmp.separable
        assert "McNemar's paired test (exact binomial)" in render(rec, "markdown")
    else:
        assert render(rec, "markdown") == render(typed, "markdown")


def test_recommend_cli_evals_equals_answers_file_numbers(tmp_path, capsys):
    import yaml

    from advisor.cli import main

    plain = tmp_path / "a.yaml"
    plain.write_text(yaml.safe_dump(ANSWERS))
    typed_file = tmp_path / "b.yaml"
    typed_file.write_text(yaml.safe_dump({**ANSWERS, "evaluations": TYPED}))
    agg = [str(p) for p in FORMATS["lm-eval-aggregate"][0]]
    assert main(["recommend", "--answers", str(plain), "--date", DAY, "--eval-target", "0.85",
                 *(x for p in agg for x in ("--evals", p))]) == 0
    from_files = capsys.readouterr().out
    assert main(["recommend", "--answers", str(typed_file), "--date", DAY]) == 0
    assert from_files == capsys.readouterr().out
    # the target may come from the answers file's own evaluations block
    assert main(["recommend", "--answers", str(typed_file), "--date", DAY, "--evals", str(FIX / "results.csv")]) == 0
    assert "McNemar" in capsys.readouterr().out


def _one_line(capsys, argv):
    from advisor.cli import main

    code = main(argv)
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1, err
    return err


@pytest.mark.parametrize("content,expected", [
    ("not json at all {", "not JSON or CSV"),
    ('{"foo": 1}', "not a results file sizewise reads"),
    ("model,example_id,passed\nmistery-model-9b,1,true\n", "model 'mistery-model-9b' is not in the model catalog"),
    ("model,example_id,passed\n13b,1,maybe\n", "expected passed as true/false"),
    ("model,example,ok\n13b,1,true\n", "expected a CSV header with model,example_id,passed"),
    ('{"results": {"a": {"acc,none": 0.5}, "b": {"acc,none": 0.5}}, "config": {}}', "exactly one task"),
])
def test_malformed_or_foreign_files_get_one_line(tmp_path, capsys, content, expected):
    answers = tmp_path / "a.yaml"
    answers.write_text(json.dumps(ANSWERS))
    bad = tmp_path / ("r.csv" if content.startswith("model,") else "r.json")
    bad.write_text(content)
    err = _one_line(capsys, ["recommend", "--answers", str(answers), "--eval-target", "0.85", "--evals", str(bad)])
    assert expected in err and str(bad) in err


def test_no_target_is_one_line(tmp_path, capsys):
    answers = tmp_path / "a.yaml"
    answers.write_text(json.dumps(ANSWERS))
    err = _one_line(capsys, ["recommend", "--answers", str(answers), "--evals", str(FIX / "results.csv")])
    assert "--eval-target" in err
    with pytest.raises(EvalFileError):
        evaluations_from_files([FIX / "results.csv"], 1.5)


def test_a_directory_is_one_line_naming_the_file_to_pass(tmp_path):
    # lm-evaluation-harness writes a directory; the user passes the directory by mistake
    with pytest.raises(EvalFileError) as err:
        read_results(tmp_path)
    msg = str(err.value)
    assert msg.startswith(f"{tmp_path}: is a directory") and "results_<date>.json" in msg and "\n" not in msg
