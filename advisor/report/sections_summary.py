"""The executive summary: the one screen a design review reads before anything else.

Why a section of its own, first: the reader has to defend the choice, so the
decision (model, hardware, monthly cost with its band), the reason, the top
risks and the next step come before any table, and fit the first 40 lines of
the Markdown (tests/report/test_executive_summary.py). Every sentence is
written by the pipeline from the same numbers the tables below show.
"""

from __future__ import annotations

from advisor.recommendation import Recommendation
from advisor.report.format import md_text


def _executive(rec: Recommendation) -> list[str]:
    d = rec.recommendation
    lines = ["## Executive summary", ""]
    if rec.api_recommended and rec.api_comparison:
        first = rec.api_comparison[0]
        lines += [f"**Decision.** {md_text(f'At this volume the rules recommend an API: {first.provider} ({first.model}), about ${first.monthly_usd:,.2f} per month for this workload (see Self-hosting against an API).')}",
                  "", f"**If you self-host.** {md_text(d.headline or d.summary)}"]
    else:
        lines.append(f"**Decision.** {md_text(d.headline or d.summary)}")
    if d.why:
        lines += ["", f"**Why.** {md_text(d.why)}"]
    for label, s in (("Your planned model", rec.planned_model_conclusion), ("Against an API", rec.api_conclusion),
                     ("Buy or rent", rec.buy_vs_rent)):
        if s:
            lines += ["", f"**{label}.** {md_text(s)}"]
    if d.risks:
        lines += ["", "**Top risks.**", "", *[f"- {md_text(r)}" for r in d.risks]]
    if d.next_step:
        lines += ["", f"**Next step.** {md_text(d.next_step)}"]
    return lines


#: in report order
SECTIONS = (_executive,)
