"""A tiny in-memory wizard backend for tests: a handful of questions, no rulebook.

Why: the session and the screens are tested against a fixed, small question
list that does not move when the shipped rules change (snapshots stay stable).
It mirrors the rulebook's shape: a choice with example tasks, a default that
depends on an earlier answer, a `when` condition, numbers with units that
accept `100M`/`2K`, and bounds with a reason.
"""

from __future__ import annotations

import json
import re
from typing import Any

from advisor.result_view import ResultView
from advisor.session import MISSING, Choice, Preview, Question

SIZES = ("7b", "13b", "30b", "70b")
_SUFFIX = {"k": 1e3, "m": 1e6, "b": 1e9, "g": 1e9}


def parse_number(raw: Any) -> float:
    """`2K` -> 2000.0; raises ValueError with the reason."""
    if isinstance(raw, bool):
        raise ValueError("expected a number")
    if isinstance(raw, (int, float)):
        return float(raw)
    m = re.fullmatch(r"\s*(-?[0-9]*\.?[0-9]+(?:e[0-9]+)?)\s*([kmbg]?)\s*", str(raw), re.I)
    if not m:
        raise ValueError(f"'{raw}' is not a number (examples: 200000, 100M, 2K)")
    return float(m.group(1)) * _SUFFIX.get(m.group(2).lower(), 1.0)


QUESTIONS: tuple[Question, ...] = (
    Question("task_complexity", "task", "How complex is the task?", "choice",
             help="Pick the hardest thing the model must do routinely.",
             choices=(
                 Choice("simple", "Simple", "7B is usually enough", ("FAQ answering", "basic classification")),
                 Choice("moderate", "Moderate", "13B recommended", ("customer support", "summarization")),
                 Choice("complex", "Complex", "30B may be justified", ("multi-step reasoning",)),
                 Choice("advanced", "Advanced", "70B only if necessary", ("legal analysis",)),
             )),
    Question("domain_specific", "task", "Is the task specific to one domain?", "boolean",
             help="Domain-specific tasks can be distilled into smaller models."),
    Question("quality_bar", "quality", "What quality bar must it meet?", "choice",
             help="Who sees the output and what a mistake costs.",
             choices=(
                 Choice("acceptable", "Acceptable", "internal tools", ("development aids",)),
                 Choice("professional", "Professional", "customer-facing", ("content generation",)),
                 Choice("expert", "Expert", "revenue-critical", ("professional services",)),
             )),
    Question("latency", "quality", "Interactive or batch?", "choice",
             choices=(Choice("interactive", "Interactive"), Choice("batch", "Batch"))),
    Question("ttft_target_s", "quality", "Time to first token target", "number",
             help="Seconds until the first token appears.", unit="s", minimum=0.05, maximum=60),
    Question("requests_per_day", "volume", "Requests per day", "number",
             help="Average requests per day in production.", unit="requests/day", minimum=1, maximum=1e10),
    Question("output_tokens", "volume", "Output tokens per request", "integer",
             help="Average generated tokens per request.", unit="tokens", minimum=1, maximum=100000),
    Question("deployment", "volume", "Where will it run?", "choice",
             choices=(Choice("cloud", "Cloud"), Choice("owned", "Owned hardware"))),
    Question("has_evaluations", "test_plan", "Have you measured accuracy per size?", "boolean"),
    Question("target_accuracy", "test_plan", "Target accuracy", "number",
             help="Share of examples the model must get right.", unit="fraction", minimum=0.0, maximum=1.0),
)


class FixtureBackend:
    """Implements advisor.session.Backend over QUESTIONS."""

    rules_hash = "sha256:fixture0000"
    questions = QUESTIONS

    def __init__(self) -> None:
        self._q = {q.id: q for q in QUESTIONS}
        self.preview_calls = 0

    def visible(self, qid: str, answers: dict[str, Any]) -> bool:
        if qid == "ttft_target_s":
            return answers.get("latency") == "interactive"
        if qid == "target_accuracy":
            return answers.get("has_evaluations") is True
        return True

    def default(self, qid: str, answers: dict[str, Any]) -> Any:
        if qid == "domain_specific":
            return answers.get("task_complexity") in ("simple", "moderate")
        if qid == "ttft_target_s":
            return 0.5 if answers.get("quality_bar") == "expert" else 1.0
        if qid == "deployment":
            return "cloud"
        if qid == "has_evaluations":
            return False
        if qid == "target_accuracy":
            return 0.85
        if qid == "output_tokens":
            return 300
        return MISSING

    def check(self, qid: str, raw: Any, answers: dict[str, Any]) -> tuple[Any, str | None]:
        q = self._q[qid]
        if q.kind == "choice":
            values = [c.value for c in q.choices]
            return (raw, None) if raw in values else (None, f"must be one of {', '.join(values)}")
        if q.kind == "boolean":
            if isinstance(raw, bool):
                return raw, None
            if str(raw).lower() in ("yes", "true"):
                return True, None
            if str(raw).lower() in ("no", "false"):
                return False, None
            return None, "answer yes or no"
        try:
            value = parse_number(raw)
        except ValueError as err:
            return None, str(err)
        if q.kind == "integer":
            if value != int(value):
                return None, "must be a whole number"
            value = int(value)
        if q.minimum is not None and value < q.minimum:
            return None, f"must be at least {q.minimum:g} {q.unit}"
        if q.maximum is not None and value > q.maximum:
            return None, f"must be at most {q.maximum:g} {q.unit}"
        if qid == "ttft_target_s" and answers.get("quality_bar") == "expert" and value > 2:
            return None, "an expert-grade interactive service needs a first token within 2 s"
        return value, None

    # -- outputs: deterministic toy figures -------------------------------------------
    def _size(self, answers: dict[str, Any]) -> str:
        a = SIZES.index({"simple": "7b", "moderate": "13b", "complex": "30b", "advanced": "70b"}[answers["task_complexity"]])
        b = SIZES.index({"acceptable": "7b", "professional": "13b", "expert": "30b"}[answers.get("quality_bar", "acceptable")])
        return SIZES[max(a, b)]

    def _monthly(self, size: str, answers: dict[str, Any]) -> float:
        tokens = answers.get("requests_per_day", 1000) * answers.get("output_tokens", 300) * 30
        return round(720 * (1 + SIZES.index(size)) * 1.9 + tokens / 1e6 * 0.1 * (1 + SIZES.index(size)), 2)

    def preview(self, answers: dict[str, Any]) -> Preview | None:
        self.preview_calls += 1
        if "task_complexity" not in answers:
            return None
        size = self._size(answers)
        return Preview(size=size.upper(), gpu="L4", gpus=1 + SIZES.index(size) // 2, monthly_usd=self._monthly(size, answers))

    def result(self, answers: dict[str, Any]) -> ResultView:
        size = self._size(answers)
        rows = tuple(
            (s.upper(), "L4", str(1 + SIZES.index(s) // 2), "1", "int8", f"${self._monthly(s, answers):,.0f}")
            for s in SIZES
        )
        return ResultView(
            summary=f"Start with a {size.upper()} model on L4 GPUs for about ${self._monthly(size, answers):,.0f} a month.",
            candidate_headers=("Size", "GPU", "GPUs/replica", "Replicas", "Precision", "Monthly"),
            candidate_rows=rows,
            chart=tuple((s.upper(), self._monthly(s, answers)) for s in SIZES),
            recommended=size.upper(),
            optimizations=("Quantization to int8: saves $120/month",),
            test_plan=(f"Test {size.upper()} on 100-500 representative examples", "Move up only on a clear gap"),
            warnings=("Do not deploy the largest model you can afford",),
            trace=("size.start: rule 2 (rules/size.yaml:12) matched",),
            rules_hash=self.rules_hash,
        )

    def audit(self) -> str:
        return "# Audit of fixture\n\nNo findings."

    def render(self, answers: dict[str, Any], fmt: str) -> str:
        if fmt == "json":
            return json.dumps({"answers": answers, "start_size": self._size(answers)}, sort_keys=True, indent=2) + "\n"
        return f"# Recommendation\n\nStart with {self._size(answers).upper()}.\n"


COMPLETE = {"task_complexity": "moderate", "quality_bar": "professional", "latency": "batch",
            "requests_per_day": "200K", "output_tokens": "300"}
