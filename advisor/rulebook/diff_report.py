"""``sizewise audit --diff OLD``: the two versions compared, and how the comparison is shown.

Exit codes: 0 when nothing decides differently; 1 when decisions differ (so CI
can require a reviewed change); 2 on bad input (raised before this module).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from advisor.rulebook.diff import DefinitionChange, RegionChange, table_diff
from advisor.rulebook.diff_replay import Flip, answers_changes, case_flips
from advisor.rulebook.sources import display_path
from advisor.rulebook.table_checks import feasibility_boxes


def _at(w: Any) -> str:
    return f"{w.file}:{w.line}:{w.column}"


#: question fields that change decisions (prompts, help and labels do not)
_QUESTION_FIELDS = ("type", "bounds", "default", "when", "checks", "output")


def definition_changes(old: Any, new: Any) -> list[DefinitionChange]:
    """Questions, derived values, evidence and tables added, removed or redefined."""
    out: list[DefinitionChange] = []

    def compare(kind: str, olds: dict, news: dict, fields) -> None:
        for key in dict.fromkeys([*news, *olds]):
            if key not in olds:
                out.append(DefinitionChange(kind, key, "added", _at(news[key][1])))
            elif key not in news:
                out.append(DefinitionChange(kind, key, "removed", _at(olds[key][1])))
            else:
                a, b = olds[key][0], news[key][0]
                for f in fields(a):
                    va, vb = _norm(getattr(a, f)), _norm(getattr(b, f))
                    if va != vb:
                        out.append(DefinitionChange(kind, key, f"{f} {_brief(va)} -> {_brief(vb)}", _at(news[key][1])))

    def qfields(q: Any) -> list[str]:
        return [*_QUESTION_FIELDS, "choices"]

    compare("question", {k: (cq.model, cq.where) for k, cq in old.questions.items()}, {k: (cq.model, cq.where) for k, cq in new.questions.items()}, qfields)
    compare("derived", {k: (d, w) for k, (d, _e, w) in old.derived.items()}, {k: (d, w) for k, (d, _e, w) in new.derived.items()}, lambda d: ["expr", "output"])
    compare("evidence", {k: (e, w) for k, (e, w) in old.evidence.items()}, {k: (e, w) for k, (e, w) in new.evidence.items()}, lambda e: ["kind", "sizes", "min_examples", "output"])
    compare("table", {t.id: (t.model, t.where) for t in old.tables}, {t.id: (t.model, t.where) for t in new.tables}, lambda t: ["hit_policy", "inputs", "outputs"])
    return out


def _norm(v: Any) -> Any:
    if hasattr(v, "model_dump"):
        return v.model_dump(mode="json")
    if isinstance(v, list):
        return [_norm(x) for x in v]
    if isinstance(v, dict):
        return {k: _norm(x) for k, x in v.items()}
    return v


def _brief(v: Any) -> str:
    text = json.dumps(v, sort_keys=True, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def region_changes(old: Any, new: Any) -> tuple[list[RegionChange], list[tuple[str, int, str]]]:
    """Every table present in both versions, diffed region by region; and the tables compared by sampling."""
    olds = {t.id: t for t in old.tables}
    changes: list[RegionChange] = []
    sampled: list[tuple[str, int, str]] = []
    for t in new.tables:
        o = olds.get(t.id)
        if o is None:
            continue
        inputs = list(dict.fromkeys([*t.model.inputs, *o.model.inputs]))
        domains = [new.domains.get(i) or old.domains[i] for i in inputs]
        result = table_diff(o, t, domains, feasibility_boxes(new, domains))
        changes.extend(result.changes)
        if result.sampled:
            sampled.append((t.id, result.sampled, _at(t.where)))
    return changes, sampled


@dataclasses.dataclass
class DiffReport:
    old_dir: str
    new_dir: str
    old_hash: str
    new_hash: str
    definitions: list[DefinitionChange]
    regions: list[RegionChange]
    sampled: list[tuple[str, int, str]]
    cases: list[Flip]
    answers: list[Flip] | None

    @property
    def differs(self) -> bool:
        return bool(self.definitions or self.regions or self.cases or self.answers)

    def exit_code(self) -> int:
        return 1 if self.differs else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": 1,
            "status": "differs" if self.differs else "same",
            "old": {"rules_dir": self.old_dir, "rules_hash": self.old_hash},
            "new": {"rules_dir": self.new_dir, "rules_hash": self.new_hash},
            "definitions": [d.to_dict() for d in self.definitions],
            "regions": [r.to_dict() for r in self.regions],
            "sampled_tables": [{"table": t, "samples": n, "where": w} for t, n, w in self.sampled],
            "cases": [f.to_dict() for f in self.cases],
            "answers": None if self.answers is None else [f.to_dict() for f in self.answers],
        }

    def render_text(self) -> str:
        lines = [f"old rules: {self.old_dir} ({self.old_hash})", f"new rules: {self.new_dir} ({self.new_hash})"]
        if not self.differs:
            lines.append("no decision differs" + (" (rules hashes are equal)" if self.old_hash == self.new_hash else ""))
            return "\n".join(lines) + "\n"
        if self.definitions:
            lines.append(f"definitions changed: {len(self.definitions)}")
            lines.extend(f"  {d.where}: {d}" for d in self.definitions)
        by_table: dict[str, list[RegionChange]] = {}
        for r in self.regions:
            by_table.setdefault(r.table, []).append(r)
        lines.append(f"decisions differ in {len(self.regions)} region{'s' if len(self.regions) != 1 else ''}" + (f" of {len(by_table)} table{'s' if len(by_table) != 1 else ''}" if by_table else ""))
        for tid, rs in by_table.items():
            lines.append(f"  table {tid} ({rs[0].where}):")
            lines.extend(f"    {r}" for r in rs)
        for tid, n, w in self.sampled:
            lines.append(f"  {w}: table {tid} too complex to compare exhaustively; compared at {n} sampled points (regions above are sampled cells)")
        lines.append(f"golden cases whose outcome flips: {len(self.cases)}")
        lines.extend(f"  {f}" for f in self.cases)
        if self.answers is not None:
            lines.append(f"saved answers whose recommendation changes: {len(self.answers)}")
            lines.extend(f"  {f}" for f in self.answers)
        return "\n".join(lines) + "\n"


def diff_rulebooks(old: Any, new: Any, cases_dir: Path | None = None, answers_dir: Path | None = None, old_label: str | None = None) -> DiffReport:
    """Compare ``old`` and ``new`` (loaded rulebooks): definitions, regions, golden cases, saved answers."""
    regions, sampled = region_changes(old, new)
    cases_dir = Path(cases_dir) if cases_dir is not None else Path(new.directory) / "cases"
    return DiffReport(
        old_dir=old_label or display_path(Path(old.directory)),
        new_dir=display_path(Path(new.directory)),
        old_hash=old.hash,
        new_hash=new.hash,
        definitions=definition_changes(old, new),
        regions=regions,
        sampled=sampled,
        cases=case_flips(old, new, cases_dir),
        answers=None if answers_dir is None else answers_changes(old, new, Path(answers_dir)),
    )
