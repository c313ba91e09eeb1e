"""Markdown sections on what to do next: optimizations in dollars, the test plan, the user's evaluations, quality vs cost.

Why together: they are the framework's steps 3 and 4 (volume mandates and the
test ladder) as the reader acts on them.
"""

from __future__ import annotations

from advisor.recommendation import Recommendation
from advisor.report.format import Md, band_pct, band_x, md_text, mult, pct, table, usd, usd_per_m


def _optimizations(rec: Recommendation) -> list[str]:
    o = rec.optimizations
    d = rec.recommendation
    lines = ["## Optimizations", ""]
    mand = md_text(", ".join(d.mandatory_optimizations) or "none")
    cons = md_text(", ".join(x for x in d.considered_optimizations if x not in d.mandatory_optimizations) or "none")
    lines.append(f"Mandated by the volume tier: **{mand}**. Worth considering: {cons}.")
    lines += ["", "### Quantization", ""]
    if o.quantization:
        rows = [
            (
                q.size,
                q.gpu or "-",
                f"{q.from_precision} -> {q.to_precision}",
                usd(q.monthly_usd_before),
                usd(q.monthly_usd_after),
                usd(q.monthly_saving_usd),
                band_pct(q.quality_loss_prior_pct.low, q.quality_loss_prior_pct.high),
                q.note,
            )
            for q in o.quantization
        ]
        lines.append(
            table(
                ["Size", "GPU", "Precision", "Monthly before", "Monthly after", "Saving/month", "Quality loss (article prior)", "Note"],
                rows,
                ["l", "l", "l", "r", "r", "r", "r", "l"],
            )
        )
    elif "quantization" in o.not_costed:
        lines.append(md_text(f"Not costed: {o.not_costed['quantization']}."))
    else:
        lines.append("No quantized configuration fits the allowed hardware for these answers.")
    lines += ["", "### Distillation", ""]
    if o.distillation:
        x = o.distillation
        payback = f"{x.payback_months:.1f} months" if x.payback_months is not None else "never (no monthly saving)"
        lines.append(
            table(
                ["Teacher", "Student", "Upfront", "Monthly before", "Monthly after", "Saving/month", "Payback"],
                [(x.teacher_size, x.student_size, usd(x.upfront_usd), usd(x.monthly_usd_before), usd(x.monthly_usd_after), usd(x.monthly_saving_usd), payback)],
                ["l", "l", "r", "r", "r", "r", "r"],
            )
        )
        lines += ["", md_text(f"Upfront cost basis: {x.upfront_basis}.")]
        if x.note:
            lines += ["", md_text(x.note)]
    else:
        lines.append(md_text(f"Not costed: {o.not_costed.get('distillation', 'not applicable for these answers')}."))
    lines += ["", "### Mixture of experts", ""]
    if o.moe:
        m = o.moe
        hw = f"{m.gpus_per_replica}x {m.gpu}, {m.replicas} replicas" if m.gpu else "does not fit the allowed hardware"
        lines.append(
            table(
                ["Model", "Total params", "Active params", "Memory floor", "Precision", "Hardware", "Monthly", f"Dense {m.compared_to_size} monthly"],
                [(m.model, f"{m.total_params_b:.1f}B", f"{m.active_params_b:.1f}B", f"{m.memory_floor_gb:.1f} GB", m.precision, hw, usd(m.monthly_usd), usd(m.compared_monthly_usd))],
                ["l", "r", "r", "r", "l", "l", "r", "r"],
            )
        )
        if m.note:
            lines += ["", md_text(m.note)]
    else:
        lines.append(md_text(f"Not costed: {o.not_costed.get('moe', 'not applicable for these answers')}."))
    return lines


def _test_plan(rec: Recommendation) -> list[str]:
    t = rec.test_plan
    lines = [
        "## Test plan",
        "",
        md_text(f"Ladder: {' -> '.join(t.ladder)}. Each rung: {t.sample_size_min}-{t.sample_size_max} representative examples from your own task."),
        "",
    ]
    for s in t.steps:
        lines.append(f"{s.order}. **{md_text(s.size)}** ({s.examples_min}-{s.examples_max} examples): {md_text(s.action)}")
    lines += ["", md_text(f"Stop rule: {t.stop_rule}")]
    lines += [line for n in t.notes for line in ("", md_text(n))]
    return lines


def _cents(x: float | None) -> str:
    """A per-request dollar figure: 3 significant figures (they are often fractions of a cent)."""
    return "-" if x is None else f"${x:.3g}"


def _evaluations(rec: Recommendation) -> list[str]:
    e = rec.evaluations
    if e is None:
        return []
    rows = [
        (
            s.size,
            f"{s.correct}/{s.examples}",
            pct(s.accuracy),
            f"{pct(s.ci_low)}-{pct(s.ci_high)}",
            "yes" if s.meets_target else "no",
            "yes" if s.confirmed else "no",
            _cents(s.usd_per_request),
            _cents(s.usd_per_accepted_answer),
        )
        for s in e.scores
    ]
    lines = [
        "## Your evaluation results",
        "",
        f"Target accuracy {pct(e.target_accuracy)}; {pct(e.confidence, 0)} Wilson intervals.",
        "",
        table(["Size", "Correct", "Accuracy", "Interval", "Meets target", "Confirmed", "$ per request",
               "$ per accepted answer"], rows, ["l", "r", "r", "r", "l", "l", "r", "r"]),
        "",
    ]
    lines += [md_text("Per accepted answer = the size's self-hosted cost per request / its accuracy: a cheaper "
                      "model that fails more can cost more per answer the product keeps."), ""]
    chosen = md_text(e.chosen_size or "none of the measured sizes")
    lines.append(f"Smallest size meeting the target: **{chosen}**.")
    lines.append("")
    lines += [f"- {md_text(n)}" for n in e.notes]
    return lines


def _quality(rec: Recommendation) -> list[str]:
    if not rec.quality_steps:
        return []
    rows = []
    for q in rec.quality_steps:
        if q.basis == "your evaluation" and q.measured_gain_points is not None:
            gain = f"{q.measured_gain_points * 100:+.1f} points (measured)"
        elif q.article_gain_pct is not None:
            gain = f"+{band_pct(q.article_gain_pct.low, q.article_gain_pct.high)} (article's generic prior)"
        else:
            gain = "none published (the article's ladder starts at 7B)" if q.to_size in ("1b", "3b", "7b") else "none published"
        rows.append(
            (
                f"{q.from_size} -> {q.to_size}",
                gain,
                band_x(q.article_cost_multiple.low, q.article_cost_multiple.high) if q.article_cost_multiple else "none",
                mult(q.computed_cost_multiple) + (f" ({q.cost_note})" if q.cost_note else ""),
                q.basis,
            )
        )
    return [
        "## Quality against cost per step",
        "",
        "The article's quality gains are generic priors from unnamed benchmarks, not a prediction for your task; "
        "your own scores replace them where you gave them.",
        "",
        table(["Step", "Quality gain", "Article cost multiple", "Computed cost multiple", "Basis"], rows, ["l", "l", "r", "r", "l"]),
    ]


#: in report order
def _api(rec: Recommendation) -> list[str]:
    """The same workload on serverless APIs serving a model of the recommended class, and the break-even."""
    if not rec.api_comparison and not rec.api_conclusion:
        return []
    lines = ["## Self-hosting against an API", ""]
    if rec.api_conclusion:
        lines += [md_text(rec.api_conclusion), ""]
    if rec.api_comparison:
        rows = [(r.provider, r.model, usd_per_m(r.usd_per_million_input), usd_per_m(r.usd_per_million_output),
                 usd(r.monthly_usd)) for r in rec.api_comparison]
        lines.append(table(["Provider", "Model", "$/M input", "$/M output", "Monthly for this workload"], rows,
                           ["l", "l", "r", "r", "r"]))
        first = rec.api_comparison[0]
        lines += ["", md_text(f"Prices: {first.source} (as of {first.as_of}); the cheapest row per provider, "
                              "rows whose context limit cannot take one request left out. Break-even: the volume "
                              "at which the cheapest API bill equals the self-hosted monthly cost, the fleet as sized.")]
    return lines


SECTIONS = (_optimizations, _api, _test_plan, _evaluations, _quality)
