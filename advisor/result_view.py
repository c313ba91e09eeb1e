"""The Result screen's content as plain data, built from a finished recommendation.

Why its own module: what the Result screen shows (which columns, how money
and payback read) changes with the screen, not with the session's navigation
rules or with where the recommendation comes from. Plain data, so the view
is tested without a terminal; this module never imports Textual.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ResultView:
    """Everything the Result screen shows, as plain data (no Textual types).

    ``chart`` is (size label, monthly cost in USD) in ladder order;
    ``recommended`` is the label marked on the chart.
    """

    summary: str
    candidate_headers: tuple[str, ...]
    candidate_rows: tuple[tuple[str, ...], ...]
    chart: tuple[tuple[str, float], ...]
    recommended: str
    optimizations: tuple[str, ...]
    test_plan: tuple[str, ...]
    warnings: tuple[str, ...]
    trace: tuple[str, ...]
    rules_hash: str


#: the label prefix of the planned model's candidates row (the backend's breakdown reads it back)
PLANNED_ROW = "planned: "


def _usd(x: float | None) -> str:
    return "-" if x is None else f"${x:,.0f}"


def _row(label: str, c: Any, unfit: str = "does not fit") -> tuple[str, ...]:
    """One candidates row: label, hardware per replica, replicas, precision, monthly, $/M output."""
    return (
        label,
        f"{c.gpus_per_replica}x {c.gpu_name or c.gpu}" if c.fits and c.gpu else unfit,
        str(c.replicas or "-"),
        c.precision or "-",
        _usd(c.monthly_usd),
        "-" if c.usd_per_million_output_tokens is None else f"${c.usd_per_million_output_tokens:,.2f}",
    )


def result_view(rec: Any) -> ResultView:
    """A :class:`advisor.recommendation.Recommendation` -> what the Result screen shows."""
    d = rec.recommendation
    rows = []
    chart = []
    for c in d.candidates:
        rows.append(_row(c.size.upper() + (" *" if c.size == d.recommended_size else ""), c))
        if c.monthly_usd is not None:
            chart.append((c.size.upper(), float(c.monthly_usd)))
    p = getattr(rec, "planned_model", None)
    if p is not None:
        # the team's own model, priced beside the ladder (not on the chart: it is not a rung)
        rows.append(_row(f"{PLANNED_ROW}{p.model}", p, unfit=f"no fit: {p.note}"))
    o = rec.optimizations
    opts = [
        f"Quantization {q.size.upper()} {q.from_precision}->{q.to_precision}: saves {_usd(q.monthly_saving_usd)}/month "
        f"({_usd(q.monthly_usd_before)} -> {_usd(q.monthly_usd_after)})"
        for q in o.quantization
    ]
    if o.distillation is not None:
        x = o.distillation
        payback = f"{x.payback_months:.1f} months" if x.payback_months is not None else "never"
        opts.append(f"Distillation {x.teacher_size.upper()}->{x.student_size.upper()}: {_usd(x.upfront_usd)} upfront, "
                    f"saves {_usd(x.monthly_saving_usd)}/month, payback {payback}")
    if o.moe is not None:
        m = o.moe
        opts.append(f"Mixture of experts ({m.model}): {_usd(m.monthly_usd)}/month vs dense {m.compared_to_size.upper()} "
                    f"{_usd(m.compared_monthly_usd)}; memory floor {m.memory_floor_gb:.0f} GB")
    t = rec.test_plan
    plan = [f"{s.order}. {s.size.upper()} ({s.examples_min}-{s.examples_max} examples): {s.action}" for s in t.steps]
    plan.append(f"Stop rule: {t.stop_rule}")
    plan += list(t.notes)
    trace = [f"{r.table}.{r.rule} ({r.location}){'' if r.matched else ' no match'}: {r.detail}".rstrip(": ")
             for r in rec.trace if r.matched]
    return ResultView(
        summary=d.summary + (f" Your planned model: {rec.planned_model_conclusion}"
                             if getattr(rec, "planned_model_conclusion", None) else ""),
        candidate_headers=("Size", "Hardware", "Replicas", "Precision", "Monthly", "$/M out"),
        candidate_rows=tuple(rows),
        chart=tuple(chart),
        recommended=d.recommended_size.upper(),
        optimizations=tuple(opts),
        test_plan=tuple(plan),
        warnings=tuple(f"{w.title}: {w.message}" for w in d.warnings),
        trace=tuple(trace),
        rules_hash=d.rules_hash,
    )
