"""Every broken rule file is refused with its exact message (file:line:column)."""

from __future__ import annotations

import shutil

import pytest

from advisor.rulebook.loader import RulebookError, load_rulebook

from .conftest import BROKEN, expected_lines

LOAD_FIXTURES = sorted(p for p in BROKEN.glob("*.yaml") if expected_lines(p))


@pytest.mark.parametrize("fixture", LOAD_FIXTURES, ids=lambda p: p.stem)
def test_broken_file_reports_exact_problems(fixture, tmp_path, monkeypatch):
    shutil.copy(fixture, tmp_path / fixture.name)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RulebookError) as err:
        load_rulebook(".")
    assert [str(p) for p in err.value.problems] == expected_lines(fixture)
    assert err.value.exit_code == 2


def test_all_problems_of_all_files_are_reported_together(tmp_path, monkeypatch):
    for name in ("unknown_key.yaml", "wrong_type.yaml", "duplicate_key.yaml"):
        shutil.copy(BROKEN / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RulebookError) as err:
        load_rulebook(".")
    assert len(err.value.problems) == 3
    assert str(err.value).startswith("the rules have 3 problems:")


def test_every_problem_class_has_a_fixture():
    names = {p.stem for p in LOAD_FIXTURES}
    required = {
        "unknown_key", "wrong_type", "duplicate_key", "unknown_question_reference", "unknown_value",
        "cycle_in_when", "cycle_in_defaults", "default_fails_validation", "non_utf8", "alias_bomb", "oversize",
    }
    assert required <= names


AUDIT_FIXTURES = sorted(p for p in BROKEN.glob("audit_*.yaml"))


@pytest.mark.parametrize("fixture", AUDIT_FIXTURES, ids=lambda p: p.stem)
def test_audit_finding_fixtures(fixture, tmp_path, monkeypatch):
    from advisor.rulebook.audit import static_findings

    shutil.copy(fixture, tmp_path / fixture.name)
    monkeypatch.chdir(tmp_path)
    findings = static_findings(load_rulebook("."))
    assert [str(f) for f in findings] == expected_lines(fixture, "expect-audit")
    assert findings


def test_every_audit_finding_class_has_a_fixture():
    names = {p.stem.removeprefix("audit_") for p in AUDIT_FIXTURES}
    assert {"gap", "overlap", "duplicate", "conflict", "shadowed", "masked", "subsumed", "unreachable", "dead_question"} <= names
