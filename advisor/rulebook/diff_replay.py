"""Replaying answers through two versions of the rules: golden cases that flip, saved answers whose recommendation changes.

Why beside the region diff (:mod:`.diff`): regions say *where* a table decides
differently; a replay says *who is affected* end to end, through every table,
default and derived value, and (for saved answers files) through the engine:
size, hardware and monthly cost.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from advisor.rulebook.golden import _comparable, case_answers, case_files, load_case, recommendation_data
from advisor.rulebook.sources import display_path


@dataclasses.dataclass(frozen=True)
class Flip:
    """One file whose outcome differs: ``changes`` are (what, old, new)."""

    file: str
    changes: tuple[tuple[str, str, str], ...]

    def __str__(self) -> str:
        return f"{self.file}: " + "; ".join(f"{k} {a} -> {b}" for k, a, b in self.changes)

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "changes": [{"what": k, "old": a, "new": b} for k, a, b in self.changes]}


def _shown(v: Any) -> str:
    import json

    v = _comparable(v)
    return v if isinstance(v, str) else json.dumps(v, sort_keys=True, default=str)


def _decisions(book: Any, lc: Any) -> dict[str, str]:
    from advisor.rulebook.evaluator import evaluate

    answers, problems = case_answers(book, lc)
    if problems:
        return {"answers": "invalid: " + "; ".join(problems)}
    try:
        outputs = evaluate(book, answers).outputs
    except Exception as err:  # a gap, an overlap, or a bug: an outcome of its own
        return {"evaluation": f"{type(err).__name__}: {err}"}
    return {k: _shown(v) for k, v in outputs.items() if k != "rules_hash"}


def _changes(old: dict[str, str], new: dict[str, str]) -> tuple[tuple[str, str, str], ...]:
    keys = list(dict.fromkeys([*old, *new]))
    return tuple((k, old.get(k, "(none)"), new.get(k, "(none)")) for k in keys if old.get(k) != new.get(k))


def case_flips(old_book: Any, new_book: Any, cases_dir: Path) -> list[Flip]:
    """Golden cases (of the new version) whose rulebook outputs differ between the versions."""
    out = []
    for path in case_files(cases_dir):
        lc = load_case(path)
        if lc.problems:
            continue  # unreadable: the audit of the new version reports it
        changes = _changes(_decisions(old_book, lc), _decisions(new_book, lc))
        if changes:
            out.append(Flip(lc.name, changes))
    return out


def recommendation_summary(book: Any, answers: dict[str, Any]) -> dict[str, str]:
    """What an architect compares between two versions: sizes, hardware, monthly cost (or the error)."""
    try:
        data = recommendation_data(book, answers)
    except Exception as err:  # refused answers or an engine error: an outcome of its own
        return {"recommendation": f"{type(err).__name__}: {err}"}
    rec = data["recommendation"]
    size = rec.get("recommended_size")
    cand = next((c for c in rec.get("candidates", []) if c.get("size") == size), None) or {}
    hardware = f"{cand.get('total_gpus')}x {cand.get('gpu')} {cand.get('precision')}" if cand.get("fits") else "no fitting deployment"
    monthly = cand.get("monthly_usd")
    return {
        "start_size": str(rec.get("start_size")),
        "recommended_size": str(size),
        "hardware": hardware,
        "monthly_usd": "-" if monthly is None else f"{monthly:,.0f}",
        "mandatory_optimizations": ", ".join(rec.get("mandatory_optimizations") or []) or "none",
    }


def answers_changes(old_book: Any, new_book: Any, answers_dir: Path) -> list[Flip]:
    """Saved answers files (``*.yaml`` of ``answers_dir``) whose recommendation differs between the versions."""
    from advisor.answers import AnswersError, read_answers_file

    out = []
    for path in sorted([*answers_dir.glob("*.yaml"), *answers_dir.glob("*.yml")]):
        name = display_path(path)
        try:
            raw = read_answers_file(path)
        except AnswersError as err:
            out.append(Flip(name, (("answers", "unreadable", str(err)),)))
            continue
        changes = _changes(recommendation_summary(old_book, raw.data), recommendation_summary(new_book, raw.data))
        if changes:
            out.append(Flip(name, changes))
    return out
