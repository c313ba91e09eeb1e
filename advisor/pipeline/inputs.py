"""What every stage reads: the validated answers and the rules' outputs, reduced to one frozen value.

Why a frozen dataclass: the stages after the decisions all need the same
demand (requests, tokens, peak-to-average), latency targets, deployment mode,
precisions and hardware restriction. Computing them once, here, and passing
them as an immutable value keeps each stage a plain function that cannot
change what the next one sees.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from advisor.pipeline.common import str_or_none
from advisor.pipeline import hardware


@dataclasses.dataclass(frozen=True)
class Inputs:
    """The answers and rule outputs of one run, as the engine-facing stages need them."""

    rulebook: Any
    values: Mapping[str, Any]
    outputs: Mapping[str, Any]
    #: catalog ids or ``engine.catalog.GpuSpec`` objects the search may use (None = the whole catalog)
    gpus: list | None
    #: ``decide(rulebook, answers) -> (outputs, trace rows)``: re-run by the sensitivity stage
    decide: Callable
    deployment: str
    ttft_target_s: float | None
    tpot_target_ms: float | None
    requests_per_day: float
    input_tokens: float
    output_tokens: float
    peak_to_average: float | None
    #: None = every precision the engine knows; ("bf16",) when the user's tests rejected quantization
    precisions: tuple[str, ...] | None
    #: what the inputs alone make the report say (in order)
    notes: tuple[str, ...] = ()
    #: the serving-engine calibration profile (engine.calibration); None = the engine's default (vllm)
    serving_engine: str | None = None
    #: the offers the search may use (advisor.pipeline.hardware.HardwarePool); None = per-GPU catalog prices
    hardware: Any = None


def inputs_for(rulebook, values: Mapping[str, Any], outputs: Mapping[str, Any], gpus, decide) -> Inputs:
    """The shared inputs of a run: explicit ``gpus`` win over a restriction in the answers."""
    interactive = values.get("latency") == "interactive"
    t = outputs.get("ttft_target_s", values.get("ttft_target_s"))
    p = outputs.get("tpot_target_ms", values.get("tpot_target_ms"))
    ptoa = values.get("peak_to_average")
    rejected = bool(values.get("quantization_rejected_by_tests"))
    deployment = str(outputs.get("deployment") or values.get("deployment") or "cloud")
    pool = hardware.pool_for(values, deployment, list(gpus) if gpus else None)
    return Inputs(
        rulebook=rulebook,
        values=values,
        outputs=outputs,
        gpus=list(gpus) if gpus else restricted_gpus(values),
        decide=decide,
        deployment=deployment,
        ttft_target_s=float(t) if interactive and t is not None else None,
        tpot_target_ms=float(p) if interactive and p is not None else None,
        requests_per_day=float(values["requests_per_day"]),
        input_tokens=float(values["input_tokens"]),
        output_tokens=float(values["output_tokens"]),
        peak_to_average=float(ptoa) if ptoa is not None else None,
        precisions=("bf16",) if rejected else None,
        notes=(*(("Quantization was rejected by your own tests, so only 16-bit precision is considered.",) if rejected else ()),
               *(pool.notes if pool is not None else ())),
        serving_engine=str_or_none(outputs.get("serving_engine") or values.get("serving_engine")),
        hardware=pool,
    )


def restricted_gpus(values: Mapping[str, Any]) -> list[str] | None:
    """A GPU restriction from the answers, if the rules ask for one (e.g. ``gpus: [a100-80gb]``)."""
    for key in ("allowed_gpus", "gpus", "hardware", "gpu"):
        v = values.get(key)
        if v in (None, "", "any", "undecided"):
            continue
        items = v if isinstance(v, (list, tuple)) else [s.strip() for s in str(v).split(",")]
        items = [str(i) for i in items if str(i).strip()]
        if items:
            return items
    return None


def validated(answers, rulebook, evaluations=None):
    """Validated ``Answers`` from ``Answers`` or a raw mapping; ``evaluations`` replace the file's own."""
    from advisor import answers as A

    if isinstance(answers, A.Answers):
        ans = answers
    elif isinstance(answers, Mapping):
        ans = A.resolve(rulebook, answers)
    else:
        raise TypeError(f"answers must be a mapping or advisor.answers.Answers, not {type(answers).__name__}")
    if evaluations is not None:  # the caller's measurements replace the file's, for the rules too
        if not isinstance(evaluations, A.Evaluations):
            evaluations = A.Evaluations.model_validate(evaluations)
        ans = dataclasses.replace(ans, evaluations=evaluations)
    return ans


def with_values(ans, values):
    """The same answers with other values (the sensitivity scenarios)."""
    return dataclasses.replace(ans, values=values)
