"""Reading a file the user named, without ever hanging: regular files and pipes, nothing else.

Why this exists: ``open()`` on a FIFO blocks until a writer appears, and a
terminal or socket can block a ``read()`` forever, so a mistyped path
(``--answers /dev/tty``, a stale ``mkfifo``) would freeze the command. Yet a
pipe is a legitimate way to hand over a file (``--answers <(generate)``,
``/dev/stdin`` fed by a pipe), so pipes are read, not refused.

How: the path is opened non-blocking (returns at once for every file type) and
the *opened* descriptor is checked with ``fstat`` (the name cannot be swapped in
between). A regular file is read up to the limit. A pipe is switched back to
blocking reads: POSIX makes ``read`` return end-of-file at once when no process
holds the write end, so a FIFO nobody writes to reads as empty instead of
hanging, while a pipe with a writer is read until it closes or the limit.
Directories, sockets and devices are refused with a reason.

:func:`path_kind` is the one check of what a path names before it is used as a
directory or an output (``Path.is_dir()`` and ``exists()`` raise ``OSError`` for
a 300-character name, which used to surface as an internal error): it answers
"missing", "directory", "file", "symlink" or "other", and turns every other
``OSError`` (name too long, too many symlinks, permission denied) into an
:class:`UnreadableFile` with a reason, which callers report as bad input.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


class UnreadableFile(Exception):
    """Why the file cannot be read; ``str(err)`` is the message without the file name."""


class TooLarge(UnreadableFile):
    """A regular file over the limit, refused before reading it; ``size`` is its length in bytes."""

    def __init__(self, size: int, max_bytes: int):
        super().__init__(f"file is {size:,} bytes, over the {max_bytes:,}-byte limit")
        self.size = size


#: what path_kind answers
MISSING, DIRECTORY, FILE, SYMLINK, OTHER = "missing", "directory", "file", "symlink", "other"


def path_kind(path: Path | str, *, follow_symlinks: bool = True) -> str:
    """What ``path`` names: MISSING, DIRECTORY, FILE (regular), SYMLINK (only without ``follow_symlinks``), OTHER.

    A path through a regular file (``report.md/x.md``) is MISSING. Any other
    ``OSError`` raises :class:`UnreadableFile` with a reason that names the
    problem (``File name too long (300 characters in one part; at most 255)``).
    """
    try:
        mode = os.stat(path, follow_symlinks=follow_symlinks).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return MISSING
    except OSError as err:
        raise UnreadableFile(os_reason(err, path)) from None
    except ValueError:  # an embedded NUL byte
        raise UnreadableFile("the path contains a NUL character") from None
    if stat.S_ISDIR(mode):
        return DIRECTORY
    if stat.S_ISREG(mode):
        return FILE
    if stat.S_ISLNK(mode):
        return SYMLINK
    return OTHER


def os_reason(err: OSError, path: Path | str | None = None) -> str:
    """An ``OSError`` in words a user can act on (no errno, no repeated file name)."""
    if err.errno == errno.ENAMETOOLONG and path is not None:
        longest = max((len(os.fsencode(part)) for part in Path(path).parts), default=0)
        total = len(os.fsencode(str(path)))
        return f"File name too long ({longest:,} bytes in one part, {total:,} in all; most systems allow 255 and 4,096)"
    if err.errno == errno.ELOOP:
        return "too many levels of symbolic links"
    return err.strerror or str(err)


def directory_problem(path: Path | str, what: str) -> str | None:
    """Why ``path`` cannot be used as ``what`` (e.g. "rules directory"), or None when it is a directory."""
    try:
        kind = path_kind(path)
    except UnreadableFile as err:
        return str(err)
    if kind == DIRECTORY:
        return None
    if kind == MISSING:
        return f"{what} not found"
    return f"is a {'file' if kind == FILE else 'special file'}, not a directory (give the {what})"


def read_user_file(path: Path | str, max_bytes: int) -> bytes:
    """Up to ``max_bytes + 1`` bytes of ``path`` (one more than the limit, so callers can say "too large").

    A regular file whose size is over the limit raises :class:`TooLarge` unread;
    a pipe cannot say its size, so the caller checks the length it got.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except IsADirectoryError:
        raise UnreadableFile("is a directory") from None
    except FileNotFoundError:
        raise UnreadableFile("file not found") from None
    except OSError as err:
        raise UnreadableFile(f"cannot read file: {os_reason(err, path)}") from None
    except ValueError:  # an embedded NUL byte
        raise UnreadableFile("the path contains a NUL character") from None
    try:
        info = os.fstat(fd)
        mode = info.st_mode
        if stat.S_ISDIR(mode):
            raise UnreadableFile("is a directory")
        if stat.S_ISFIFO(mode):
            os.set_blocking(fd, True)
        elif stat.S_ISREG(mode):
            if info.st_size > max_bytes:
                raise TooLarge(info.st_size, max_bytes)
        else:
            raise UnreadableFile("not a regular file or a pipe (a socket or device); refusing to read it, "
                                 "it could block forever")
        chunks: list[bytes] = []
        size = 0
        while size <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    except OSError as err:
        raise UnreadableFile(f"cannot read file: {err.strerror or err}") from None
    finally:
        os.close(fd)
