"""Reading the rule files, and saying where a problem is (file:line:column, YAML path).

Why apart from the compilation: every check of the loader reports through the
same :class:`Sink` (so each problem carries a position), and the reading of the
directory (which files count, how a broken file is reported) changes for other
reasons than what the rules mean.
"""

from __future__ import annotations

import difflib
import json
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from advisor.rulebook import schema as S
from advisor.rulebook.compiled import RulebookError, Where
from advisor.rulebook.conditions import Condition, Domain, compile_condition
from engine.yamlsafe import Document, Locator, Problem, YamlProblems, format_path, load_yaml_file


def display_path(p: Path) -> str:
    """``p`` relative to the working directory when it is inside it (how messages name files)."""
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


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


# --- positioned problems ---------------------------------------------------------------


class Sink:
    """Collects the problems of one load, each positioned in its document."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.docs: dict[str, Document] = {}
        self._paths: dict[tuple[str, str], tuple] = {}

    def problem(self, where: Where | tuple[str, tuple], message: str, *, sub: tuple = (), key: bool = False) -> None:
        file, path = (where.file, None) if isinstance(where, Where) else where
        locator = self.docs[file].locator
        if isinstance(where, Where):
            path = self._paths[(file, where.path)]
        self.problems.append(locator.problem(tuple(path) + tuple(sub), message, key=key))

    def where(self, file: str, path: tuple) -> Where:
        line, col = self.docs[file].locator.position(path)
        w = Where(file, line, col, format_path(path))
        self._paths[(file, w.path)] = path
        return w

    def path_of(self, w: Where) -> tuple:
        return self._paths[(w.file, w.path)]

    def condition(self, raw: Any, scope: dict[str, Domain], not_analysable: dict[str, str], w: Where, sub: tuple) -> Condition:
        """Compile a condition, reporting every bad test at its position."""
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

    def raise_if_any(self) -> None:
        if self.problems:
            raise RulebookError(self.problems)


# --- reading the directory -------------------------------------------------------------


def read_rule_files(directory: Path, sink: Sink, label: str | None = None) -> list[tuple[str, S.RuleFile]]:
    """Parse and structurally validate every rule file of ``directory`` (named ``label/name`` when given).

    Raises :class:`RulebookError` when the directory is unusable or any file is
    structurally broken: semantic checks on a broken structure would only add noise.
    """
    from engine.safefile import directory_problem

    problem = directory_problem(directory, "rules directory")
    if problem:
        raise RulebookError([Problem(str(directory), 0, 0, "", problem)])
    paths = sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    if not paths:
        raise RulebookError([Problem(str(directory), 0, 0, "", "no rule files (*.yaml) in the rules directory")])
    files: list[tuple[str, S.RuleFile]] = []
    for p in paths:
        name = f"{label}/{p.name}" if label else display_path(p)
        try:
            doc = load_yaml_file(p, display=name)
        except YamlProblems as err:
            sink.problems.extend(err.problems)
            continue
        sink.docs[name] = doc
        if not isinstance(doc.data, dict):
            sink.problems.append(doc.locator.problem((), "a rule file must be a mapping (questions:, tables:, ...)"))
            continue
        try:
            files.append((name, S.RuleFile.model_validate(doc.data)))
        except ValidationError as err:
            sink.problems.extend(pydantic_problems(err, S.RuleFile, doc.locator))
    sink.raise_if_any()
    return files
