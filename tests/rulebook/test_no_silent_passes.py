"""Issue 15, "no silent passes": each item fails on the code before the fix."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from advisor.rulebook.audit import audit
from advisor.rulebook.loader import RulebookError, load_rulebook

RULES = Path(__file__).resolve().parents[2] / "rules"


def copy_rules(tmp_path: Path, cases: bool = True) -> Path:
    dest = tmp_path / "rules"
    shutil.copytree(RULES, dest, ignore=None if cases else shutil.ignore_patterns("cases"))
    return dest


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, count))


def findings(report, check: str) -> list[str]:
    return [str(f) for f in report.findings if f.check == check]


# --- smaller items: the loader --------------------------------------------------------


def test_a_quoted_number_in_a_condition_is_refused(tmp_path):
    d = copy_rules(tmp_path, cases=False)
    edit(d / "step3_volume.yaml", "{tokens_per_day_total: {lt: 1.0e6}}", '{tokens_per_day_total: {lt: "1.0e6"}}')
    with pytest.raises(RulebookError) as err:
        load_rulebook(d)
    (problem,) = err.value.problems
    assert problem.message == "'lt' on 'tokens_per_day_total' takes a number; got the quoted text \"1.0e6\" (write the number without quotes)"
    assert problem.line == 38


def test_a_quantity_with_a_suffix_stays_accepted(tmp_path):
    d = copy_rules(tmp_path, cases=False)
    edit(d / "step3_volume.yaml", "{tokens_per_day_total: {lt: 1.0e6}}", '{tokens_per_day_total: {lt: "1M"}}')
    edit(d / "step3_volume.yaml", "{tokens_per_day_total: {ge: 1.0e6, lt: 5.0e7}}", "{tokens_per_day_total: {ge: 1.0e6, lt: 5.0e7}}")
    assert load_rulebook(d).hash != load_rulebook(RULES).hash  # "1M" is written differently, but it loads


@pytest.mark.parametrize("bad", [".nan", ".inf"])
def test_a_non_finite_bound_is_refused(tmp_path, bad):
    d = copy_rules(tmp_path, cases=False)
    edit(d / "step3_volume.yaml", "{tokens_per_day_total: {lt: 1.0e6}}", f"{{tokens_per_day_total: {{lt: {bad}}}}}")
    with pytest.raises(RulebookError) as err:
        load_rulebook(d)
    assert [p.message for p in err.value.problems] == [f"'lt' on 'tokens_per_day_total' takes a finite number; got {bad[1:]}"]


def test_an_output_named_like_a_question_is_one_problem_naming_both(tmp_path):
    d = copy_rules(tmp_path, cases=False)
    for p in d.glob("*.yaml"):
        p.write_text(p.read_text().replace("volume_basis", "task_scope"))
    with pytest.raises(RulebookError) as err:
        load_rulebook(d)
    (problem,) = err.value.problems
    assert problem.message.startswith("output 'task_scope' has the same id as question 'task_scope' (")
    assert "questions.yaml:36): outputs and inputs share one namespace; rename one" in problem.message


# --- smaller items: why a rule is unreachable ------------------------------------------


@pytest.mark.parametrize(
    "when, why",
    [
        ("{tokens_per_day_total: {ge: 5.0e7, lt: 1.0e6}}", "its test on tokens_per_day_total is a contradiction: ge: 5e7, lt: 1e6 exclude each other"),
        ("{tokens_per_day_total: {ge: 1.0e20}}", "its test on tokens_per_day_total is empty: ge: 1e20 lies beyond the input's range (tokens_per_day_total ranges over [2, 3e17])"),
    ],
)
def test_an_unreachable_rule_says_why(tmp_path, when, why):
    from advisor.rulebook.audit import static_findings

    d = copy_rules(tmp_path, cases=False)
    edit(d / "step3_volume.yaml", "{tokens_per_day_total: {ge: 5.0e8}}", when)
    (f,) = [f for f in static_findings(load_rulebook(d)) if f.check == "unreachable"]
    assert f.message == f"table volume_tier: rule massive can never match: {why}"
    assert "in {}" not in f.message


# --- the manifest and the files ---------------------------------------------------------


def test_renaming_an_output_the_pipeline_reads_is_a_finding(tmp_path):
    d = copy_rules(tmp_path)
    for p in [*d.glob("*.yaml"), *(d / "cases").glob("*.yaml")]:
        if p.name != "manifest.yaml":
            p.write_text(p.read_text().replace("mandatory_optimizations", "required_optimizations"))
    report = audit(d)
    assert findings(report, "manifest") == [
        f"{d}/manifest.yaml:20:7: error: manifest: the pipeline reads output mandatory_optimizations, but no table or output: true value produces it; did you mean 'considered_optimizations'?"
    ]
    assert report.exit_code() == 1


def test_a_deleted_rule_file_is_a_finding_at_its_manifest_line(tmp_path):
    d = copy_rules(tmp_path)
    (d / "mistakes.yaml").unlink()
    report = audit(d)
    assert findings(report, "missing_file") == [
        f"{d}/manifest.yaml:12:85: error: missing_file: declared rule file mistakes.yaml is missing from {d} (its rules no longer apply)"
    ]
    assert f"{d}/manifest.yaml:13:111: error: manifest: table warnings is declared in the manifest but does not exist" in findings(report, "manifest")


def test_a_value_the_pipeline_does_not_understand_is_a_finding(tmp_path):
    d = copy_rules(tmp_path, cases=False)
    edit(d / "step1_2_size.yaml", "start_size, values: [7b, 13b, 30b, 70b, 175b]", "start_size, values: [7b, 13b, 30b, 70b, 175b, 400b]")
    report = audit(d)
    (f,) = findings(report, "manifest")
    assert f.endswith("may set start_size to 400b, which the pipeline does not understand (it knows 7b, 13b, 30b, 70b, 175b)")


def test_no_manifest_is_a_finding(tmp_path):
    d = copy_rules(tmp_path, cases=False)
    (d / "manifest.yaml").unlink()
    (f,) = findings(audit(d), "manifest")
    assert f.startswith(f"{d}:1:1: error: manifest: no manifest: nothing declares the tables and outputs the recommendation reads")


def test_entries_that_look_like_rules_but_are_not_read_are_findings(tmp_path):
    d = copy_rules(tmp_path, cases=False)
    os.symlink("nowhere.yaml", d / "gone.yaml")
    os.mkfifo(d / "pipe.yaml")
    (d / "dir.yaml").mkdir()
    (d / "step5.yaml.bak").write_text("tables: []\n")
    report = audit(d)
    assert findings(report, "not_read") == [
        f"{d}/dir.yaml:1:1: error: not_read: dir.yaml is a directory, not a regular file: its rules are not read",
        f"{d}/gone.yaml:1:1: error: not_read: gone.yaml is a dangling symbolic link, not a regular file: its rules are not read",
        f"{d}/pipe.yaml:1:1: error: not_read: pipe.yaml is a FIFO, not a regular file: its rules are not read",
    ]
    assert findings(report, "unknown_file") == [f"{d}/step5.yaml.bak:1:1: warning: unknown_file: step5.yaml.bak: not read (rule files end in .yaml or .yml)"]
    assert report.exit_code() == 1


def test_the_shipped_rules_have_no_contract_findings():
    report = audit(RULES, RULES / "no-such-cases")
    assert [f for f in report.findings if f.check not in ("no_cases",)] == []


# --- golden cases -------------------------------------------------------------------------


def test_an_exception_while_evaluating_a_case_is_a_finding(tmp_path, monkeypatch):
    import advisor.rulebook.evaluator as E

    def boom(book, answers):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(E, "evaluate", boom)
    report = audit(RULES)
    assert all(c.status == "error" for c in report.cases)
    (first, *_) = findings(report, "case_error")
    assert first.endswith("evaluating the case raised ZeroDivisionError: division by zero")
    assert report.exit_code() == 1


def test_expect_report_is_evaluated_with_the_rulebook_under_audit(tmp_path):
    d = copy_rules(tmp_path, cases=False)
    edit(d / "step1_2_size.yaml", "then: {step1_size: 7b}", "then: {step1_size: 13b}")
    (d / "cases").mkdir()
    (d / "cases" / "faq.yaml").write_text(
        "answers: {latency: interactive, deployment: cloud, task_complexity: simple, quality_bar: acceptable,\n"
        "          requests_per_day: 500, input_tokens: 500, output_tokens: 200}\n"
        "expect: {start_size: 13b}\n"
        "expect_report: {recommendation.start_size: 13b}\n"
    )
    report = audit(d)
    assert report.cases[0].problems == []  # before: 'expect_report.recommendation.start_size: expected "13b", got "7b"'


def test_explain_shows_the_source_of_a_warning(capsys):
    from advisor.cli import main

    code = main(["explain", "--set", "task_complexity=advanced", "--set", "quality_bar=state_of_the_art", "--set", "latency=batch",
                 "--set", "requests_per_day=1000", "--set", "input_tokens=100", "--set", "output_tokens=100", "--set", "deployment=cloud"])
    out = capsys.readouterr().out
    assert code == 0
    assert "      source: Costly mistakes: skipping systematic testing" in out
