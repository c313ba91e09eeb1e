"""``sizewise audit --format sarif`` (validated against the SARIF 2.1.0 schema) and ``--format junit``."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from advisor.cli import main

from .conftest import BROKEN
from .test_no_silent_passes import copy_rules, edit

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())


@pytest.fixture
def broken_copy(tmp_path: Path) -> Path:
    """A copy of the shipped rules with findings of several kinds (gap, manifest, not_read, case_failed)."""
    d = copy_rules(tmp_path)
    edit(d / "step1_2_size.yaml", "start_size, values: [7b, 13b, 30b, 70b, 175b]", "start_size, values: [7b, 13b, 30b, 70b, 175b, 400b]")
    edit(d / "cases" / "faq-bot-7b.yaml", "  volume_tier: low\n", "  volume_tier: high\n")
    os.symlink("nowhere.yaml", d / "gone.yaml")
    return d


def sarif(capsys, *args: str) -> tuple[int, dict]:
    code = main(["audit", *args, "--format", "sarif"])
    return code, json.loads(capsys.readouterr().out)


def test_sarif_validates_and_locates_findings_on_rule_file_lines(broken_copy, capsys, monkeypatch):
    monkeypatch.chdir(broken_copy.parent)
    code, log = sarif(capsys, "rules")
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    assert code == 1
    (run,) = log["runs"]
    results = run["results"]
    by_rule = {r["ruleId"] for r in results}
    assert {"gap", "manifest", "not_read", "case_failed"} <= by_rule
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == sorted(by_rule)
    gap = next(r for r in results if r["ruleId"] == "gap")
    assert gap["level"] == "error"
    assert gap["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": "rules/step4_testing.yaml"}, "region": {"startLine": 23, "startColumn": 5}}
    case = next(r for r in results if r["ruleId"] == "case_failed")
    assert case["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": "rules/cases/faq-bot-7b.yaml"}, "region": {"startLine": 16, "startColumn": 16}}


def test_sarif_of_clean_and_fixture_rules_validates(tmp_path, capsys, monkeypatch):
    code, log = sarif(capsys)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    assert code == 0 and log["runs"][0]["results"] == []
    for fixture in sorted(BROKEN.glob("audit_*.yaml")):
        d = tmp_path / fixture.stem
        d.mkdir()
        (d / fixture.name).write_bytes(fixture.read_bytes())
        monkeypatch.chdir(tmp_path)
        _, log = sarif(capsys, fixture.stem)
        jsonschema.Draft4Validator(SCHEMA).validate(log)
        assert log["runs"][0]["results"], fixture.name


def test_junit_has_a_case_per_table_and_golden_case(broken_copy, capsys, monkeypatch):
    monkeypatch.chdir(broken_copy.parent)
    assert main(["audit", "rules", "--format", "junit"]) == 1
    root = ET.fromstring(capsys.readouterr().out)
    (suite,) = root
    cases = {(tc.get("classname"), tc.get("name")): tc for tc in suite}
    assert int(suite.get("tests")) == len(cases) == 13 + 18 + 1
    failed = {k for k, tc in cases.items() if tc.find("failure") is not None}
    assert failed == {("tables", "test_ladder"), ("tables", "assessed_size"), ("tables", "small_rungs"), ("golden_cases", "rules/cases/faq-bot-7b.yaml"), ("rulebook", "rules")}
    assert int(suite.get("failures")) == len(failed)
    assert "expect.volume_tier: expected \"high\", got \"low\"" in cases[("golden_cases", "rules/cases/faq-bot-7b.yaml")].find("failure").text


def test_diff_refuses_ci_formats(capsys):
    assert main(["audit", "--diff", "rules", "--format", "sarif"]) == 2
    assert "--diff reports in text or json, not sarif" in capsys.readouterr().err
