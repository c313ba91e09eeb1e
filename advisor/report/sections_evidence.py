"""Markdown sections that back the answer up: warnings, inflection points, sensitivity, the article, assumptions, trace, notes.

Why together: each is evidence a reviewer checks after reading the answer, and
none of them feeds another section.
"""

from __future__ import annotations

from advisor.recommendation import Recommendation
from advisor.report.format import Md, md_code, md_text, mult, table, usd


def _warnings(rec: Recommendation) -> list[str]:
    ws = rec.recommendation.warnings
    lines = ["## Warnings", ""]
    if not ws:
        return lines + ["None of the article's costly mistakes applies to these answers."]
    for w in ws:
        where = f" ({md_text(w.rule)})" if w.rule else ""
        lines.append(f"- **{md_text(w.title)}** {md_code(w.id)}{where}: {md_text(w.message)}")
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
        lines.append(md_text(
            f"A {usd(x.training_usd)} {x.training_basis} is matched by inference spend ({usd(x.inference_usd_per_day)}/day) "
            f"after {days}; one year of inference is {yearly} the training cost."
        ))
        if x.note:
            lines += ["", md_text(x.note)]
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


def _details(summary: str, body: list[str]) -> list[str]:
    """A collapsible block GitHub renders: blank lines around the Markdown inside so it is parsed as Markdown."""
    return ["<details>", f"<summary>{summary}</summary>", "", *body, "", "</details>"]


def _assumptions(rec: Recommendation) -> list[str]:
    if not rec.assumptions:
        return []
    rows = [(a.name, a.value, a.source, a.as_of) for a in rec.assumptions]
    return ["## Assumptions", "",
            *_details(f"{len(rec.assumptions)} assumptions with their sources", [table(["Assumption", "Value", "Source", "As of"], rows)])]


def _trace(rec: Recommendation) -> list[str]:
    lines = ["## Rule trace", "", f"Rules hash: {md_code(rec.recommendation.rules_hash)}.", ""]
    if not rec.trace:
        return lines + ["No trace was recorded."]
    ordered = [t for t in rec.trace if t.matched] + [t for t in rec.trace if not t.matched]
    rows = [(t.table, t.rule, Md(md_code(t.location)), "matched" if t.matched else "no", t.detail) for t in ordered]
    n = sum(1 for t in rec.trace if t.matched)
    return lines + _details(f"{n} of {len(rec.trace)} rules matched (matched rows first)",
                            [table(["Table", "Rule", "Where", "Result", "Detail"], rows)])


def _notes(rec: Recommendation) -> list[str]:
    if not rec.notes:
        return []
    return ["## Notes", "", *[f"- {md_text(n)}" for n in rec.notes]]


#: in report order
SECTIONS = (_warnings, _inflections, _sensitivity, _article, _assumptions, _trace, _notes)
