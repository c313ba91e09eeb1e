"""Issue 16 item 3 (Markdown injection): user and rule-file strings render as text in every Markdown context.

The CLI reproducers (``--title``) run end to end; the property test replaces
every string of a real Recommendation (title, answers, rule messages, titles,
``because`` details, notes, sources...) with a generated hostile string and
checks, by parsing the rendered Markdown with markdown-it-py, that no heading,
HTML block or inline HTML, link, image, fence, code span or table cell appears
that the template did not put there (the same report with every string set to
``x`` is the template's structure). A newline or control character in
``--title`` is also refused by the command (advisor/commands/recommend.py).
"""

from __future__ import annotations

import functools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from tests.hardening.conftest import run


def _tokens(text):
    out = []
    stack = MarkdownIt("commonmark").enable("table").parse(text)
    while stack:
        tok = stack.pop()
        out.append(tok)
        stack.extend(tok.children or [])
    return out


@pytest.mark.parametrize("title", ["</details><script>alert(1)</script>", "a <img src=x onerror=alert(1)>"])
def test_title_renders_as_text(answers_file, title):
    code, out, err = run(["recommend", "--answers", answers_file, "--date", "2026-01-01", "--title", title])
    assert code == 0, err
    code, plain, err = run(["recommend", "--answers", answers_file, "--date", "2026-01-01", "--title", "plain title"])
    assert code == 0, err
    # the template's own <details> blocks are the only HTML; the title adds none
    assert _structure(out) == _structure(plain)
    assert out.split("\n", 1)[0] == "# " + title.replace("<", "\\<").replace("[", "\\[")


#: what a hostile string may try to add; each is counted in the rendered report
STRUCTURE = ("heading_open", "html_block", "html_inline", "link_open", "image", "fence", "code_block",
             "code_inline", "td_open", "th_open", "tr_open", "table_open", "blockquote_open", "bullet_list_open",
             "ordered_list_open", "list_item_open", "hr")

HOSTILE_PARTS = ["<script>alert(1)</script>", "</details><script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))",
                 "![i](http://e/x.png)", "```", "~~~", "`", "``x``", "\n\n# heading\n", "# ", "## h ##", "- ", "1. ", "> ",
                 "|", " | ", "\\", "\\|", "---", "===", "*", "_", "**b**", "<!--", "-->", "&lt;b&gt;", "&#60;", "<http://e>",
                 "www.e.com", "\r\n", "\t", "    code", "\u202e", "\x1b[31m", "<details>", "<summary>s</summary>", "x", " ", "\""]

hostile = st.lists(st.one_of(st.sampled_from(HOSTILE_PARTS), st.text(alphabet="<>[]()!`*_#|\\-=~&;:/ \nax1.", max_size=8)),
                   min_size=1, max_size=6).map("".join).filter(lambda s: any(c.isalnum() or c in "<>[]`#|*_" for c in s))


def _structure(text):
    counts = {}
    for tok in _tokens(text):
        if tok.type in STRUCTURE:
            counts[tok.type] = counts.get(tok.type, 0) + 1
    return counts


def _replace_strings(value, new):
    """Every string inside a Recommendation -> ``new`` (dict keys, numbers, dates and None kept)."""
    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        return value.model_copy(update={f: _replace_strings(getattr(value, f), new) for f in type(value).model_fields})
    if isinstance(value, str):
        return new
    if isinstance(value, (list, tuple)):
        return type(value)(_replace_strings(v, new) for v in value)
    if isinstance(value, dict):
        return {k: _replace_strings(v, new) for k, v in value.items()}
    return value


@functools.cache
def recommendation():
    from advisor.pipeline import recommend_from_answers

    answers = {"latency": "interactive", "deployment": "cloud", "task_complexity": "complex", "quality_bar": "expert",
               "requests_per_day": 2_000_000, "input_tokens": 1500, "output_tokens": 300, "planned_size": "70b",
               "quality_evidence": "public_benchmarks", "serving_precision": "bf16"}
    return recommend_from_answers(answers)


def _rendered(rec, new):
    from advisor.report import render

    return render(_replace_strings(rec, new), "markdown")


@settings(max_examples=120, deadline=None)
@given(text=hostile)
def test_every_string_renders_as_text(text):
    rec = recommendation()
    assert _structure(_rendered(rec, text)) == _structure(_rendered(rec, "x"))
