"""A Markdown lint pass over a report, with a real parser (markdown-it-py).

Checks what makes a report render cleanly on GitHub:
* exactly one H1, first; heading levels never skip (## -> #### is an error);
* every table: each source row has the header's cell count, and the parsed
  table agrees (markdown-it silently pads or truncates rows, so the raw source
  lines are counted as well);
* every ``mermaid`` block is a well-formed ``xychart-beta``: an x-axis list of
  labels, a y-axis, and exactly one ``bar`` or ``line`` series whose length
  equals the number of labels, all numbers finite;
* no trailing whitespace, file ends with exactly one newline.
Returns a list of problems (empty = clean).
"""

from __future__ import annotations

import math
import re

from markdown_it import MarkdownIt


def _split_row(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    return re.split(r"(?<!\\)\|", s)


def _parse_list(text: str) -> list[str] | None:
    m = re.fullmatch(r"\[(.*)\]", text.strip())
    if not m:
        return None
    inner = m.group(1).strip()
    if not inner:
        return []
    return [p.strip() for p in inner.split(",")]


def lint_mermaid_xychart(content: str) -> list[str]:
    problems = []
    lines = [ln.strip() for ln in content.strip().split("\n") if ln.strip()]
    if not lines or lines[0] != "xychart-beta":
        return ["mermaid block does not start with xychart-beta"]
    labels = None
    series = []
    y_axis = False
    for ln in lines[1:]:
        if ln.startswith("title "):
            if not re.fullmatch(r'title "[^"]*"', ln):
                problems.append(f"bad title line: {ln}")
        elif ln.startswith("x-axis "):
            labels = _parse_list(ln[len("x-axis "):])
            if labels is None or not labels or not all(re.fullmatch(r'"[^"]+"', x) for x in labels):
                problems.append(f"x-axis is not a list of quoted labels: {ln}")
                labels = labels or []
        elif ln.startswith("y-axis "):
            y_axis = True
            if not re.fullmatch(r'y-axis "[^"]*" -?\d+(\.\d+)? --> -?\d+(\.\d+)?', ln):
                problems.append(f"bad y-axis: {ln}")
        elif ln.startswith(("bar ", "line ")):
            kind, _, rest = ln.partition(" ")
            values = _parse_list(rest)
            if values is None:
                problems.append(f"{kind} series is not a list: {ln}")
                continue
            try:
                nums = [float(v) for v in values]
            except ValueError:
                problems.append(f"{kind} series has a non-number: {ln}")
                continue
            if not all(math.isfinite(v) for v in nums):
                problems.append(f"{kind} series has a non-finite number")
            series.append((kind, nums))
        else:
            problems.append(f"unknown xychart line: {ln}")
    if labels is None:
        problems.append("xychart has no x-axis")
    if not y_axis:
        problems.append("xychart has no y-axis")
    if len(series) != 1:
        problems.append(f"xychart has {len(series)} series, expected exactly one")
    for kind, nums in series:
        if labels is not None and len(nums) != len(labels):
            problems.append(f"{kind} series has {len(nums)} values for {len(labels)} x-axis labels")
    return problems


def lint_markdown(text: str) -> list[str]:
    problems: list[str] = []
    if not text.endswith("\n") or text.endswith("\n\n"):
        problems.append("file must end with exactly one newline")
    src = text.split("\n")
    for i, line in enumerate(src, 1):
        if line != line.rstrip():
            problems.append(f"line {i}: trailing whitespace")
    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(text)
    levels = []
    in_table = None
    header_cells = 0
    for idx, tok in enumerate(tokens):
        if tok.type == "heading_open":
            levels.append((int(tok.tag[1]), tok.map[0] + 1 if tok.map else 0))
        elif tok.type == "table_open":
            in_table = tok
            header_cells = 0
        elif tok.type == "th_open" and in_table is not None:
            header_cells += 1
        elif tok.type == "table_close" and in_table is not None:
            start, end = in_table.map
            for ln in range(start, end):
                cells = _split_row(src[ln])
                if ln == start + 1:  # delimiter row
                    if not all(re.fullmatch(r"\s*:?-{3,}:?\s*", c) for c in cells):
                        problems.append(f"line {ln + 1}: bad table delimiter row")
                if len(cells) != header_cells:
                    problems.append(f"line {ln + 1}: table row has {len(cells)} cells, header has {header_cells}")
            in_table = None
        elif tok.type == "fence" and tok.info.strip() == "mermaid":
            problems += [f"line {tok.map[0] + 1}: {p}" for p in lint_mermaid_xychart(tok.content)]
    if not levels:
        problems.append("no headings")
    else:
        if levels[0][0] != 1:
            problems.append("first heading is not H1")
        if sum(1 for lv, _ in levels if lv == 1) != 1:
            problems.append("there must be exactly one H1")
        for (prev, _), (cur, line) in zip(levels, levels[1:]):
            if cur > prev + 1:
                problems.append(f"line {line}: heading level jumps from H{prev} to H{cur}")
    # pipes outside tables would break nothing, but a table-looking line that did not parse as one would
    return problems
