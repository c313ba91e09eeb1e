"""Helpers for the hardening tests: run the CLI in-process and check its output contract."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest

from advisor.cli import main

ROOT = Path(__file__).resolve().parents[2]

ANSWERS = """\
latency: interactive
deployment: cloud
task_complexity: simple
quality_bar: acceptable
requests_per_day: 500
input_tokens: 500
output_tokens: 200
"""

#: a raw control character, a bidi override or a line/paragraph separator: nothing a terminal should receive
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]")


def run(argv, stdin: str = ""):
    """``(exit code, stdout, stderr)`` of ``sizewise ARGV``, in-process."""
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdout, sys.stderr, sys.stdin
    sys.stdout, sys.stderr, sys.stdin = out, err, io.StringIO(stdin)
    try:
        code = main([str(a) for a in argv])
    finally:
        sys.stdout, sys.stderr, sys.stdin = old
    return code, out.getvalue(), err.getvalue()


def assert_refused(code, out, err, *, max_lines: int = 1):
    """Exit 2, a short message on stderr, no raw control character anywhere, no internal error."""
    assert code == 2, (code, err)
    assert "internal error" not in err, err
    assert err.strip(), "no message"
    assert len(err.rstrip("\n").split("\n")) <= max_lines, err
    assert not RAW_CONTROL.search(err + out), repr(err + out)


@pytest.fixture
def answers_file(tmp_path):
    p = tmp_path / "answers.yaml"
    p.write_text(ANSWERS)
    return p
