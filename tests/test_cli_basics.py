"""The command line never shows a traceback and lists its commands."""

import subprocess
import sys


def run(*args):
    return subprocess.run([sys.executable, "-m", "advisor", *args], capture_output=True, text=True, timeout=60)


def test_help_lists_every_command():
    from advisor.cli import COMMANDS

    out = run("--help")
    assert out.returncode == 0
    for name in COMMANDS:
        assert name in out.stdout


def test_unknown_command_is_a_usage_error():
    out = run("no-such-command")
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
