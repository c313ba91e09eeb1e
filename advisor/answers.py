"""Answers files and the one validation shared by the wizard, ``--answers`` and ``--set``.

Why one function: a value typed in the wizard, written in an answers file or
passed as ``--set key=value`` must be accepted or refused the same way, with
the same message (copier learned this the hard way: validators skipped on one
path). :func:`validate` runs every question in dependency order:

1. a question whose ``when`` does not hold is hidden: its value is ``None``
   ("not asked") and an answer given for it is dropped (with a note);
2. a given answer is typed for its question (``"100M"`` -> 1e8 for numbers,
   ``"yes"`` -> True for yes/no) and checked (choices, bounds, checks);
3. a missing answer (or an empty one, ``key:``) takes its default, which may
   depend on earlier answers; a missing answer to a question without a default
   is a problem that says how to supply it.

ALL problems are returned at once: missing answers, unknown keys (with the
closest id), wrong types, out-of-range values, malformed reserved keys. Keys
given in a file carry ``file:line:column``; ``--set`` ones say so.

Reserved keys: ``rules_hash`` (written by tools; a mismatch is a warning) and
``evaluations`` (step 4 measurements, :class:`Evaluations`).
"""

from __future__ import annotations

import dataclasses
import difflib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Literal, Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from advisor.errors import UserError
from advisor.rulebook.values import Invalid, validate_value
from engine.errors import MAX_LISTED_PROBLEMS
from engine.yamlsafe import Locator, YamlProblems, load_yaml_file

if TYPE_CHECKING:  # pragma: no cover
    from advisor.rulebook.loader import Rulebook

__all__ = [
    "RESERVED_KEYS",
    "AnswerProblem",
    "Answers",
    "AnswersError",
    "EvaluationResult",
    "Evaluations",
    "Invalid",
    "RawAnswers",
    "default_for",
    "is_visible",
    "load_answers",
    "parse_set",
    "read_answers_file",
    "resolve",
    "validate",
    "validate_answer",
]

RESERVED_KEYS = ("rules_hash", "evaluations")


class EvaluationResult(BaseModel):
    """One measured size: ``correct`` of ``examples`` met the bar on the user's task."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    size: Literal["1b", "3b", "7b", "13b", "30b", "70b", "175b", "1t"]
    correct: int = Field(ge=0)
    examples: int = Field(ge=1, le=10_000_000)
    #: per-example outcomes (example id -> passed), from an imported results file;
    #: two sizes with outcomes on the same examples are compared with McNemar's paired test
    outcomes: dict[str, bool] | None = None

    @model_validator(mode="after")
    def _correct_le_examples(self) -> "EvaluationResult":
        if self.correct > self.examples:
            raise ValueError(f"correct ({self.correct}) is more than examples ({self.examples})")
        if self.outcomes is not None and (len(self.outcomes) != self.examples or sum(self.outcomes.values()) != self.correct):
            raise ValueError(
                f"outcomes ({sum(self.outcomes.values())} of {len(self.outcomes)} passed) disagree with "
                f"correct/examples ({self.correct}/{self.examples})"
            )
        return self

    @property
    def accuracy(self) -> float:
        return self.correct / self.examples


class Evaluations(BaseModel):
    """Step 4: the user's own measurements (``evaluations:`` in an answers file)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    target_accuracy: float = Field(gt=0, le=1, description="share of examples that must be correct, e.g. 0.85")
    results: list[EvaluationResult] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_result_per_size(self) -> "Evaluations":
        sizes = [r.size for r in self.results]
        dup = sorted({s for s in sizes if sizes.count(s) > 1})
        if dup:
            raise ValueError(f"more than one result for size {', '.join(dup)}")
        return self


@dataclasses.dataclass(frozen=True, order=True)
class AnswerProblem:
    """One problem with the answers; ``where`` is ``file:line:column``, ``--set`` or ``""``."""

    key: str
    message: str
    kind: str = "invalid"  # missing | unknown | invalid | reserved
    where: str = ""

    def __str__(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        return f"{prefix}{self.key}: {self.message}" if self.key else f"{prefix}{self.message}"


class AnswersError(UserError):
    """Answers that cannot be used; carries every :class:`AnswerProblem`."""

    def __init__(self, problems: Iterable[AnswerProblem]):
        self.problems = list(problems)
        n = len(self.problems)
        body = "\n  ".join(str(p) for p in self.problems)
        super().__init__(f"the answers have {n:,} problem{'s' if n != 1 else ''}:\n  {body}" if n > 1 else f"the answers have a problem: {body}")


@dataclasses.dataclass
class RawAnswers:
    """Answers as given (before validation), with where each key came from."""

    data: dict[str, Any]
    where: dict[str, str] = dataclasses.field(default_factory=dict)  # key -> "file:line:col" or "--set"
    locator: Locator | None = None

    def merged(self, other: "RawAnswers") -> "RawAnswers":
        """``other`` wins (``--set`` over the file)."""
        data = {**self.data, **other.data}
        where = {**self.where, **other.where}
        return RawAnswers(data, where, self.locator)


@dataclasses.dataclass
class Answers:
    """Validated answers: a value for every question (``None`` = not asked / no value)."""

    values: dict[str, Any]
    given: tuple[str, ...] = ()  # ids the user answered
    defaulted: tuple[str, ...] = ()  # ids that took their default
    hidden: tuple[str, ...] = ()  # ids not asked (their ``when`` does not hold)
    evaluations: Evaluations | None = None
    rules_hash: str | None = None
    notes: tuple[str, ...] = ()  # warnings: dropped hidden answers, rules hash mismatch

    def to_file_mapping(self, rules_hash: str | None = None) -> dict[str, Any]:
        """What an answers file holds: the given and visible answers, then reserved keys."""
        out = {k: self.values[k] for k in self.values if k in self.given and k not in self.hidden}
        if rules_hash or self.rules_hash:
            out["rules_hash"] = rules_hash or self.rules_hash
        if self.evaluations is not None:
            out["evaluations"] = self.evaluations.model_dump(mode="json", exclude_none=True)
        return out


# --- one question -------------------------------------------------------------------


def validate_answer(question: Any, raw: Any, *, answers: Mapping[str, Any] | None = None, rulebook: "Rulebook | None" = None) -> Any:
    """Type and check one answer: returns the typed value, or :class:`Invalid` with the message.

    ``question`` is a :class:`advisor.rulebook.schema.Question`. Choice, bounds
    and type checks always run; the question's ``checks`` (conditions that may
    involve earlier ``answers``) run when ``rulebook`` is given.
    """
    value = validate_value(question, raw)
    if isinstance(value, Invalid) or rulebook is None:
        return value
    compiled = rulebook.questions.get(question.id)
    if compiled is not None:
        context = dict(answers or {})
        context[question.id] = value
        for when, cond, message in compiled.checks:
            if when.holds(context) and not cond.holds(context):
                return Invalid(message)
    return value


def is_visible(rulebook: "Rulebook", qid: str, answers: Mapping[str, Any]) -> bool:
    """Whether ``qid`` is asked given the earlier ``answers`` (its ``when`` holds)."""
    when = rulebook.questions[qid].when
    return when is None or when.holds(dict(answers))


def default_for(rulebook: "Rulebook", qid: str, answers: Mapping[str, Any]) -> Any:
    """The default of ``qid`` given earlier ``answers``; ``None`` when it has none (required)."""
    for case in rulebook.questions[qid].default_cases:
        if case.when.holds(dict(answers)):
            return case.value
    return None


# --- whole answer sets ----------------------------------------------------------------


def _describe_expected(question: Any) -> str:
    if question.type == "choice":
        return "|".join(c.value for c in question.choices or [])
    if question.type == "boolean":
        return "true|false"
    if question.type in ("number", "integer"):
        unit = f" {question.unit}" if question.unit else ""
        return f"a {'whole ' if question.type == 'integer' else ''}number{unit}"
    return "text"


def validate(rulebook: "Rulebook", raw: Mapping[str, Any] | RawAnswers) -> tuple[Answers, list[AnswerProblem]]:
    """Validate ``raw`` answers against ``rulebook``: ``(answers, problems)``; problems empty = usable."""
    if not isinstance(raw, RawAnswers):
        raw = RawAnswers(dict(raw))
    problems: list[AnswerProblem] = []
    notes: list[str] = []
    known = list(rulebook.questions)
    unknown = 0
    for key in raw.data:
        if key in rulebook.questions or key in RESERVED_KEYS:
            continue
        unknown += 1  # only the keys a message can list get a (quadratic) fuzzy match: 50,000 keys stay fast
        hint = difflib.get_close_matches(str(key), known + list(RESERVED_KEYS), n=1, cutoff=0.6) if unknown <= MAX_LISTED_PROBLEMS else []
        did = f"; did you mean '{hint[0]}'?" if hint else ""
        problems.append(AnswerProblem(str(key), f"unknown question{did}", "unknown", raw.where.get(key, "")))

    values: dict[str, Any] = {}
    given, defaulted, hidden = [], [], []
    for qid in rulebook.question_order:
        cq = rulebook.questions[qid]
        q = cq.model
        if cq.when is not None and not cq.when.holds(values):
            values[qid] = None
            hidden.append(qid)
            if raw.data.get(qid) is not None:
                notes.append(f"{qid}: answer dropped: the question is asked only when {cq.when.text()}")
            continue
        if raw.data.get(qid) is not None:  # an empty value (`key:`) counts as not answered
            value = validate_answer(q, raw.data[qid], answers=values, rulebook=rulebook)
            if isinstance(value, Invalid):
                problems.append(AnswerProblem(qid, value.message, "invalid", raw.where.get(qid, "")))
                values[qid] = None
            else:
                values[qid] = value
                given.append(qid)
            continue
        if q.required:
            problems.append(
                AnswerProblem(
                    qid,
                    f"missing answer ({_describe_expected(q)}): add '{qid}: <value>' to the answers file or pass --set {qid}=<value>",
                    "missing",
                    raw.where.get(qid, "") or (raw.locator.file if raw.locator else ""),
                )
            )
            values[qid] = None
            continue
        values[qid] = default_for(rulebook, qid, values)
        defaulted.append(qid)

    evaluations = None
    if "evaluations" in raw.data:
        evaluations, eval_problems = _evaluations(raw, raw.data["evaluations"])
        problems.extend(eval_problems)
    rules_hash = raw.data.get("rules_hash")
    if rules_hash is not None:
        if not isinstance(rules_hash, str) or not rules_hash.startswith("sha256:"):
            problems.append(AnswerProblem("rules_hash", "expected 'sha256:<hex>' (written by sizewise)", "reserved", raw.where.get("rules_hash", "")))
            rules_hash = None
        elif rules_hash != rulebook.hash:
            notes.append(
                f"rules_hash: these answers were written for other rules ({rules_hash[:19]}...), the current rules are {rulebook.hash[:19]}...; check the recommendation"
            )
    order = {qid: i for i, qid in enumerate(rulebook.questions)}
    answers = Answers(
        values={qid: values[qid] for qid in rulebook.questions},
        given=tuple(sorted(given, key=order.__getitem__)),
        defaulted=tuple(sorted(defaulted, key=order.__getitem__)),
        hidden=tuple(sorted(hidden, key=order.__getitem__)),
        evaluations=evaluations,
        rules_hash=rules_hash,
        notes=tuple(notes),
    )
    # unknown keys first, in file order (a stable sort); then by question order
    problems.sort(key=lambda p: (p.kind != "unknown", order.get(p.key, -1), p.key if p.kind != "unknown" else ""))
    return answers, problems


def _evaluations(raw: RawAnswers, data: Any) -> tuple[Evaluations | None, list[AnswerProblem]]:
    where = raw.where.get("evaluations", "")
    if raw.locator is None or where == "--set":
        try:
            return Evaluations.model_validate(data), []
        except ValidationError as err:
            return None, [AnswerProblem("evaluations", _flat(err), "reserved", where)]
    from advisor.rulebook.loader import pydantic_problems

    try:
        return Evaluations.model_validate(data), []
    except ValidationError as err:
        out = []
        for p in pydantic_problems(err, Evaluations, raw.locator, prefix=("evaluations",)):
            out.append(AnswerProblem(p.yaml_path, p.message, "reserved", f"{p.file}:{p.line}:{p.column}"))
        return None, out


def _flat(err: ValidationError) -> str:
    parts = []
    for e in err.errors(include_url=False):
        loc = ".".join(str(x) for x in e["loc"])
        parts.append(f"{loc}: {e['msg']}" if loc else e["msg"])
    return "; ".join(parts)


def parse_set(items: Iterable[str]) -> tuple[RawAnswers, list[AnswerProblem]]:
    """``["requests_per_day=2M", "latency=batch"]`` -> raw answers (strings, typed later by :func:`validate`)."""
    data: dict[str, Any] = {}
    problems = []
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            problems.append(AnswerProblem("", f"--set expects key=value, got '{item}'", "invalid", "--set"))
            continue
        if key == "evaluations":
            problems.append(AnswerProblem(key, "evaluations cannot be given with --set; put them in the answers file", "reserved", "--set"))
            continue
        data[key] = value.strip()
    return RawAnswers(data, {k: "--set" for k in data}), problems


def read_answers_file(path: str | Path) -> RawAnswers:
    """Read an answers file safely (size limit, UTF-8, duplicate keys, alias bombs); no validation yet."""
    try:
        doc = load_yaml_file(path)
    except YamlProblems as err:
        raise AnswersError(AnswerProblem("", p.message, "invalid", f"{p.file}:{p.line}:{p.column}" if p.line else p.file) for p in err.problems) from None
    if doc.data is None:
        data: dict[str, Any] = {}
    elif not isinstance(doc.data, dict):
        line, col = doc.locator.position(())
        raise AnswersError([AnswerProblem("", "an answers file is a mapping of question id -> answer", "invalid", f"{doc.file}:{line}:{col}")])
    else:
        data = doc.data
    where = {}
    for key in data:
        line, col = doc.locator.position((key,))
        where[key] = f"{doc.file}:{line}:{col}"
    return RawAnswers(dict(data), where, doc.locator)


def resolve(rulebook: "Rulebook", raw: Mapping[str, Any] | RawAnswers) -> Answers:
    """:func:`validate`, raising :class:`AnswersError` with every problem when there is any."""
    answers, problems = validate(rulebook, raw)
    if problems:
        raise AnswersError(problems)
    return answers


def load_answers(path: str | Path | None, rulebook: "Rulebook", sets: Iterable[str] = ()) -> Answers:
    """Answers file (optional) plus ``--set`` overrides -> validated :class:`Answers` (or :class:`AnswersError`)."""
    raw = read_answers_file(path) if path is not None else RawAnswers({})
    overrides, problems = parse_set(sets)
    answers, more = validate(rulebook, raw.merged(overrides))
    problems.extend(more)
    if problems:
        raise AnswersError(problems)
    return answers
