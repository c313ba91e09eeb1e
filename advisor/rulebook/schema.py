"""The rule language: pydantic models for the YAML files under ``rules/``.

Why pydantic with ``extra="forbid"`` and strict types: architects edit these
files by hand and a typo (``defualt:``) must be an error with a position, not a
silently ignored key. The models describe *structure*; the meaning of the small
data languages inside them (conditions, arithmetic, defaults) is checked by
:mod:`advisor.rulebook.conditions` and :mod:`advisor.rulebook.derive`, which can
give more precise messages than a generic union error. ``sizewise schema``
prints :func:`rules_json_schema` so editors (yaml-language-server) validate
while one types.

A rule file may hold any of the top-level sections; the loader merges every
``*.yaml`` file of the rules directory (``cases/`` excepted).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64, description="lower_snake_case identifier")]
#: a choice value: lower case letters, digits and _ (may start with a digit: ``7b``)
ValueId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_]*$", max_length=64, description="lower_snake_case value")]
#: A condition: mapping of input id -> test. All tests must hold (AND). A test is
#: a value (equality), a list (membership), ``null`` (not asked) or a mapping with
#: any of ``in``, ``not_in``, ``eq``, ``ne``, ``ge``, ``gt``, ``le``, ``lt``.
#: Ordered comparisons on a choice input use the declared order of its values.
Condition = Annotated[
    dict[str, Any],
    Field(description="input id -> test: value | [values] | null | {in|not_in|eq|ne|ge|gt|le|lt: ...}; all must hold"),
]
Scalar = str | int | float | bool | None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Choice(_Strict):
    """One allowed value of a choice question."""

    value: ValueId
    label: str
    help: str = ""
    examples: list[str] = Field(default_factory=list, description="example tasks or uses shown with the choice")


class Bounds(_Strict):
    """Inclusive numeric range of a number/integer question (both ends required)."""

    min: float = Field(allow_inf_nan=False)
    max: float = Field(allow_inf_nan=False, description="finite: every numeric input has a bounded range")
    message: str | None = Field(None, description="shown when an answer is out of range ({min}, {max}, {value} are filled in)")


class Check(_Strict):
    """A validation: where ``when`` holds (always, if omitted), the answer is valid only if ``require`` holds."""

    when: Condition | None = None
    require: Condition
    message: str


class Question(_Strict):
    """One question of the wizard (and one key of an answers file)."""

    id: Id
    step: Literal[1, 2, 3, 4]
    prompt: str
    help: str = ""
    type: Literal["choice", "multi_choice", "number", "integer", "boolean", "text"] = Field(
        description="multi_choice: a list of choice values (an answers file gives a YAML list or 'a,b')")
    unit: str | None = None
    bounds: Bounds | None = Field(None, description="required for number and integer questions")
    choices: list[Choice] | None = Field(None, description="required for choice and multi_choice questions")
    default: Any = Field(
        None,
        description="constant, or {cases: [{when: condition, value: v}], else: v} over earlier answers; "
        "a question without a default is required",
    )
    when: Condition | None = Field(None, description="ask only when this holds; otherwise the answer is dropped (null)")
    checks: list[Check] = Field(default_factory=list)
    output: bool = Field(False, description="pass the answer through to the rulebook outputs")
    max_length: int = Field(200, ge=1, le=10_000, description="text questions: longest accepted answer")
    catalog: Literal["models"] | None = Field(
        None, description="text questions: a non-empty answer must name a model of the model catalog "
        "(id or alias; a generic size class is refused), checked with suggestions")

    @property
    def required(self) -> bool:
        return "default" not in self.model_fields_set


class Derived(_Strict):
    """A value computed from answers by a small declared arithmetic form.

    ``expr`` is a number, an id, or a one-key mapping ``{add|sub|mul|div|min|max: [expr, ...]}``.
    """

    id: Id
    help: str = ""
    unit: str | None = None
    expr: Any
    output: bool = Field(False, description="also publish the value in the rulebook outputs")


class Evidence(_Strict):
    """A fact computed from the answers file's ``evaluations`` (step 4 measurements).

    ``smallest_passing_size``: the smallest of ``sizes`` whose measured accuracy
    (correct / examples, with at least ``min_examples``) reaches ``target_accuracy``;
    ``none`` when none does or nothing was measured.
    ``sizes_evaluated``: true when every one of ``sizes`` has a result with at
    least ``min_examples`` examples.
    """

    id: Id
    kind: Literal["smallest_passing_size", "sizes_evaluated"]
    help: str = ""
    sizes: list[str] = Field(min_length=1)
    min_examples: int = Field(1, ge=1)
    output: bool = False


class Output(_Strict):
    """A declared output column of a decision table."""

    id: Id
    type: Literal["choice", "list", "number", "text", "boolean", "warning", "label"] = "choice"
    values: list[Scalar] | None = Field(
        None, description="allowed values in order (choice and list items); order is the priority order for hit policy priority"
    )
    help: str = ""
    default: Any = Field(None, description="value when no rule matches (otherwise no match is an error)")


class Rule(_Strict):
    """One row: when all conditions hold, the row yields ``then``."""

    id: Id
    when: Condition = Field(default_factory=dict)
    then: dict[str, Any]
    because: str = Field(description="the reason, shown in the trace")


class Table(_Strict):
    """A decision table in the spirit of DMN."""

    id: Id
    step: Literal[1, 2, 3, 4] | None = None
    help: str = ""
    hit_policy: Literal["unique", "first", "priority", "collect"] = "unique"
    inputs: list[str] = Field(description="ids of questions, derived values, evidence or earlier tables' outputs")
    outputs: list[Output] = Field(min_length=1)
    rules: list[Rule] = Field(min_length=1)


class Message(_Strict):
    """Text of a warning or label a table can emit (``{id}`` placeholders are filled from answers and outputs)."""

    id: Id
    kind: Literal["warning", "label"]
    title: str
    message: str
    source: str = Field("", description="where in the article this comes from")


class Impossible(_Strict):
    """A combination that cannot happen; the audit does not report gaps there."""

    id: Id
    when: Condition
    because: str


class ManifestValue(_Strict):
    """One value the pipeline reads: an output (or input) id, its type, and the values it understands."""

    id: Id
    type: Literal["choice", "list", "number", "text", "boolean", "warning", "label"]
    values: list[Scalar] | None = Field(None, description="values the pipeline understands; the rules may use fewer, never others")


class Manifest(_Strict):
    """What the recommendation pipeline needs from the rules; the audit checks it (one file declares it).

    Not part of the rules hash: it changes no decision, it only says what the
    code reading the decisions relies on.
    """

    files: list[str] = Field(default_factory=list, description="rule files that must exist (names in the rules directory)")
    tables: list[Id] = Field(default_factory=list, description="tables that must exist")
    outputs: list[ManifestValue] = Field(default_factory=list, description="outputs the pipeline reads, with their types")
    inputs: list[ManifestValue] = Field(default_factory=list, description="answers and derived values the pipeline reads, with their types")


class RuleFile(_Strict):
    """Top level of a file under ``rules/`` (every section optional)."""

    manifest: Manifest | None = Field(None, description="what the pipeline reads from the rules (see docs/rules.md)")

    questions: list[Question] = Field(default_factory=list)
    derived: list[Derived] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)
    messages: list[Message] = Field(default_factory=list)
    impossible: list[Impossible] = Field(default_factory=list)


class CaseFile(_Strict):
    """A golden case under ``rules/cases/``: answers in, expected outputs out.

    ``expect`` compares rulebook outputs (only the keys listed); ``expect_rules``
    lists ``table.rule`` ids that must fire; ``expect_report`` maps JSON paths
    (``$.a.b[0]`` or ``a.b.0``) of the recommendation report to values, checked
    against the report the audited rulebook produces (a failure is a finding).
    """

    description: str = ""
    answers: dict[str, Any]
    expect: dict[str, Any] = Field(default_factory=dict)
    expect_rules: list[str] = Field(default_factory=list)
    expect_report: dict[str, Any] = Field(default_factory=dict)


def rules_json_schema() -> dict[str, Any]:
    """JSON Schema of a rule file (what ``sizewise schema`` prints)."""
    schema = RuleFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "sizewise rule file"
    return schema


def case_json_schema() -> dict[str, Any]:
    schema = CaseFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "sizewise golden case"
    return schema
