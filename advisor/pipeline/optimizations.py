"""Step 3's levers in dollars: quantization, distillation and a Mixtral-class MoE, or why each is not costed.

Why one stage: all three compare the recommended deployment with an
alternative found by the same candidate search, and each says plainly when it
cannot be costed (the user's tests rejected quantization, nothing smaller to
distil into, the MoE does not fit). Returns the section and the notes it adds.
"""

from __future__ import annotations

import math

from advisor.pipeline.common import ARTICLE_SIZES, SIZE_PARAMS_B, r, size_key
from advisor.pipeline.decisions import Plan
from advisor.pipeline.inputs import Inputs
from advisor.pipeline.search import CandidateSearch
from advisor.recommendation import Band, Distillation, MoeAlternative, Optimizations, QuantizationSaving

#: the article's MoE example (Mixtral-class), resolved in the engine catalog
MOE_MODEL = "mixtral-8x7b"


def optimizations(inp: Inputs, search: CandidateSearch, p: Plan, best: dict) -> tuple[Optimizations, list[str]]:
    """The optimizations section for the recommended size, and the notes it adds to the report."""
    size, considered = p.recommended, p.considered
    notes: list[str] = []
    out = Optimizations()
    out.quantization = _quantization(inp, search, size, out.not_costed)
    # distillation
    teacher = _teacher(inp, size)
    if "distillation" not in considered:
        viable = inp.outputs.get("distillation_viable")
        out.not_costed["distillation"] = (
            "the task is broad, general-purpose: a distilled student would lose the teacher's breadth (see the rule trace)"
            if viable is False or inp.values.get("task_scope") == "broad"
            else "the rules do not consider it at this volume tier (see the rule trace)"
        )
    elif teacher is None:
        out.not_costed["distillation"] = (
            f"{size} is the smallest size on the article's distillation ladder (7B and up): there is no "
            "smaller student to price")
    else:
        out.distillation = _distillation(inp, search, teacher, best, notes)
        if out.distillation is None:
            out.not_costed["distillation"] = "teacher or student does not fit the allowed hardware"
    # MoE
    if "moe" in considered or size_key(size) >= size_key("30b"):
        out.moe = _moe(inp, search, best, notes)
        if out.moe is None:
            out.not_costed["moe"] = "the Mixtral-class model could not be costed on the allowed hardware"
    else:
        out.not_costed["moe"] = (
            f"a Mixtral-class model (about 47B resident) is an alternative to 30B-70B dense models; "
            f"not costed for a {size} recommendation below the massive volume tier"
        )
    return out, notes


def _quantization(inp: Inputs, search: CandidateSearch, size: str, not_costed: dict) -> list[QuantizationSaving]:
    """Best 16-bit deployment vs the best at each lower precision."""
    mode = inp.deployment
    base = search.best(size, only_precision="bf16")
    if inp.precisions is not None:
        not_costed["quantization"] = "your own tests rejected INT8/INT4 quality, so only 16-bit is considered"
    elif base is None:
        not_costed["quantization"] = f"no 16-bit deployment of {size} fits the allowed hardware to compare against"
    if base is None or inp.precisions is not None:
        return []
    from engine.optimizations import quality_prior

    rows = []
    for prec in ("fp8", "int8", "int4"):
        q = search.best(size, only_precision=prec)
        if q is None:
            continue
        before, after = base.monthly(mode), q.monthly(mode)
        prior = quality_prior(prec) or {"quality_loss_pct": [0, 0]}
        lo, hi = prior["quality_loss_pct"]
        note = []
        if q.gpus_per_replica < base.gpus_per_replica:
            note.append(f"{base.gpus_per_replica} -> {q.gpus_per_replica} GPUs per replica")
        if q.gpu != base.gpu:
            note.append(f"best GPU {base.gpu} -> {q.gpu}")
        if prec in ("int8", "int4"):
            note.append("weight-only: prefill FLOPs unchanged")
        rows.append(
            QuantizationSaving(
                size=size,
                gpu=q.gpu,
                from_precision="bf16",
                to_precision=prec,
                monthly_usd_before=r(before),  # type: ignore[arg-type]
                monthly_usd_after=r(after),  # type: ignore[arg-type]
                monthly_saving_usd=r(before - after),  # type: ignore[arg-type]
                quality_loss_prior_pct=Band(low=lo, high=hi),
                note="; ".join(note),
            )
        )
    return rows


def _teacher(inp: Inputs, size: str) -> str | None:
    planned = inp.values.get("planned_size")
    if planned in SIZE_PARAMS_B and size_key(planned) > size_key(size):
        return planned
    # distillation stays on the article's ladder: a 7B (or a 1-3B rung) has no student below it here
    return size if size in ARTICLE_SIZES and size != ARTICLE_SIZES[0] else None


def student_for(teacher: str) -> str | None:
    """The student size: the largest class at most a quarter of the teacher (70b -> 13b, 30b -> 7b), else one below."""
    tp = SIZE_PARAMS_B[teacher]
    smaller = [s for s in ARTICLE_SIZES if SIZE_PARAMS_B[s] < tp]
    if not smaller:
        return None
    quarter = [s for s in smaller if SIZE_PARAMS_B[s] <= tp / 4.0]
    return quarter[-1] if quarter else smaller[-1]


def _distillation(inp: Inputs, search: CandidateSearch, teacher: str, best: dict, notes: list[str]) -> Distillation | None:
    from engine.optimizations import payback

    student = student_for(teacher)
    if student is None:
        return None
    mode = inp.deployment
    t_cfg = best.get(teacher) or search.best(teacher)
    s_cfg = best.get(student) or search.best(student)
    if t_cfg is None or s_cfg is None:
        notes.append(f"Distillation {teacher} -> {student} not costed: one of them does not fit the allowed hardware.")
        return None
    upfront, basis = search.engine.distillation_upfront_usd(student)
    before, after = t_cfg.monthly(mode), s_cfg.monthly(mode)
    pb = payback(upfront, before, after)
    months = pb.payback_months if math.isfinite(pb.payback_months) else None
    note = (
        f"A {student} student trained on the {teacher} teacher's outputs for your domain; the article's students keep "
        "90-95% of the teacher's quality on domain tasks (a prior: test it on your examples)."
    )
    months_planned = inp.values.get("deployment_months")
    if months is not None and months_planned:
        note += (
            f" Over {int(months_planned)} months of service it "
            + ("pays back." if months <= float(months_planned) else "does not pay back.")
        )
    return Distillation(
        teacher_size=teacher,
        student_size=student,
        upfront_usd=r(upfront),  # type: ignore[arg-type]
        upfront_basis=basis,
        monthly_usd_before=r(before),  # type: ignore[arg-type]
        monthly_usd_after=r(after),  # type: ignore[arg-type]
        monthly_saving_usd=r(before - after),  # type: ignore[arg-type]
        payback_months=r(months, 2),
        note=note,
    )


def _moe(inp: Inputs, search: CandidateSearch, best: dict, notes: list[str]) -> MoeAlternative | None:
    compare = "70b"
    try:
        cfg = search.best(MOE_MODEL)
    except Exception as err:  # an engine or catalog gap must not sink the report
        notes.append(f"MoE alternative not costed: {err}")
        return None
    dense = best.get(compare) or search.best(compare)
    mode = inp.deployment
    info = search.engine.model_info(MOE_MODEL)
    prec = cfg.precision if cfg else "bf16"
    floor_gb = search.engine.weights_gb(MOE_MODEL, prec)
    note = (
        f"All {info['total_params_b']:.1f}B parameters stay resident (the memory floor), but each token uses only "
        f"{info['active_params_b']:.1f}B, so compute per token is close to a dense 13B. The article says it matches "
        "or beats dense 70B on many benchmarks: a prior, not a prediction for your task; test it like any rung."
    )
    if cfg is not None and cfg.calibration_gaps:
        # the cost can read oddly against "close to a dense 13B": say where the estimate stands
        note += " Its cost is an extrapolation: " + "; ".join(cfg.calibration_gaps) + "."
    return MoeAlternative(
        model=info["id"],
        total_params_b=round(info["total_params_b"], 2),
        active_params_b=round(info["active_params_b"], 2),
        memory_floor_gb=round(floor_gb, 2),
        precision=prec,
        gpu=cfg.gpu if cfg else None,
        gpus_per_replica=cfg.gpus_per_replica if cfg else None,
        replicas=cfg.replicas if cfg else None,
        monthly_usd=r(cfg.monthly(mode)) if cfg else None,
        compared_to_size=compare,
        compared_monthly_usd=r(dense.monthly(mode)) if dense else None,
        note=note,
    )
