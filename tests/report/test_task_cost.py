"""Cost per accepted task (issue 13): $/request divided by the pass rate, per measured size."""

from __future__ import annotations

import glob

import pytest
import yaml

from advisor.pipeline import recommend_from_answers
from advisor.report import render

CASES = sorted(glob.glob("rules/cases/measured-*.yaml"))


@pytest.mark.parametrize("path", CASES)
def test_per_accepted_answer_is_per_request_over_accuracy(path):
    answers = yaml.safe_load(open(path, encoding="utf-8"))["answers"]
    rec = recommend_from_answers(answers, with_sensitivity=False)
    assert rec.evaluations is not None
    checked = 0
    for s in rec.evaluations.scores:
        cand = rec.candidate(s.size)
        if cand is None or not cand.fits:
            assert s.usd_per_request is None
            continue
        per_request = cand.monthly_usd / (rec.volume.requests_per_day * 730 / 24)
        assert s.usd_per_request == pytest.approx(per_request, rel=1e-3)
        assert s.usd_per_accepted_answer == pytest.approx(per_request / s.accuracy, rel=1e-3)
        checked += 1
    assert checked
    assert "$ per accepted answer" in render(rec, "markdown")
