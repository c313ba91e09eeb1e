"""The executive summary fits the first 40 lines, and the report renders cleanly (issue 13).

Rendered with markdown-it-py (what rich brings) as GitHub would parse it: the summary's
parts come before line 40, there is exactly one Mermaid fence, closed, and the HTML
blocks are only the template's own ``<details>``/``</details>``.
"""

from __future__ import annotations

import glob
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

GOLDENS = sorted(glob.glob("tests/golden/*.md"))


@pytest.mark.parametrize("path", GOLDENS, ids=lambda p: Path(p).stem)
def test_the_executive_summary_is_in_the_first_40_lines(path):
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    head = lines[:40]
    assert "## Executive summary" in head
    assert any(line.startswith("**Decision.**") for line in head)
    assert any(line.startswith("**Next step.**") for line in head)
    # the next section starts within the first 40 lines too: the summary is whole
    start = head.index("## Executive summary")
    assert any(line.startswith("## ") for line in head[start + 1:])


@pytest.mark.parametrize("path", GOLDENS, ids=lambda p: Path(p).stem)
def test_the_report_renders_with_its_chart_and_only_the_templates_html(path):
    text = Path(path).read_text(encoding="utf-8")
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    fences = [t for t in tokens if t.type == "fence"]
    assert [t.info for t in fences] == ["mermaid"]
    assert fences[0].content.lstrip().startswith("xychart-beta")
    html = [t.content.strip() for t in tokens if t.type == "html_block"]
    assert all(h.startswith(("<details>", "</details>")) for h in html), html
    html_out = MarkdownIt("commonmark").enable("table").render(text)
    assert "<script" not in html_out and html_out.count("<table>") >= 3
