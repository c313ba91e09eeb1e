"""The ``sizewise estimate --format json`` contract: the :class:`Estimate` document and how it is filled.

Why its own module: the JSON keys, their rounding and the explanatory blocks (memory,
cost cloud vs owned, the calibration band, the article's figures, every assumption
with its source) change for reasons of presentation and contract, not of the
engine's arithmetic: :func:`shape_estimate` reads a resolved request
(engine/request.py) and the chosen deployment (engine/estimate.py) and writes them
out; the few figures only the document shows (owned cost, break-even, band) are
computed here from engine/cost.py and engine/fleet.py. Keys are stable
(docs/architecture.md).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from engine import cost as costm
from engine.calibration import Calibration, model_coverage_gaps
from engine.evaluate import Candidate
from engine.fleet import DAYS_PER_MONTH, Demand, size_fleet
from engine.layout import Layout, deployment_regime
from engine.memory import KV_PRECISION_BYTES, kv_bytes
from engine.params import param_counts
from engine.performance import replica_perf
from engine.prep import GpuPrep, ModelPrep
from engine.request import ResolvedRequest


@dataclasses.dataclass(kw_only=True)
class Estimate:
    """The ``sizewise estimate --format json`` contract (see docs/architecture.md). Stable keys.

    :meth:`as_dict` is the JSON document (``json.dumps(..., sort_keys=True)``).
    """

    schema_version: int = 1
    model: dict[str, Any]
    gpu: dict[str, Any]
    workload: dict[str, Any]
    memory: dict[str, Any]
    deployment: dict[str, Any]
    performance: dict[str, Any]
    fleet: dict[str, Any]
    cost: dict[str, Any]
    band: dict[str, Any]
    article: dict[str, Any]
    assumptions: dict[str, Any]
    calibration: dict[str, Any]
    warnings: list[str]

    def as_dict(self) -> dict[str, Any]:
        """A deep copy as plain JSON data (tuples become lists)."""
        return _plain(dataclasses.asdict(self))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _r(x: float, nd: int = 4) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return float(f"{x:.{nd}g}") if abs(x) < 1e15 else float(x)


def _round(x: float, places: int = 3) -> float | None:
    """``round(x, places)``, except that a value fixed decimals would destroy keeps 3 significant figures.

    Why: a positive cost or throughput must never print as 0 (0.00004 $/M at 4 places, 0.04
    tokens/s per GPU at 1 place). Only values below ``10**-places`` are affected, so every
    value that fixed decimals already shows keeps its usual output.
    """
    if x is None or not math.isfinite(x):
        return None
    if x != 0 and abs(x) < 10.0 ** -places:
        return float(f"{x:.3g}")
    return round(x, places)


def shape_estimate(w: ResolvedRequest, calib: Calibration, prep: ModelPrep, gprep: GpuPrep, lay: Layout,
                   cand: Candidate) -> Estimate:
    """The :class:`Estimate` of the chosen deployment ``cand`` on ``lay`` (appends coverage warnings to ``w``'s)."""
    from engine.article import reference_block
    from engine.memory import article_quick_rule_gb

    req, a, model, gpu, warnings = w.req, w.assumptions, w.model, w.gpu, w.warnings
    prec, prec_source, kvp = w.precision, w.precision_source, w.kv_precision
    s, g, s_source, g_source = w.input_tokens, w.output_tokens, w.input_source, w.output_source
    requests, price, purchases = w.requests_per_day, w.usd_per_gpu_hour, w.purchases
    ttft_t = req.ttft_target_s if req.ttft_target_s is not None else a.ttft_target_s
    tpot_t = req.tpot_target_ms if req.tpot_target_ms is not None else a.tpot_target_ms
    r = replica_perf(prep.perf, gprep.perf, calib.efficiency_for(gpu.vendor, prec), cand.tp, cand.pp, s, g,
                     cand.concurrency / cand.data_parallel, s * a.prefix_cache_hit_rate)

    regime, regime_reason, copy_lay = deployment_regime(prep, gpu, lay, cand)
    load = _at_load(prep, gprep, calib, cand, a, s, g, bool(requests))
    p95_ok = load.ttft_p95_s <= ttft_t and load.tpot_p95_ms <= tpot_t
    if cand.meets_latency and not p95_ok:
        warnings.append(f"at the planned load ({load.utilisation:.0%} of a replica's capacity at the peak hour) the p95 "
                        f"latency misses the targets: TTFT p95 {load.ttft_p95_s:.3g} s, TPOT p95 {load.tpot_p95_ms:.3g} ms")

    pc = param_counts(model)
    kv_total = kv_bytes(model, kvp, s + g, cand.concurrency)
    copies = cand.data_parallel
    if copies > 1:  # each data-parallel copy holds its own weights and runtime; GPUs left over idle hold nothing
        overhead_total = copy_lay.overhead_bytes_per_gpu * copy_lay.gpus_per_replica * copies
        kv_budget = copy_lay.kv_budget_bytes * copies
    else:
        overhead_total = lay.overhead_bytes_per_gpu * lay.gpus_per_replica
        kv_budget = lay.kv_budget_bytes
    total_bytes = prep.weights_bytes * copies + kv_total + overhead_total
    # what the article's VRAM rules describe: one copy serving ONE sequence of s + g tokens
    single_bytes = (prep.weights_bytes + copy_lay.overhead_bytes_per_gpu * copy_lay.gpus_per_replica
                    + kv_bytes(model, kvp, s + g, 1))
    capacity = gpu.capacity_gib * 2**30 * lay.gpus_per_replica

    # ---- cost blocks: cloud and owned side by side
    hours = a.hours_per_month
    n_total = cand.total_gpus
    util = cand.fleet_utilisation
    cloud_rate = price if price is not None else gpu.cloud_usd_per_gpu_hour
    purchase = purchases.get(gpu.id, gpu.purchase_usd)
    owned = costm.owned_monthly_per_gpu(purchase, gpu.tdp_w, util, amortisation_years=a.amortisation_years,
                                        host_power_factor=a.host_power_factor, pue=a.pue, usd_per_kwh=a.usd_per_kwh,
                                        hosting_usd_per_gpu_month=a.hosting_usd_per_gpu_month, hours_per_month=hours)
    cloud_monthly = costm.cloud_monthly_usd(n_total, cloud_rate, hours)
    owned_monthly = n_total * owned.total_usd
    breakeven = costm.break_even_utilisation(purchase, gpu.tdp_w, cloud_rate, amortisation_years=a.amortisation_years,
                                             host_power_factor=a.host_power_factor, pue=a.pue,
                                             usd_per_kwh=a.usd_per_kwh, hosting_usd_per_gpu_month=a.hosting_usd_per_gpu_month,
                                             hours_per_month=hours)
    band = calib.band
    lo_x, hi_x = band.ratio_p10, band.ratio_p90

    # Demand-dependent figures
    if requests:
        out_day = requests * g
        in_day = requests * s
    else:
        out_day = cand.output_tokens_per_s * 86400.0 * a.target_utilisation / a.peak_to_average
        in_day = out_day * s / g

    def fleet_cost_at(tps: float) -> tuple[int, float]:
        """(replicas, monthly $) if one replica produced ``tps`` output tokens/s (for the band)."""
        if requests:
            fl = size_fleet(Demand(requests, s, g, a.peak_to_average, a.target_utilisation), tps, lay.gpus_per_replica)
            reps = fl.replicas
        else:
            reps = 1
        return reps, reps * lay.gpus_per_replica * cand.usd_per_gpu_hour * hours

    reps_lo_tps, monthly_hi = fleet_cost_at(cand.output_tokens_per_s * lo_x)
    reps_hi_tps, monthly_lo = fleet_cost_at(cand.output_tokens_per_s * hi_x)
    per_m_mid = cand.usd_per_million_output_tokens
    if requests:
        per_m_lo, per_m_hi = monthly_lo / (out_day * DAYS_PER_MONTH) * 1e6, monthly_hi / (out_day * DAYS_PER_MONTH) * 1e6
    else:  # at a fixed fleet the cost per token scales inversely with throughput
        per_m_lo, per_m_hi = per_m_mid / hi_x, per_m_mid / lo_x

    size_class = model.size_class if model.generic else None
    article_workload = bool(requests) and abs(out_day - 1e8) / 1e8 < 0.05 and s == 2000 and g in (20, 30)
    article = reference_block(size_class, prec, computed_total_gb=total_bytes / 1e9,
                              computed_single_sequence_gb=single_bytes / 1e9, computed_monthly_usd=cand.monthly_usd, computed_gpus=cand.total_gpus,
                              computed_gpu_name=gpu.name, cost_table_workload=article_workload)
    if model.num_kv_heads < model.num_attention_heads or model.mla is not None:
        from engine.memory import article_kv_formula_bytes

        art_kv = article_kv_formula_bytes(model.num_layers, model.hidden_size, 1, 1, KV_PRECISION_BYTES[kvp])
        article["kv_formula"] = {
            "article_bytes_per_token": art_kv,
            "computed_bytes_per_token": prep.kv_bytes_per_token,
            "ratio": _round(art_kv / prep.kv_bytes_per_token, 2),
            "label": f"KV bytes per token: the article's formula applied to {model.name}",
            "note": "the article's KV formula uses the hidden size, i.e. assumes no grouped-query/latent attention",
            "where": "formula from the article's KV-cache example (70B, 8K); seed-consistency C02",
        }
    ql, qh = article_quick_rule_gb(pc.total / 1e9, prec)

    assumptions = {
        name: {"value": getattr(a, name), "source": a.sources.get(name, "")}
        for name in ("target_utilisation", "peak_to_average", "prefix_cache_hit_rate", "hours_per_month",
                     "amortisation_years", "usd_per_kwh", "pue", "host_power_factor", "hosting_usd_per_gpu_month",
                     "max_batch_sequences", "ttft_target_s", "tpot_target_ms")
    }
    assumptions["usd_per_gpu_hour"] = {
        "value": cloud_rate,
        "source": "user" if (price is not None) else gpu.provenance["cloud_usd_per_gpu_hour"].source,
    }
    assumptions["purchase_usd"] = {
        "value": purchase,
        "source": "user override" if gpu.id in purchases else gpu.provenance["purchase_usd"].source,
    }
    assumptions["input_tokens"] = {"value": int(s), "source": s_source}
    assumptions["output_tokens"] = {"value": int(g), "source": g_source}
    assumptions["precision"] = {"value": prec, "source": prec_source}
    assumptions["kv_precision"] = {"value": kvp, "source": "user" if req.kv_precision else "default: fp8 KV with fp8 weights, else fp16"}
    assumptions["compute_path"] = {"value": gprep.compute_note, "source": "engine/performance.py compute_rate_flops (seed-consistency C10)"}
    if req.tokens_per_day is not None:
        assumptions["tokens_per_day_basis"] = {"value": "input + output tokens", "source": "seed-consistency C16 (total processed tokens)"}

    gaps = model_coverage_gaps(model, gpu_id=gpu.id, precision=prec, kv_precision=kvp, tp=cand.tp, pp=cand.pp,
                               tokens_per_sequence=s + g, serving_engine=calib.profile)
    if gaps:
        warnings.append("outside what the calibration measured: " + "; ".join(gaps)
                        + ". The band covers measured setups only; treat this estimate as an extrapolation.")

    mode = "max" if req.concurrency == "max" else ("given" if isinstance(req.concurrency, int) else "latency-optimal")
    decode_share = 1.0 - r.prefill_share
    return Estimate(
        model={"id": model.id, "name": model.name, "generic": model.generic, "size_class": model.size_class,
               "total_params_b": _round(pc.total / 1e9, 3), "active_params_b": _round(pc.active / 1e9, 3),
               "moe": model.moe is not None},
        gpu={"id": gpu.id, "name": gpu.name, "memory_gib": gpu.memory_gib,
             "memory_bandwidth_gb_per_s": gpu.memory_bandwidth_gb_per_s, "compute_tflops": gprep.perf.compute_flops / 1e12,
             "interconnect": gpu.interconnect.kind},
        workload={"input_tokens": int(s), "output_tokens": int(g), "requests_per_day": _r(requests, 6) if requests else None,
                  "output_tokens_per_day": _r(out_day, 6), "input_tokens_per_day": _r(in_day, 6),
                  "total_tokens_per_day": _r(out_day + in_day, 6), "precision": prec, "kv_precision": kvp,
                  "int8_mode": req.int8_mode if prec == "int8" else None, "deployment": req.deployment},
        memory={"weights_gb": _round(prep.weights_bytes / 1e9), "kv_cache_bytes_per_token": prep.kv_bytes_per_token,
                "kv_cache_gb": _round(kv_total / 1e9), "kv_tokens_per_sequence": int(s + g),
                "overhead_gb": _round(overhead_total / 1e9), "total_gb": _round(total_bytes / 1e9),
                "single_sequence_gb": _round(single_bytes / 1e9),
                "capacity_gb": _round(capacity / 1e9), "kv_budget_gb": _round(kv_budget / 1e9),
                "article_quick_rule_gb": [_round(ql, 2), _round(qh, 2)]},
        deployment={"gpus_per_replica": lay.gpus_per_replica, "tensor_parallel": cand.tp, "pipeline_parallel": cand.pp,
                    "data_parallel_in_replica": cand.data_parallel,
                    "nodes_per_replica": lay.nodes, "replicas": cand.replicas, "total_gpus": cand.total_gpus,
                    "regime": regime, "regime_reason": regime_reason},
        performance={"concurrency": cand.concurrency, "concurrency_mode": mode, "max_concurrency": cand.max_concurrency,
                     "output_tokens_per_s": _round(cand.output_tokens_per_s, 1),
                     "output_tokens_per_s_per_gpu": _round(cand.output_tokens_per_s / lay.gpus_per_replica, 1),
                     "requests_per_s": _round(cand.output_tokens_per_s / g, 3),
                     "ttft_s": _round(r.ttft_s, 4), "tpot_ms": _round(r.tpot_s * 1000.0, 2),
                     "prefill_s": _round(r.prefill_s, 4), "decode_step_ms": _round(r.decode_step_s * 1000.0, 3),
                     "prefill_share": _round(r.prefill_share, 3), "decode_share": _round(decode_share, 3),
                     "decode_bound": "compute" if r.decode_compute_bound else "memory",
                     "meets_latency_targets": cand.meets_latency,
                     "latency_targets": {"ttft_s": ttft_t, "tpot_ms": tpot_t},
                     "at_load": {"utilisation": _round(load.utilisation, 4), "ttft_p50_s": _round(load.ttft_p50_s, 4),
                                 "ttft_p95_s": _round(load.ttft_p95_s, 4), "tpot_p50_ms": _round(load.tpot_p50_ms, 2),
                                 "tpot_p95_ms": _round(load.tpot_p95_ms, 2), "in_flight": _round(load.in_flight, 2),
                                 "meets_latency_targets_p95": p95_ok,
                                 "method": "Poisson arrivals at the peak rate, M/D/1 prefill queue, Little's law for "
                                           "sequences in flight (engine/latency_load.py)"},
                     "serving_engine": calib.profile, "engine": calib.engine},
        fleet={"replicas": cand.replicas, "total_gpus": cand.total_gpus,
               "peak_to_average": a.peak_to_average, "target_utilisation": a.target_utilisation,
               "fleet_utilisation": _round(util, 4), "demand_given": bool(requests)},
        cost={"basis": req.deployment, "usd_per_gpu_hour": _round(cand.usd_per_gpu_hour, 4),
              "monthly_usd": _round(cand.monthly_usd, 2), "annual_usd": _round(cand.annual_usd, 2),
              "usd_per_million_output_tokens": _round(cand.usd_per_million_output_tokens, 4),
              "usd_per_million_total_tokens": _round(cand.usd_per_million_total_tokens, 5),
              "cloud": {"usd_per_gpu_hour": cloud_rate, "monthly_usd": _round(cloud_monthly, 2),
                        "annual_usd": _round(cloud_monthly * 12, 2)},
              "owned": {"purchase_usd_per_gpu": purchase, "amortisation_years": a.amortisation_years,
                        "monthly_usd": _round(owned_monthly, 2), "annual_usd": _round(owned_monthly * 12, 2),
                        "per_gpu_month": {"amortisation_usd": _round(owned.amortisation_usd, 2),
                                          "power_usd": _round(owned.power_usd, 2), "hosting_usd": _round(owned.hosting_usd, 2)},
                        "break_even_utilisation": _round(breakeven, 4) if breakeven is not None else None,
                        "note": "owning beats renting busy GPU-hours above break_even_utilisation (None: never at these prices)"},
              "hours_per_month": hours},
        band={"method": "10th-90th percentile of measured/predicted throughput over the calibration points",
              "output_tokens_per_s": [_round(cand.output_tokens_per_s * lo_x, 1), _round(cand.output_tokens_per_s * hi_x, 1)],
              "replicas": sorted({reps_hi_tps, reps_lo_tps}),
              "monthly_usd": [_round(monthly_lo, 2), _round(monthly_hi, 2)],
              "usd_per_million_output_tokens": [_round(per_m_lo, 4), _round(per_m_hi, 4)],
              "ratio_p10": band.ratio_p10, "ratio_p90": band.ratio_p90},
        article=article,
        assumptions=assumptions,
        calibration={"serving_engine": calib.profile, "engine": calib.engine, "source": calib.source, "as_of": calib.as_of,
                     "median_abs_error": band.median_abs_error, "max_ratio": band.max_ratio, "points": band.points,
                     "coverage": {"within": not gaps, "outside": gaps}},
        warnings=warnings,
    )


def _at_load(prep: ModelPrep, gprep: GpuPrep, calib: Calibration, cand: Candidate, a, s: float,
             g: float, demand_given: bool):
    """TTFT/TPOT p50 and p95 at the peak-hour load of one replica (engine/latency_load.py)."""
    from engine.latency_load import at_load

    eff = calib.efficiency_for(gprep.gpu.vendor, prep.precision)
    cached = s * a.prefix_cache_hit_rate
    # each replica (each data-parallel copy alike) carries peak / replicas; without a demand, the target utilisation
    util = min(1.0, cand.fleet_utilisation * a.peak_to_average) if demand_given else a.target_utilisation
    batch = max(1.0, cand.concurrency / cand.data_parallel)
    return at_load(lambda n: replica_perf(prep.perf, gprep.perf, eff, cand.tp, cand.pp, s, g, n, cached),
                   batch, util, g, eff.ttft_overhead_s)
