"""Writing user artifacts (reports, answers files, drafts) safely.

Why this module exists: a report or answers file that a team keeps in git must
never be left half-written (a full disk, Ctrl-C, a crash) and must never
silently replace a file the user already has. So every write goes to a
temporary file in the *same directory* (same filesystem, so the final rename is
atomic), is flushed and fsync'ed, and only then takes the target's name:

* without ``force`` the rename is done with ``os.link`` (fails if the target
  exists, so there is no window between "check" and "write" in which another
  process could create the file and have it clobbered), falling back to an
  existence check plus ``os.replace`` on filesystems without hard links;
* with ``force`` it is ``os.replace``, which atomically swaps the old file for
  the new one (readers see either the old or the new content, never a mix).

What is never replaced, even with ``force`` (advisor/fileio.py refuses, it does
not write through): a symbolic link (``os.replace`` would swap the link itself
for a regular file, and following it would write wherever it points), a device,
FIFO or socket (``/dev/null`` would become a regular file), a directory, and an
input of the same run (``-o answers.yaml --answers answers.yaml``: compared by
device and inode, so a hard link or another spelling of the path is caught too).
The check is made just before the rename; docs/threat-model.md says what that
leaves open.

The new file gets the permissions a plain ``open(path, "w")`` would give it
(0o666 minus the umask), or keeps the mode of the file it replaces.

Every problem the user can cause (missing directory, target is a directory,
file exists, no permission) is an :class:`advisor.errors.UserError` with one
clear message, exit code 2, and nothing is left behind.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path
from typing import Iterable

from advisor.errors import UserError
from engine.safefile import DIRECTORY, FILE, MISSING, SYMLINK, UnreadableFile, os_reason, path_kind


class OutputExistsError(UserError):
    """The target file exists and ``force`` was not given."""


def _default_mode() -> int:
    # os.umask can only be read by setting it; restore it at once.
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _fsync_dir(directory: Path) -> None:
    """Persist the rename itself (best effort: not every OS can open a directory)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, *, force: bool = False,
                       inputs: Iterable[str | os.PathLike[str]] = ()) -> Path:
    """Write ``data`` to ``path`` atomically; refuse to overwrite unless ``force``.

    Returns the path written. Raises :class:`OutputExistsError` when the file
    exists and ``force`` is false, :class:`UserError` for any other problem
    the user can fix (missing directory, target is a directory, a symlink or a
    device, target is one of ``inputs``, permissions, a name too long).
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    mode = _check_target(target, directory, force, inputs)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as err:
        raise UserError(f"{target}: cannot write in {directory}: {os_reason(err, target)}") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        if force:  # checked again just before the rename; the window left is in docs/threat-model.md
            _check_target(target, directory, force, inputs)
        if force:
            os.replace(tmp, target)
        else:
            _link_no_clobber(tmp, target)
        _fsync_dir(directory)
    except BaseException as err:
        # Never leave the temporary file behind, whatever happened (Ctrl-C included).
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass
        if isinstance(err, OSError):  # full disk, permissions...: the user's to fix
            raise UserError(f"{target}: cannot write: {os_reason(err, target)}") from None
        raise
    return target


def _check_target(target: Path, directory: Path, force: bool, inputs: Iterable[str | os.PathLike[str]]) -> int:
    """Refuse what must not be written (see the module docstring); the mode the new file gets."""
    try:
        kind = path_kind(target, follow_symlinks=False)
        parent = path_kind(directory)
    except UnreadableFile as err:
        raise UserError(f"{target}: {err}") from None
    if kind == DIRECTORY:
        raise UserError(f"{target}: is a directory; give a file name")
    if parent == FILE:
        raise UserError(f"{target}: {directory} is a file, not a directory")
    if parent != DIRECTORY:
        raise UserError(f"{target}: directory {directory} does not exist")
    if kind == MISSING:
        return _default_mode()
    if kind == SYMLINK:
        raise UserError(f"{target}: is a symbolic link; refusing to replace it "
                        f"(write to the file it points to, or remove the link)")
    if kind != FILE:
        raise UserError(f"{target}: not a regular file (a device, pipe or socket); refusing to replace it")
    if not force:
        raise OutputExistsError(f"{target}: file exists; pass --force to overwrite it")
    info = target.stat()
    for given in inputs:
        try:
            same = os.path.samestat(info, os.stat(given))
        except (OSError, ValueError):
            continue
        if same:
            raise UserError(f"{target}: is an input of this run ({given}); "
                            "refusing to overwrite it, even with --force")
    return stat.S_IMODE(info.st_mode)


def _link_no_clobber(tmp: Path, target: Path) -> None:
    """Give ``tmp`` the name ``target`` only if ``target`` does not exist yet."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise OutputExistsError(f"{target}: file exists; pass --force to overwrite it") from None
    except OSError as err:
        if err.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK, errno.ENOSYS):
            raise UserError(f"{target}: cannot write: {os_reason(err, target)}") from None
        # No hard links here (some network and FAT filesystems): check, then rename.
        if path_kind(target, follow_symlinks=False) != MISSING:
            raise OutputExistsError(f"{target}: file exists; pass --force to overwrite it") from None
        os.replace(tmp, target)
        return
    tmp.unlink()


def atomic_write_text(
    path: str | os.PathLike[str], text: str, *, force: bool = False, encoding: str = "utf-8",
    inputs: Iterable[str | os.PathLike[str]] = (),
) -> Path:
    """Text version of :func:`atomic_write_bytes` (UTF-8, newlines written as given)."""
    return atomic_write_bytes(path, text.encode(encoding), force=force, inputs=inputs)
