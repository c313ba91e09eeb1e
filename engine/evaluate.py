"""Evaluation of one configuration: (model, GPU, precision, layout) + a demand -> a priced :class:`Candidate`.

Why its own module: this is the hot path (a few microseconds per configuration,
benchmarks/engine_speed.py): plain floats and NamedTuples, inputs prepared once
(engine/prep.py). It chooses the concurrency (given, ``max`` = KV-limited up to the
scheduler cap, or the largest that meets the latency targets), runs the replica
performance model (engine/performance.py with the calibrated factors of
engine/calibration.py), sizes the fleet and prices it (engine/fleet.py and
engine/cost.py, inlined where it is hot). The sweep and the estimate both call it.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from engine import cost as costm
from engine.calibration import Calibration
from engine.defaults import Assumptions
from engine.fleet import DAYS_PER_MONTH, SECONDS_PER_DAY
from engine.layout import Layout, max_sequences, smaller_layouts
from engine.performance import latency_limited, replica_perf
from engine.prep import GpuPrep, ModelPrep


class Candidate(NamedTuple):
    """One evaluated deployment: plain numbers, cheap to build, sorted by ``monthly_usd``."""

    model_id: str
    gpu_id: str
    precision: str
    kv_precision: str
    gpus_per_replica: int
    tp: int
    pp: int
    regime: str
    concurrency: int
    max_concurrency: int
    output_tokens_per_s: float  # one replica
    ttft_s: float
    tpot_ms: float
    meets_latency: bool
    replicas: int
    total_gpus: int
    usd_per_gpu_hour: float  # cloud price, or owned cost per GPU-hour
    monthly_usd: float
    annual_usd: float
    usd_per_million_output_tokens: float
    usd_per_million_total_tokens: float
    fleet_utilisation: float
    weights_gb: float
    data_parallel: int = 1  # copies of a smaller TP/PP layout inside the replica (see evaluate_config)


def _perf_on(prep: ModelPrep, gprep: GpuPrep, lay: Layout, s: float, g: float, cached: float,
             concurrency: int | str | None, ttft_t: float, tpot_t: float, calib: Calibration, cap: float,
             util: float | None = None):
    """(concurrency, max concurrency, PerfResult, meets targets) of one layout, or None if nothing fits."""
    eff = calib.efficiency_for(gprep.gpu.vendor, prep.precision)  # the serving engine's factors on this GPU/precision
    maxc = max_sequences(prep, lay, s + g, cap)
    if maxc < 1:
        return None
    tp, pp = lay.tp, lay.pp
    if concurrency == "max":
        conc = maxc
        r = replica_perf(prep.perf, gprep.perf, eff, tp, pp, s, g, conc, cached)
        meets = r.ttft_s <= ttft_t and r.tpot_s <= tpot_t
    elif concurrency is None:
        conc, r, meets = latency_limited(prep.perf, gprep.perf, eff, tp, pp, s, g, maxc, ttft_t, tpot_t, cached, util)
    else:
        conc = concurrency  # may be fractional: a share of the replica's sequences per data-parallel copy
        if conc > maxc and conc > 1:
            return None
        r = replica_perf(prep.perf, gprep.perf, eff, tp, pp, s, g, conc, cached)
        meets = r.ttft_s <= ttft_t and r.tpot_s <= tpot_t
    return conc, maxc, r, meets


def evaluate_config(prep: ModelPrep, gprep: GpuPrep, lay: Layout, *, input_tokens: float, output_tokens: float,
                    requests_per_day: float | None, concurrency: int | str | None, calib: Calibration,
                    a: Assumptions, deployment: str = "cloud", usd_per_gpu_hour: float | None = None,
                    purchase_usd: float | None = None, ttft_target_s: float | None = None,
                    tpot_target_ms: float | None = None, allow_data_parallel: bool = True,
                    memo: dict | None = None) -> Candidate | None:
    """Evaluate one (model, GPU, precision, layout) for a demand; None if no sequence fits.

    ``concurrency``: an int (as given), ``"max"`` (KV-limited, no latency limit) or
    None (largest that meets ``ttft_target_s`` / ``tpot_target_ms``; targets None =
    the defaults in assumptions.yaml). ``meets_latency`` is False when even one
    sequence misses the targets (the candidate then runs at concurrency 1).

    With ``allow_data_parallel``, an ``n``-GPU replica may run as ``n/m`` independent
    copies of a smaller ``m``-GPU layout that also fits, whenever that is faster
    (tensor-parallel all-reduces over PCIe can cost more than they save); the
    candidate then reports the sub-layout's TP/PP and regime (a copy's layout: 16 copies of
    one GPU are 'single-gpu', not 'multi-node') and ``data_parallel = n/m``.
    """
    s, g = input_tokens, output_tokens
    cached = s * a.prefix_cache_hit_rate
    ttft_t = ttft_target_s if ttft_target_s is not None else a.ttft_target_s
    tpot_t = (tpot_target_ms if tpot_target_ms is not None else a.tpot_target_ms) / 1000.0
    cap = min(a.max_batch_sequences, calib.max_batch_sequences)  # the serving engine's default scheduler limit
    util = a.target_utilisation  # the TTFT target is checked at p95 at the load each replica is planned for
    if memo is None:
        res = _perf_on(prep, gprep, lay, s, g, cached, concurrency, ttft_t, tpot_t, calib, cap, util)
    else:  # one sweep: a layout evaluated as its own candidate is reused as a data-parallel alternative
        mkey = (id(prep), id(gprep), id(lay), concurrency)
        res = memo.get(mkey, memo)
        if res is memo:
            res = memo[mkey] = _perf_on(prep, gprep, lay, s, g, cached, concurrency, ttft_t, tpot_t, calib, cap, util)
    dp = 1
    lay_used = lay
    n = lay.gpus_per_replica
    if allow_data_parallel and n > 1:
        # "max" is the offline maximum: no latency limit, so rank by throughput alone
        offline = concurrency == "max"
        best_key = (offline or res[3], res[2].output_tokens_per_s) if res else None
        for sub in smaller_layouts(prep, gprep.gpu, n):
            m = sub.gpus_per_replica
            k = n // m  # copies that fit in the replica; leftover GPUs idle
            copies = range(1, min(k, int(concurrency)) + 1) if isinstance(concurrency, int) else (k,)
            for j in copies:
                sub_conc = concurrency / j if isinstance(concurrency, int) else concurrency
                if memo is None:
                    alt = _perf_on(prep, gprep, sub, s, g, cached, sub_conc, ttft_t, tpot_t, calib, cap, util)
                else:
                    mkey = (id(prep), id(gprep), id(sub), sub_conc)
                    alt = memo.get(mkey, memo)
                    if alt is memo:
                        alt = memo[mkey] = _perf_on(prep, gprep, sub, s, g, cached, sub_conc, ttft_t, tpot_t, calib, cap, util)
                if alt is None:
                    continue
                key = (offline or alt[3], alt[2].output_tokens_per_s * j)
                if best_key is None or key > best_key:
                    res, dp, lay_used, best_key = alt, j, sub, key
    if res is None:
        return None
    conc, maxc, r, meets = res
    tp, pp = (lay_used.tp, lay_used.pp) if dp > 1 else (lay.tp, lay.pp)
    if dp > 1:
        conc, maxc = int(round(conc * dp)), maxc * dp
        r = r._replace(output_tokens_per_s=r.output_tokens_per_s * dp)

    gpu = gprep.gpu
    n = lay.gpus_per_replica
    hours = a.hours_per_month
    tps = r.output_tokens_per_s
    if requests_per_day:
        # engine.fleet.size_fleet, inlined on the hot path (tests check both agree)
        avg_rps = requests_per_day / SECONDS_PER_DAY
        per_replica_rps = tps / g
        usable = per_replica_rps * a.target_utilisation
        replicas = max(1, math.ceil(avg_rps * a.peak_to_average / usable - 1e-9)) if usable > 0 else 1
        util = avg_rps / (replicas * per_replica_rps) if per_replica_rps > 0 else 1.0
        if util > 1.0:
            util = 1.0
        month_requests = requests_per_day * DAYS_PER_MONTH
        out_month, in_month = month_requests * g, month_requests * s
    else:
        # no demand: one replica carrying the demand that loads it to the target utilisation at the
        # peak hour, so its average load is target / peak-to-average, the same rule as with a demand
        # (adding a demand that fills one replica leaves $/M unchanged)
        replicas, util = 1, a.target_utilisation / a.peak_to_average
        out_month = tps * 3600.0 * hours * util
        in_month = out_month * s / g
    total = replicas * n
    if deployment == "owned":
        price = purchase_usd if purchase_usd is not None else gpu.purchase_usd
        om = costm.owned_monthly_per_gpu(price, gpu.tdp_w, util, amortisation_years=a.amortisation_years,
                                         host_power_factor=a.host_power_factor, pue=a.pue, usd_per_kwh=a.usd_per_kwh,
                                         hosting_usd_per_gpu_month=a.hosting_usd_per_gpu_month, hours_per_month=hours)
        per_gpu_month = om.amortisation_usd + om.power_usd + om.hosting_usd
        monthly = total * per_gpu_month
        rate = per_gpu_month / hours
    else:
        rate = usd_per_gpu_hour if usd_per_gpu_hour is not None else gpu.cloud_usd_per_gpu_hour
        monthly = total * rate * hours
    return Candidate(
        prep.model.id, gpu.id, prep.precision, prep.kv_precision, n, tp, pp, lay_used.regime, conc, maxc, tps,
        r.ttft_s, r.tpot_s * 1000.0, meets, replicas, total, rate, monthly, monthly * 12.0,
        monthly / out_month * 1e6 if out_month > 0 else math.inf,
        monthly / (out_month + in_month) * 1e6 if out_month > 0 else math.inf,
        util, prep.weights_bytes / 1e9, dp,
    )
