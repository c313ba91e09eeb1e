"""Markdown rendering of a Recommendation, for design reviews and GitHub.

Why it looks like this: the reader is an architect who has to defend the
choice, so the answer comes first (what to deploy, on what, for how much),
then the evidence in the order they will be asked about it: inputs,
candidates, the cost curve, optimizations, the test plan, warnings,
assumptions with their sources, where the article and the computation differ,
and finally the rule trace that produced the decision.

Rendering rules that keep the output byte-identical and GitHub-clean:
* numbers go through the fixed formatters below (never ``str(float)``);
* table cells are escaped (``|`` and newlines) and every row of a table has
  the header's column count;
* headings: one ``#``, then ``##`` sections and ``###`` sub-sections, never
  a skipped level;
* the chart is a Mermaid ``xychart-beta`` (GitHub renders it) with one bar
  series exactly as long as its x-axis.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from advisor.recommendation import Candidate, Recommendation

# ---------------------------------------------------------------------------
# fixed formatting


def usd(x: float | None) -> str:
    """Dollars: whole dollars from $100 up, cents below."""
    if x is None:
        return "n/a"
    if abs(x) >= 100:
        return f"${x:,.0f}"
    return f"${x:,.2f}"


def usd_per_m(x: float | None) -> str:
    """$/M tokens: three significant decimals for small prices."""
    if x is None:
        return "n/a"
    if abs(x) >= 100:
        return f"${x:,.0f}"
    if abs(x) >= 1:
        return f"${x:,.2f}"
    return f"${x:.3f}"


def num(x: float | None, digits: int = 0) -> str:
    if x is None:
        return "n/a"
    return f"{x:,.{digits}f}"


def tokens(x: float) -> str:
    """Token counts: 1.5K, 12.3M, 6.8B (fixed one decimal)."""
    for div, unit in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(x) >= div:
            return f"{x / div:,.1f}{unit}"
    return f"{x:,.0f}"


def pct(x: float | None, digits: int = 1) -> str:
    """A fraction as a percentage: 0.853 -> 85.3%."""
    if x is None:
        return "n/a"
    return f"{x * 100:.{digits}f}%"


def mult(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"{x:.2f}x"


def band_pct(lo: float, hi: float) -> str:
    return f"{lo:g}%" if lo == hi else f"{lo:g}-{hi:g}%"


def band_x(lo: float, hi: float) -> str:
    return f"{lo:g}x" if lo == hi else f"{lo:g}-{hi:g}x"


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")
    return text.strip() or "-"


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], align: Sequence[str] | None = None) -> str:
    """A GFM table; every row is padded or checked to the header's width."""
    headers = [_cell(h) for h in headers]
    width = len(headers)
    align = list(align or ["l"] * width)
    sep = {"l": "---", "r": "---:", "c": ":---:"}
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join(sep[a] for a in align) + "|"]
    for row in rows:
        cells = [_cell(c) for c in row]
        if len(cells) != width:
            raise ValueError(f"table row has {len(cells)} cells, header has {width}")
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


# ---------------------------------------------------------------------------
# sections


def _hardware(c: Candidate) -> str:
    if not c.fits or c.gpu is None:
        return "misses latency" if c.no_fit_reason == "latency" else "does not fit"
    return f"{c.gpus_per_replica}x {c.gpu_name or c.gpu}"


def _answer(rec: Recommendation) -> list[str]:
    return ["## The answer", "", rec.recommendation.summary]


def _answers(rec: Recommendation) -> list[str]:
    rows = [(a.id, a.prompt, a.value, a.origin) for a in rec.answers]
    v = rec.volume
    lines = ["## Your answers", "", table(["Question", "Asked as", "Answer", "Source"], rows), ""]
    lines.append(
        f"Volume: {tokens(v.requests_per_day)} requests/day x ({num(v.input_tokens_per_request)} in + "
        f"{num(v.output_tokens_per_request)} out) tokens = {tokens(v.input_tokens_per_day)} input, "
        f"{tokens(v.output_tokens_per_day)} output, {tokens(v.total_tokens_per_day)} total tokens/day."
    )
    if v.tier:
        tier = f"Volume tier: **{v.tier}** on {v.basis} tokens per day (the basis the rules declare)"
        if v.tier_on_other_basis and v.tier_on_other_basis != v.tier:
            tier += f"; on {v.other_basis} tokens it would be **{v.tier_on_other_basis}**"
        lines.append("")
        lines.append(tier + ".")
    return lines


def _candidates(rec: Recommendation) -> list[str]:
    d = rec.recommendation
    mode = d.deployment
    rows = []
    for c in d.candidates:
        rows.append(
            (
                f"**{c.size}**" if c.size == d.recommended_size else c.size,
                ", ".join([c.model, *c.real_models]),
                _hardware(c),
                c.replicas if c.fits else "-",
                c.regime or "-",
                c.precision or "-",
                usd_per_m(c.usd_per_million_output_tokens),
                usd_per_m(c.usd_per_million_total_tokens),
                usd(c.monthly_usd),
                (f"{usd(c.band.low)}-{usd(c.band.high)}" + (" †" if c.calibration_gaps else "")) if c.band else "n/a",
                mult(c.cost_multiple_vs_start),
            )
        )
    lines = [
        "## Candidates",
        "",
        f"The cheapest deployment that fits and meets the latency target, per size ({mode} pricing; "
        "the recommended size in bold). Monthly band = the engine's calibration error; 'vs rec.' = monthly cost "
        "as a multiple of the recommended size's.",
        "",
        table(
            [
                "Size",
                "Models",
                "Hardware per replica",
                "Replicas",
                "Regime",
                "Precision",
                "$/M output",
                "$/M total",
                "Monthly",
                "Monthly band",
                "vs rec.",
            ],
            rows,
            ["l", "l", "l", "r", "l", "l", "r", "r", "r", "r", "r"],
        ),
    ]
    cost_rows = []
    for c in d.candidates:
        if not c.fits:
            continue
        cost_rows.append(
            (
                c.size,
                usd(c.cloud.monthly_usd) if c.cloud else "n/a",
                usd(c.cloud.annual_usd) if c.cloud else "n/a",
                usd(c.owned.monthly_usd) if c.owned else "n/a",
                usd(c.owned.annual_usd) if c.owned else "n/a",
                num(c.ttft_s, 3) + " s" if c.ttft_s is not None else "n/a",
                num(c.tpot_ms, 1) + " ms" if c.tpot_ms is not None else "n/a",
            )
        )
    if cost_rows:
        lines += [
            "",
            "### Cloud and owned cost",
            "",
            table(
                ["Size", "Cloud monthly", "Cloud annual", "Owned monthly", "Owned annual", "TTFT", "Time per token"],
                cost_rows,
                ["l", "r", "r", "r", "r", "r", "r"],
            ),
        ]
    notes = [f"- {c.size}: {c.note}" for c in d.candidates if c.note]
    if notes:
        lines += ["", *notes]
    lines += _coverage(d.candidates)
    lines += ["", *_chart(rec)]
    return lines


def _coverage(candidates: list[Candidate]) -> list[str]:
    """† notes: candidates whose estimate extrapolates beyond the calibration points, and why."""
    outside = [c for c in candidates if c.fits and c.calibration_gaps]
    if not outside:
        return []
    lines = ["", "† Extrapolated: the monthly band comes from the published measurements the engine was calibrated "
             "on (docs/methodology.md); these candidates lie outside them, so their error may be larger. "
             "Measure before you buy:"]
    for c in outside:
        lines.append(f"- {c.size} ({_hardware(c)}, {c.precision}): {'; '.join(c.calibration_gaps)}.")
    return lines


def _chart(rec: Recommendation) -> list[str]:
    fitted = [c for c in rec.recommendation.candidates if c.fits and c.monthly_usd is not None]
    lines = ["### Cost curve", ""]
    if not fitted:
        return lines + ["No size fits the allowed hardware, so there is no cost curve to draw."]
    top = max(c.monthly_usd for c in fitted)  # type: ignore[type-var]
    y_max = _nice_ceiling(top)
    labels = ", ".join(f'"{c.size}"' for c in fitted)
    values = ", ".join(f"{c.monthly_usd:.0f}" for c in fitted)
    lines += [
        "```mermaid",
        "xychart-beta",
        f'    title "Monthly cost by model size ({rec.recommendation.deployment}, USD)"',
        f"    x-axis [{labels}]",
        f'    y-axis "USD per month" 0 --> {y_max:.0f}',
        f"    bar [{values}]",
        "```",
    ]
    missing = [c.size for c in rec.recommendation.candidates if c not in fitted]
    if missing:
        lines += ["", f"Not drawn (no deployment fits and meets latency): {', '.join(missing)}."]
    return lines


def _nice_ceiling(x: float) -> float:
    """A round axis maximum at or above ``x`` (1, 2, 2.5 or 5 times a power of ten)."""
    if x <= 0:
        return 1.0
    power = 1.0
    while power * 10 <= x:
        power *= 10
    while power > x:
        power /= 10
    for m in (1, 2, 2.5, 5, 10):
        if m * power >= x:
            return m * power
    return 10 * power  # pragma: no cover


def _optimizations(rec: Recommendation) -> list[str]:
    o = rec.optimizations
    d = rec.recommendation
    lines = ["## Optimizations", ""]
    mand = ", ".join(d.mandatory_optimizations) or "none"
    cons = ", ".join(x for x in d.considered_optimizations if x not in d.mandatory_optimizations) or "none"
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
        lines.append(f"Not costed: {o.not_costed['quantization']}.")
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
        lines += ["", f"Upfront cost basis: {x.upfront_basis}."]
        if x.note:
            lines += ["", x.note]
    else:
        lines.append(f"Not costed: {o.not_costed.get('distillation', 'not applicable for these answers')}.")
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
            lines += ["", m.note]
    else:
        lines.append(f"Not costed: {o.not_costed.get('moe', 'not applicable for these answers')}.")
    return lines


def _test_plan(rec: Recommendation) -> list[str]:
    t = rec.test_plan
    lines = [
        "## Test plan",
        "",
        f"Ladder: {' -> '.join(t.ladder)}. Each rung: {t.sample_size_min}-{t.sample_size_max} representative examples from your own task.",
        "",
    ]
    for s in t.steps:
        lines.append(f"{s.order}. **{s.size}** ({s.examples_min}-{s.examples_max} examples): {s.action}")
    lines += ["", f"Stop rule: {t.stop_rule}"]
    return lines


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
        )
        for s in e.scores
    ]
    lines = [
        "## Your evaluation results",
        "",
        f"Target accuracy {pct(e.target_accuracy)}; {pct(e.confidence, 0)} Wilson intervals.",
        "",
        table(["Size", "Correct", "Accuracy", "Interval", "Meets target", "Confirmed"], rows, ["l", "r", "r", "r", "l", "l"]),
        "",
    ]
    chosen = e.chosen_size or "none of the measured sizes"
    lines.append(f"Smallest size meeting the target: **{chosen}**.")
    lines.append("")
    lines += [f"- {n}" for n in e.notes]
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
            gain = "n/a"
        rows.append(
            (
                f"{q.from_size} -> {q.to_size}",
                gain,
                band_x(q.article_cost_multiple.low, q.article_cost_multiple.high) if q.article_cost_multiple else "n/a",
                mult(q.computed_cost_multiple),
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


def _warnings(rec: Recommendation) -> list[str]:
    ws = rec.recommendation.warnings
    lines = ["## Warnings", ""]
    if not ws:
        return lines + ["None of the article's costly mistakes applies to these answers."]
    for w in ws:
        where = f" ({w.rule})" if w.rule else ""
        lines.append(f"- **{w.title}** `{w.id}`{where}: {w.message}")
    return lines


def _inflections(rec: Recommendation) -> list[str]:
    pts = rec.inflection_points
    lines: list[str] = []
    if pts:
        lines += [
            "## Inflection points",
            "",
            table(["Point", "Crossed", "Why"], [(p.name, "yes" if p.crossed else "no", p.detail) for p in pts]),
        ]
    x = rec.crossover
    if x is not None:
        if lines:
            lines.append("")
        lines += ["## Training against inference", ""]
        days = f"{x.crossover_days:.1f} days" if x.crossover_days is not None else "never"
        yearly = mult(x.inference_to_training_x_per_year)
        lines.append(
            f"A {usd(x.training_usd)} {x.training_basis} is matched by inference spend ({usd(x.inference_usd_per_day)}/day) "
            f"after {days}; one year of inference is {yearly} the training cost."
        )
        if x.note:
            lines += ["", x.note]
    return lines


def _sensitivity(rec: Recommendation) -> list[str]:
    if not rec.sensitivity:
        return []
    rows = [
        (
            s.scenario,
            s.size,
            f"{s.gpus_per_replica}x {s.gpu}" if s.gpu else "does not fit",
            s.replicas if s.replicas is not None else "-",
            s.precision or "-",
            usd(s.monthly_usd),
            "yes" if s.changes else "no",
            s.what_changes,
        )
        for s in rec.sensitivity
    ]
    return [
        "## Sensitivity",
        "",
        "Would the recommendation change if the volume or the context were different?",
        "",
        table(["Scenario", "Size", "Hardware per replica", "Replicas", "Precision", "Monthly", "Changes", "What changes"], rows, ["l", "l", "l", "r", "l", "r", "l", "l"]),
    ]


def _article(rec: Recommendation) -> list[str]:
    if not rec.article_comparison:
        return []
    rows = [(a.topic, a.article, a.computed, mult(a.ratio) if a.ratio is not None else "-", a.reason, a.check) for a in rec.article_comparison]
    return [
        "## The article against the computation",
        "",
        "Where the source article states a figure for this case, it is shown beside the computed one with the reason they differ.",
        "",
        table(["Topic", "Article", "Computed", "Ratio", "Why they differ", "Check"], rows),
    ]


def _assumptions(rec: Recommendation) -> list[str]:
    if not rec.assumptions:
        return []
    rows = [(a.name, a.value, a.source, a.as_of) for a in rec.assumptions]
    return ["## Assumptions", "", table(["Assumption", "Value", "Source", "As of"], rows)]


def _trace(rec: Recommendation) -> list[str]:
    lines = ["## Rule trace", "", f"Rules hash: `{rec.recommendation.rules_hash}`.", ""]
    if not rec.trace:
        return lines + ["No trace was recorded."]
    rows = [(t.table, t.rule, t.location, "matched" if t.matched else "no", t.detail) for t in rec.trace]
    return lines + [table(["Table", "Rule", "Where", "Result", "Detail"], rows)]


def _notes(rec: Recommendation) -> list[str]:
    if not rec.notes:
        return []
    return ["## Notes", "", *[f"- {n}" for n in rec.notes]]


SECTIONS = (
    _answer,
    _answers,
    _candidates,
    _optimizations,
    _test_plan,
    _evaluations,
    _quality,
    _warnings,
    _inflections,
    _sensitivity,
    _article,
    _assumptions,
    _trace,
    _notes,
)


def render_markdown(rec: Recommendation) -> str:
    """The report as GitHub-flavoured Markdown (ends with exactly one newline)."""
    out = [f"# {rec.title}", "", f"Generated on {rec.generated_on} by sizewise (report schema {rec.schema_version})."]
    for section in SECTIONS:
        block = section(rec)
        if block:
            out += ["", *block]
    text = "\n".join(out)
    # no trailing spaces, one final newline
    return "\n".join(line.rstrip() for line in text.split("\n")).rstrip("\n") + "\n"
