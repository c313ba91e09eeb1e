"""sizewise audit / explain / schema: exit codes, formats, messages."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from advisor.cli import main

from .conftest import BROKEN

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "rules"


def own_cases(tmp_path: Path) -> Path:
    """The shipped golden cases without engine-backed expectations (those depend on the engine)."""
    dest = tmp_path / "cases"
    dest.mkdir()
    for p in sorted((RULES / "cases").glob("*.yaml")):
        if "expect_report:" not in p.read_text():
            shutil.copy(p, dest / p.name)
    return dest


def test_audit_shipped_rules_clean_with_full_coverage(tmp_path, capsys):
    code = main(["audit", "--cases", str(own_cases(tmp_path)), "--min-coverage", "100", "--fail-on-warning"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "rule coverage: 100.0% (69/69 rules fired by golden cases)" in out
    assert out.rstrip().endswith("no findings")


def test_audit_json_is_stable_and_complete(tmp_path, capsys):
    code = main(["audit", "--format", "json", "--cases", str(own_cases(tmp_path))])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["version"] == 1 and data["status"] == "clean"
    assert set(data) == {"version", "status", "rules_dir", "rules_hash", "files", "summary", "coverage", "findings", "cases", "problems"}
    assert data["rules_hash"].startswith("sha256:") and len(data["rules_hash"]) == 71
    assert data["coverage"] == {"fired": 69, "total": 69, "percent": 100.0, "min_percent": 0.0, "uncovered": [],
                                "boundaries": {"sides": 16, "covered": 16, "percent": 100.0}}
    assert data["summary"]["tables"] == 13 and all(c["status"] == "pass" for c in data["cases"])


def _dir_with(tmp_path: Path, fixture: str) -> Path:
    d = tmp_path / "rules"
    d.mkdir()
    shutil.copy(BROKEN / fixture, d / fixture)
    return d


def test_audit_findings_exit_1_and_name_region(tmp_path, capsys, monkeypatch):
    d = _dir_with(tmp_path, "audit_gap.yaml")
    monkeypatch.chdir(tmp_path)
    code = main(["audit", "rules"])
    out = capsys.readouterr().out
    assert code == 1
    assert "rules/audit_gap.yaml:14:5: error: gap: table sizing: no rule covers task_complexity in {complex}, requests_per_day in [1e6, 5e7)" in out
    assert "error: no_cases: no golden cases found in rules/cases" in out


def test_audit_unusable_rules_exit_2(tmp_path, capsys, monkeypatch):
    _dir_with(tmp_path, "unknown_key.yaml")
    monkeypatch.chdir(tmp_path)
    assert main(["audit", "rules"]) == 2
    err = capsys.readouterr().err
    assert "rules/unknown_key.yaml:8:5: questions[0].defualt: unknown key 'defualt'; did you mean 'default'?" in err
    assert "Traceback" not in err
    assert main(["audit", "rules", "--format", "json"]) == 2
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "unusable"
    assert data["problems"] == [{"file": "rules/unknown_key.yaml", "line": 8, "column": 5, "yaml_path": "questions[0].defualt", "message": "unknown key 'defualt'; did you mean 'default'?"}]


def test_fail_on_warning_and_min_coverage(tmp_path, capsys, monkeypatch):
    d = _dir_with(tmp_path, "audit_dead_question.yaml")
    (d / "manifest.yaml").write_text("manifest: {}\n")  # declares nothing the pipeline reads (without it: an error)
    (d / "cases").mkdir()
    (d / "cases" / "one.yaml").write_text("answers: {latency: interactive}\nexpect: {streaming: true}\n")
    monkeypatch.chdir(tmp_path)
    assert main(["audit", "rules"]) == 0  # warnings only: dead question, one uncovered rule
    out = capsys.readouterr().out
    assert "warning: uncovered_rule: table mode: rule batch is fired by no golden case" in out
    assert main(["audit", "rules", "--fail-on-warning"]) == 1
    capsys.readouterr()
    assert main(["audit", "rules", "--min-coverage", "60"]) == 1
    assert "error: coverage: rule coverage 50.0% is below --min-coverage 60%" in capsys.readouterr().out


def test_case_mismatch_fails_with_position(tmp_path, capsys, monkeypatch):
    d = _dir_with(tmp_path, "audit_dead_question.yaml")
    (d / "cases").mkdir()
    (d / "cases" / "bad.yaml").write_text("answers: {latency: batch}\nexpect: {streaming: true}\nexpect_rules: [mode.interactive]\n")
    monkeypatch.chdir(tmp_path)
    assert main(["audit", "rules"]) == 1
    out = capsys.readouterr().out
    assert "rules/cases/bad.yaml:2:21: expect.streaming: expected true, got false" in out
    assert "rules/cases/bad.yaml:3:16: expect_rules: rule mode.interactive did not fire" in out


def test_explain_prints_the_trace(tmp_path, capsys):
    f = tmp_path / "a.yaml"
    f.write_text("task_complexity: moderate\nquality_bar: professional\nlatency: interactive\nrequests_per_day: 200K\n"
                 "input_tokens: 1500\noutput_tokens: 300\ndeployment: cloud\n")
    assert main(["explain", str(f)]) == 0
    out = capsys.readouterr().out
    assert "Table start_size (rules/step1_2_size.yaml:58" in out or "Table start_size (" in out
    assert "* both_13b (" in out and "matched: Steps 1 and 2 both suggest 13B -> start_size = 13B, size_basis = both_steps" in out
    assert "  start_size = 13B" in out
    assert main(["explain", str(f), "--format", "json", "--set", "quality_bar=expert"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["outputs"]["start_size"] == "30b" and data["outputs"]["size_basis"] == "step2"


def test_explain_bad_answers_exit_2(tmp_path, capsys):
    f = tmp_path / "a.yaml"
    f.write_text("task_complexity: moderat\n")
    assert main(["explain", str(f)]) == 2
    err = capsys.readouterr().err
    assert f"{f}:1:18: task_complexity: 'moderat' is not one of: simple, moderate, complex, advanced; did you mean 'moderate'?" in err
    assert "missing answer" in err and "Traceback" not in err


def test_schema_prints_the_rule_file_schema(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "sizewise rule file"
    assert schema["$defs"]["Question"]["additionalProperties"] is False
    # the copies the rule files point their editors at are up to date
    assert json.loads((RULES / "schemas" / "rules.schema.json").read_text()) == schema
    assert main(["schema", "--case"]) == 0
    assert json.loads((RULES / "schemas" / "case.schema.json").read_text()) == json.loads(capsys.readouterr().out)


def test_schema_report_without_recommendation_is_exit_2(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "advisor.recommendation", None)
    assert main(["schema", "--report"]) == 2
    assert "the report schema is not available" in capsys.readouterr().err


def test_schema_report_when_available(capsys):
    pytest.importorskip("advisor.recommendation")
    assert main(["schema", "--report"]) == 0
    assert "properties" in json.loads(capsys.readouterr().out)


def test_rulebook_modules_import_no_ui_and_commands_import_light():
    import subprocess

    code = (
        "import sys, advisor.rulebook.audit, advisor.rulebook.evaluator, advisor.answers, engine.yamlsafe;"
        "bad = [m for m in ('textual', 'rich', 'plotext') if m in sys.modules];"
        "import advisor.commands.audit, advisor.commands.explain, advisor.commands.schema;"
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr
    light = subprocess.run(
        [sys.executable, "-c", "import sys, advisor.commands.audit, advisor.commands.explain, advisor.commands.schema; print(sorted(m for m in ('pydantic', 'yaml', 'advisor.rulebook') if m in sys.modules))"],
        capture_output=True, text=True, timeout=60,
    )
    assert light.stdout.strip() == "[]", light.stderr
