"""Issue 16 item 8: messages that say exactly what is wrong, on one line (or a capped list)."""

from __future__ import annotations

from tests.hardening.conftest import ANSWERS, ROOT, assert_refused, run


def test_a_value_just_over_a_bound_is_not_shown_as_the_bound(tmp_path):
    code, out, err = run(["explain", "--set", "requests_per_day=100000000001", "--set", "latency=batch",
                          "--set", "task_complexity=simple", "--set", "quality_bar=acceptable", "--set", "input_tokens=1",
                          "--set", "output_tokens=1", "--set", "deployment=cloud"])
    assert_refused(code, out, err)
    assert "got 1e11" not in err and "100,000,000,001" in err


def test_rules_given_a_file_says_it_is_a_file(tmp_path):
    code, out, err = run(["explain", "--set", "latency=batch", "--rules", ROOT / "rules" / "questions.yaml"])
    assert_refused(code, out, err, max_lines=2)  # "the rules have 1 problem:" and the problem
    assert "not found" not in err and "is a file, not a directory" in err


def test_an_empty_answers_file_is_named_in_the_missing_answers(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_text("")
    code, out, err = run(["explain", path])
    assert code == 2
    body = err.splitlines()[1:]
    assert body and all(str(path) in line for line in body), err


def test_a_nul_or_esc_byte_is_one_line_with_line_and_column(tmp_path):
    for byte in ("\x00", "\x1b"):
        path = tmp_path / "a.yaml"
        path.write_text(ANSWERS + f"note: x{byte}y\n")
        code, out, err = run(["explain", path])
        assert_refused(code, out, err)
        assert f"{path}:8:8" in err and "position" not in err, err


def test_fifty_thousand_unknown_keys_give_a_capped_list_with_a_count(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(ANSWERS + "".join(f"k{i}: 1\n" for i in range(50_000)))
    code, out, err = run(["explain", path])
    assert code == 2
    lines = err.splitlines()
    assert len(lines) <= 30, len(lines)
    assert "50,000 problems" in err and "more" in lines[-1]


def test_help_lists_every_exit_code_the_tool_returns():
    import re

    from advisor.errors import Findings, UserError
    from advisor.cli import EXIT_CODES

    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        from advisor.cli import main

        main(["--help"])
    out = out.getvalue()
    listed = {int(m) for m in re.findall(r"^  (\d+) ", EXIT_CODES, re.M)}
    assert EXIT_CODES.strip() in out
    assert {UserError.exit_code, Findings.exit_code, 0, 70, 130} == listed
