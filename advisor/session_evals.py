"""The wizard's evaluation questions: per-size scores typed in, or a results file to import.

Why its own module: an answers file gives evaluations as one ``evaluations:``
block (:class:`advisor.answers.Evaluations`), which is not a rules question and
so had no way in through the wizard (issue 14, item 1). These few questions
are asked on step 4 when the team's evidence is its own evaluation, and turn
back into exactly that block before the pipeline sees the answers, so the
wizard, its export and ``sizewise recommend`` with the same numbers agree.

* ``eval_<size>``: ``correct/examples`` for that size, e.g. ``174/200``
  (optional; one field asks both numbers, as the answers file's result does);
* ``eval_file``: results files (comma-separated paths) read by
  :mod:`advisor.eval_import` (lm-evaluation-harness, promptfoo, Inspect AI,
  CSV); a size measured in a file replaces the typed figure;
* ``eval_target_accuracy``: the share that must be correct (default 0.85).

In a draft these keys are kept on one comment line (:mod:`advisor.drafts`), so
the draft stays a valid answers file.
"""

from __future__ import annotations

from typing import Any

from advisor.session import Question

#: 1b and 3b: the rungs below 7B that the small_rungs rule may put on the ladder
SIZES: tuple[str, ...] = ("1b", "3b", "7b", "13b", "30b", "70b", "175b")
TARGET = "eval_target_accuracy"
FILE = "eval_file"
AFTER = "quality_evidence"  # asked right after this rules question, when it says own_evaluation
DEFAULT_TARGET = 0.85

QUESTIONS: tuple[Question, ...] = (
    *(Question(id=f"eval_{s}", step="test_plan", kind="text",
               prompt=f"{s.upper()} on your evaluation: correct/examples (e.g. 174/200)? Leave empty if not measured.",
               help="How many of your examples this size answered correctly, out of how many.")
      for s in SIZES),
    Question(id=FILE, step="test_plan", kind="text",
             prompt="Or import results files (comma-separated paths)? Leave empty for none.",
             help="lm-evaluation-harness results_*.json (its samples_*.jsonl beside it is read too), promptfoo "
                  "output JSON, Inspect AI JSON logs, or a CSV with model,example_id,passed. Models map to "
                  "sizes through the model catalog; per-example results allow McNemar's paired test."),
    Question(id=TARGET, step="test_plan", kind="number", minimum=0.0, maximum=1.0,
             prompt="Target accuracy: the share of examples that must be correct (e.g. 0.85)?",
             help="The smallest measured size at or above this share is recommended."),
)
IDS: frozenset[str] = frozenset(q.id for q in QUESTIONS)


def visible(answers: dict[str, Any]) -> bool:
    return answers.get(AFTER) == "own_evaluation"


def default(qid: str) -> Any:
    return DEFAULT_TARGET if qid == TARGET else None


def check(qid: str, raw: Any) -> tuple[Any, str | None]:
    """(value, None) or (None, the reason), like every other answer."""
    if qid == TARGET:
        try:
            value = float(raw)
        except (TypeError, ValueError):
            return None, f"expected a share between 0 and 1 such as 0.85, got '{raw}'"
        if not 0.0 < value <= 1.0:
            return None, f"expected a share between 0 and 1 such as 0.85, got '{raw}'"
        return value, None
    text = str(raw).strip()
    if qid == FILE:
        from advisor.eval_import import EvalFileError, read_results

        paths = [p.strip() for p in text.split(",") if p.strip()]
        try:
            for p in paths:
                read_results(p)
        except EvalFileError as err:
            return None, str(err)
        return ",".join(paths), None
    correct, sep, examples = text.partition("/")
    try:
        c, n = int(correct), int(examples)
    except ValueError:
        return None, f"expected correct/examples as whole numbers, e.g. 174/200, got '{text}'"
    if not sep or n < 1 or not 0 <= c <= n:
        return None, f"expected correct/examples with 0 <= correct <= examples, e.g. 174/200, got '{text}'"
    return f"{c}/{n}", None


def to_pipeline(given: dict[str, Any]) -> dict[str, Any]:
    """The wizard's given answers -> what an answers file would hold (an ``evaluations:`` block).

    Typed or imported scores define the block; without them a prefilled block
    (``sizewise wizard --answers F``) passes through unchanged.
    """
    out = {k: v for k, v in given.items() if k not in IDS}
    typed = [(s, given[f"eval_{s}"]) for s in SIZES if given.get(f"eval_{s}")]
    files = [p for p in str(given.get(FILE) or "").split(",") if p]
    if not typed and not files:
        return out
    from advisor.answers import EvaluationResult, Evaluations
    from advisor.eval_import import evaluations_from_files

    target = float(given.get(TARGET, DEFAULT_TARGET))
    results = [EvaluationResult(size=s, correct=int(v.split("/")[0]), examples=int(v.split("/")[1])) for s, v in typed]
    base = Evaluations(target_accuracy=target, results=results)
    ev = evaluations_from_files(files, target, base) if files else base
    out["evaluations"] = ev.model_dump(mode="json", exclude_none=True)
    return out
