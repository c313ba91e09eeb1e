"""Issue 16 item 5: ``--force`` replaces a regular file, never a symlink, a device, or an input of the run."""

from __future__ import annotations

import os
import stat

import pytest

from advisor.errors import UserError
from advisor.fileio import atomic_write_text
from tests.hardening.conftest import assert_refused, run


def _recommend(answers, out, *extra):
    return run(["recommend", "--answers", answers, "--date", "2026-01-01", "-o", out, "--force", *extra])


def test_force_does_not_replace_a_symlink(tmp_path, answers_file):
    real = tmp_path / "real.md"
    real.write_text("keep me\n")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    assert_refused(*_recommend(answers_file, link))
    assert link.is_symlink() and real.read_text() == "keep me\n"


def _device_or_fifo(tmp_path):
    """A character device of our own in tmp_path (like /dev/null: 1,3) when allowed, else a FIFO.

    Never the real /dev/null: on code without the fix the test would replace it with a regular file.
    """
    node = tmp_path / "null"
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, AttributeError, OSError):
        os.mkfifo(node)
    return node


def test_force_does_not_replace_a_device_or_fifo(tmp_path, answers_file):
    node = _device_or_fifo(tmp_path)
    kind = stat.S_IFMT(os.lstat(node).st_mode)
    code, out, err = _recommend(answers_file, node)
    assert_refused(code, out, err)
    assert stat.S_IFMT(os.lstat(node).st_mode) == kind
    assert "regular file" in err


def test_force_never_overwrites_the_answers_file(tmp_path, answers_file):
    before = answers_file.read_bytes()
    code, out, err = _recommend(answers_file, answers_file)
    assert_refused(code, out, err)
    assert "input" in err
    assert answers_file.read_bytes() == before


def test_force_never_overwrites_an_input_by_another_name(tmp_path, answers_file):
    alias = tmp_path / "alias.yaml"
    os.link(answers_file, alias)
    before = answers_file.read_bytes()
    assert_refused(*_recommend(answers_file, alias))
    assert answers_file.read_bytes() == before


def test_force_never_overwrites_the_overrides_file(tmp_path, answers_file):
    ov = tmp_path / "ov.yaml"
    ov.write_text("pue: 1.2\n")
    assert_refused(*_recommend(answers_file, ov, "--overrides", ov))
    assert ov.read_text() == "pue: 1.2\n"


def test_force_still_replaces_a_regular_file(tmp_path, answers_file):
    out = tmp_path / "report.md"
    out.write_text("old\n")
    code, _, err = _recommend(answers_file, out)
    assert code == 0, err
    assert out.read_text().startswith("#")


def test_write_helper_refuses_a_listed_input(tmp_path):
    src = tmp_path / "in.yaml"
    src.write_text("x: 1\n")
    with pytest.raises(UserError, match="input"):
        atomic_write_text(src, "y: 2\n", force=True, inputs=[src])
    assert src.read_text() == "x: 1\n"


def test_output_inside_a_file_says_it_is_a_file(tmp_path, answers_file):
    code, out, err = run(["recommend", "--answers", answers_file, "-o", answers_file / "x.md"])
    assert_refused(code, out, err)
    assert "is a file, not a directory" in err and "does not exist" not in err


def test_force_never_overwrites_a_rule_file(tmp_path, answers_file):
    import shutil

    from tests.hardening.conftest import ROOT

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    before = (rules / "questions.yaml").read_bytes()
    assert_refused(*_recommend(answers_file, rules / "questions.yaml", "--rules", rules))
    assert (rules / "questions.yaml").read_bytes() == before
