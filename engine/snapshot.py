"""The compiled snapshot of the packaged data files: engine/data/compiled.json.

Why: ``sizewise estimate`` must start well under 0.4 s, and importing PyYAML,
pydantic and validating every catalog entry costs more than that budget's
worth on its own. The YAML files stay the single source of truth (they carry
the comments, sources and dates people review); ``compiled.json`` is their
already-validated content, written by ``python -m engine.snapshot``.

Why it can never serve stale numbers: each file's entry records the sha256 of
the YAML bytes it was compiled from. :func:`section` re-hashes the YAML on every
start (well under a millisecond) and returns ``None`` on any mismatch, a missing
or unreadable snapshot, or a different format; the caller then parses and
validates the YAML itself, exactly as if there were no snapshot. An edited
catalog is therefore always honoured, only slower, and
tests/engine/test_snapshot.py fails until the snapshot is rebuilt.
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
SNAPSHOT_FILE = DATA_DIR / "compiled.json"
FORMAT = 1
#: the packaged files the snapshot covers, in the order they are written
SOURCES = ("gpus.yaml", "models.yaml", "offers.yaml", "assumptions.yaml", "efficiency.yaml", "article.yaml", "api_prices.yaml")


def digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@functools.cache
def _snapshot() -> dict[str, Any] | None:
    try:
        doc = json.loads(SNAPSHOT_FILE.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("files"), dict):
        return None
    return doc


def section(name: str) -> Any | None:
    """The compiled content of data file ``name``, or None if the snapshot is missing or stale for it."""
    snap = _snapshot()
    entry = snap["files"].get(name) if snap is not None else None
    if not isinstance(entry, dict):
        return None
    try:
        current = (DATA_DIR / name).read_bytes()
    except OSError:
        return None
    if entry.get("sha256") != digest(current):
        return None
    return entry.get("data")


def _jsonable(value: Any) -> Any:
    """A parsed YAML document as JSON data (YAML dates become their ISO text, as ``str()`` gives)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (_dt.date, _dt.datetime)):
        return str(value)
    return value


def build() -> dict[str, Any]:
    """Validate every packaged data file and return the snapshot document (raises ConfigError on bad data).

    Catalogs are stored validated (spec dicts, provenance resolved); the other
    files as parsed documents, which their loaders interpret on every start anyway.
    """
    from engine.catalog_schema import load_gpu_file, load_model_file, load_runtime_overhead_block, read_yaml
    from engine.specs import to_dict

    files: dict[str, Any] = {}
    for name in SOURCES:
        path = DATA_DIR / name
        doc = read_yaml(path)
        if name == "gpus.yaml":
            data: Any = {
                "gpus": [to_dict(g) for g in load_gpu_file(path, document=doc).values()],
                "runtime_overhead": to_dict(load_runtime_overhead_block(path, document=doc)),
            }
        elif name == "models.yaml":
            data = {"models": [to_dict(m) for m in load_model_file(path, document=doc).values()]}
        elif name == "offers.yaml":
            from engine.offers_schema import load_offer_file

            data = {"offers": [to_dict(o) for o in load_offer_file(path)]}
        else:
            data = _jsonable(doc)
        files[name] = {"sha256": digest(path.read_bytes()), "data": data}
    return {"format": FORMAT, "generated_by": "python -m engine.snapshot", "files": files}


def render(doc: dict[str, Any]) -> str:
    """The snapshot as the exact text written to disk (stable: insertion order, one space indent)."""
    return json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``python -m engine.snapshot [--check]``: rebuild compiled.json, or only say whether it is current."""
    from engine.errors import SizewiseError

    args = sys.argv[1:] if argv is None else argv
    try:
        text = render(build())
    except SizewiseError as err:
        print(f"engine.snapshot: {err}", file=sys.stderr)
        return 2
    current = SNAPSHOT_FILE.read_text(encoding="utf-8") if SNAPSHOT_FILE.exists() else None
    if "--check" in args:
        if current == text:
            print(f"{SNAPSHOT_FILE.name} is current")
            return 0
        print(f"{SNAPSHOT_FILE.name} is stale: run `python -m engine.snapshot`", file=sys.stderr)
        return 1
    if current != text:
        tmp = SNAPSHOT_FILE.with_suffix(".json.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(SNAPSHOT_FILE)
    print(f"wrote {SNAPSHOT_FILE.name} ({len(text):,} bytes) from {', '.join(SOURCES)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
