"""Load the rule files into a checked, compiled :class:`Rulebook`.

Every problem of every file is collected (file:line:column, YAML path,
message) and raised together as one :class:`RulebookError` (exit code 2), so
an architect fixes a whole batch per run instead of one error at a time.

Checks made here (the "schema and references" part of the audit): structure
(pydantic, unknown keys, wrong types), duplicate ids, references to unknown
questions/inputs/values/messages, conditions on inputs that cannot be analysed,
cycles in ``when``/defaults/derived values/tables, defaults failing their own
validation, outputs produced by two tables, rules setting undeclared outputs.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from advisor.errors import UserError
from advisor.rulebook import schema as S
from advisor.rulebook.conditions import Condition, Domain, compile_condition, fmt_value
from advisor.rulebook.derive import Expr, ExprError, compile_expr
from advisor.rulebook.hashing import content_hash
from advisor.rulebook.values import Invalid, validate_value
from engine.yamlsafe import Document, Locator, Problem, YamlProblems, format_path, load_yaml_file

SIZES = ("7b", "13b", "30b", "70b", "175b")
_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


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


def shipped_rules_dir() -> Path:
    """``advisor/_rules`` in an installed wheel, else the repository's ``rules/``."""
    import advisor

    pkg = Path(advisor.__file__).parent
    inside = pkg / "_rules"
    if inside.is_dir():
        return inside
    return pkg.parent / "rules"


def load_rulebook(rules_dir: str | Path | None = None) -> Rulebook:
    """Load, check and compile every rule file of ``rules_dir`` (None = shipped rules)."""
    directory = Path(rules_dir) if rules_dir is not None else shipped_rules_dir()
    return _Loader(directory).run()


# --- pydantic errors -> problems -----------------------------------------------------


def _unwrap_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _unwrap_model(arg)
        if found is not None:
            return found
    return None


def _model_at(root: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    cls: type[BaseModel] | None = root
    for part in loc:
        if isinstance(part, int):
            continue
        if cls is None or part not in cls.model_fields:
            return None
        cls = _unwrap_model(cls.model_fields[part].annotation)
    return cls


def _short(value: Any) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def pydantic_problems(err: ValidationError, root: type[BaseModel], locator: Locator, prefix: tuple = ()) -> list[Problem]:
    """Translate a pydantic error into positioned problems with plain messages."""
    out = []
    for e in err.errors(include_url=False):
        loc = prefix + tuple(e["loc"])
        kind = e["type"]
        if kind == "extra_forbidden":
            parent = _model_at(root, tuple(e["loc"])[:-1])
            field = loc[-1]
            known = sorted(parent.model_fields) if parent else []
            hint = difflib.get_close_matches(str(field), known, n=1, cutoff=0.6)
            did = f"; did you mean '{hint[0]}'?" if hint else (f" (allowed: {', '.join(known)})" if known else "")
            out.append(locator.problem(loc, f"unknown key '{field}'{did}", key=True))
        elif kind == "missing":
            out.append(locator.problem(loc[:-1], f"missing required key '{loc[-1]}'"))
        elif kind == "string_pattern_mismatch":
            out.append(locator.problem(loc, f"'{e['input']}' is not a valid id (lower_snake_case: a-z, 0-9 and _)"))
        elif kind == "value_error":
            msg = e["msg"].removeprefix("Value error, ")
            out.append(locator.problem(loc, msg))
        else:
            msg = e["msg"]
            msg = msg[0].lower() + msg[1:]
            if "input" in e and kind not in ("too_short",):
                msg += f", got {_short(e['input'])}"
            out.append(locator.problem(loc, msg))
    return out


# --- the loader -----------------------------------------------------------------------


class _Loader:
    def __init__(self, directory: Path):
        self.dir = directory
        self.problems: list[Problem] = []
        self.docs: dict[str, Document] = {}

    def problem(self, where: Where | tuple[str, tuple], message: str, *, sub: tuple = (), key: bool = False) -> None:
        file, path = (where.file, None) if isinstance(where, Where) else where
        locator = self.docs[file].locator
        if isinstance(where, Where):
            path = self._paths[(file, where.path)]
        self.problems.append(locator.problem(tuple(path) + tuple(sub), message, key=key))

    def _where(self, file: str, path: tuple) -> Where:
        line, col = self.docs[file].locator.position(path)
        w = Where(file, line, col, format_path(path))
        self._paths[(file, w.path)] = path
        return w

    def run(self) -> Rulebook:
        self._paths: dict[tuple[str, str], tuple] = {}
        from engine.safefile import directory_problem

        problem = directory_problem(self.dir, "rules directory")
        if problem:
            raise RulebookError([Problem(str(self.dir), 0, 0, "", problem)])
        paths = sorted(p for p in self.dir.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
        if not paths:
            raise RulebookError([Problem(str(self.dir), 0, 0, "", "no rule files (*.yaml) in the rules directory")])
        files: list[tuple[str, S.RuleFile]] = []
        for p in paths:
            name = self._display(p)
            try:
                doc = load_yaml_file(p, display=name)
            except YamlProblems as err:
                self.problems.extend(err.problems)
                continue
            self.docs[name] = doc
            if not isinstance(doc.data, dict):
                self.problems.append(doc.locator.problem((), "a rule file must be a mapping (questions:, tables:, ...)"))
                continue
            try:
                files.append((name, S.RuleFile.model_validate(doc.data)))
            except ValidationError as err:
                self.problems.extend(pydantic_problems(err, S.RuleFile, doc.locator))
        if self.problems:
            # structure is broken: semantic checks would only add noise
            raise RulebookError(self.problems)
        book = self._compile(files)
        if self.problems:
            raise RulebookError(self.problems)
        return book

    def _display(self, p: Path) -> str:
        try:
            return str(p.resolve().relative_to(Path.cwd().resolve()))
        except ValueError:
            return str(p)

    # -- compile --------------------------------------------------------------------

    def _compile(self, files: list[tuple[str, S.RuleFile]]) -> Rulebook:
        seen: dict[str, Where] = {}
        seen_messages: dict[str, Where] = {}  # messages have their own id namespace

        def claimed(name: str, section: str, kind: str, items: list, ids: dict[str, Where] = seen):
            """Yield (item, where) for each item whose id is new in `ids`; report the others."""
            for i, item in enumerate(items):
                where = self._where(name, (section, i))
                if item.id in ids:
                    first = ids[item.id]
                    self.problem(where, f"{kind} id '{item.id}' is already used at {first.file}:{first.line}", sub=("id",))
                    continue
                ids[item.id] = where
                yield item, where

        questions: dict[str, tuple[S.Question, Where]] = {}
        derived_raw: dict[str, tuple[S.Derived, Where]] = {}
        evidence: dict[str, tuple[S.Evidence, Where]] = {}
        tables_raw: list[tuple[S.Table, Where]] = []
        messages: dict[str, tuple[S.Message, Where]] = {}
        impossible_raw: list[tuple[S.Impossible, Where]] = []
        for name, rf in files:
            for q, w in claimed(name, "questions", "question", rf.questions):
                questions[q.id] = (q, w)
            for d, w in claimed(name, "derived", "derived value", rf.derived):
                derived_raw[d.id] = (d, w)
            for e, w in claimed(name, "evidence", "evidence", rf.evidence):
                evidence[e.id] = (e, w)
            for t, w in claimed(name, "tables", "table", rf.tables):
                tables_raw.append((t, w))
            for m, w in claimed(name, "messages", "message", rf.messages, seen_messages):
                messages[m.id] = (m, w)
            for i, imp in enumerate(rf.impossible):
                impossible_raw.append((imp, self._where(name, ("impossible", i))))

        domains: dict[str, Domain] = {}
        not_analysable: dict[str, str] = {}
        # questions' domains
        for qid, (q, w) in questions.items():
            nullable = q.when is not None
            if q.type == "choice":
                if not q.choices:
                    self.problem(w, "a choice question needs 'choices'", sub=("type",))
                    continue
                vals = [c.value for c in q.choices]
                for j, v in enumerate(vals):
                    if vals.index(v) != j:
                        self.problem(w, f"duplicate choice '{v}'", sub=("choices", j, "value"))
                domains[qid] = Domain(qid, "finite", tuple(dict.fromkeys(vals)), nullable=nullable)
            elif q.type == "boolean":
                domains[qid] = Domain(qid, "finite", (False, True), nullable=nullable)
            elif q.type in ("number", "integer"):
                if q.bounds is None:
                    self.problem(w, f"a {q.type} question needs 'bounds' (min and max)", sub=("type",))
                    continue
                if q.bounds.min > q.bounds.max:
                    self.problem(w, f"bounds: min {fmt_value(q.bounds.min)} is greater than max {fmt_value(q.bounds.max)}", sub=("bounds",))
                    continue
                nullable = nullable or ("default" in q.model_fields_set and q.default is None)
                domains[qid] = Domain(qid, "numeric", lo=q.bounds.min, hi=q.bounds.max, integer=q.type == "integer", nullable=nullable)
            else:
                not_analysable[qid] = "a text question"
            if q.type != "choice" and q.choices:
                self.problem(w, f"'choices' is only for choice questions (this one is {q.type})", sub=("choices",))
        question_scope = dict(domains)

        # questions: when, defaults, checks
        compiled_q: dict[str, CompiledQuestion] = {}
        for qid, (q, w) in questions.items():
            when = self._condition(q.when, question_scope, not_analysable, w, ("when",)) if q.when is not None else None
            cases = self._defaults(q, w, question_scope, not_analysable)
            checks = tuple(
                (
                    self._condition(c.when, question_scope, not_analysable, w, ("checks", i, "when")) if c.when is not None else Condition(),
                    self._condition(c.require, question_scope, not_analysable, w, ("checks", i, "require")),
                    c.message,
                )
                for i, c in enumerate(q.checks)
            )
            compiled_q[qid] = CompiledQuestion(q, when, cases, checks, w)
        order = self._toposort(
            {qid: cq.depends_on() & set(compiled_q) for qid, cq in compiled_q.items()},
            lambda n: compiled_q[n].where,
            "when/default dependencies of questions",
            list(compiled_q),
        )

        # derived values
        known = set(domains) | set(derived_raw)
        derived: dict[str, tuple[S.Derived, Expr, Where]] = {}
        for did, (d, w) in derived_raw.items():
            try:
                expr = compile_expr(d.expr, known | set(not_analysable))
            except ExprError as err:
                self.problem(w, err.message, sub=("expr",) + err.path)
                continue
            bad = [r for r in expr.refs() if r in not_analysable]
            if bad:
                self.problem(w, f"'{bad[0]}' is {not_analysable[bad[0]]} and cannot be used in arithmetic", sub=("expr",))
                continue
            derived[did] = (d, expr, w)
        derived_order = self._toposort(
            {k: v[1].refs() & set(derived) for k, v in derived.items()}, lambda n: derived[n][2], "derived values", list(derived)
        )
        ranges = {k: (dm.lo, dm.hi) for k, dm in domains.items() if dm.kind == "numeric"}
        for did in derived_order:
            d, expr, w = derived[did]
            refs = expr.refs()
            if any(r in domains and domains[r].kind != "numeric" for r in refs):
                r = next(r for r in refs if r in domains and domains[r].kind != "numeric")
                self.problem(w, f"'{r}' is not a number and cannot be used in arithmetic", sub=("expr",))
                continue
            if not all(r in ranges for r in refs):
                continue
            try:
                lo, hi = expr.bounds(ranges)
            except ExprError as err:
                self.problem(w, err.message, sub=("expr",))
                continue
            ranges[did] = (lo, hi)
            domains[did] = Domain(did, "numeric", lo=lo, hi=hi, nullable=any(domains[r].nullable for r in refs))

        # evidence
        for eid, (e, w) in evidence.items():
            for j, s in enumerate(e.sizes):
                if s not in SIZES:
                    self.problem(w, f"unknown size '{s}' (expected one of: {', '.join(SIZES)})", sub=("sizes", j))
            if e.kind == "smallest_passing_size":
                domains[eid] = Domain(eid, "finite", ("none", *e.sizes))
            else:
                domains[eid] = Domain(eid, "finite", (False, True))

        # messages: placeholders checked after outputs are known
        # tables
        producers: dict[str, str] = {}
        for t, w in tables_raw:
            for j, o in enumerate(t.outputs):
                if o.id in producers:
                    self.problem(w, f"output '{o.id}' is already produced by table '{producers[o.id]}'", sub=("outputs", j, "id"))
                elif o.id in questions and questions[o.id][0].output:
                    self.problem(w, f"output '{o.id}' is already the pass-through answer of question '{o.id}'", sub=("outputs", j, "id"))
                else:
                    producers[o.id] = t.id
                if o.type in ("choice", "list") and not o.values:
                    self.problem(w, f"a {o.type} output needs 'values'", sub=("outputs", j))
                if t.hit_policy == "priority" and not o.values:
                    self.problem(w, "hit policy 'priority' needs 'values' on every output (their order is the priority)", sub=("outputs", j))
        table_by_id = {t.id: (t, w) for t, w in tables_raw}
        deps = {t.id: {producers[i] for i in t.inputs if i in producers} - {t.id} for t, _ in tables_raw}
        for t, w in tables_raw:
            if any(producers.get(i) == t.id for i in t.inputs):
                self.problem(w, f"table '{t.id}' uses its own output as an input", sub=("inputs",))
        self._blocked: set[str] = set()
        table_order = self._toposort(deps, lambda n: table_by_id[n][1], "tables", [t.id for t, _ in tables_raw])
        table_order = [t for t in table_order if t not in self._blocked]  # a cycle was reported; nothing more to say
        message_ids = {m.id: m for m, _ in messages.values()}
        compiled_tables: list[CompiledTable] = []
        for tid in table_order:
            t, w = table_by_id[tid]
            ct = self._table(t, w, domains, not_analysable, producers, message_ids)
            if ct is None:
                continue
            compiled_tables.append(ct)
            for o in t.outputs:
                if o.type in ("choice", "boolean"):
                    vals = tuple(o.values) if o.values else (False, True)
                    domains[o.id] = Domain(o.id, "finite", vals, nullable="default" in o.model_fields_set and o.default is None)
                elif o.type == "number":
                    not_analysable[o.id] = "a numeric table output without bounds"
                else:
                    not_analysable[o.id] = f"a {o.type} output"

        # message placeholders
        placeable = set(domains) | set(questions) | set(producers) | set(derived)
        for mid, (m, w) in messages.items():
            for name in _PLACEHOLDER.findall(m.message):
                if name not in placeable:
                    self.problem(w, f"message refers to unknown value '{{{name}}}'", sub=("message",))

        impossible = []
        for imp, w in impossible_raw:
            cond = self._condition(imp.when, domains, not_analysable, w, ("when",))
            impossible.append((imp, cond, w))

        uses: dict[str, list[str]] = {qid: [] for qid in questions}
        for qid, cq in compiled_q.items():
            for dep in cq.depends_on():
                if dep in uses:
                    uses[dep].append(f"question {qid}")
            if cq.model.output:
                uses[qid].append("outputs (pass-through)")
        for did, (_, expr, _) in derived.items():
            for r in expr.refs():
                if r in uses:
                    uses[r].append(f"derived {did}")
        for ct in compiled_tables:
            for i in ct.model.inputs:
                if i in uses:
                    uses[i].append(f"table {ct.id}")
        for m, _ in messages.values():
            for name in _PLACEHOLDER.findall(m.message):
                if name in uses:
                    uses[name].append(f"message {m.id}")

        book = Rulebook(
            directory=self.dir,
            files=sorted(self.docs),
            questions=compiled_q,
            question_order=order,
            derived={k: derived[k] for k in derived_order},
            evidence=evidence,
            tables=compiled_tables,
            messages=message_ids,
            impossible=impossible,
            domains=domains,
            hash="",
            uses=uses,
        )
        book.hash = content_hash(files)
        return book

    def _condition(self, raw: Any, scope: dict[str, Domain], not_analysable: dict[str, str], w: Where, sub: tuple) -> Condition:
        usable = {k: v for k, v in scope.items()}
        if isinstance(raw, dict):
            for col in raw:
                if col in not_analysable:
                    self.problem(w, f"'{col}' is {not_analysable[col]}; conditions can test only choice, yes/no and numeric inputs", sub=sub + (col,), key=True)
            raw = {k: v for k, v in raw.items() if k not in not_analysable}
        cond, problems = compile_condition(raw, usable)
        for path, msg in problems:
            is_key = len(path) == 1 and msg.startswith("unknown input")
            self.problem(w, msg, sub=sub + path, key=is_key)
        return cond

    def _defaults(self, q: S.Question, w: Where, scope: dict[str, Domain], not_analysable: dict[str, str]) -> tuple[DefaultCase, ...]:
        if q.required:
            return ()
        raw = q.default
        if isinstance(raw, dict) and ("cases" in raw or "else" in raw):
            extra = set(raw) - {"cases", "else"}
            if extra:
                self.problem(w, f"unknown key '{sorted(extra)[0]}' in a conditional default (use cases: and else:)", sub=("default", sorted(extra)[0]), key=True)
            cases = []
            for i, case in enumerate(raw.get("cases") or []):
                if not isinstance(case, dict) or set(case) != {"when", "value"}:
                    self.problem(w, "each default case is a mapping with exactly 'when' and 'value'", sub=("default", "cases", i))
                    continue
                cond = self._condition(case["when"], scope, not_analysable, w, ("default", "cases", i, "when"))
                if q.id in cond.columns:
                    self.problem(w, "a default cannot depend on its own question", sub=("default", "cases", i, "when", q.id), key=True)
                cases.append(DefaultCase(cond, self._default_value(q, w, case["value"], ("default", "cases", i, "value"))))
            if "else" not in raw:
                self.problem(w, "a conditional default needs an 'else' value", sub=("default",))
            else:
                cases.append(DefaultCase(Condition(), self._default_value(q, w, raw["else"], ("default", "else"))))
            return tuple(cases)
        return (DefaultCase(Condition(), self._default_value(q, w, raw, ("default",))),)

    def _default_value(self, q: S.Question, w: Where, raw: Any, sub: tuple) -> Any:
        if raw is None:
            if q.type in ("number", "integer", "text"):
                return None  # "no value": allowed for optional numbers and text
            self.problem(w, f"default of a {q.type} question cannot be null", sub=sub)
            return None
        value = validate_value(q, raw)
        if isinstance(value, Invalid):
            self.problem(w, f"default {fmt_value(raw)!s} fails the question's own validation: {value.message}", sub=sub)
            return None
        return value

    def _table(self, t: S.Table, w: Where, domains: dict[str, Domain], not_analysable: dict[str, str], producers: dict[str, str], messages: dict[str, S.Message]) -> CompiledTable | None:
        ok = True
        tdomains = []
        for j, i in enumerate(t.inputs):
            if i in not_analysable:
                self.problem(w, f"input '{i}' is {not_analysable[i]}; table inputs must have a finite set of values or a bounded range", sub=("inputs", j))
                ok = False
            elif i not in domains:
                hint = difflib.get_close_matches(i, sorted(domains), n=1, cutoff=0.6)
                did = f"; did you mean '{hint[0]}'?" if hint else ""
                self.problem(w, f"unknown input '{i}'{did}", sub=("inputs", j))
                ok = False
            else:
                tdomains.append(domains[i])
        if len(set(t.inputs)) != len(t.inputs):
            self.problem(w, "an input is listed twice", sub=("inputs",))
            ok = False
        if not ok:
            return None
        scope = {d.id: d for d in tdomains}
        outputs = {o.id: o for o in t.outputs}
        rules = []
        seen_ids: set[str] = set()
        for k, r in enumerate(t.rules):
            rw = self._where(w.file, self._paths[(w.file, w.path)] + ("rules", k))
            if r.id in seen_ids:
                self.problem(rw, f"rule id '{r.id}' is used twice in table '{t.id}'", sub=("id",))
            seen_ids.add(r.id)
            raw_when = r.when
            for col in raw_when:
                if col not in scope and (col in domains or col in not_analysable):
                    self.problem(rw, f"'{col}' is not an input of table '{t.id}' (declare it under inputs:)", sub=("when", col), key=True)
            cond = self._condition({k2: v for k2, v in raw_when.items() if k2 in scope or (k2 not in domains and k2 not in not_analysable)}, scope, {}, rw, ("when",))
            outs: dict[str, Any] = {}
            for oid, value in r.then.items():
                if oid not in outputs:
                    hint = difflib.get_close_matches(oid, list(outputs), n=1, cutoff=0.6)
                    did = f"; did you mean '{hint[0]}'?" if hint else ""
                    self.problem(rw, f"'{oid}' is not a declared output of table '{t.id}'{did}", sub=("then", oid), key=True)
                    continue
                checked = self._output_value(outputs[oid], value, t.hit_policy == "collect", messages)
                if isinstance(checked, Invalid):
                    self.problem(rw, checked.message, sub=("then", oid))
                    continue
                outs[oid] = checked
            if t.hit_policy != "collect":
                for oid, o in outputs.items():
                    if oid not in r.then and "default" not in o.model_fields_set:
                        self.problem(rw, f"rule does not set output '{oid}' (and the output has no default)", sub=("then",))
            rules.append(CompiledRule(r, cond, outs, rw, k))
        return CompiledTable(t, tuple(tdomains), tuple(rules), w)

    def _output_value(self, o: S.Output, value: Any, collect: bool, messages: dict[str, S.Message]) -> Any:
        def one(v: Any) -> Any:
            if o.type in ("warning", "label"):
                m = messages.get(v) if isinstance(v, str) else None
                if m is None or m.kind != o.type:
                    known = sorted(k for k, mm in messages.items() if mm.kind == o.type)
                    return Invalid(f"unknown {o.type} '{fmt_value(v)}' (declare it under messages:; known: {', '.join(known) or 'none'})")
                return v
            if o.values is not None and v not in o.values:
                return Invalid(f"'{fmt_value(v)}' is not a declared value of output '{o.id}' ({', '.join(fmt_value(x) for x in o.values)})")
            if o.type == "number" and (isinstance(v, bool) or not isinstance(v, (int, float))):
                return Invalid(f"output '{o.id}' is a number, got '{fmt_value(v)}'")
            if o.type == "text" and not isinstance(v, str):
                return Invalid(f"output '{o.id}' is text, got '{fmt_value(v)}'")
            if o.type == "boolean" and not isinstance(v, bool):
                return Invalid(f"output '{o.id}' is true/false, got '{fmt_value(v)}'")
            return v

        if o.type == "list" or (collect and isinstance(value, list)):
            if not isinstance(value, list):
                return Invalid(f"output '{o.id}' is a list")
            out = []
            for v in value:
                c = one(v)
                if isinstance(c, Invalid):
                    return c
                out.append(c)
            return out
        return one(value)

    def _toposort(self, graph: dict[str, set[str]], where, what: str, order: list[str]) -> list[str]:
        """Dependencies first, otherwise declaration order (stable); reports a cycle with its path."""
        done: set[str] = set()
        out: list[str] = []
        pending = list(order)
        while pending:
            for n in pending:
                if graph.get(n, set()) <= done:
                    out.append(n)
                    done.add(n)
                    pending.remove(n)
                    break
            else:
                cycle = _find_cycle({n: graph.get(n, set()) - done for n in pending})
                self.problem(where(cycle[0]), f"cycle in {what}: {' -> '.join(cycle)}")
                self._blocked = set(pending)
                return out + pending
        return out


def _find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """A cycle in ``graph`` (every node has an unfinished dependency), as a closed path."""
    start = next(iter(graph))
    path: list[str] = [start]
    while True:
        nxt = sorted(graph[path[-1]] & set(graph))[0]
        if nxt in path:
            cyc = path[path.index(nxt):] + [nxt]
            # rotate so the path starts at its first-declared node
            first = min(range(len(cyc) - 1), key=lambda i: list(graph).index(cyc[i]))
            return cyc[first:-1] + cyc[:first] + [cyc[first]]
        path.append(nxt)
