"""``--diff git:REV``: the rules directory as it was at a git revision of the current repository.

Why through ``git archive`` into a temporary directory: the loader then reads
the old version exactly as it reads any directory (same safety limits, same
messages), and nothing of the working tree is touched. The files are named
``REV:path`` in messages, so an old rule reads ``high (HEAD~1:rules/step3_volume.yaml:45)``.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from pathlib import Path

from advisor.errors import UserError


def _git(cwd: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, check=False, timeout=60)
    except FileNotFoundError:
        raise UserError("--diff git:REV needs git on PATH") from None
    if done.returncode != 0:
        msg = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UserError(f"git {' '.join(args[:2])}: {msg[-1] if msg else 'failed'}")
    return done.stdout


def checkout_rules(rules_dir: Path, rev: str, into: Path) -> str:
    """Extract ``rules_dir`` at ``rev`` into ``into``; returns the label for messages (``REV:path``)."""
    if not rev or rev.startswith("-"):
        raise UserError(f"--diff git:REV: '{rev}' is not a revision")
    rules_dir = rules_dir.resolve()
    try:
        top = Path(_git(rules_dir, "rev-parse", "--show-toplevel").decode().strip())
    except UserError:
        raise UserError(f"--diff git:{rev}: {rules_dir} is not inside a git repository") from None
    rel = rules_dir.relative_to(top.resolve()).as_posix() or "."
    try:
        _git(top, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    except UserError:
        raise UserError(f"--diff git:{rev}: unknown revision in {top}") from None
    data = _git(top, "archive", "--format=tar", rev, "--", rel)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return f"{rev}:{rel}"


def rules_at(rules_dir: Path, rev: str) -> tuple[tempfile.TemporaryDirectory, Path, str]:
    """A temporary directory holding the rules at ``rev``: (handle to keep alive, rules path, label)."""
    tmp = tempfile.TemporaryDirectory(prefix="sizewise-rules-")
    label = checkout_rules(rules_dir, rev, Path(tmp.name))
    rel = label.split(":", 1)[1]
    return tmp, Path(tmp.name) / rel, label
