"""The wizard's draft answers file: saved after every completed step, offered on restart.

Why a plain answers file: the draft is the same flat YAML mapping that
``sizewise recommend --answers`` reads (only the answers the user gave, plus
``rules_hash``), so an interrupted session can also be finished without the
wizard. Where the user was (step and furthest step reached) is kept in one
comment line, which the answers-file loader ignores::

    # sizewise-wizard: step=volume reached=volume

Location: ``$SIZEWISE_STATE_DIR/draft.yaml`` if that variable is set (tests
point it at a temporary directory), else ``$XDG_STATE_HOME/sizewise/draft.yaml``,
else ``~/.local/state/sizewise/draft.yaml``. Writes are atomic (temp file +
rename), so a crash mid-write never leaves a half draft.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

DRAFT_NAME = "draft.yaml"
_MAX_BYTES = 1_000_000
_EVALS_LINE = re.compile(r"^# sizewise-wizard-evals: (\{.*\})\s*$", re.M)
_WIZARD_ONLY_PREFIX = "eval_"
_POSITION = re.compile(r"^# sizewise-wizard: step=(\w+) reached=(\w+)\s*$", re.M)


def state_dir() -> Path:
    """Where the wizard keeps its state (see the module docstring)."""
    if os.environ.get("SIZEWISE_STATE_DIR"):
        return Path(os.environ["SIZEWISE_STATE_DIR"])
    xdg = os.environ.get("XDG_STATE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "state"
    return base / "sizewise"


def draft_path() -> Path:
    return state_dir() / DRAFT_NAME


def dump_draft(snapshot: dict[str, Any]) -> str:
    """The draft's text for a session snapshot (deterministic: sorted keys)."""
    header = (
        "# sizewise wizard draft: run `sizewise` to resume, or, once complete,\n"
        "# `sizewise recommend --answers <this file>`.\n"
        f"# sizewise-wizard: step={snapshot['step']} reached={snapshot.get('reached', snapshot['step'])}\n"
    )
    answers = snapshot.get("answers", {})
    # the wizard's evaluation questions (advisor.session_evals) are not rules questions: kept on a
    # comment line, so the draft stays an answers file `sizewise recommend` accepts
    wizard_only = {k: answers[k] for k in sorted(answers) if k.startswith(_WIZARD_ONLY_PREFIX)}
    if wizard_only:
        import json

        header += f"# sizewise-wizard-evals: {json.dumps(wizard_only, sort_keys=True)}\n"
    body: dict[str, Any] = {k: v for k, v in sorted(answers.items()) if k not in wizard_only}
    if snapshot.get("rules_hash"):
        body = {"rules_hash": snapshot["rules_hash"], **body}
    if snapshot.get("evaluations") is not None:  # the answers file's reserved key, kept as given
        body["evaluations"] = snapshot["evaluations"]
    import yaml  # only when a draft is written or read: keeps the start fast

    text = yaml.safe_dump(body, sort_keys=False, allow_unicode=True, default_flow_style=False) if body else ""
    return header + text


def parse_draft(text: str) -> dict[str, Any] | None:
    """A snapshot from a draft's text; None when it is not a usable draft."""
    match = _POSITION.search(text)
    if match is None:
        return None
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    if data is None:
        data = {}
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        return None
    rules_hash = data.pop("rules_hash", None)
    evaluations = data.pop("evaluations", None)
    extra = _EVALS_LINE.search(text)
    if extra is not None:
        import json

        try:
            loaded = json.loads(extra.group(1))
        except json.JSONDecodeError:
            loaded = None
        if isinstance(loaded, dict):
            data.update({k: v for k, v in loaded.items() if str(k).startswith(_WIZARD_ONLY_PREFIX)})
    snapshot = {"step": match.group(1), "reached": match.group(2), "rules_hash": rules_hash, "answers": data}
    if isinstance(evaluations, dict):
        snapshot["evaluations"] = evaluations
    return snapshot


def save_draft(snapshot: dict[str, Any], path: Path | None = None) -> Path:
    """Write the draft atomically; returns where it went."""
    path = path or draft_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write_text(path, dump_draft(snapshot))
    return path


def load_draft(path: Path | None = None) -> dict[str, Any] | None:
    """The saved snapshot, or None (no draft, unreadable, too big or not a draft)."""
    path = path or draft_path()
    try:
        if path.stat().st_size > _MAX_BYTES:
            return None
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return parse_draft(text)


def discard_draft(path: Path | None = None) -> None:
    """Remove the draft (after a finished run, or when the user starts over)."""
    path = path or draft_path()
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def _atomic_write_text(path: Path, text: str) -> None:
    """Temp file in the same directory + rename (advisor.fileio), replacing the old draft."""
    from advisor.fileio import atomic_write_text

    atomic_write_text(path, text, force=True)
