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
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from engine.article import load_article


class Payback(NamedTuple):
    upfront_usd: float
    monthly_saving_usd: float
    payback_months: float  # inf when there is no saving
    annual_saving_usd: float


def distillation_upfront_usd(gpu_hours: float, usd_per_gpu_hour: float, data_work_usd: float) -> float:
    return gpu_hours * usd_per_gpu_hour + data_work_usd


def payback(upfront_usd: float, monthly_before_usd: float, monthly_after_usd: float) -> Payback:
    """Months until a one-off investment is repaid by a monthly saving."""
    saving = monthly_before_usd - monthly_after_usd
    months = upfront_usd / saving if saving > 0 else math.inf
    return Payback(upfront_usd, saving, months, saving * 12.0)


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
    """Compute cost of training ``params`` on ``tokens`` (6ND), not a per-parameter constant (C01)."""
    flops = 6.0 * params * tokens
    gpu_hours = flops / (peak_flops_per_gpu * mfu) / 3600.0
    return TrainingCost(flops, gpu_hours, gpu_hours * usd_per_gpu_hour)


def training_total_usd(compute_usd: float, data_usd: float, experimentation_x: float, infrastructure_usd: float) -> float:
    """The article's scenario structure: final compute + data + experiments (x final compute) + infrastructure (C11)."""
    return compute_usd + data_usd + experimentation_x * compute_usd + infrastructure_usd


def crossover_days(training_usd: float, daily_inference_usd: float) -> float:
    """Days of inference spend that equal the training spend (C08)."""
    return training_usd / daily_inference_usd if daily_inference_usd > 0 else math.inf


def lifetime_multiple(daily_inference_usd: float, lifetime_days: float, training_usd: float) -> float:
    return daily_inference_usd * lifetime_days / training_usd if training_usd > 0 else math.inf


class MoeFootprint(NamedTuple):
    resident_params: float  # all experts: drives memory and GPU count
    active_params: float  # per token: drives FLOPs and small-batch bandwidth
    resident_weight_gb: float
    flops_per_token: float


def moe_footprint(total_params: float, active_params: float, bytes_per_param: float) -> MoeFootprint:
    return MoeFootprint(total_params, active_params, total_params * bytes_per_param / 1e9, 2.0 * active_params)


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
    ``output_tokens_per_s_per_gpu`` (as produced by :func:`engine.estimate.compare_quantization`).
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
