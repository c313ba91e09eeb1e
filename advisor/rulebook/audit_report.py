"""The audit's result: findings, golden-case results, coverage, and how they are rendered.

Why apart from the checks: the text and JSON forms are contracts (docs/rules.md,
CI scripts read them) that change for other reasons than the checks producing
the findings.
"""

from __future__ import annotations

import dataclasses
from typing import Any

ERROR, WARNING = "error", "warning"


@dataclasses.dataclass(frozen=True, order=True)
class Finding:
    severity: str  # error | warning
    check: str  # gap | overlap | duplicate | conflict | shadowed | masked | subsumed | unreachable | dead_question | case_failed | case_invalid | no_cases | uncovered_rule | coverage
    where: str  # file:line
    table: str
    rules: tuple[str, ...]
    region: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.severity}: {self.check}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self) | {"rules": list(self.rules)}


@dataclasses.dataclass
class CaseResult:
    file: str
    status: str  # pass | fail | error
    problems: list[str]


@dataclasses.dataclass
class AuditReport:
    rules_dir: str
    rules_hash: str
    files: list[str]
    tables: int
    rules: int
    findings: list[Finding]
    cases: list[CaseResult]
    fired: list[str]
    uncovered: list[str]
    min_coverage: float
    table_ids: list[str] = dataclasses.field(default_factory=list)  # (not in the JSON form: JUnit's test cases)
    boundaries: int = 0  # threshold sides (two per threshold a rule draws on a numeric input)
    boundaries_covered: int = 0  # sides with a golden case in them
    suggested: list[str] = dataclasses.field(default_factory=list)  # case skeletons written (--suggest-cases)

    @property
    def boundary_pct(self) -> float:
        return 100.0 * self.boundaries_covered / self.boundaries if self.boundaries else 100.0

    @property
    def coverage_pct(self) -> float:
        return 100.0 * len(self.fired) / self.rules if self.rules else 100.0

    @property
    def errors(self) -> int:
        return sum(f.severity == ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == WARNING for f in self.findings)

    def exit_code(self, fail_on_warning: bool = False) -> int:
        if self.errors or (fail_on_warning and self.warnings):
            return 1
        return 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": 1,
            "status": "findings" if self.findings else "clean",
            "rules_dir": self.rules_dir,
            "rules_hash": self.rules_hash,
            "files": self.files,
            "summary": {
                "tables": self.tables,
                "rules": self.rules,
                "errors": self.errors,
                "warnings": self.warnings,
                "cases": len(self.cases),
                "cases_failed": sum(c.status != "pass" for c in self.cases),
            },
            "coverage": {
                "fired": len(self.fired),
                "total": self.rules,
                "percent": round(self.coverage_pct, 2),
                "min_percent": self.min_coverage,
                "uncovered": self.uncovered,
                "boundaries": {"sides": self.boundaries, "covered": self.boundaries_covered, "percent": round(self.boundary_pct, 2)},
            },
            "findings": [f.to_dict() for f in self.findings],
            "cases": [dataclasses.asdict(c) for c in self.cases],
            "problems": [],
        }

    def render_text(self) -> str:
        lines = [
            f"rules: {self.rules_dir} ({len(self.files)} files, {self.tables} tables, {self.rules} rules)",
            f"rules hash: {self.rules_hash}",
        ]
        passed = sum(c.status == "pass" for c in self.cases)
        lines.append(f"golden cases: {passed} passed, {len(self.cases) - passed} failed")
        lines.append(f"rule coverage: {self.coverage_pct:.1f}% ({len(self.fired)}/{self.rules} rules fired by golden cases)")
        lines.append(f"boundary coverage: {self.boundary_pct:.1f}% ({self.boundaries_covered}/{self.boundaries} threshold sides have a golden case)")
        if self.findings:
            lines.append(f"findings: {self.errors} error{'s' if self.errors != 1 else ''}, {self.warnings} warning{'s' if self.warnings != 1 else ''}")
            lines.extend(f"  {f}" for f in self.findings)
        else:
            lines.append("no findings")
        lines.extend(f"suggested case: {p}" for p in self.suggested)
        return "\n".join(lines) + "\n"
