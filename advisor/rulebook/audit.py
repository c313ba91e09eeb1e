"""``sizewise audit``: is the rulebook complete, consistent, covered by golden cases?

Checks, in the order they are reported (docs/rules.md documents each):

* schema and references: done by the loader (an unusable rulebook is exit 2);
* per table, judged by its hit policy (sweep over sorted bounds, see
  :mod:`.sweep`): gaps (unique/first/priority), overlaps (unique), duplicate and
  conflicting rules (identical conditions; same / different outputs), shadowed
  rules (first: earlier rules win everywhere it matches), masked rules
  (priority: better-ranked outputs win everywhere), subsumed rules (a rule
  inside another with the same outputs: redundant), unreachable rules (no
  feasible input matches them);
* dead questions (used by no table, derived value, condition, message or output);
* golden cases (``cases/*.yaml``): each run through the real evaluator (and
  the recommendation, for ``expect_report``); any mismatch fails, no cases
  fails; rule coverage (rules no case fires are listed; ``--min-coverage``).

Every finding names the table, the rules, and the region in words.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from pathlib import Path
from typing import Any

from advisor.rulebook.conditions import NULL_INTERVAL, Condition, Domain, intersect, subtract
from advisor.rulebook.sweep import Box, box_contains, describe_box, rule_box, sweep

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
        if self.findings:
            lines.append(f"findings: {self.errors} error{'s' if self.errors != 1 else ''}, {self.warnings} warning{'s' if self.warnings != 1 else ''}")
            lines.extend(f"  {f}" for f in self.findings)
        else:
            lines.append("no findings")
        return "\n".join(lines) + "\n"


# --- static checks ------------------------------------------------------------------


def feasibility_boxes(book: Any, domains: list[Domain]) -> list[Box]:
    """Regions of a table's input space that cannot occur.

    From each input question with a ``when`` whose columns are all inputs of
    the table: "not asked" while the ``when`` holds, and "asked" while it does
    not. From each ``impossible`` declaration whose columns are all inputs.
    (A constraint on a column outside the table says nothing about the
    table's space: that column can take any value.)
    """
    index = {d.id: j for j, d in enumerate(domains)}
    full = [d.pieces for d in domains]
    boxes: list[Box] = []

    def box_of(cond: Condition, extra: dict[int, tuple] | None = None) -> Box:
        b = list(full)
        for t in cond.tests:
            b[index[t.column]] = intersect(b[index[t.column]], t.intervals)
        for j, cs in (extra or {}).items():
            b[j] = intersect(b[j], cs)
        return tuple(b)

    for d in domains:
        cq = book.questions.get(d.id)
        if cq is None or cq.when is None or not all(c in index for c in cq.when.columns):
            continue
        j = index[d.id]
        boxes.append(box_of(cq.when, {j: (NULL_INTERVAL,)}))  # not asked although the condition holds
        asked = subtract(full[j], (NULL_INTERVAL,))
        for t in cq.when.tests:
            k = index[t.column]
            b = list(full)
            b[k] = subtract(full[k], t.intervals)
            b[j] = intersect(b[j], asked)
            boxes.append(tuple(b))  # asked although the condition fails
    for _imp, cond, _w in book.impossible:
        if cond.tests and all(c in index for c in cond.columns):
            boxes.append(box_of(cond))
    return [b for b in boxes if all(cs for cs in b)]


def table_findings(book: Any, table: Any) -> list[Finding]:
    """Hit-policy-aware findings for one compiled table."""
    domains = list(table.domains)
    policy = table.model.hit_policy
    rules = table.rules
    boxes = [rule_box(domains, r.condition) for r in rules]
    infeasible = feasibility_boxes(book, domains)
    outputs = table.model.outputs

    def rank(i: int) -> tuple:
        return tuple(o.values.index(rules[i].outputs[o.id]) if o.id in rules[i].outputs and o.values else math.inf for o in outputs)

    if policy == "first":
        winners = lambda active: active[:1]  # noqa: E731
    elif policy == "priority":
        def winners(active: list[int]) -> list[int]:
            best = min(rank(i) for i in active)
            return [i for i in active if rank(i) == best][:1]
    else:
        winners = None
    if policy == "collect":
        result = _collect_sweep(domains, boxes, infeasible)
    else:
        result = sweep(domains, boxes, infeasible, winners)
    where = f"{table.where.file}:{table.where.line}:{table.where.column}"
    tid = table.id
    out: list[Finding] = []

    def rw(i: int) -> str:
        w = rules[i].where
        return f"{w.file}:{w.line}:{w.column}"

    def region(i: int) -> str:
        return describe_box(domains, boxes[i])

    same_inputs: set[tuple[int, int]] = set()
    candidates: set[tuple[int, int]] = set()
    for _box, rs in result.overlaps:
        for a in range(len(rs)):
            for b in range(a + 1, len(rs)):
                candidates.add((rs[a], rs[b]))
    reported: set[int] = set()
    for a, b in sorted(candidates):
        if boxes[a] == boxes[b]:
            same_inputs.add((a, b))
            ra, rb = rules[a].id, rules[b].id
            if rules[a].outputs == rules[b].outputs:
                out.append(Finding(ERROR, "duplicate", rw(b), tid, (ra, rb), region(a), f"table {tid}: rules {ra} and {rb} are duplicates (same conditions, same outputs) where {region(a)}"))
            elif policy != "collect":
                out.append(Finding(ERROR, "conflict", rw(b), tid, (ra, rb), region(a), f"table {tid}: rules {ra} and {rb} conflict (same conditions, different outputs) where {region(a)}"))
            reported.add(b)

    for i, r in enumerate(rules):
        if not result.reachable[i]:
            out.append(Finding(ERROR, "unreachable", rw(i), tid, (r.id,), region(i), f"table {tid}: rule {r.id} can never match: no feasible input satisfies {region(i)}"))
            reported.add(i)

    if policy != "collect":
        for box in result.gaps:
            text = describe_box(domains, box)
            out.append(Finding(ERROR, "gap", where, tid, (), text, f"table {tid}: no rule covers {text}"))
    if policy == "unique":
        for box, rs in result.overlaps:
            pairs = {(rs[a], rs[b]) for a in range(len(rs)) for b in range(a + 1, len(rs))}
            if pairs <= same_inputs:
                continue
            names = tuple(rules[i].id for i in rs)
            text = describe_box(domains, box)
            out.append(Finding(ERROR, "overlap", rw(rs[-1]), tid, names, text, f"table {tid}: rules {', '.join(names)} all match where {text} (hit policy unique)"))
    if policy in ("first", "priority"):
        for i, r in enumerate(rules):
            if result.reachable[i] and not result.wins[i] and i not in reported:
                check = "shadowed" if policy == "first" else "masked"
                how = "earlier rules match everywhere it does" if policy == "first" else "rules with a higher-priority output match everywhere it does"
                hiders = sorted({rules[j].id for box, rs in result.overlaps if i in rs for j in rs if j != i and (j < i if policy == "first" else rank(j) < rank(i))})
                out.append(Finding(ERROR, check, rw(i), tid, (r.id, *hiders), region(i), f"table {tid}: rule {r.id} never decides: {how} ({', '.join(hiders)}), where {region(i)}"))
                reported.add(i)
    # subsumed: inside another rule with the same outputs (redundant)
    for a, b in sorted(candidates):
        for inner, outer in ((a, b), (b, a)):
            if inner in reported or (min(a, b), max(a, b)) in same_inputs:
                continue
            if rules[inner].outputs == rules[outer].outputs and box_contains(boxes[outer], boxes[inner]):
                ri, ro = rules[inner].id, rules[outer].id
                out.append(Finding(WARNING, "subsumed", rw(inner), tid, (ri, ro), region(inner), f"table {tid}: rule {ri} is subsumed by rule {ro} (same outputs, and {ro} matches everywhere {ri} does); remove {ri}"))
                reported.add(inner)
    return out


def _collect_sweep(domains: list[Domain], boxes: list[Box], infeasible: list[Box]):
    """Collect tables: overlaps are the point, so only reachability and overlapping pairs matter.

    A full sweep would enumerate every combination of independent conditions
    (the warnings table has 11 inputs); instead each rule, and each pairwise
    intersection, is swept alone against the infeasible regions.
    """
    from advisor.rulebook.sweep import SweepResult

    n = len(boxes)
    reachable = [sweep(domains, [b], infeasible, merge=False).reachable[0] for b in boxes]
    overlaps = []
    for a in range(n):
        for b in range(a + 1, n):
            inter = tuple(intersect(x, y) for x, y in zip(boxes[a], boxes[b]))
            if all(inter) and sweep(domains, [inter], infeasible, merge=False).reachable[0]:
                overlaps.append((inter, (a, b)))
    return SweepResult([], overlaps, reachable, list(reachable), 0)


def static_findings(book: Any) -> list[Finding]:
    """Table checks plus dead questions: everything that needs no golden case."""
    out: list[Finding] = []
    for table in book.tables:
        out.extend(table_findings(book, table))
    for qid, users in book.uses.items():
        if not users:
            cq = book.questions[qid]
            out.append(Finding(WARNING, "dead_question", f"{cq.where.file}:{cq.where.line}:{cq.where.column}", "", (), "", f"question {qid} is used by no table, derived value, condition, message or output"))
    return sorted(out, key=_order)


def _order(f: Finding) -> tuple:
    parts = f.where.split(":")
    nums = tuple(int(p) for p in parts[1:] if p.isdigit())
    return (parts[0], nums, f.check, f.rules, f.region)


# --- golden cases -------------------------------------------------------------------


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
    from advisor.rulebook.loader import pydantic_problems
    from engine.yamlsafe import YamlProblems, load_yaml_file

    results: list[CaseResult] = []
    fired: set[tuple[str, str]] = set()
    findings: list[Finding] = []
    from engine.safefile import directory_problem

    problem = directory_problem(cases_dir, "cases directory")
    files = sorted(p for p in cases_dir.glob("*.yaml")) + sorted(cases_dir.glob("*.yml")) if not problem else []
    if not files:
        why = f"{cases_dir}: {problem}" if problem and "not found" not in problem else f"no golden cases found in {cases_dir}"
        findings.append(Finding(ERROR, "no_cases", str(cases_dir), "", (), "", f"{why} (add answers + expected outputs as cases/*.yaml)"))
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
    """``advisor.recommend.recommend_from_answers`` when the recommendation exists (else None)."""
    try:
        from advisor.recommend import recommend_from_answers
    except Exception:  # not built yet, or unusable: engine-backed expectations are skipped
        return None
    return recommend_from_answers


def _display(p: Path) -> str:
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


def audit(book: Any, cases_dir: Path | None = None, min_coverage: float = 0.0) -> AuditReport:
    """Run every check; ``cases_dir`` defaults to ``<rules dir>/cases``.

    ``book`` is a loaded :class:`Rulebook`, or a rules directory (str/Path, or
    None for the shipped rules) to load first (``RulebookError`` if unusable).
    """
    if book is None or isinstance(book, (str, Path)):
        from advisor.rulebook.loader import load_rulebook

        book = load_rulebook(book)
    findings = static_findings(book)
    cases_dir = Path(cases_dir) if cases_dir is not None else Path(book.directory) / "cases"
    cases, fired, case_findings = run_cases(book, cases_dir)
    findings.extend(case_findings)
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
    )
