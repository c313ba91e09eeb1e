"""Markdown rendering of a Recommendation, for design reviews and GitHub.

Why it looks like this: the reader is an architect who has to defend the
choice, so an executive summary comes first and fits one screen (the decision
with its cost band, why, the top risks, the next step), then the evidence in the order they will be asked about it: inputs,
candidates, the cost curve, optimizations, the test plan, warnings,
where the article and the computation differ, and finally the assumptions
and the rule trace (matched rows first), folded in ``<details>`` blocks.

Rendering rules that keep the output byte-identical and GitHub-clean:
* numbers go through the fixed formatters of advisor/report/format.py (never ``str(float)``);
* every string from a user or a rule file goes through the escaper of its
  Markdown context (format.md_text/md_heading/md_cell/md_code), so it renders
  as text; every row of a table has the header's column count;
* headings: one ``#``, then ``##`` sections and ``###`` sub-sections, never
  a skipped level;
* the chart is a Mermaid ``xychart-beta`` (GitHub renders it) with one bar
  series exactly as long as its x-axis.
"""

from __future__ import annotations

from advisor.recommendation import Recommendation
from advisor.report import sections_evidence, sections_savings, sections_sizing, sections_summary
from advisor.report.format import md_heading, md_text

#: the report's sections, in reading order (each a function Recommendation -> lines; empty = left out)
SECTIONS = sections_summary.SECTIONS + sections_sizing.SECTIONS + sections_savings.SECTIONS + sections_evidence.SECTIONS


def render_markdown(rec: Recommendation) -> str:
    """The report as GitHub-flavoured Markdown (ends with exactly one newline)."""
    out = [f"# {md_heading(rec.title)}", "", md_text(f"Generated on {rec.generated_on} by sizewise (report schema {rec.schema_version}).")]
    for section in SECTIONS:
        block = section(rec)
        if block:
            out += ["", *block]
    text = "\n".join(out)
    # no trailing spaces, one final newline
    return "\n".join(line.rstrip() for line in text.split("\n")).rstrip("\n") + "\n"
