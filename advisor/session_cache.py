"""The wizard's fast start: a backend replayed from a JSON snapshot of the rules' answers.

Why its own module: the snapshot (its key, file format and replay) changes
for start-up speed alone, never for what the wizard asks or answers; the
answers themselves still come from :class:`advisor.session_backend.RulebookBackend`.
This module never imports Textual.
"""

from __future__ import annotations

from typing import Any

from advisor.result_view import ResultView
from advisor.session import MISSING, Choice, Preview, Question, WizardSession
from advisor.session_backend import RulebookBackend


class CachedRulebookBackend:
    """:class:`RulebookBackend`, started from a JSON snapshot so the first screen is quick.

    Why: loading the rulebook costs more than starting Textual itself (pydantic
    model building, position-aware YAML parsing), yet the first screen only
    needs the questions and the answers to a handful of visibility, default and
    validation calls made for an empty session. Those calls are recorded once
    per rule set in ``<state dir>/cache/rules-<key>.json`` (plain JSON, no
    pickle) and replayed; the real backend is loaded in a background thread
    after the first paint (:meth:`start_loading`), or on the spot by the first
    call the snapshot cannot answer. Every answer therefore still comes from
    ``advisor.answers``: the snapshot only replays what it said.

    The cache key hashes the bytes of every rule file and of the code whose
    behaviour the snapshot records (rulebook, answers, YAML loader, units,
    the session, its backend and this module) plus the Python version, so
    any change re-records it.
    """

    _NO = object()

    def __init__(self, rules_dir: Any = None, *, generated_on: str | None = None, cache_dir: Any = None) -> None:
        import threading
        from pathlib import Path

        self.rules_dir = rules_dir
        self.generated_on = generated_on
        self._real: RulebookBackend | None = None
        self._error: BaseException | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        if cache_dir is None:
            from advisor.drafts import state_dir

            cache_dir = state_dir() / "cache"
        key = _cache_key(rules_dir)
        path = Path(cache_dir) / f"rules-{key[:32]}.json"
        data = _read_cache(path, key)
        if data is None:
            data = _record(self.real, key)
            _write_cache(path, data)
        self.cache_path = path
        self.rules_hash: str = data["rules_hash"]
        self.questions = tuple(
            Question(**{**q, "choices": tuple(Choice(**{**c, "examples": tuple(c["examples"])}) for c in q["choices"])})
            for q in data["questions"]
        )
        self.order = tuple(data["order"])
        self._memo: dict[str, Any] = data["memo"]

    # -- the real backend -------------------------------------------------------
    def start_loading(self) -> None:
        """Load the real backend in the background (called after the first paint)."""
        import threading

        if self._real is None and self._thread is None:
            self._thread = threading.Thread(target=self._load, name="sizewise-rules", daemon=True)
            self._thread.start()

    def _load(self) -> None:
        with self._lock:
            if self._real is None and self._error is None:
                try:
                    self._real = RulebookBackend(self.rules_dir, generated_on=self.generated_on)
                except BaseException as err:  # noqa: BLE001 - re-raised where it is needed
                    self._error = err

    @property
    def real(self) -> RulebookBackend:
        """The loaded backend (waits for the background load, or loads now)."""
        if self._real is None:
            self._load()
        if self._error is not None:
            raise self._error
        assert self._real is not None
        return self._real

    @property
    def loaded(self) -> bool:
        return self._real is not None

    @property
    def rulebook(self) -> Any:
        return self.real.rulebook

    # -- questions: replay, else ask the real backend -----------------------------
    def _replay(self, method: str, qid: str, answers: dict[str, Any], raw: Any = None) -> Any:
        hit = self._memo.get(_memo_key(method, qid, answers, raw), self._NO)
        return _decode(hit) if hit is not self._NO else self._NO

    def visible(self, qid: str, answers: dict[str, Any]) -> bool:
        hit = self._replay("visible", qid, answers)
        return self.real.visible(qid, answers) if hit is self._NO else hit

    def default(self, qid: str, answers: dict[str, Any]) -> Any:
        hit = self._replay("default", qid, answers)
        return self.real.default(qid, answers) if hit is self._NO else hit

    def check(self, qid: str, raw: Any, answers: dict[str, Any]) -> tuple[Any, str | None]:
        hit = self._replay("check", qid, answers, raw)
        return self.real.check(qid, raw, answers) if hit is self._NO else tuple(hit)  # type: ignore[return-value]

    # -- outputs: always the real pipeline ----------------------------------------
    def preview(self, given: dict[str, Any]) -> Preview | None:
        return self.real.preview(given)

    def result(self, given: dict[str, Any]) -> ResultView:
        return self.real.result(given)

    def render(self, given: dict[str, Any], fmt: str) -> str:
        return self.real.render(given, fmt)

    def breakdown(self, given: dict[str, Any], size: str) -> Any:
        return self.real.breakdown(given, size)

    def audit(self) -> str:
        return self.real.audit()


def _rules_directory(rules_dir: Any) -> Any:
    """Where the rules are; mirrors ``advisor.rulebook.loader.shipped_rules_dir``
    without importing the loader (and pydantic) just to compute a cache key."""
    from pathlib import Path

    if rules_dir is not None:
        return Path(rules_dir)
    import advisor

    pkg = Path(advisor.__file__).parent
    return pkg / "_rules" if (pkg / "_rules").is_dir() else pkg.parent / "rules"


def _cache_key(rules_dir: Any) -> str:
    import hashlib
    import sys
    from pathlib import Path

    digest = hashlib.sha256(f"{sys.version_info[:3]}\0".encode())
    directory = _rules_directory(rules_dir)
    code_root = Path(__file__).resolve().parents[1]
    code = sorted((code_root / "advisor" / "rulebook").glob("*.py")) + [
        code_root / "advisor" / "answers.py", code_root / "engine" / "yamlsafe.py",
        code_root / "engine" / "units.py",
        *(code_root / "advisor" / f"{name}.py" for name in ("session", "session_backend", "session_cache")),
    ]
    files = sorted(p for p in directory.rglob("*") if p.is_file()) if directory.is_dir() else []
    digest.update(str(directory.resolve()).encode() + b"\0")
    for p in [*files, *code]:
        try:
            data = p.read_bytes()
        except OSError:
            data = b"<missing>"
        digest.update(str(p).encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def _memo_key(method: str, qid: str, answers: dict[str, Any], raw: Any) -> str:
    import json

    return json.dumps([method, qid, sorted(answers.items()), raw], default=repr)


def _encode(value: Any) -> Any:
    return {"$missing": True} if value is MISSING else value


def _decode(value: Any) -> Any:
    return MISSING if isinstance(value, dict) and value.get("$missing") else value


class _Recorder:
    """Wraps the real backend and writes down every question call an empty session makes."""

    def __init__(self, real: RulebookBackend) -> None:
        self.real, self.memo = real, {}
        self.rules_hash, self.questions, self.order = real.rules_hash, real.questions, real.order

    def visible(self, qid, answers):
        out = self.real.visible(qid, answers)
        self.memo[_memo_key("visible", qid, answers, None)] = out
        return out

    def default(self, qid, answers):
        out = self.real.default(qid, answers)
        self.memo[_memo_key("default", qid, answers, None)] = _encode(out)
        return out

    def check(self, qid, raw, answers):
        out = self.real.check(qid, raw, answers)
        self.memo[_memo_key("check", qid, answers, raw)] = list(out)
        return out


def _record(real: RulebookBackend, key: str) -> dict[str, Any]:
    import dataclasses

    recorder = _Recorder(real)
    WizardSession(recorder)  # type: ignore[arg-type]
    return {
        "key": key,
        "rules_hash": real.rules_hash,
        "questions": [dataclasses.asdict(q) for q in real.questions],
        "order": list(real.order),
        "memo": recorder.memo,
    }


def _read_cache(path: Any, key: str) -> dict[str, Any] | None:
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    if not {"rules_hash", "questions", "order", "memo"} <= set(data):
        return None
    return data


def _write_cache(path: Any, data: dict[str, Any]) -> None:
    """Best effort: a read-only state directory only costs the fast start."""
    import json

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        from advisor.fileio import atomic_write_text

        atomic_write_text(path, json.dumps(data, sort_keys=True), force=True)
    except Exception:  # noqa: BLE001
        pass
