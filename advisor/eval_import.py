"""Evaluation results files -> per-size scores (``sizewise recommend --evals``, the wizard's import).

Why: teams measure their candidate sizes with an evaluation tool, not by hand.
Reading the tool's own output keeps the numbers exact (no re-typing) and, when
the file holds per-example results, lets :mod:`advisor.evals` compare two sizes
on the same examples with McNemar's paired test instead of the independent
two-proportion test.

Formats read (detected from the content, not the name):

* lm-evaluation-harness ``results_*.json``: ``results.<task>.<metric>,<filter>``
  (``acc,none`` first, then ``exact_match``, ``acc_norm``, ``pass@1``), the
  sample count from ``n-samples``, the model from ``model_name`` or
  ``config.model_args`` (``pretrained=...``); per-example results from a
  ``samples_<task>*.jsonl`` beside it when present.
* promptfoo output JSON: ``results.results[]`` (or ``results[]``), one entry per
  test and provider, ``success`` true/false, the model from ``provider``.
* Inspect AI JSON logs: ``eval.model`` and ``samples[].scores`` (``C``/``I``,
  1/0, true/false), else ``results.scores[0].metrics.accuracy`` with
  ``results.completed_samples``.
* CSV with a header ``model,example_id,passed`` (passed: true/false, 1/0,
  yes/no, pass/fail).

Model ids map to size classes through the engine catalog
(:func:`engine.catalog.resolve_model`, the catalog's ``size_class``); a model
the catalog does not know, or one without a dense size class, is one line
naming the model and the file. Plain functions; the pydantic model is
:class:`advisor.answers.EvaluationResult` at the end.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from advisor.errors import UserError

#: lm-evaluation-harness metrics that are a share of correct examples, in the order tried
LM_EVAL_METRICS = ("acc", "exact_match", "acc_norm", "pass@1")
_MAX_BYTES = 200 * 1024 * 1024
_TRUE = {"true", "1", "yes", "pass", "passed", "c", "correct"}
_FALSE = {"false", "0", "no", "fail", "failed", "i", "incorrect"}


class EvalFileError(UserError):
    """A results file that cannot be read as any supported format (one line, exit 2)."""


@dataclass(frozen=True)
class SizeResult:
    """One model's result in a file: its size class, the counts, per-example outcomes when known."""

    model: str
    size: str
    correct: int
    examples: int
    outcomes: dict[str, bool] | None
    source: str  # file path and format, for messages


def read_results(path: str | Path) -> list[SizeResult]:
    """Every model's result in one file, in the file's order (one line on any problem)."""
    p = Path(path)
    try:
        if p.stat().st_size > _MAX_BYTES:
            raise EvalFileError(f"{p}: results file larger than {_MAX_BYTES // 2**20} MiB")
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise EvalFileError(f"{p}: no such results file") from None
    except IsADirectoryError:
        raise EvalFileError(f"{p}: is a directory; name the results file inside it (lm-evaluation-harness "
                            "writes results_<date>.json, promptfoo and Inspect AI one JSON file per run)") from None
    except (OSError, UnicodeDecodeError) as err:
        raise EvalFileError(f"{p}: cannot read the results file ({err.__class__.__name__})") from None
    if p.suffix.lower() == ".csv" or text.lstrip().lower().startswith("model,"):
        return _csv(p, text)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise EvalFileError(
            f"{p}:{err.lineno}:{err.colno}: not JSON or CSV; expected lm-evaluation-harness results JSON, "
            "promptfoo output JSON, an Inspect AI JSON log or a CSV with model,example_id,passed"
        ) from None
    if isinstance(doc, dict) and isinstance(doc.get("eval"), dict) and "model" in doc["eval"]:
        return [_inspect(p, doc)]
    if isinstance(doc, dict) and isinstance(doc.get("results"), dict) and (
        "config" in doc or "configs" in doc or "n-samples" in doc or "model_name" in doc
    ):
        return [_lm_eval(p, doc)]
    tests = _promptfoo_tests(doc)
    if tests is not None:
        return _promptfoo(p, tests)
    raise EvalFileError(
        f"{p}: not a results file sizewise reads; expected lm-evaluation-harness results JSON "
        "('results' and 'config'), promptfoo output JSON ('results' with per-test 'success'), "
        "an Inspect AI JSON log ('eval.model'), or a CSV with model,example_id,passed"
    )


def size_of(model: str, source: str) -> str:
    """The catalog size class of a model id (``hf/``, ``provider:`` prefixes allowed)."""
    from engine.catalog import resolve_model
    from engine.errors import UnknownIdError

    tries = [model.strip()]
    if ":" in model:
        tries.append(model.rsplit(":", 1)[1])  # promptfoo: 'huggingface:text-generation:<hf id>'
    for t in tries:
        try:
            spec = resolve_model(t)
        except UnknownIdError:
            continue
        if spec.size_class in (None, "moe"):
            raise EvalFileError(
                f"{source}: model '{model}' has no dense size class in the catalog "
                f"({spec.size_class or 'none'}); sizewise compares 1b..1t"
            )
        return spec.size_class
    raise EvalFileError(
        f"{source}: model '{model}' is not in the model catalog, so its size class is unknown; "
        "`sizewise catalog models` lists the ids (a generic class such as 13b works too)"
    )


def _passed(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise EvalFileError(f"{where}: expected passed as true/false, 1/0, yes/no or pass/fail, got '{value}'")


def _result(p: Path, fmt: str, model: str, outcomes: dict[str, bool] | None = None,
            correct: int | None = None, examples: int | None = None) -> SizeResult:
    source = f"{p} ({fmt})"
    if outcomes is not None:
        correct, examples = sum(outcomes.values()), len(outcomes)
    if not examples:
        raise EvalFileError(f"{source}: no examples for model '{model}'")
    return SizeResult(model, size_of(model, source), int(correct or 0), int(examples), outcomes, source)


def _group(p: Path, fmt: str, rows: Iterable[tuple[str, str, bool]]) -> list[SizeResult]:
    """(model, example id, passed) rows -> one result per model, duplicates refused."""
    by_model: dict[str, dict[str, bool]] = {}
    for model, example, ok in rows:
        seen = by_model.setdefault(model, {})
        if example in seen:
            raise EvalFileError(f"{p} ({fmt}): example '{example}' appears twice for model '{model}'")
        seen[example] = ok
    if not by_model:
        raise EvalFileError(f"{p} ({fmt}): no results in the file")
    return [_result(p, fmt, m, outcomes) for m, outcomes in by_model.items()]


def _csv(p: Path, text: str) -> list[SizeResult]:
    reader = csv.DictReader(text.splitlines())
    need = {"model", "example_id", "passed"}
    if reader.fieldnames is None or not need <= {f.strip() for f in reader.fieldnames}:
        raise EvalFileError(f"{p}:1: expected a CSV header with model,example_id,passed, got '{text.splitlines()[0] if text else ''}'")
    rows = []
    for line, row in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        if not row["model"] or not row["example_id"]:
            raise EvalFileError(f"{p}:{line}: model and example_id must not be empty")
        rows.append((row["model"], row["example_id"], _passed(row["passed"], f"{p}:{line}")))
    return _group(p, "CSV", rows)


def _lm_eval_model(doc: dict) -> str | None:
    if isinstance(doc.get("model_name"), str) and doc["model_name"]:
        return doc["model_name"]
    args = (doc.get("config") or {}).get("model_args")
    if isinstance(args, str):
        for part in args.split(","):
            key, _, value = part.partition("=")
            if key.strip() in ("pretrained", "model", "engine") and value.strip():
                return value.strip()
    return None


def _lm_eval(p: Path, doc: dict) -> SizeResult:
    fmt = "lm-evaluation-harness"
    tasks = {k: v for k, v in doc["results"].items() if isinstance(v, dict)}
    if len(tasks) != 1:
        raise EvalFileError(f"{p} ({fmt}): expected results for exactly one task, found {len(tasks)} ({', '.join(sorted(tasks)) or 'none'})")
    task, metrics = next(iter(tasks.items()))
    model = _lm_eval_model(doc)
    if model is None:
        raise EvalFileError(f"{p} ({fmt}): no model id (expected 'model_name' or config.model_args 'pretrained=...')")
    found = next(((m, k, v) for m in LM_EVAL_METRICS for k, v in metrics.items()
                  if k.split(",")[0] == m and isinstance(v, (int, float))), None)
    if found is None:
        raise EvalFileError(f"{p} ({fmt}): task '{task}' has none of the metrics {', '.join(m + ',<filter>' for m in LM_EVAL_METRICS)}")
    metric, key, value = found
    samples = _lm_eval_samples(p, task, metric)
    if samples is not None:
        return _result(p, fmt, model, samples)
    n = (doc.get("n-samples") or {}).get(task, {})
    examples = n.get("effective", n.get("original")) if isinstance(n, dict) else None
    if not isinstance(examples, int) or examples <= 0:
        raise EvalFileError(f"{p} ({fmt}): no sample count for task '{task}' (expected n-samples.{task}.effective)")
    correct = round(float(value) * examples)
    if abs(correct - float(value) * examples) > 1e-6 * examples:
        raise EvalFileError(f"{p} ({fmt}): {key} = {value} is not a whole number of {examples} examples")
    return _result(p, fmt, model, correct=correct, examples=examples)


def _lm_eval_samples(p: Path, task: str, metric: str) -> dict[str, bool] | None:
    """The per-sample JSONL lm-eval writes beside the results (``samples_<task>_<time>.jsonl``)."""
    stamp = p.stem[len("results_"):] if p.stem.startswith("results_") else ""
    found = sorted(p.parent.glob(f"samples_{task}_{stamp}*.jsonl")) or sorted(p.parent.glob(f"samples_{task}_*.jsonl"))
    if not found:
        return None
    path = found[0]
    outcomes: dict[str, bool] = {}
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            key, value = str(row["doc_id"]), row[metric]
        except (json.JSONDecodeError, KeyError, TypeError):
            raise EvalFileError(f"{path}:{line_no}: expected a JSON object with 'doc_id' and '{metric}'") from None
        outcomes[key] = _passed(value, f"{path}:{line_no}")
    return outcomes or None


def _promptfoo_tests(doc: Any) -> list | None:
    inner = doc.get("results") if isinstance(doc, dict) else None
    if isinstance(inner, dict):
        inner = inner.get("results")
    if isinstance(inner, list) and inner and all(isinstance(t, dict) and "success" in t for t in inner):
        return inner
    return None


def _promptfoo(p: Path, tests: list) -> list[SizeResult]:
    rows = []
    for i, t in enumerate(tests):
        provider = t.get("provider")
        model = provider.get("label") or provider.get("id") if isinstance(provider, dict) else provider
        if not isinstance(model, str) or not model:
            raise EvalFileError(f"{p} (promptfoo): result {i} has no provider id")
        example = t.get("testIdx", t.get("id", i))
        rows.append((model, str(example), _passed(t["success"], f"{p} (promptfoo) result {i}")))
    return _group(p, "promptfoo", rows)


def _inspect(p: Path, doc: dict) -> SizeResult:
    fmt = "Inspect AI"
    model = str(doc["eval"]["model"])
    samples = doc.get("samples")
    if isinstance(samples, list) and samples:
        outcomes: dict[str, bool] = {}
        for i, s in enumerate(samples):
            scores = s.get("scores") if isinstance(s, dict) else None
            if not isinstance(scores, dict) or not scores:
                raise EvalFileError(f"{p} ({fmt}): sample {i} has no scores")
            first = next(iter(scores.values()))
            value = first.get("value") if isinstance(first, dict) else first
            key = str(s.get("id", i)) + (f"#{s['epoch']}" if s.get("epoch", 1) != 1 else "")
            outcomes[key] = _passed(value, f"{p} ({fmt}) sample {i}")
        return _result(p, fmt, model, outcomes)
    results = doc.get("results") or {}
    try:
        acc = float(results["scores"][0]["metrics"]["accuracy"]["value"])
        n = int(results["completed_samples"])
    except (KeyError, IndexError, TypeError, ValueError):
        raise EvalFileError(f"{p} ({fmt}): no samples and no results.scores[0].metrics.accuracy with results.completed_samples") from None
    return _result(p, fmt, model, correct=round(acc * n), examples=n)


def evaluations_from_files(paths: Iterable[str | Path], target: float | None, base: Any = None) -> Any:
    """An :class:`advisor.answers.Evaluations` from results files (over ``base``'s results).

    ``target`` comes from ``--eval-target`` or else the answers file's own
    ``evaluations.target_accuracy`` (``base``). A size measured in a file
    replaces the answers file's figure for that size; two files measuring the
    same size are refused.
    """
    from pydantic import ValidationError

    from advisor.answers import EvaluationResult, Evaluations

    if target is None and base is not None:
        target = base.target_accuracy
    if target is None:
        raise EvalFileError("--evals: no target accuracy; pass --eval-target 0.85 or put evaluations.target_accuracy in the answers file")
    by_size = {r.size: r for r in (base.results if base is not None else [])}
    from_files: dict[str, SizeResult] = {}
    for path in paths:
        for r in read_results(path):
            if r.size in from_files:
                raise EvalFileError(f"{r.source}: size {r.size} is measured twice ({from_files[r.size].source}, model '{r.model}')")
            from_files[r.size] = r
            by_size[r.size] = EvaluationResult(size=r.size, correct=r.correct, examples=r.examples, outcomes=r.outcomes)
    try:
        return Evaluations(target_accuracy=float(target), results=list(by_size.values()))
    except ValidationError as err:
        first = err.errors(include_url=False)[0]
        raise EvalFileError(f"--evals: {'.'.join(map(str, first['loc'])) or 'evaluations'}: {first['msg']}") from None
