"""Renderers of a :class:`advisor.recommendation.Recommendation`: Markdown and JSON.

Both are pure functions of the Recommendation (no clock, no environment), so the
same inputs give byte-identical output.
"""

from __future__ import annotations


def render(rec, fmt: str = "markdown") -> str:
    """Render ``rec`` as ``markdown`` or ``json`` text (ends with a newline)."""
    if fmt == "json":
        from advisor.report.json import render_json

        return render_json(rec)
    if fmt == "markdown":
        from advisor.report.markdown import render_markdown

        return render_markdown(rec)
    raise ValueError(f"unknown report format {fmt!r}")
