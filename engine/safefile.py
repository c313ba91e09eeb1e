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
"""

from __future__ import annotations

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
        raise UnreadableFile(f"cannot read file: {err.strerror or err}") from None
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
