"""Issue 16 item 1: an over-long path is bad input (exit 2, one line), never an internal error."""

from __future__ import annotations

import pytest

from tests.hardening.conftest import assert_refused, run

LONG = "a" * 300  # one path component over every filesystem's 255-byte limit


@pytest.mark.parametrize("argv", [
    ["audit", LONG],
    ["estimate", "--model-config", LONG, "--gpu", "h100-sxm"],
    ["estimate", "--model-config", LONG, "--gpu", "h100-sxm", "--format", "json"],
    ["explain", "{answers}", "--rules", LONG],
    ["recommend", "--answers", "{answers}", "--rules", LONG],
    ["recommend", "--answers", "{answers}", "-o", LONG + ".md"],
    ["recommend", "--answers", "{answers}", "-o", LONG + "/x.md"],
    ["recommend", "--answers", LONG],
    ["recommend", "--answers", "{answers}", "--overrides", LONG],
    ["answers", "template", "-o", LONG],
])
def test_over_long_path_is_a_clear_exit_2(argv, answers_file, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run([a.replace("{answers}", str(answers_file)) for a in argv])
    # a rules problem is listed under "the rules have 1 problem:" (the loader's format)
    assert_refused(code, out, err, max_lines=2 if "--rules" in argv or argv[0] == "audit" else 1)
    assert "too long" in err.lower(), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.yaml"]  # nothing written


def test_over_long_cases_dir_is_an_audit_finding(tmp_path):
    """Like a missing cases directory: the audit runs and reports it (exit 1), naming the reason."""
    code, out, err = run(["audit", "--cases", tmp_path / LONG])
    assert code == 1 and "internal error" not in err
    assert "File name too long" in out
