"""`sizewise wizard` as a command: no terminal means a clear exit, never a hang."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("argv", [[], ["wizard"], ["wizard", "--answers", "missing.yaml"]])
def test_without_a_terminal_it_points_to_recommend(argv, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "advisor", *argv],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30, cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.splitlines()[0] == "sizewise wizard: needs an interactive terminal (stdin is not a TTY)."
    assert "sizewise recommend --answers FILE" in proc.stderr


def test_closed_stdin_exits(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-c", "import os, sys; os.close(0); from advisor.cli import main; sys.exit(main([]))"],
        capture_output=True, text=True, timeout=30, cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert "needs an interactive terminal" in proc.stderr
