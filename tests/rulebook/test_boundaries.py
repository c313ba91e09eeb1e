"""Boundary coverage and ``--suggest-cases``."""

from __future__ import annotations

import shutil

from advisor.cli import main
from advisor.rulebook.audit import audit

from .test_no_silent_passes import RULES, copy_rules


def uncovered(report) -> list[str]:
    return [f.message for f in report.findings if f.check == "uncovered_boundary"]


def test_the_shipped_cases_sit_on_both_sides_of_every_threshold():
    report = audit(RULES)
    assert (report.boundaries, report.boundaries_covered) == (16, 16)
    assert uncovered(report) == []


def test_a_threshold_side_without_a_case_is_reported(tmp_path):
    d = copy_rules(tmp_path)
    (d / "cases" / "boundary-distillation-payback-2-months.yaml").unlink()
    report = audit(d)
    assert uncovered(report) == [
        "table warnings: no golden case sits below the threshold deployment_months = 3 (in deployment_months [1, 3)); "
        "`sizewise audit --suggest-cases DIR` writes one"
    ]
    assert "boundary coverage: 93.8% (15/16 threshold sides have a golden case)" in report.render_text()


def test_suggested_cases_cover_the_missing_sides_and_pass(tmp_path, capsys):
    d = copy_rules(tmp_path)
    for p in (d / "cases").glob("*.yaml"):
        if p.name != "faq-bot-7b.yaml":  # 350K tokens/day, 12 months: one side of each threshold at most
            p.unlink()
    before = audit(d)
    assert len(uncovered(before)) == 12  # 16 sides: faq sits below 1e6 (three tables) and at 12 months
    suggested = tmp_path / "suggested"
    assert main(["audit", str(d), "--suggest-cases", str(suggested)]) == 0  # warnings only
    out = capsys.readouterr().out
    written = sorted(p.name for p in suggested.glob("*.yaml"))
    assert "boundary-volume_tier-tokens_per_day_total-above-5e7.yaml" in written
    assert all(f"suggested case: {suggested / name}" in out for name in written)
    for p in suggested.glob("*.yaml"):
        shutil.copy(p, d / "cases" / p.name)
    after = audit(d)
    assert [c.file for c in after.cases if c.status != "pass"] == []  # each skeleton expects what the rules decide
    assert after.boundaries_covered == after.boundaries == before.boundaries
