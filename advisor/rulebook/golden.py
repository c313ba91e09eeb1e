"""Golden cases (``cases/*.yaml``): answers in, expected outputs (and report fields) out.

Each case runs through the real evaluator and, for ``expect_report``, the
recommendation; any mismatch is a finding, and the rules each case fires feed
the audit's rule coverage.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from pathlib import Path
from typing import Any

from advisor.rulebook.audit_report import ERROR, CaseResult, Finding
from advisor.rulebook.sources import display_path as _display


_JSONPATH = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\.(\d+)")


def json_path_get(data: Any, path: str) -> Any:
    """``$.a.b[0]`` or ``a.b.0`` -> value; KeyError when absent."""
    p = path.strip()
    if p.startswith("$"):
        p = p[1:]
    pos = 0
    cur = data
    while pos < len(p):
        m = _JSONPATH.match(p, pos)
        if not m:
            raise KeyError(path)
        name, idx, idx2 = m.groups()
        if name is not None:
            if isinstance(cur, list) and name.isdigit():
                cur = cur[int(name)]
            elif not isinstance(cur, dict) or name not in cur:
                raise KeyError(path)
            else:
                cur = cur[name]
        else:
            i = int(idx if idx is not None else idx2)
            if not isinstance(cur, list) or i >= len(cur):
                raise KeyError(path)
            cur = cur[i]
        pos = m.end()
    return cur


def _matches(expected: Any, actual: Any) -> bool:
    if isinstance(expected, dict) and set(expected) <= {"approx", "rel", "abs"} and "approx" in expected:
        if isinstance(actual, bool) or not isinstance(actual, (int, float)):
            return False
        return math.isclose(actual, expected["approx"], rel_tol=expected.get("rel", 1e-9), abs_tol=expected.get("abs", 0.0))
    if isinstance(expected, float) or isinstance(actual, float):
        if isinstance(expected, bool) or isinstance(actual, bool):
            return expected == actual
        if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
            return math.isclose(expected, actual, rel_tol=1e-9)
    return expected == actual


def _comparable(value: Any) -> Any:
    """Warnings/labels compare by id: ``[{id: x, message: ...}]`` -> ``[x]``."""
    if isinstance(value, list) and value and all(isinstance(v, dict) and "id" in v for v in value):
        return [v["id"] for v in value]
    return value


@dataclasses.dataclass
class LoadedCase:
    """A golden case file read and structurally checked (``problems`` empty), or why not."""

    name: str
    doc: Any = None
    case: Any = None
    problems: list[str] = dataclasses.field(default_factory=list)


def case_files(cases_dir: Path) -> list[Path]:
    """The case files of ``cases_dir``: ``*.yaml`` then ``*.yml``, each sorted."""
    from engine.safefile import directory_problem

    if directory_problem(cases_dir, "cases directory"):
        return []
    return sorted(cases_dir.glob("*.yaml")) + sorted(cases_dir.glob("*.yml"))


def load_case(path: Path) -> LoadedCase:
    from pydantic import ValidationError

    from advisor.rulebook import schema as S
    from advisor.rulebook.sources import pydantic_problems
    from engine.yamlsafe import YamlProblems, load_yaml_file

    name = _display(path)
    if not path.is_file():
        return LoadedCase(name, problems=[f"{name}: not a regular file (a directory, a dangling link or a device): not read"])
    try:
        doc = load_yaml_file(path, display=name)
    except YamlProblems as err:
        return LoadedCase(name, problems=[str(p) for p in err.problems])
    try:
        case = S.CaseFile.model_validate(doc.data if isinstance(doc.data, dict) else {})
    except ValidationError as err:
        return LoadedCase(name, doc, problems=[str(p) for p in pydantic_problems(err, S.CaseFile, doc.locator)])
    return LoadedCase(name, doc, case)


def case_answers(book: Any, lc: LoadedCase) -> tuple[Any, list[str]]:
    """The case's answers validated against ``book``: ``(Answers, [])`` or ``(None, messages)``."""
    from advisor.answers import RawAnswers, validate

    name, doc = lc.name, lc.doc
    where = {k: f"{name}:{doc.locator.position(('answers', k))[0]}:{doc.locator.position(('answers', k))[1]}" for k in lc.case.answers}
    answers, answer_problems = validate(book, RawAnswers(dict(lc.case.answers), where, None))
    if answer_problems:
        return None, [str(p) if p.where else f"{name}: {p}" for p in answer_problems]
    return answers, []


def run_cases(book: Any, cases_dir: Path, values_out: list | None = None) -> tuple[list[CaseResult], set[tuple[str, str]], list[Finding]]:
    """Run every golden case against ``book``: results, the (table, rule) pairs fired, findings.

    ``values_out`` (a list) receives ``(case file, answers, every value seen)``
    for each case that evaluated: boundary coverage and suggested cases start there.

    Nothing is skipped silently: an unreadable case, an exception while
    evaluating it, or an ``expect_report`` that cannot be checked is a finding.
    """
    results: list[CaseResult] = []
    fired: set[tuple[str, str]] = set()
    findings: list[Finding] = []
    files = case_files(cases_dir)
    if not files:
        from engine.safefile import directory_problem

        problem = directory_problem(cases_dir, "cases directory")
        why = f"{cases_dir}: {problem}" if problem and "not found" not in problem else f"no golden cases found in {cases_dir}"
        findings.append(Finding(ERROR, "no_cases", str(cases_dir), "", (), "", f"{why} (add answers + expected outputs as cases/*.yaml)"))
        return results, fired, findings
    for path in files:
        lc = load_case(path)
        if lc.problems:
            results.append(CaseResult(lc.name, "error", lc.problems))
            findings.extend(Finding(ERROR, "case_invalid", lc.name, "", (), "", p) for p in lc.problems)
            continue
        try:
            check, status, problems, case_fired = _run_case(book, lc, values_out)
        except Exception as err:  # a bug or an unforeseen input: a finding, never a skipped case
            check, status, case_fired = "case_error", "error", set()
            problems = [f"{lc.name}: evaluating the case raised {type(err).__name__}: {err}"]
        fired |= case_fired
        results.append(CaseResult(lc.name, status, problems))
        findings.extend(Finding(ERROR, check, lc.name, "", (), "", p) for p in problems)
    return results, fired, findings


def _run_case(book: Any, lc: LoadedCase, values_out: list | None = None) -> tuple[str, str, list[str], set[tuple[str, str]]]:
    """``(finding check, status, problems, fired)`` for one readable case."""
    from advisor.rulebook.evaluator import EvaluationError, evaluate

    name, doc, case = lc.name, lc.doc, lc.case
    answers, msgs = case_answers(book, lc)
    if msgs:
        return "case_invalid", "error", msgs, set()
    try:
        ev = evaluate(book, answers)
    except EvaluationError as err:
        return "case_failed", "error", [f"{name}: {err}"], set()
    if values_out is not None:
        values_out.append((name, dict(case.answers), dict(ev.values)))
    problems: list[str] = []
    for key, expected in case.expect.items():
        line, col = doc.locator.position(("expect", key))
        if key not in ev.outputs:
            problems.append(f"{name}:{line}:{col}: expect.{key}: no such output")
        elif not _matches(expected, _comparable(ev.outputs[key])):
            problems.append(f"{name}:{line}:{col}: expect.{key}: expected {json.dumps(expected)}, got {json.dumps(_comparable(ev.outputs[key]))}")
    fired_names = {f"{t}.{r}" for t, r in ev.fired()}
    for i, rule in enumerate(case.expect_rules):
        if rule not in fired_names:
            line, col = doc.locator.position(("expect_rules", i))
            problems.append(f"{name}:{line}:{col}: expect_rules: rule {rule} did not fire")
    if case.expect_report:
        problems.extend(_check_report(book, lc))
    return "case_failed", ("fail" if problems else "pass"), problems, ev.fired()


def recommendation_data(book: Any, answers: Any) -> dict[str, Any]:
    """The recommendation report for ``answers`` decided by ``book`` (the rulebook under audit), as JSON data.

    The report date is fixed so expected values never depend on the day.
    """
    from advisor.pipeline import recommend

    report = recommend(dict(answers), rulebook=book, generated_on="1970-01-01")
    return report.model_dump(mode="json") if hasattr(report, "model_dump") else report


def _check_report(book: Any, lc: LoadedCase) -> list[str]:
    name, doc, case = lc.name, lc.doc, lc.case
    try:
        data = recommendation_data(book, case.answers)
    except Exception as err:  # the engine refused these answers, or the pipeline is unusable: a failed case
        line, col = doc.locator.position(("expect_report",))
        return [f"{name}:{line}:{col}: expect_report: the recommendation failed: {type(err).__name__}: {err}"]
    problems = []
    for path, expected in case.expect_report.items():
        line, col = doc.locator.position(("expect_report", path))
        try:
            actual = json_path_get(data, path)
        except (KeyError, IndexError, TypeError):
            problems.append(f"{name}:{line}:{col}: expect_report.{path}: no such field in the report")
            continue
        if not _matches(expected, _comparable(actual)):
            problems.append(f"{name}:{line}:{col}: expect_report.{path}: expected {json.dumps(expected)}, got {json.dumps(_comparable(actual), default=str)}")
    return problems
