"""Golden cases (``cases/*.yaml``): answers in, expected outputs (and report fields) out.

Each case runs through the real evaluator and, for ``expect_report``, the
recommendation; any mismatch is a finding, and the rules each case fires feed
the audit's rule coverage.
"""

from __future__ import annotations

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


def run_cases(book: Any, cases_dir: Path) -> tuple[list[CaseResult], set[tuple[str, str]], list[Finding]]:
    from pydantic import ValidationError

    from advisor.answers import RawAnswers, validate
    from advisor.rulebook import schema as S
    from advisor.rulebook.evaluator import EvaluationError, evaluate
    from advisor.rulebook.sources import pydantic_problems
    from engine.yamlsafe import YamlProblems, load_yaml_file

    results: list[CaseResult] = []
    fired: set[tuple[str, str]] = set()
    findings: list[Finding] = []
    files = sorted(p for p in cases_dir.glob("*.yaml")) + sorted(cases_dir.glob("*.yml")) if cases_dir.is_dir() else []
    if not files:
        findings.append(Finding(ERROR, "no_cases", str(cases_dir), "", (), "", f"no golden cases found in {cases_dir} (add answers + expected outputs as cases/*.yaml)"))
        return results, fired, findings
    recommend = _recommend_fn()
    for path in files:
        name = _display(path)
        problems: list[str] = []
        try:
            doc = load_yaml_file(path, display=name)
            case = S.CaseFile.model_validate(doc.data if isinstance(doc.data, dict) else {})
        except YamlProblems as err:
            problems = [str(p) for p in err.problems]
        except ValidationError as err:
            problems = [str(p) for p in pydantic_problems(err, S.CaseFile, doc.locator)]
        if problems:
            results.append(CaseResult(name, "error", problems))
            findings.extend(Finding(ERROR, "case_invalid", name, "", (), "", p) for p in problems)
            continue
        where = {k: f"{name}:{doc.locator.position(('answers', k))[0]}:{doc.locator.position(('answers', k))[1]}" for k in case.answers}
        answers, answer_problems = validate(book, RawAnswers(dict(case.answers), where, None))
        if answer_problems:
            msgs = [str(p) if p.where else f"{name}: {p}" for p in answer_problems]
            results.append(CaseResult(name, "error", msgs))
            findings.extend(Finding(ERROR, "case_invalid", name, "", (), "", m) for m in msgs)
            continue
        try:
            ev = evaluate(book, answers)
        except EvaluationError as err:
            results.append(CaseResult(name, "error", [str(err)]))
            findings.append(Finding(ERROR, "case_failed", name, "", (), "", f"{name}: {err}"))
            continue
        fired |= ev.fired()
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
        if case.expect_report and recommend is not None:
            try:
                report = recommend(dict(case.answers))
                data = report.model_dump(mode="json") if hasattr(report, "model_dump") else report
            except Exception as err:  # the engine refused these answers: a failed case, not a crash
                problems.append(f"{name}: expect_report: the recommendation failed: {type(err).__name__}: {err}")
                data = None
            if data is not None:
                for path, expected in case.expect_report.items():
                    line, col = doc.locator.position(("expect_report", path))
                    try:
                        actual = json_path_get(data, path)
                    except (KeyError, IndexError, TypeError):
                        problems.append(f"{name}:{line}:{col}: expect_report.{path}: no such field in the report")
                        continue
                    if not _matches(expected, _comparable(actual)):
                        problems.append(f"{name}:{line}:{col}: expect_report.{path}: expected {json.dumps(expected)}, got {json.dumps(_comparable(actual), default=str)}")
        results.append(CaseResult(name, "fail" if problems else "pass", problems))
        findings.extend(Finding(ERROR, "case_failed", name, "", (), "", p) for p in problems)
    return results, fired, findings


def _recommend_fn():
    """``advisor.pipeline.recommend_from_answers`` when the recommendation exists (else None)."""
    try:
        from advisor.pipeline import recommend_from_answers
    except Exception:  # not built yet, or unusable: engine-backed expectations are skipped
        return None
    return recommend_from_answers
