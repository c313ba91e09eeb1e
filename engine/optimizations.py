"""Optimizations: quantization, distillation payback, MoE, training cost and the crossover day.

Why here and not in the advisor: each is arithmetic on engine figures (costs of two
deployments, a training compute budget) and must be reproducible exactly; the
advisor only decides *when* to suggest them. Formulas (docs/methodology.md,
"Optimizations"):

* quantization: compare full estimates per precision (memory, GPUs, throughput,
  $), with the article's quality priors (INT8 ~1%, INT4 ~2-3%) labelled as priors;
  weight-only int4/int8 do not cut prefill FLOPs (seed-consistency C10)
* distillation: upfront = GPU-hours x $/h + data work; payback months = upfront /
  (monthly cost before - monthly cost after) (C13)
* MoE: resident memory from total parameters, FLOPs from active parameters (C09)
* training: FLOPs = 6 x N x D; GPU-hours = FLOPs / (peak x MFU) / 3600; $ = GPU-h x $/h (C01, C11)
* crossover day = training $ / daily inference $; lifetime multiple = daily $ x days / training $ (C08)

Every amount is checked on the way in (:func:`_amount`): a negative or non-finite
cost, price or count raises :class:`~engine.errors.InputError` naming the function
and the argument. Why: the formulas are divisions, so a sign error upstream (an
override with a negative price, a swapped before/after) would otherwise come out
as a plausible-looking negative payback or crossover instead of an error.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from engine.article import load_article
from engine.errors import InputError


def _amount(func: str, name: str, value: Any, *, positive: bool = False) -> float:
    """``value`` as a float if it is a finite number >= 0 (> 0 with ``positive``), else :class:`InputError`."""
    ok = not isinstance(value, bool) and isinstance(value, (int, float))
    if ok and math.isfinite(value) and value >= 0 and not (positive and value == 0):
        return float(value)
    bound = "above 0" if positive else "0 or more"
    raise InputError(f"{func}: {name} must be a finite number {bound}, got {value!r}")


class Payback(NamedTuple):
    upfront_usd: float
    monthly_saving_usd: float  # negative when the change costs more per month
    payback_months: float  # inf when there is no saving: the investment never pays back
    annual_saving_usd: float

    @property
    def pays_back(self) -> bool:
        """False when there is no monthly saving (``payback_months`` is inf)."""
        return math.isfinite(self.payback_months)


def distillation_upfront_usd(gpu_hours: float, usd_per_gpu_hour: float, data_work_usd: float) -> float:
    f = "distillation_upfront_usd"
    return (_amount(f, "gpu_hours", gpu_hours) * _amount(f, "usd_per_gpu_hour", usd_per_gpu_hour)
            + _amount(f, "data_work_usd", data_work_usd))


def payback(upfront_usd: float, monthly_before_usd: float, monthly_after_usd: float) -> Payback:
    """Months until a one-off investment is repaid by a monthly saving.

    No saving (after >= before) means it never pays back: ``payback_months`` is inf
    and ``pays_back`` False, whatever the upfront cost (also 0: nothing is gained).
    A zero upfront cost with a saving pays back at once (0 months). Negative or
    non-finite amounts are an :class:`InputError`: a negative upfront cost would
    otherwise give a negative number of months.
    """
    upfront = _amount("payback", "upfront_usd", upfront_usd)
    before = _amount("payback", "monthly_before_usd", monthly_before_usd)
    after = _amount("payback", "monthly_after_usd", monthly_after_usd)
    saving = before - after
    months = upfront / saving if saving > 0 else math.inf
    return Payback(upfront, saving, months, saving * 12.0)


def article_case_study_payback() -> Payback:
    """The article's distillation case study, from its own numbers (cloud): $15K / ($50K/12) = 3.6 months."""
    cs = load_article()["distillation_case_study"]
    return payback(cs["distillation_cost_usd"], cs["before"]["annual_cloud_usd"] / 12.0,
                   cs["after"]["annual_cloud_usd"] / 12.0)


class TrainingCost(NamedTuple):
    flops: float
    gpu_hours: float
    compute_usd: float


def training_cost(params: float, tokens: float, peak_flops_per_gpu: float, mfu: float,
                  usd_per_gpu_hour: float) -> TrainingCost:
    """Compute cost of training ``params`` on ``tokens`` (6ND), not a per-parameter constant (C01).

    ``mfu`` is a fraction of ``peak_flops_per_gpu`` (above 0, at most 1).
    """
    f = "training_cost"
    params, tokens = _amount(f, "params", params), _amount(f, "tokens", tokens)
    peak = _amount(f, "peak_flops_per_gpu", peak_flops_per_gpu, positive=True)
    if _amount(f, "mfu", mfu, positive=True) > 1.0:
        raise InputError(f"training_cost: mfu is a fraction of peak (above 0, at most 1), got {mfu!r}")
    price = _amount(f, "usd_per_gpu_hour", usd_per_gpu_hour)
    flops = 6.0 * params * tokens
    gpu_hours = flops / (peak * mfu) / 3600.0
    return TrainingCost(flops, gpu_hours, gpu_hours * price)


def training_total_usd(compute_usd: float, data_usd: float, experimentation_x: float, infrastructure_usd: float) -> float:
    """The article's scenario structure: final compute + data + experiments (x final compute) + infrastructure (C11)."""
    f = "training_total_usd"
    compute = _amount(f, "compute_usd", compute_usd)
    return (compute + _amount(f, "data_usd", data_usd) + _amount(f, "experimentation_x", experimentation_x) * compute
            + _amount(f, "infrastructure_usd", infrastructure_usd))


def crossover_days(training_usd: float, daily_inference_usd: float) -> float:
    """Days of inference spend that equal the training spend (C08); inf when nothing is spent on inference."""
    training = _amount("crossover_days", "training_usd", training_usd)
    daily = _amount("crossover_days", "daily_inference_usd", daily_inference_usd)
    return training / daily if daily > 0 else math.inf


def lifetime_multiple(daily_inference_usd: float, lifetime_days: float, training_usd: float) -> float:
    """Lifetime inference spend as a multiple of the training spend; inf when training cost nothing."""
    f = "lifetime_multiple"
    spend = _amount(f, "daily_inference_usd", daily_inference_usd) * _amount(f, "lifetime_days", lifetime_days)
    training = _amount(f, "training_usd", training_usd)
    return spend / training if training > 0 else math.inf


class MoeFootprint(NamedTuple):
    resident_params: float  # all experts: drives memory and GPU count
    active_params: float  # per token: drives FLOPs and small-batch bandwidth
    resident_weight_gb: float
    flops_per_token: float


def moe_footprint(total_params: float, active_params: float, bytes_per_param: float) -> MoeFootprint:
    f = "moe_footprint"
    total, active = _amount(f, "total_params", total_params), _amount(f, "active_params", active_params)
    if active > total:
        raise InputError(f"moe_footprint: active_params ({active_params!r}) cannot exceed total_params ({total_params!r})")
    width = _amount(f, "bytes_per_param", bytes_per_param, positive=True)
    return MoeFootprint(total, active, total * width / 1e9, 2.0 * active)


def quality_prior(precision: str) -> dict[str, Any] | None:
    """The article's quality-loss prior for a precision, labelled as a prior (None for 16-bit)."""
    q = load_article()["quantization"]
    if precision in ("int8", "fp8"):
        lo, hi = q["quality_loss_pct"]["int8"]
    elif precision == "int4":
        lo, hi = q["quality_loss_pct"]["int4"]
    else:
        return None
    return {"quality_loss_pct": [lo, hi], "label": "prior", "note": q["quality_note"], "where": q["where"]}


def compare_precisions(rows: list[dict[str, Any]], baseline: str = "bf16") -> list[dict[str, Any]]:
    """Add savings vs the baseline precision and the article's quality prior to per-precision rows.

    Each row needs ``precision``, ``monthly_usd``, ``total_gpus``, ``weights_gb`` and
    ``output_tokens_per_s_per_gpu`` (as produced by :func:`engine.sweep.compare_quantization`).
    """
    base = next((r for r in rows if r["precision"] == baseline), rows[0] if rows else None)
    out = []
    for r in rows:
        row = dict(r)
        if base and base["monthly_usd"] > 0:
            row["monthly_saving_pct"] = round(100.0 * (1.0 - r["monthly_usd"] / base["monthly_usd"]), 2)
        if base and base["weights_gb"] > 0:
            row["weights_vs_baseline_x"] = round(base["weights_gb"] / r["weights_gb"], 3)
        row["quality_prior"] = quality_prior(r["precision"])
        out.append(row)
    return out
