"""advisor.fileio: atomic, no-clobber writes that leave nothing behind on failure."""

from __future__ import annotations

import os
import stat

import pytest

from advisor.errors import UserError
from advisor.fileio import OutputExistsError, atomic_write_bytes, atomic_write_text


def _leftovers(directory):
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_writes_new_file_with_exact_content(tmp_path):
    target = tmp_path / "report.md"
    out = atomic_write_text(target, "# Title\n\nCafé ✓\n")
    assert out == target
    assert target.read_bytes() == "# Title\n\nCafé ✓\n".encode("utf-8")
    assert _leftovers(tmp_path) == []


def test_refuses_to_overwrite_without_force(tmp_path):
    target = tmp_path / "report.md"
    target.write_text("keep me")
    with pytest.raises(OutputExistsError) as info:
        atomic_write_text(target, "new")
    assert "file exists; pass --force" in str(info.value)
    assert info.value.exit_code == 2
    assert target.read_text() == "keep me"
    assert _leftovers(tmp_path) == []


def test_force_replaces_and_keeps_mode(tmp_path):
    target = tmp_path / "report.md"
    target.write_text("old")
    os.chmod(target, 0o640)
    atomic_write_text(target, "new", force=True)
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert _leftovers(tmp_path) == []


def test_new_file_gets_umask_mode_not_mkstemp_0600(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_write_bytes(tmp_path / "a.json", b"{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.json").stat().st_mode) == 0o644


def test_missing_directory_is_a_user_error(tmp_path):
    with pytest.raises(UserError) as info:
        atomic_write_text(tmp_path / "nope" / "r.md", "x")
    assert "does not exist" in str(info.value)


def test_target_is_directory(tmp_path):
    with pytest.raises(UserError) as info:
        atomic_write_text(tmp_path, "x", force=True)
    assert "is a directory" in str(info.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_directory_is_a_user_error_and_leaves_nothing(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    os.chmod(ro, 0o500)
    try:
        with pytest.raises(UserError) as info:
            atomic_write_text(ro / "r.md", "x")
        assert "cannot write" in str(info.value)
        assert list(ro.iterdir()) == []
    finally:
        os.chmod(ro, 0o700)


def test_failure_during_rename_removes_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "r.md"
    target.write_text("old")

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(UserError) as info:
        atomic_write_text(target, "new", force=True)
    assert "No space left on device" in str(info.value)
    assert target.read_text() == "old"
    assert _leftovers(tmp_path) == []


def test_race_file_created_after_check_is_not_clobbered(tmp_path, monkeypatch):
    """Another process creates the target between our check and our rename."""
    target = tmp_path / "r.md"
    real_link = os.link

    def link_after_someone_else(src, dst):
        with open(dst, "w") as fh:
            fh.write("theirs")
        return real_link(src, dst)

    monkeypatch.setattr(os, "link", link_after_someone_else)
    with pytest.raises(OutputExistsError):
        atomic_write_text(target, "ours")
    assert target.read_text() == "theirs"
    assert _leftovers(tmp_path) == []


def test_filesystem_without_hard_links_falls_back(tmp_path, monkeypatch):
    def no_links(src, dst):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    atomic_write_text(tmp_path / "r.md", "ok")
    assert (tmp_path / "r.md").read_text() == "ok"
    assert _leftovers(tmp_path) == []
    with pytest.raises(OutputExistsError):
        atomic_write_text(tmp_path / "r.md", "again")
