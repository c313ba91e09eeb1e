"""Consistency by construction (issue 13): no statement in the report contradicts a table.

Over 300+ answer sets generated from the questions' own choices (seeded, so the
run is reproducible and bounded), every report must satisfy:

* ``distillation_warning``: the "Missing a distillation opportunity" warning only
  appears when the distillation table shows a finite payback;
* ``largest_affordable``: "Deploying the largest model the budget allows" only
  appears when the planned size is larger than the recommended size;
* ``quantization_rows``: no two quantization rows are identical (same size, GPU,
  precision start and dollars);
* ``mandate_saving``: a mandated optimization shows a saving or says why none;
* ``zero_band``: no band prints as ``$X-$X``; a one-figure band states why;
* ``sensitivity_changes``: a Sensitivity row whose size, hardware or monthly cost
  (beyond the recommended band) moves says "changes".

``test_the_checks_catch_the_old_behaviour`` turns the fixes off (the consistency
stage becomes the identity, the band formatter prints ``lo-hi`` again, the summary
prints the bare mandate) and requires every check to fail at least once: the
checks are not vacuous.
"""

from __future__ import annotations

import random
import re

import pytest

from advisor.report import render

N_SETS = 320
SEED = 13


def _answer_sets(rulebook, n=N_SETS, seed=SEED):
    rng = random.Random(seed)
    choice_qs = {q.id: [c.value for c in q.choices] for q in rulebook.question_models if q.type == "choice" and q.choices}
    skip = {"providers", "gpu_classes", "allowed_gpus", "serving_engine", "pricing"}
    for _ in range(n):
        a = {qid: rng.choice(vals) for qid, vals in choice_qs.items() if qid not in skip}
        a["deployment"] = rng.choice(["cloud", "cloud", "owned"])
        a["requests_per_day"] = rng.choice([200, 2_000, 10_000, 30_000, 60_000, 200_000, 1_000_000, 5_000_000])
        a["input_tokens"] = rng.choice([200, 800, 1500, 4000])
        a["output_tokens"] = rng.choice([30, 200, 500])
        a["deployment_months"] = rng.choice([2, 6, 12, 36])
        if rng.random() < 0.3:
            a["allowed_gpus"] = rng.choice(["b200", "h200", "mi300x", "a100-80gb"])
        if rng.random() < 0.3:
            a["budget_usd_per_month"] = rng.choice([2_000, 20_000, 200_000])
        yield a


def _size(s: str) -> int:
    from advisor.pipeline.common import size_key

    return size_key(s)


def violations(rec, md: str) -> set[str]:
    """The names of the invariants this report breaks (empty = consistent)."""
    bad: set[str] = set()
    d = rec.recommendation
    ids = {w.id for w in d.warnings}
    o = rec.optimizations
    if "no_distillation" in ids and (o.distillation is None or o.distillation.payback_months is None):
        bad.add("distillation_warning")
    if "largest_affordable" in ids:
        planned = next((a.value for a in rec.answers if a.id == "planned_size"), "undecided")
        if planned == "undecided" or _size(planned) <= _size(d.recommended_size):
            bad.add("largest_affordable")
    keys = [(q.size, q.gpu, q.from_precision, q.monthly_usd_before, q.monthly_usd_after, q.monthly_saving_usd) for q in o.quantization]
    if len(keys) != len(set(keys)):
        bad.add("quantization_rows")
    if "quantization" in d.mandatory_optimizations:
        if o.quantization and all(q.monthly_saving_usd <= 0 for q in o.quantization):
            if not all("no saving" in q.note for q in o.quantization) or "Mandatory at this volume: quantization." in md:
                bad.add("mandate_saving")
    if re.search(r"(\$[\d,]+(?:\.\d\d)?)-\1(?![\d,.])", md):
        bad.add("zero_band")
    c = rec.candidate(d.recommended_size)
    if c is not None and c.fits and c.band is not None:
        for s in rec.sensitivity:
            moved = (s.size != d.recommended_size or s.gpu != c.gpu or s.gpus_per_replica != c.gpus_per_replica
                     or (s.monthly_usd is not None and not c.band.low <= s.monthly_usd <= c.band.high))
            if moved and not s.changes:
                bad.add("sensitivity_changes")
    return bad


def _run(rulebook, n=N_SETS):
    from advisor.pipeline import recommend_from_answers
    from engine.errors import SizewiseError

    found: dict[str, int] = {}
    ran = 0
    for a in _answer_sets(rulebook, n):
        try:
            rec = recommend_from_answers(a, rulebook=rulebook)
        except SizewiseError:
            continue
        ran += 1
        for v in violations(rec, render(rec, "markdown")):
            found[v] = found.get(v, 0) + 1
    return ran, found


@pytest.fixture(scope="module")
def rulebook():
    from advisor.rulebook import load_rulebook

    return load_rulebook()


def test_no_statement_contradicts_a_table(rulebook):
    ran, found = _run(rulebook)
    assert ran >= 300, f"only {ran} generated answer sets ran"
    assert found == {}


def test_the_checks_catch_the_old_behaviour(rulebook, monkeypatch):
    from advisor.pipeline import consistency, summary
    from advisor.report import sections_sizing

    monkeypatch.setattr(consistency, "consistent", lambda rec, outputs: rec)
    monkeypatch.setattr(sections_sizing, "band_usd", lambda lo, hi: f"${lo:,.0f}-${hi:,.0f}")
    monkeypatch.setattr(summary, "_mandate_text", lambda rec, opt: opt)
    ran, found = _run(rulebook)
    expected = {"distillation_warning", "largest_affordable", "quantization_rows", "mandate_saving", "zero_band", "sensitivity_changes"}
    assert expected <= set(found), f"checks that never fired on the old behaviour: {expected - set(found)} (found {found})"
