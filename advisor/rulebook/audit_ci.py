"""The audit for CI: SARIF 2.1.0 (GitHub code scanning shows findings on the rule files' lines) and JUnit XML.

Why here and not in :mod:`.audit_report`: these are renderings of the same
report for other consumers, with their own formats and rules (SARIF rule
metadata, JUnit test cases); the text and JSON contracts stay untouched.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

#: one line per check: SARIF rule descriptions (docs/rules.md has the full table)
CHECKS = {
    "gap": "An input region no rule covers",
    "overlap": "Several rules match (hit policy unique)",
    "duplicate": "Two rules with identical conditions and outputs",
    "conflict": "Identical conditions, different outputs",
    "shadowed": "A rule that never decides: earlier rules match everywhere it does",
    "masked": "A rule that never decides: higher-priority outputs win everywhere it matches",
    "unreachable": "No feasible input matches the rule",
    "subsumed": "A rule inside another with the same outputs",
    "too_complex": "A table too complex to sweep exhaustively: checked by sampling",
    "dead_question": "A question nothing uses",
    "manifest": "The rules do not provide what the pipeline reads",
    "missing_file": "A rule file the manifest declares is missing",
    "not_read": "An entry that looks like rules but is not a regular file",
    "unknown_file": "An entry of the rules directory the loader does not read",
    "case_invalid": "A golden case that cannot be read or whose answers are invalid",
    "case_failed": "A golden case whose expectation does not hold",
    "case_error": "Evaluating a golden case raised an exception",
    "no_cases": "No golden case found",
    "uncovered_rule": "A rule no golden case fires",
    "uncovered_boundary": "A region boundary no golden case sits on either side of",
    "coverage": "Rule coverage under --min-coverage",
}
_POSITION = re.compile(r"^(?P<file>.+?):(?P<line>\d+)(?::(?P<col>\d+))?$")
_IN_MESSAGE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): ")


def location(f: Any) -> tuple[str, int | None, int | None]:
    """``(file, line, column)`` of a finding; a case problem's position is read from its message."""
    m = _POSITION.match(f.where)
    if m:
        return m["file"], int(m["line"]), int(m["col"]) if m["col"] else None
    m = _IN_MESSAGE.match(f.message)
    if m and m["file"] == f.where:
        return m["file"], int(m["line"]), int(m["col"])
    return f.where, None, None


def _uri(file: str) -> str:
    p = Path(file)
    return p.as_uri() if p.is_absolute() else p.as_posix()


def render_sarif(report: Any) -> str:
    """SARIF 2.1.0 log: one run, one result per finding, located on its file:line:column."""
    used = sorted({f.check for f in report.findings})
    index = {c: i for i, c in enumerate(used)}
    results = []
    for f in report.findings:
        file, line, col = location(f)
        physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(file)}}
        if line:
            physical["region"] = {"startLine": line} | ({"startColumn": col} if col else {})
        result = {
            "ruleId": f.check,
            "ruleIndex": index[f.check],
            "level": "error" if f.severity == "error" else "warning",
            "message": {"text": f.message},
            "locations": [{"physicalLocation": physical}],
        }
        if f.table:
            result["properties"] = {"table": f.table, "rules": list(f.rules), "region": f.region}
        results.append(result)
    log = {
        "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "sizewise-audit",
                        "rules": [{"id": c, "shortDescription": {"text": CHECKS.get(c, c)}} for c in used],
                    }
                },
                "properties": {"rules_dir": report.rules_dir, "rules_hash": report.rules_hash},
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, sort_keys=True) + "\n"


def render_junit(report: Any) -> str:
    """JUnit XML: a test case per table (its findings), per golden case, and one for the rulebook as a whole."""
    cases: list[tuple[str, str, list[Any]]] = [("tables", t, []) for t in report.table_ids]
    by_table = {name: items for _, name, items in cases}
    rulebook: list[Any] = []
    golden = {c.file: c for c in report.cases}
    for f in report.findings:
        if f.table and f.table in by_table:
            by_table[f.table].append(f)
        elif f.check.startswith("case_") and f.where in golden:
            continue  # reported by the golden case's own test case
        else:
            rulebook.append(f)
    suite = ET.Element("testsuite", name="sizewise audit", tests="0", failures="0", errors="0")
    failures = 0

    def add(classname: str, name: str, problems: list[str], warnings: list[str]) -> None:
        nonlocal failures
        tc = ET.SubElement(suite, "testcase", classname=classname, name=name)
        if problems:
            failures += 1
            fail = ET.SubElement(tc, "failure", message=problems[0][:200], type="error")
            fail.text = "\n".join(problems)
        if warnings:
            ET.SubElement(tc, "system-out").text = "\n".join(warnings)

    for classname, name, items in cases:
        add(classname, name, [str(f) for f in items if f.severity == "error"], [str(f) for f in items if f.severity != "error"])
    for c in report.cases:
        add("golden_cases", c.file, list(c.problems) if c.status != "pass" else [], [])
    add("rulebook", report.rules_dir, [str(f) for f in rulebook if f.severity == "error"], [str(f) for f in rulebook if f.severity != "error"])
    suite.set("tests", str(len(suite)))
    suite.set("failures", str(failures))
    root = ET.Element("testsuites", name="sizewise audit", tests=suite.get("tests"), failures=str(failures), errors="0")
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
