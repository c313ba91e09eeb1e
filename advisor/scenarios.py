"""Named answer sets ("scenarios") and two of them side by side.

Why: a team weighs alternatives (interactive vs batch, cloud vs owned, a
stricter quality bar) and wants to come back to each. A scenario is a draft
file (:mod:`advisor.drafts`, so ``sizewise recommend --answers`` reads it too)
under ``<state dir>/scenarios/<name>.yaml``. :func:`compare` gives the answers
that differ, each side's recommended size and its monthly cost, computed by
the same session and backend as the Result screen. Headless: no Textual.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advisor import drafts
from advisor.errors import UserError

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")


def scenarios_dir() -> Path:
    return drafts.state_dir() / "scenarios"


def check_name(name: str) -> str:
    name = name.strip()
    if not _NAME.fullmatch(name) or name.endswith("."):
        raise UserError(f"scenario name '{name}': use 1-40 letters, digits, '-', '_' or '.' (no spaces)")
    return name


def save_scenario(name: str, snapshot: dict[str, Any]) -> Path:
    """Save the session's snapshot as scenario ``name`` (replaces one of the same name)."""
    return drafts.save_draft(snapshot, scenarios_dir() / f"{check_name(name)}.yaml")


def list_scenarios() -> list[str]:
    d = scenarios_dir()
    return sorted(p.stem for p in d.glob("*.yaml")) if d.is_dir() else []


def load_scenario(name: str) -> dict[str, Any]:
    snap = drafts.load_draft(scenarios_dir() / f"{check_name(name)}.yaml")
    if snap is None:
        raise UserError(f"scenario '{name}': not found or unreadable in {scenarios_dir()}")
    return snap


@dataclass(frozen=True)
class Side:
    name: str
    complete: bool
    recommended: str | None
    monthly_usd: float | None


@dataclass(frozen=True)
class ScenarioComparison:
    a: Side
    b: Side
    differences: tuple[tuple[str, str, str], ...]  # (question prompt, value in a, value in b)


def _shown(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.0f}"
    return str(value)


def compare(backend: Any, name_a: str, name_b: str) -> ScenarioComparison:
    """Scenarios ``name_a`` and ``name_b`` side by side (answers that differ, recommendation, monthly cost)."""
    from advisor.session import WizardSession

    sides, answers = [], []
    for name in (name_a, name_b):
        session = WizardSession.restore(backend, load_scenario(name))
        answers.append(session)
        if session.complete:
            view = session.result()
            costs = {label.upper(): usd for label, usd in view.chart}
            sides.append(Side(name, True, view.recommended, costs.get(view.recommended.upper())))
        else:
            sides.append(Side(name, False, None, None))
    sa, sb = answers
    rows = []
    for q in backend.questions:
        va = sa.answers.get(q.id) if q.id in sa.visible_ids else None
        vb = sb.answers.get(q.id) if q.id in sb.visible_ids else None
        if repr(va) != repr(vb):
            rows.append((q.prompt, _shown(va), _shown(vb)))
    return ScenarioComparison(sides[0], sides[1], tuple(rows))


def comparison_lines(c: ScenarioComparison) -> list[str]:
    """The comparison as plain text lines (the Compare screen's body)."""
    def cost(s: Side) -> str:
        return f"${s.monthly_usd:,.2f}/month" if s.monthly_usd is not None else "-"

    def rec(s: Side) -> str:
        return s.recommended or "incomplete answers"

    lines = [f"{'':34} {c.a.name[:20]:>20}  {c.b.name[:20]:>20}",
             f"{'Recommended size':34} {rec(c.a):>20}  {rec(c.b):>20}",
             f"{'Monthly cost':34} {cost(c.a):>20}  {cost(c.b):>20}", "", "Answers that differ:"]
    lines += [f"  {p[:32]:32} {x[:20]:>20}  {y[:20]:>20}" for p, x, y in c.differences] or ["  none"]
    return lines
