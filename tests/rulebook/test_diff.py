"""``sizewise audit --diff``: what two versions of the rules decide differently."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import yaml

from advisor.cli import main
from advisor.rulebook.diff_report import diff_rulebooks, region_changes
from advisor.rulebook.loader import load_rulebook

from .test_no_silent_passes import RULES, copy_rules, edit

LOW, MODERATE, HIGH = (
    "{tokens_per_day_total: {lt: 1.0e6}}",
    "{tokens_per_day_total: {ge: 1.0e6, lt: 5.0e7}}",
    "{tokens_per_day_total: {ge: 5.0e7, lt: 5.0e8}}",
)


def shifted(tmp_path: Path, moderate: str, high: str, low: str = LOW) -> Path:
    d = copy_rules(tmp_path)
    for old, new in ((LOW, low), (MODERATE, moderate), (HIGH, high)):
        edit(d / "step3_volume.yaml", old, new)
    return d


def test_a_consistent_threshold_shift_is_reported_with_the_moved_region_and_both_rules(tmp_path, capsys, monkeypatch):
    d = shifted(tmp_path, "{tokens_per_day_total: {ge: 1.0e6, lt: 1.0e8}}", "{tokens_per_day_total: {ge: 1.0e8, lt: 5.0e8}}")
    monkeypatch.chdir(tmp_path)
    shutil.copytree(RULES, tmp_path / "old")
    code = main(["audit", "rules", "--diff", "old"])
    out = capsys.readouterr().out
    assert code == 1
    assert (
        "    tokens_per_day_total in [5e7, 1e8): volume_tier high -> moderate; "
        "rule high (old/step3_volume.yaml:45) -> moderate (rules/step3_volume.yaml:41)\n"
    ) in out
    assert "decisions differ in 1 region of 1 table\n" in out


def test_an_unchanged_copy_reports_no_difference_and_exits_0(tmp_path, capsys):
    d = copy_rules(tmp_path)
    assert main(["audit", str(d), "--diff", str(RULES)]) == 0
    assert capsys.readouterr().out.endswith("no decision differs (rules hashes are equal)\n")


def test_golden_cases_that_flip_are_listed(tmp_path):
    d = shifted(tmp_path, "{tokens_per_day_total: {ge: 2.0e7, lt: 5.0e7}}", HIGH, low="{tokens_per_day_total: {lt: 2.0e7}}")
    report = diff_rulebooks(load_rulebook(RULES), load_rulebook(d))
    flips = {Path(f.file).name: f.changes for f in report.cases}
    assert flips["support-13b.yaml"] == (
        ("volume_tier", "moderate", "low"),
        ("considered_optimizations", '["quantization", "distillation"]', '["quantization"]'),
    )
    assert "faq-bot-7b.yaml" not in flips  # 350K tokens/day: low before and after


def test_a_collect_table_change_is_one_region_with_the_rule_that_changed(tmp_path):
    d = copy_rules(tmp_path, cases=False)
    edit(d / "step3_volume.yaml", "when: {volume_tier: [high, massive]}\n        then: {mandatory_optimizations: [quantization]}",
         "when: {volume_tier: [massive]}\n        then: {mandatory_optimizations: [quantization]}")
    regions, sampled = region_changes(load_rulebook(RULES), load_rulebook(d))
    assert [str(r) for r in regions] == [
        "volume_tier in {high}: mandatory_optimizations [quantization] -> []; rule quantization_mandatory (rules/step3_volume.yaml:98) -> none"
    ]
    assert sampled == []


def test_a_changed_formula_is_a_definition_change(tmp_path):
    d = copy_rules(tmp_path, cases=False)
    edit(d / "step3_volume.yaml", "{mul: [requests_per_day, output_tokens]}", "{mul: [requests_per_day, output_tokens, 2]}")
    report = diff_rulebooks(load_rulebook(RULES), load_rulebook(d), cases_dir=RULES / "cases")
    assert [str(x) for x in report.definitions] == [
        'derived tokens_per_day_output: expr {"mul": ["requests_per_day", "output_tokens"]} -> {"mul": ["requests_per_day", "output_tokens", 2]}'
    ]
    assert report.regions == []  # a widened range: the old open-ended rule still covers it
    assert report.exit_code() == 1


def test_answers_files_whose_recommendation_changes(tmp_path):
    d = shifted(tmp_path, "{tokens_per_day_total: {ge: 1.0e6, lt: 1.0e8}}", "{tokens_per_day_total: {ge: 1.0e8, lt: 5.0e8}}")
    answers = tmp_path / "answers"
    answers.mkdir()
    base = {"task_complexity": "moderate", "quality_bar": "professional", "latency": "interactive",
            "input_tokens": 1000, "output_tokens": 500, "deployment": "cloud"}
    (answers / "moved.yaml").write_text(yaml.safe_dump(base | {"requests_per_day": 50_000}))  # 7.5e7 tokens/day
    (answers / "same.yaml").write_text(yaml.safe_dump(base | {"requests_per_day": 1_000}))  # 1.5e6
    report = diff_rulebooks(load_rulebook(RULES), load_rulebook(d), answers_dir=answers)
    (flip,) = report.answers
    assert flip.file.endswith("moved.yaml")
    assert ("mandatory_optimizations", "quantization", "none") in flip.changes


def test_diff_against_a_git_revision(tmp_path, capsys, monkeypatch):
    repo = tmp_path / "repo"
    shutil.copytree(RULES, repo / "rules")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git[:3], "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "rules"], check=True)
    edit(repo / "rules" / "step3_volume.yaml", MODERATE, "{tokens_per_day_total: {ge: 1.0e6, lt: 1.0e8}}")
    edit(repo / "rules" / "step3_volume.yaml", HIGH, "{tokens_per_day_total: {ge: 1.0e8, lt: 5.0e8}}")
    monkeypatch.chdir(repo)
    assert main(["audit", "rules", "--diff", "git:HEAD", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "differs" and data["old"]["rules_dir"] == "HEAD:rules"
    (region,) = data["regions"]
    assert region["old_rules"] == ["high (HEAD:rules/step3_volume.yaml:45)"]
    assert region["new_rules"] == ["moderate (rules/step3_volume.yaml:41)"]
    assert region["outputs"] == [{"output": "volume_tier", "old": "high", "new": "moderate"}]
    assert main(["audit", "rules", "--diff", "git:no-such-rev"]) == 2
    assert "unknown revision" in capsys.readouterr().err


def test_bad_diff_input_exits_2(tmp_path, capsys):
    assert main(["audit", "--answers-dir", str(tmp_path)]) == 2
    assert "--answers-dir needs --diff OLD" in capsys.readouterr().err
    assert main(["audit", "--diff", str(tmp_path / "missing")]) == 2
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "x.yaml").write_text("tables: 3\n")
    assert main(["audit", "--diff", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "the old rules cannot be loaded" in err and f"{broken}/x.yaml:1:" in err and "Traceback" not in err
