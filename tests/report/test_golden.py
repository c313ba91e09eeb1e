"""Golden reports: every case in rules/cases/ renders its frozen Markdown and JSON, byte for byte.

The expected files are tests/golden/<case>.md and tests/golden/<case>.json. They
were generated once, reviewed, and frozen; a difference fails the test. After an
intended change (engine numbers, rules, report layout), regenerate and review the
diff before committing:

    SIZEWISE_UPDATE_GOLDEN=1 python -m pytest tests/report/test_golden.py
    git diff tests/golden/

The report date is fixed (recommend_from_answers uses 1970-01-01), so the files
never depend on the day the tests run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from advisor.report import render

from .mdlint import lint_markdown

ROOT = Path(__file__).resolve().parents[2]
CASES = sorted((ROOT / "rules" / "cases").glob("*.yaml"))
GOLDEN = ROOT / "tests" / "golden"
UPDATE = os.environ.get("SIZEWISE_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def rulebook():
    from advisor.rulebook import load_rulebook

    return load_rulebook()


def _answers(case: Path) -> dict:
    from engine.yamlsafe import load_yaml_file

    doc = load_yaml_file(case)
    return dict(doc.data["answers"])


def test_there_are_golden_cases():
    assert CASES, "no golden cases found in rules/cases/"


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_golden_report(case, rulebook):
    from advisor.pipeline import recommend_from_answers

    rec = recommend_from_answers(_answers(case), rulebook=rulebook)
    outputs = {"md": render(rec, "markdown"), "json": render(rec, "json")}
    assert lint_markdown(outputs["md"]) == []
    for ext, text in outputs.items():
        path = GOLDEN / f"{case.stem}.{ext}"
        if UPDATE:
            GOLDEN.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
            continue
        assert path.exists(), (
            f"no golden {path.name} for case {case.name}: run "
            "SIZEWISE_UPDATE_GOLDEN=1 python -m pytest tests/report/test_golden.py, review, commit"
        )
        expected = path.read_text(encoding="utf-8")
        assert text == expected, f"{path.name} differs from the frozen golden report (see the module docstring)"


def test_no_stale_golden_files():
    stems = {c.stem for c in CASES}
    stale = sorted(p.name for p in GOLDEN.glob("*") if p.suffix in (".md", ".json") and p.stem not in stems)
    assert stale == [], f"golden files without a case in rules/cases/: {stale}"


def test_case_study_reproduces_the_article_and_its_caveats(rulebook):
    """The article's distillation case study: its 3.6-month arithmetic and where its hardware does not hold."""
    from advisor.pipeline import recommend_from_answers

    rec = recommend_from_answers(_answers(ROOT / "rules" / "cases" / "case-study-distillation.yaml"), rulebook=rulebook)
    rows = {a.topic: a for a in rec.article_comparison}
    payback = rows["distillation case study payback"]
    assert "= 3.6 months" in payback.computed
    assert "$15,000 / ($50,000 / 12)" in payback.computed
    fit = rows["case study: 13B FP16 on one RTX 4090"]
    assert "does NOT fit" in fit.computed
    before = rows["case study before: 70b at 50M queries/month"]
    after = rows["case study after: 13b at 50M queries/month"]
    # the article's 2x A100 and 1x RTX 4090 cannot carry 1.64M queries/day: many more GPUs are needed
    assert int(before.computed.split("x ")[0]) > 2
    assert int(after.computed.split("x ")[0]) > 1
    d = rec.optimizations.distillation
    assert (d.teacher_size, d.student_size) == ("70b", "13b")
    assert d.payback_months == pytest.approx(d.upfront_usd / d.monthly_saving_usd, abs=0.01)
    assert {w.id for w in rec.recommendation.warnings} >= {"no_distillation", "no_quantization"}
