"""The compiled rulebook: what the loader produces and every other part reads.

Why a module of its own: the evaluator, the audit, the answers layer and the
recommendation all read these types, while only the loader builds them; keeping
them apart from the loading code lets the loader change (new checks, new file
kinds) without touching its readers' imports.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from advisor.errors import UserError
from advisor.rulebook import schema as S
from advisor.rulebook.conditions import Condition, Domain
from advisor.rulebook.derive import Expr
from engine.yamlsafe import Problem

SIZES = ("7b", "13b", "30b", "70b", "175b")


class RulebookError(UserError):
    """The rule files are unusable; ``problems`` lists every problem (sorted)."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        n = len(self.problems)
        body = "\n  ".join(str(p) for p in self.problems)
        super().__init__(f"the rules have {n} problem{'s' if n != 1 else ''}:\n  {body}")


@dataclasses.dataclass(frozen=True)
class Where:
    """Where something is written: file, 1-based line and column, YAML path."""

    file: str
    line: int
    column: int
    path: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclasses.dataclass(frozen=True)
class DefaultCase:
    when: Condition
    value: Any


@dataclasses.dataclass(frozen=True)
class CompiledQuestion:
    model: S.Question
    when: Condition | None
    default_cases: tuple[DefaultCase, ...]  # first matching case wins; last may be "else" (empty condition)
    checks: tuple[tuple[Condition, Condition, str], ...]  # (when, require, message)
    where: Where

    @property
    def id(self) -> str:
        return self.model.id

    def depends_on(self) -> set[str]:
        deps = set(self.when.columns) if self.when else set()
        for case in self.default_cases:
            deps |= set(case.when.columns)
        for when, cond, _ in self.checks:
            deps |= set(when.columns) | set(cond.columns)
        deps.discard(self.id)
        return deps


@dataclasses.dataclass(frozen=True)
class CompiledRule:
    model: S.Rule
    condition: Condition
    outputs: dict[str, Any]
    where: Where
    index: int

    @property
    def id(self) -> str:
        return self.model.id


@dataclasses.dataclass(frozen=True)
class CompiledTable:
    model: S.Table
    domains: tuple[Domain, ...]
    rules: tuple[CompiledRule, ...]
    where: Where

    @property
    def id(self) -> str:
        return self.model.id

    @property
    def outputs(self) -> dict[str, S.Output]:
        return {o.id: o for o in self.model.outputs}


@dataclasses.dataclass
class Rulebook:
    """The loaded rules. ``hash`` identifies their content ("sha256:<hex>")."""

    directory: Path
    files: list[str]
    questions: dict[str, CompiledQuestion]  # wizard order
    question_order: list[str]  # evaluation order (dependencies first)
    derived: dict[str, tuple[S.Derived, Expr, Where]]
    evidence: dict[str, tuple[S.Evidence, Where]]
    tables: list[CompiledTable]  # dependency order
    messages: dict[str, S.Message]
    impossible: list[tuple[S.Impossible, Condition, Where]]
    domains: dict[str, Domain]
    hash: str
    uses: dict[str, list[str]]  # question id -> what uses it
    manifest: tuple[S.Manifest, Where] | None = None  # what the pipeline reads (checked by the audit)

    def question(self, qid: str) -> S.Question:
        return self.questions[qid].model

    @property
    def question_models(self) -> list[S.Question]:
        return [q.model for q in self.questions.values()]

    def table(self, tid: str) -> CompiledTable:
        for t in self.tables:
            if t.id == tid:
                return t
        raise KeyError(f"no table '{tid}' (tables: {', '.join(t.id for t in self.tables)})")
