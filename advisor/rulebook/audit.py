"""``sizewise audit``: is the rulebook complete, consistent, covered by golden cases?

Checks, in the order they are reported (docs/rules.md documents each):

* schema and references: done by the loader (an unusable rulebook is exit 2);
* per table, judged by its hit policy, and dead questions
  (:mod:`.table_checks`);
* golden cases (``cases/*.yaml``): each run through the real evaluator (and
  the recommendation, for ``expect_report``); any mismatch fails, no cases
  fails (:mod:`.golden`);
* the manifest (what the pipeline reads) and the directory's files
  (:mod:`.contract`);
* boundary coverage: thresholds with no golden case on one side (:mod:`.boundaries`);
* rule coverage (rules no case fires are listed; ``--min-coverage``): here.

Every finding names the table, the rules, and the region in words; the
result and its renderings live in :mod:`.audit_report`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from advisor.rulebook.audit_report import ERROR, WARNING, AuditReport, CaseResult, Finding  # noqa: F401  (re-exported)
from advisor.rulebook.boundaries import boundary_findings, boundary_sides, covered_sides, suggest_cases
from advisor.rulebook.contract import inventory_findings, manifest_findings  # noqa: F401  (re-exported)
from advisor.rulebook.golden import json_path_get, run_cases  # noqa: F401  (re-exported)
from advisor.rulebook.sources import display_path as _display
from advisor.rulebook.table_checks import feasibility_boxes, static_findings, table_findings  # noqa: F401  (re-exported)


def audit(book: Any, cases_dir: Path | None = None, min_coverage: float = 0.0, suggest_dir: Path | None = None) -> AuditReport:
    """Run every check; ``cases_dir`` defaults to ``<rules dir>/cases``.

    ``suggest_dir``: write a golden-case skeleton there for each threshold side
    no case covers (see :mod:`.boundaries`).

    ``book`` is a loaded :class:`Rulebook`, or a rules directory (str/Path, or
    None for the shipped rules) to load first (``RulebookError`` if unusable).
    """
    if book is None or isinstance(book, (str, Path)):
        from advisor.rulebook.loader import load_rulebook

        book = load_rulebook(book)
    findings = static_findings(book) + manifest_findings(book) + inventory_findings(Path(book.directory))
    cases_dir = Path(cases_dir) if cases_dir is not None else Path(book.directory) / "cases"
    seen: list = []
    cases, fired, case_findings = run_cases(book, cases_dir, seen)
    findings.extend(case_findings)
    sides = boundary_sides(book)
    covered = covered_sides(sides, [values for _, _, values in seen])
    if cases:
        findings.extend(boundary_findings(sides, covered))
    suggested = suggest_cases(book, sides, covered, [(n, a) for n, a, _ in seen], Path(suggest_dir)) if suggest_dir is not None else []
    all_rules = [(t.id, r.id, f"{r.where.file}:{r.where.line}:{r.where.column}") for t in book.tables for r in t.rules]
    uncovered = [f"{t}.{r}" for t, r, _ in all_rules if (t, r) not in fired]
    if cases:
        for t, r, w in all_rules:
            if (t, r) not in fired:
                findings.append(Finding(WARNING, "uncovered_rule", w, t, (r,), "", f"table {t}: rule {r} is fired by no golden case"))
    total = len(all_rules)
    pct = 100.0 * (total - len(uncovered)) / total if total else 100.0
    if pct + 1e-9 < min_coverage:
        findings.append(Finding(ERROR, "coverage", _display(cases_dir), "", (), "", f"rule coverage {pct:.1f}% is below --min-coverage {min_coverage:g}%"))
    return AuditReport(
        rules_dir=_display(Path(book.directory)),
        rules_hash=book.hash,
        files=list(book.files),
        tables=len(book.tables),
        rules=total,
        findings=findings,
        cases=cases,
        fired=sorted(f"{t}.{r}" for t, r in fired),
        uncovered=uncovered,
        min_coverage=min_coverage,
        table_ids=[t.id for t in book.tables],
        boundaries=len(sides),
        boundaries_covered=len(covered),
        suggested=[_display(p) for p in suggested],
    )
