"""Usage errors of every command: one line on stderr naming the command, exit code 2, no usage block."""

from __future__ import annotations

import subprocess
import sys

import pytest

from advisor.cli import COMMANDS, main


def one_line_usage_error(capsys, argv: list[str]) -> str:
    """Run ``sizewise argv`` in-process; it must exit 2 with exactly one stderr line and no stdout."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    assert exc.value.code == 2, out.err
    assert out.out == ""
    lines = out.err.splitlines()
    assert len(lines) == 1, out.err
    assert "usage:" not in out.err
    return lines[0]


@pytest.mark.parametrize("argv, needle", [
    (["estimate", "--model", "7b"], "the following arguments are required: --gpu"),
    (["estimate", "--model", "7b", "--gpu", "h100-sxm", "--precision", "fp4"], "invalid choice: 'fp4'"),
    (["estimate", "--model", "7b", "--gpu", "h100-sxm", "--requests-per-day", "5", "--tokens-per-day", "3"],
     "not allowed with argument --requests-per-day"),
    (["estimate", "--model", "7b", "--gpu", "h100-sxm", "--tokens-per-second", "3"],
     "unrecognized arguments: --tokens-per-second 3"),
    (["catalog", "gpu"], "invalid choice: 'gpu'"),
])
def test_usage_error_is_one_line_naming_the_command(capsys, argv, needle):
    line = one_line_usage_error(capsys, argv)
    command = argv[0]
    assert line.startswith(f"sizewise {command}: ")
    assert needle in line
    assert line.endswith(f"(see `sizewise {command} --help`)")


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_reports_usage_errors_in_one_line(capsys, command):
    # commands with a required argument report that first; the others the unknown flag
    line = one_line_usage_error(capsys, [command, "--no-such-flag"])
    assert line.startswith(f"sizewise {command}: ")
    assert "--no-such-flag" in line or "the following arguments are required" in line
    assert line.endswith(f"(see `sizewise {command} --help`)")


def test_unknown_command_points_at_top_level_help(capsys):
    line = one_line_usage_error(capsys, ["no-such-command"])
    assert line.startswith("sizewise: ") and "invalid choice: 'no-such-command'" in line
    assert line.endswith("(see `sizewise --help`)")


def test_echoed_argument_is_escaped_and_bounded(capsys):
    line = one_line_usage_error(capsys, ["catalog", "gp\x1b[2Jus" + "x" * 5000])
    assert "\x1b" not in line and "\\x1b[2J" in line
    assert len(line) < 600


def test_help_still_prints_the_full_usage():
    out = subprocess.run([sys.executable, "-m", "advisor", "estimate", "--help"], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0
    assert out.stdout.startswith("usage: sizewise estimate") and "--precision" in out.stdout


def test_usage_error_from_a_real_process():
    out = subprocess.run([sys.executable, "-m", "advisor", "estimate", "--model", "7b"], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr == ("sizewise estimate: the following arguments are required: --gpu "
                          "(see `sizewise estimate --help`)\n")
