"""Issue 16 item 3 (Markdown injection): reproducers, xfail until the report renderers escape user text.

Not fixed on this branch: the renderers are being restructured elsewhere. ``strict``
so the day they pass, the marker must go. (A newline or control character in
``--title`` is already refused by the command: advisor/commands/recommend.py.)
"""

from __future__ import annotations

import pytest
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


@pytest.mark.xfail(strict=True, reason="issue 16 item 3: --title is written into the report unescaped")
@pytest.mark.parametrize("title", ["</details><script>alert(1)</script>", "a <img src=x onerror=alert(1)>"])
def test_title_renders_as_text(answers_file, title):
    code, out, err = run(["recommend", "--answers", answers_file, "--date", "2026-01-01", "--title", title])
    assert code == 0, err
    kinds = {t.type for t in _tokens(out)}
    assert not kinds & {"html_inline", "html_block"}
