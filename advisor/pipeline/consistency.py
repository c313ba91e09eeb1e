"""Consistency by construction: warnings, mandates and "changes" flags re-derived from the numbers the tables show.

Why a stage of its own, run last before the summary: the rules decide warnings
and mandates from the answers alone, before anything is priced; the tables are
priced afterwards. A design review loses on the first sentence a table
contradicts, so this stage reads the finished tables and makes every statement
agree with them (issue 13):

* ``no_distillation`` ("can pay back within weeks; see the payback figure") is
  kept only when the distillation table has a finite payback, and then quotes it;
* ``largest_affordable`` is kept only when the planned size is larger than the
  size the report recommends (otherwise the tool recommends what it warns about);
* quantization rows with the same before/after/saving are merged into one row;
* a mandated optimization whose table shows no saving says why there is none;
* a Sensitivity row "changes" when its size, GPU, GPUs per replica, precision
  or monthly cost (beyond the recommended deployment's band) differs.

The framework side of these rules (when a warning applies at all) stays in
rules/mistakes.yaml; the conditions on priced figures are written in
rules/mistakes.yaml's header comment too, so architects find them there.
Every change made here is listed in the report's notes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from advisor.pipeline.common import size_key
from advisor.recommendation import Band, QuantizationSaving, Recommendation, SensitivityRow
from advisor.report.format import usd


def consistent(rec: Recommendation, outputs: Mapping[str, Any]) -> Recommendation:
    """``rec`` with contradicted warnings dropped, rows merged, zero savings explained and changes flags re-derived."""
    notes: list[str] = []
    _warnings(rec, outputs, notes)
    rec.optimizations.quantization = merged_quantization(rec.optimizations.quantization)
    _mandates(rec)
    band = _recommended_band(rec)
    rec.sensitivity = [changes_flag(s, rec, band) for s in rec.sensitivity]
    rec.notes = [*rec.notes, *notes]
    return rec


def _warnings(rec: Recommendation, outputs: Mapping[str, Any], notes: list[str]) -> None:
    d = rec.recommendation
    kept = []
    assessed = str(outputs.get("assessed_size") or "")
    for w in d.warnings:
        if w.id == "no_distillation":
            x = rec.optimizations.distillation
            if x is None or x.payback_months is None:
                notes.append("The rules' distillation warning (no_distillation) is not shown: the distillation table "
                             "computes no monthly saving for these answers, so there is no payback to point to.")
                continue
            w = w.model_copy(update={"message": f"{w.message} Computed payback: {x.payback_months:.1f} months "
                                                f"({usd(x.upfront_usd)} upfront, {usd(x.monthly_saving_usd)}/month saved)."})
        if w.id == "largest_affordable" and assessed and size_key(assessed) <= size_key(d.recommended_size):
            notes.append(f"The rules' warning largest_affordable is not shown: the planned size ({assessed.upper()}) is not "
                         f"larger than the size this report recommends ({d.recommended_size.upper()}).")
            continue
        kept.append(w)
    d.warnings = kept


def merged_quantization(rows: list[QuantizationSaving]) -> list[QuantizationSaving]:
    """Rows with the same size, GPU, starting precision and dollars -> one row naming every target precision."""
    out: list[QuantizationSaving] = []
    for q in rows:
        key = (q.size, q.gpu, q.from_precision, q.monthly_usd_before, q.monthly_usd_after, q.monthly_saving_usd)
        same = next((o for o in out if (o.size, o.gpu, o.from_precision, o.monthly_usd_before, o.monthly_usd_after,
                                        o.monthly_saving_usd) == key), None)
        if same is None:
            out.append(q.model_copy())
            continue
        same.to_precision = f"{same.to_precision} / {q.to_precision}"
        same.quality_loss_prior_pct = Band(low=min(same.quality_loss_prior_pct.low, q.quality_loss_prior_pct.low),
                                           high=max(same.quality_loss_prior_pct.high, q.quality_loss_prior_pct.high))
        if q.note and q.note not in same.note:
            same.note = f"{same.note}; {q.note}" if same.note else q.note
    return out


def no_saving_reason(q: QuantizationSaving) -> str:
    """Why a quantization row saves nothing, from its own numbers."""
    if q.monthly_saving_usd < 0:
        return (f"no saving: the cheapest {q.to_precision} deployment costs more ({usd(q.monthly_usd_after)}) than "
                f"{q.from_precision} ({usd(q.monthly_usd_before)})")
    return (f"no saving at this volume: the cheapest deployment costs {usd(q.monthly_usd_before)} at either precision "
            "(the same whole instances are needed); quantization still frees memory for longer contexts or more traffic")


def _mandates(rec: Recommendation) -> None:
    """A mandated optimization shows a saving, or its rows (or not_costed) say why there is none."""
    o = rec.optimizations
    for q in o.quantization:
        if q.monthly_saving_usd <= 0 and "no saving" not in q.note:
            q.note = f"{q.note}; {no_saving_reason(q)}" if q.note else no_saving_reason(q)
    for opt in rec.recommendation.mandatory_optimizations:
        costed = {"quantization": bool(o.quantization), "distillation": o.distillation is not None, "moe": o.moe is not None}[opt]
        if not costed and opt not in o.not_costed:
            o.not_costed[opt] = "no configuration of it fits the allowed hardware for these answers"


def _recommended_band(rec: Recommendation) -> Band | None:
    c = rec.candidate(rec.recommendation.recommended_size)
    if c is None or not c.fits or c.monthly_usd is None:
        return None
    return c.band or Band(low=c.monthly_usd, high=c.monthly_usd)


def changes_flag(s: SensitivityRow, rec: Recommendation, band: Band | None) -> SensitivityRow:
    """``changes`` from the row's own numbers: size, hardware, precision, or monthly cost outside the band."""
    c = rec.candidate(rec.recommendation.recommended_size)
    moved: list[str] = []
    if s.size != rec.recommendation.recommended_size:
        moved.append("size")
    if c is not None and c.fits:
        if s.gpu != c.gpu or s.gpus_per_replica != c.gpus_per_replica:
            moved.append("hardware")
        if s.precision is not None and s.precision != c.precision:
            moved.append("precision")
    if band is not None and s.monthly_usd is not None and not (band.low <= s.monthly_usd <= band.high):
        moved.append("monthly")
    what = s.what_changes
    if "monthly" in moved:
        cost = f"monthly {usd(c.monthly_usd if c else None)} -> {usd(s.monthly_usd)}, outside the band {_band_text(band)}"
        what = cost if what == "only the bill scales" else f"{what}; {cost}"
    changes = bool(moved) or (s.changes and what != "only the bill scales")
    if not changes:
        what = "nothing: same size and hardware, monthly cost within the band"
    return s.model_copy(update={"changes": changes, "what_changes": what})


def _band_text(band: Band | None) -> str:
    if band is None:
        return "n/a"
    return usd(band.low) if band.low == band.high else f"{usd(band.low)}-{usd(band.high)}"
