"""Buy or rent as a conclusion (issue 13): break-even utilisation O/C and payback P/(C - R)."""

from __future__ import annotations

import yaml
import pytest

from advisor.pipeline import recommend_from_answers
from advisor.report import render
from engine.defaults import load_assumptions
from engine.offers import load_offers


def _rec(name):
    answers = yaml.safe_load(open(f"rules/cases/{name}.yaml", encoding="utf-8"))["answers"]
    return recommend_from_answers(answers, with_sensitivity=False)


@pytest.mark.parametrize("case", ["legal-70b-massive-broad", "docs-30b-high-volume"])
def test_the_conclusion_follows_from_the_candidate_table(case):
    rec = _rec(case)
    cand = rec.candidate(rec.recommendation.start_size)
    c, o = cand.cloud.monthly_usd, cand.owned.monthly_usd
    owned = cand.owned.offer
    if owned is None or not any(x.owned and x.instance_type == owned.instance_type for x in load_offers()):
        assert rec.buy_vs_rent is None  # priced per GPU, no server to buy: no conclusion is stated
        return
    assert rec.buy_vs_rent_break_even_utilisation == pytest.approx(o / c, abs=1e-4)
    assert rec.buy_vs_rent.startswith("Buy if" if o < c else "Rent:")
    server = next(x for x in load_offers() if x.owned and x.instance_type == cand.owned.offer.instance_type)
    purchase = server.purchase_usd * cand.owned.offer.instances
    running = o - purchase / (12 * load_assumptions().amortisation_years)
    if c > running:
        assert rec.buy_vs_rent_payback_months == pytest.approx(purchase / (c - running), abs=0.1)
    assert f"${purchase:,.0f}" in rec.buy_vs_rent  # the assumption that drives it is stated
    assert "**Buy or rent.**" in "\n".join(render(rec, "markdown").splitlines()[:40])
