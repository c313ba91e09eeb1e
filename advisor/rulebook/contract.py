"""What the audit checks beyond the tables: the manifest, and the files of the rules directory.

Why: the tables can be perfect and the product still wrong. If an output the
pipeline reads is renamed, the report prints "Mandated: none" while the trace
shows the mandate; if a rule file is deleted, or is a dangling link, the loader
never sees it and its rules silently stop applying. The manifest (declared in
the rules, see ``rules/manifest.yaml``) says what the pipeline reads; these
checks make every such difference a finding with a position.
"""

from __future__ import annotations

import difflib
import os
import stat
from pathlib import Path
from typing import Any

from advisor.rulebook.audit_report import ERROR, WARNING, Finding
from advisor.rulebook.conditions import fmt_value
from advisor.rulebook.sources import display_path

RULE_SUFFIXES = (".yaml", ".yml")
KNOWN_DIRS = ("cases", "schemas")
_NUMBERS = ("number", "integer")


def _at(w: Any) -> str:
    return f"{w.file}:{w.line}:{w.column}"


def provided(book: Any) -> dict[str, tuple[str, tuple | None, str]]:
    """Every value the rules publish or read: id -> (type, values or None, what provides it)."""
    out: dict[str, tuple[str, tuple | None, str]] = {}
    for qid, cq in book.questions.items():
        q = cq.model
        kind = "number" if q.type in _NUMBERS else q.type
        out[qid] = (kind, tuple(c.value for c in q.choices) if q.choices else None, f"question {qid} ({cq.where})")
    for did, (_d, _e, w) in book.derived.items():
        out[did] = ("number", None, f"derived value {did} ({w})")
    for eid, (e, w) in book.evidence.items():
        out[eid] = ("choice", ("none", *e.sizes), f"evidence {eid} ({w})") if e.kind == "smallest_passing_size" else ("boolean", None, f"evidence {eid} ({w})")
    for t in book.tables:
        for o in t.model.outputs:
            out[o.id] = (o.type, tuple(o.values) if o.values else None, f"table {t.id} ({t.where})")
    return out


def _published(book: Any) -> set[str]:
    """Ids that appear in the evaluator's outputs (tables' outputs and ``output: true`` inputs)."""
    ids = {o.id for t in book.tables for o in t.model.outputs}
    ids |= {q for q, cq in book.questions.items() if cq.model.output}
    ids |= {d for d, (m, _e, _w) in book.derived.items() if m.output}
    ids |= {e for e, (m, _w) in book.evidence.items() if m.output}
    return ids


def manifest_findings(book: Any) -> list[Finding]:
    """The manifest's files, tables, outputs and inputs checked against the loaded rules."""
    if book.manifest is None:
        where = f"{display_path(Path(book.directory))}:1:1"
        return [Finding(ERROR, "manifest", where, "", (), "", "no manifest: nothing declares the tables and outputs the recommendation reads, so renaming one would pass unnoticed (add a manifest: section, see docs/rules.md)")]
    manifest, mw = book.manifest
    locator = _locator(book, mw)
    out: list[Finding] = []

    def at(*path: Any) -> str:
        line, col = locator.position(("manifest",) + path)
        return f"{mw.file}:{line}:{col}"

    names = {Path(f).name for f in book.files}
    for i, f in enumerate(manifest.files):
        if f not in names:
            out.append(Finding(ERROR, "missing_file", at("files", i), "", (), "", f"declared rule file {f} is missing from {display_path(Path(book.directory))} (its rules no longer apply)"))
    tables = {t.id for t in book.tables}
    for i, tid in enumerate(manifest.tables):
        if tid not in tables:
            out.append(Finding(ERROR, "manifest", at("tables", i), tid, (), "", f"table {tid} is declared in the manifest but does not exist{_hint(tid, tables)}"))
    have = provided(book)
    published = _published(book)
    for section, items in (("outputs", manifest.outputs), ("inputs", manifest.inputs)):
        for i, m in enumerate(items):
            where = at(section, i)
            pool = published if section == "outputs" else set(have)
            if m.id not in pool:
                what = "no table or output: true value produces it" if section == "outputs" else "no question or derived value provides it"
                out.append(Finding(ERROR, "manifest", where, "", (), "", f"the pipeline reads {section[:-1]} {m.id}, but {what}{_hint(m.id, pool)}"))
                continue
            kind, values, by = have[m.id]
            if kind != m.type:
                out.append(Finding(ERROR, "manifest", where, "", (), "", f"the pipeline reads {m.id} as {m.type}, but {by} makes it {kind}"))
                continue
            if m.values is not None and values is not None:
                unknown = [v for v in values if v not in m.values]
                if unknown:
                    shown = ", ".join(fmt_value(v) for v in unknown)
                    out.append(Finding(ERROR, "manifest", where, "", (), "", f"{by} may set {m.id} to {shown}, which the pipeline does not understand (it knows {', '.join(fmt_value(v) for v in m.values)})"))
    return out


def _hint(name: str, pool: set[str]) -> str:
    hint = difflib.get_close_matches(name, sorted(pool), n=1, cutoff=0.6)
    return f"; did you mean '{hint[0]}'?" if hint else ""


def _locator(book: Any, w: Any):
    from engine.yamlsafe import load_yaml_file

    path = Path(book.directory) / Path(w.file).name
    return load_yaml_file(path, display=w.file).locator


def inventory_findings(directory: Path) -> list[Finding]:
    """Entries of the rules directory the loader does not read, each a finding.

    A ``*.yaml`` entry that is not a regular file (a directory, a dangling
    link, a FIFO) is an error: it looks like rules and is skipped. Any other
    file or directory (``.yaml.bak``, ``notes.txt``) is a warning: not read.
    Hidden entries (``.git``, ``.DS_Store``) and ``cases/``, ``schemas/`` are
    expected.
    """
    out: list[Finding] = []
    if not directory.is_dir():
        return out
    for entry in sorted(os.scandir(directory), key=lambda e: e.name):
        name = entry.name
        if name.startswith("."):
            continue
        shown = f"{display_path(Path(entry.path))}:1:1"
        is_rule_name = name.endswith(RULE_SUFFIXES)
        kind = _kind(entry)
        if kind == "file":
            if not is_rule_name:
                out.append(Finding(WARNING, "unknown_file", shown, "", (), "", f"{name}: not read (rule files end in .yaml or .yml)"))
        elif kind == "a directory" and not is_rule_name:
            if name not in KNOWN_DIRS:
                out.append(Finding(WARNING, "unknown_file", shown, "", (), "", f"{name}/: not read (only *.yaml files, cases/ and schemas/ are)"))
        else:
            severity = ERROR if is_rule_name else WARNING
            out.append(Finding(severity, "not_read", shown, "", (), "", f"{name} is {kind}, not a regular file: its rules are not read"))
    return out


def _kind(entry: os.DirEntry) -> str:
    try:
        mode = os.stat(entry.path).st_mode  # follows links: a link to a file is a file
    except FileNotFoundError:
        return "a dangling symbolic link"
    except OSError as err:
        return f"unreadable ({err.strerror})"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device or special file"
