"""One estimate (the ``sizewise estimate`` contract) and the fast sweep the recommendation uses.

Why two layers: :func:`estimate` is the boundary (a checked request in, an
:class:`Estimate` out, everything explained and sourced), while
:func:`evaluate_config` / :func:`sweep` are the hot path: plain floats and
NamedTuples, inputs prepared once per (model, precision) and per (GPU, precision)
and cached, so one configuration costs a few microseconds
(benchmarks/engine_speed.py measures it).

Pipeline for one configuration:
placement (engine/placement.py: GPUs per replica, TP/PP, KV budget)
-> concurrency (given, ``max`` = KV-limited up to the scheduler cap, or the
largest that meets the latency targets) -> replica throughput and latency
(engine/performance.py with the calibrated factors of engine/calibration.py)
-> fleet (engine/fleet.py) -> cost (engine/cost.py).
"""

from __future__ import annotations

import dataclasses
import math
import re
from typing import Any, Iterable, NamedTuple

from engine import cost as costm
from engine.calibration import Calibration, load_calibration, model_coverage_gaps
from engine.catalog import GpuSpec, ModelSpec, load_gpus, resolve_gpu, resolve_model
from engine.defaults import Assumptions, load_assumptions
from engine.errors import DoesNotFitError, InputError
from engine.fleet import DAYS_PER_MONTH, SECONDS_PER_DAY, Demand, size_fleet
from engine.memory import KV_PRECISION_BYTES, kv_bytes, kv_bytes_per_token, kv_bytes_per_token_per_layer, weight_bytes
from engine.params import param_counts
from engine.performance import (
    PerfGpu, PerfModel, compute_rate_flops, latency_limited, perf_model_from_numbers, replica_perf,
)

PRECISIONS: tuple[str, ...] = ("fp32", "bf16", "fp16", "fp8", "int8", "int4")

#: Inputs outside these are refused as absurd, by the CLI (naming the flag) and again by
#: EstimateRequest (naming the field), always with :func:`check_bound`'s wording. Why these
#: values: docs/architecture.md ("Input bounds").
MAX_REQUESTS_PER_DAY = 1e11      # ~40x ChatGPT's ~2.5e9 daily prompts (mid-2025): nobody sizes beyond that
MIN_REQUESTS_PER_DAY = 0.01      # one request every 100 days; below that the cost per token is meaningless
MAX_TOKENS_PER_DAY = 1e15        # 1e11 requests of 10K tokens
MIN_TOKENS_PER_DAY = 1.0
MAX_TOKENS_PER_REQUEST = 10_000_000
MAX_GPUS_PER_REPLICA = 1024
MAX_CONCURRENCY = 1_000_000

#: field -> (flag, lowest, highest, how a bound reads: "{}" is the number) of every bounded number of a
#: request (both ends allowed)
BOUNDS: dict[str, tuple[str, float, float, str]] = {
    "gpus": ("--gpus", 1, MAX_GPUS_PER_REPLICA, "{} GPUs per replica"),
    "input_tokens": ("--input-tokens", 1, MAX_TOKENS_PER_REQUEST, "{} tokens per request"),
    "output_tokens": ("--output-tokens", 1, MAX_TOKENS_PER_REQUEST, "{} tokens per request"),
    "concurrency": ("--concurrency", 1, MAX_CONCURRENCY, "{} sequences per replica"),
    "requests_per_day": ("--requests-per-day", MIN_REQUESTS_PER_DAY, MAX_REQUESTS_PER_DAY, "{} requests per day"),
    "tokens_per_day": ("--tokens-per-day", MIN_TOKENS_PER_DAY, MAX_TOKENS_PER_DAY, "{} tokens per day"),
    "peak_to_average": ("--peak-to-average", 1, 100, "{}"),
    "utilisation": ("--utilisation", 0.01, 1, "{}"),
    "prefix_cache_hit_rate": ("--prefix-cache-hit-rate", 0, 0.99, "{}"),
    "usd_per_gpu_hour": ("--usd-per-gpu-hour", 0.01, 1000, "${} per GPU-hour"),
    "ttft_target_s": ("--ttft-target", 0.01, 3600, "{} s"),
    "tpot_target_ms": ("--tpot-target", 0.1, 60_000, "{} ms"),
}


def _bound_text(x: float) -> str:
    """1e11 -> '1e11', 1024 -> '1,024', 0.01 -> '0.01' (how a bound reads in a message)."""
    if abs(x) >= 1e6:
        exp = int(math.floor(math.log10(abs(x))))
        return f"{x / 10**exp:g}e{exp}"
    return f"{x:,.0f}" if x == int(x) else f"{x:g}"


def check_bound(field: str, value: float, *, label: str | None = None, shown: str | None = None) -> None:
    """Refuse ``value`` if it is outside ``BOUNDS[field]``, with the one wording every absurd input gets.

    ``label`` is the flag (CLI) or the field name (EstimateRequest); ``shown`` the text the user typed.
    Example: ``--requests-per-day: 1e30 is too large (the supported maximum is 1e11 requests per day)``.
    """
    flag, lo, hi, reads = BOUNDS[field]
    if lo <= value <= hi:
        return
    which, end, bound = ("small", "minimum", lo) if value < lo else ("large", "maximum", hi)
    text = shown if shown is not None else f"{value:g}"
    raise InputError(f"{label or flag}: {text} is too {which} (the supported {end} is "
                     f"{reads.format(_bound_text(bound))})")

#: Workload defaults when the user gives none: the article's 2K-token prompts and
#: ~300-token answers (seed-consistency C03 shows why 20-30-token answers mislead).
DEFAULT_INPUT_TOKENS = 2000
DEFAULT_OUTPUT_TOKENS = 300


def default_kv_precision(precision: str) -> str:
    """fp8 weights come with an fp8 KV cache (the TensorRT-LLM/vLLM FP8 recipe); otherwise fp16."""
    return "fp8" if precision == "fp8" else "fp16"


# =========================================================================== hot path inputs
class ModelPrep(NamedTuple):
    model: ModelSpec
    precision: str
    kv_precision: str
    perf: PerfModel
    weights_bytes: float
    kv_bytes_per_token: float
    total_params: float
    active_params: float


class GpuPrep(NamedTuple):
    gpu: GpuSpec
    perf: PerfGpu
    compute_note: str


_MODEL_CACHE: dict[tuple[int, str, str], tuple[ModelSpec, ModelPrep]] = {}
_GPU_CACHE: dict[tuple[int, str, str, float, float], tuple[GpuSpec, GpuPrep]] = {}


def prepare_model(model: ModelSpec, precision: str, kv_precision: str) -> ModelPrep:
    """Per (model, precision, KV precision): the numbers the performance math needs (cached)."""
    key = (id(model), precision, kv_precision)
    hit = _MODEL_CACHE.get(key)
    if hit is not None and hit[0] is model:
        return hit[1]
    pc = param_counts(model)
    wb = weight_bytes(model, precision)
    nonlinear_width = 4.0 if precision == "fp32" else 2.0
    nonlinear = pc.total - pc.linear
    linear_bpp = (wb - nonlinear * nonlinear_width) / pc.linear if pc.linear else 0.0
    lm_head_matmul = model.vocab_size * model.hidden_size
    moe = model.moe
    if moe:
        unused = pc.moe_layers * (moe.num_experts - moe.experts_per_token) * pc.per_expert
        active_linear = pc.linear - unused + lm_head_matmul
        expert_bytes = pc.per_expert * pc.moe_layers * linear_bpp
        routed_bytes = pc.routed_experts * linear_bpp
        n_exp, k_exp = moe.num_experts, moe.experts_per_token
    else:
        active_linear = pc.linear + lm_head_matmul
        expert_bytes = routed_bytes = 0.0
        n_exp = k_exp = 0
    # the input embedding is gathered row by row, not streamed each step (unless tied: it is the lm_head)
    embedding_not_read = 0.0 if model.tie_word_embeddings else pc.embedding * nonlinear_width
    shared_read = wb - routed_bytes - embedding_not_read - pc.position_embedding * nonlinear_width
    per_layer_kv = kv_bytes_per_token_per_layer(model, kv_precision)
    win_layers = model.sliding_window_layers if model.sliding_window else 0
    if model.mla is not None:
        qk, v = model.mla.qk_nope_head_dim + model.mla.qk_rope_head_dim, model.mla.v_head_dim
        attn_qk, attn_v = model.num_attention_heads * qk, model.num_attention_heads * v
    else:
        attn_qk = attn_v = None
    perf = perf_model_from_numbers(
        active_linear_params=active_linear,
        num_layers=model.num_layers,
        hidden_size=model.hidden_size,
        q_dim=model.num_attention_heads * model.head_dim,
        full_attention_layers=model.num_layers - win_layers,
        window_layers=win_layers,
        window=model.sliding_window or 0,
        weight_bytes=wb,
        shared_read_bytes=shared_read,
        expert_bytes=expert_bytes,
        num_experts=n_exp,
        experts_per_token=k_exp,
        kv_full_bytes_per_token=per_layer_kv * (model.num_layers - win_layers),
        kv_window_bytes_per_token=per_layer_kv * win_layers,
        attn_qk_dim=attn_qk,
        attn_v_dim=attn_v,
        moe_layers=pc.moe_layers if moe else 0,
        mla_kv_lora_rank=model.mla.kv_lora_rank if model.mla is not None else None,
        mla_rope_dim=model.mla.qk_rope_head_dim if model.mla is not None else 0,
        mla_heads=model.num_attention_heads,
    )
    prep = ModelPrep(model, precision, kv_precision, perf, wb, kv_bytes_per_token(model, kv_precision),
                     float(pc.total), float(pc.active))
    _MODEL_CACHE[key] = (model, prep)
    return prep


def prepare_gpu(gpu: GpuSpec, precision: str, int8_mode: str = "weight-only",
                assumptions: Assumptions | None = None) -> GpuPrep:
    a = assumptions or load_assumptions()
    key = (id(gpu), precision, int8_mode, a.inter_node_gb_per_s, a.inter_node_latency_us)
    hit = _GPU_CACHE.get(key)
    if hit is not None and hit[0] is gpu:
        return hit[1]
    rate, note = compute_rate_flops(gpu.bf16_dense_tflops, gpu.fp8_dense_tflops, gpu.int8_dense_tops, precision, int8_mode)
    ic = gpu.interconnect
    perf = PerfGpu(
        compute_flops=rate * 1e12,
        bandwidth_bytes_per_s=gpu.memory_bandwidth_gb_per_s * 1e9,
        link_bytes_per_s=ic.bandwidth_gb_per_s * 1e9,
        link_latency_s=ic.latency_us * 1e-6,
        inter_node_bytes_per_s=a.inter_node_gb_per_s * 1e9,
        inter_node_latency_s=a.inter_node_latency_us * 1e-6,
    )
    prep = GpuPrep(gpu, perf, note)
    _GPU_CACHE[key] = (gpu, prep)
    return prep


# =========================================================================== placement adapter
class Layout(NamedTuple):
    gpus_per_replica: int
    tp: int
    pp: int
    nodes: int
    regime: str
    regime_reason: str
    kv_budget_bytes: float  # per replica
    overhead_bytes_per_gpu: float
    weights_bytes_per_gpu: float


_LAYOUT_CACHE: dict[tuple, Layout | None] = {}


def layout_for(model: ModelSpec, gpu: GpuSpec, precision: str, kv_precision: str, gpus: int | None,
               min_sequences: int = 1, tokens_per_seq: float = 1.0) -> Layout:
    """GPUs per replica, TP/PP and the replica's KV budget, from engine/placement.py.

    ``gpus=None`` asks placement for the fewest GPUs holding the weights plus
    ``min_sequences`` sequences of ``tokens_per_seq`` tokens. Raises
    :class:`DoesNotFitError` when nothing fits.
    """
    lay = layout_or_none(model, gpu, precision, kv_precision, gpus, min_sequences, tokens_per_seq)
    if lay is None:
        raise DoesNotFitError(_no_fit_message(model, gpu, precision, gpus))
    return lay


def layout_or_none(model: ModelSpec, gpu: GpuSpec, precision: str, kv_precision: str, gpus: int | None,
                   min_sequences: int = 1, tokens_per_seq: float = 1.0) -> Layout | None:
    """:func:`layout_for` without exceptions for "does not fit" (the sweep's fast path; cached).

    Placement's own messages (which say why) surface through :func:`layout_for` when
    the first lookup raises; an invalid GPU count still raises :class:`InputError`.
    """
    key = (id(model), id(gpu), precision, kv_precision, gpus, min_sequences, tokens_per_seq)
    try:
        return _LAYOUT_CACHE[key]
    except KeyError:
        pass
    from engine.placement import place

    try:
        p = place(model, gpu, precision, kv_precision, max(1, int(math.ceil(tokens_per_seq))), min_sequences, gpus=gpus)
    except DoesNotFitError:
        _LAYOUT_CACHE[key] = None
        raise
    if not p.fits:
        _LAYOUT_CACHE[key] = None
        return None
    lay = Layout(p.gpus_per_replica, p.tp, p.pp, p.nodes, p.regime, p.regime_reason, float(p.kv_budget_bytes),
                 float(p.overhead_bytes_per_gpu), float(p.weights_bytes_per_gpu))
    _LAYOUT_CACHE[key] = lay
    return lay


def _no_fit_message(model: ModelSpec, gpu: GpuSpec, precision: str, gpus: int | None) -> str:
    where = f"{gpus} x {gpu.id}" if gpus else f"any allowed number of {gpu.id}"
    return f"{model.id} at {precision} does not fit on {where}"


def max_sequences(prep: ModelPrep, lay: Layout, tokens_per_seq: float, cap: float) -> int:
    """Sequences of ``tokens_per_seq`` tokens the replica's KV budget holds, capped by the scheduler limit."""
    m = prep.perf
    w = m.window
    per_seq = m.kv_full_bytes_per_token * tokens_per_seq + m.kv_window_bytes_per_token * (
        min(tokens_per_seq, w) if w > 0 else tokens_per_seq)
    if per_seq <= 0:
        return int(cap)
    n = int(lay.kv_budget_bytes // per_seq)
    return int(min(n, cap))


# =========================================================================== one configuration (hot path)
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


# =========================================================================== sweep
_COUNTS_CACHE: dict[tuple[int, int], tuple[ModelSpec, GpuSpec, tuple[int, ...]]] = {}


def valid_gpu_counts(model: ModelSpec, gpu: GpuSpec, minimum: int = 1) -> list[int]:
    """GPU counts a replica of ``model`` may use (engine/placement.py's rule), from ``minimum`` up (cached)."""
    key = (id(model), id(gpu))
    hit = _COUNTS_CACHE.get(key)
    if hit is None or hit[0] is not model or hit[1] is not gpu:
        from engine.placement import valid_gpu_counts as counts

        hit = (model, gpu, tuple(counts(model, gpu)))
        _COUNTS_CACHE[key] = hit
    return [c for c in hit[2] if c >= minimum]


_SUBS_CACHE: dict[tuple, list[Layout]] = {}


def smaller_layouts(prep: ModelPrep, gpu: GpuSpec, n: int) -> list[Layout]:
    """Fitting layouts with fewer GPUs than ``n`` (candidates for data-parallel copies; cached)."""
    key = (id(prep.model), id(gpu), prep.precision, prep.kv_precision, n)
    hit = _SUBS_CACHE.get(key)
    if hit is not None:
        return hit
    out = []
    for m in valid_gpu_counts(prep.model, gpu):
        if m >= n:
            break
        try:
            sub = layout_or_none(prep.model, gpu, prep.precision, prep.kv_precision, m)
        except (DoesNotFitError, InputError):
            continue
        if sub is not None:
            out.append(sub)
    _SUBS_CACHE[key] = out
    return out


def sweep(models: Iterable[str | ModelSpec], gpus: Iterable[str | GpuSpec], precisions: Iterable[str], *,
          requests_per_day: float | None, input_tokens: float, output_tokens: float,
          deployment: str = "cloud", ttft_target_s: float | None = None, tpot_target_ms: float | None = None,
          concurrency: int | str | None = None, kv_precision: str | None = None,
          gpu_counts: Iterable[int] | None = None, max_extra_counts: int = 2,
          assumptions: Assumptions | None = None, prices: dict[str, float] | None = None,
          purchase: dict[str, float] | None = None, serving_engine: str | None = None) -> list[Candidate]:
    """Every (model x GPU x precision x GPU count) that fits, evaluated; sorted cheapest first.

    GPU counts: ``gpu_counts`` if given, else the fewest that fit plus the next
    ``max_extra_counts`` valid counts (powers of two in a node, then whole nodes):
    more GPUs per replica can be cheaper per token when they free KV memory for a
    larger batch. Combinations that do not fit are skipped, never reported.
    ``prices`` / ``purchase`` override the catalog's $/GPU-hour and purchase price per GPU id.
    Latency: candidates carry ``meets_latency``; filter on it (see :func:`cheapest`).
    """
    a = assumptions or load_assumptions()
    calib = load_calibration(serving_engine)
    prices = prices or {}
    purchase = purchase or {}
    model_specs = [m if isinstance(m, ModelSpec) else resolve_model(m) for m in models]
    gpu_specs = [g if isinstance(g, GpuSpec) else resolve_gpu(g) for g in gpus]
    precs = list(precisions)
    out: list[Candidate] = []
    memo: dict = {}  # per-sweep: inputs (demand, targets, assumptions) are fixed for its duration
    for model in model_specs:
        for gpu in gpu_specs:
            for prec in precs:
                kvp = kv_precision or default_kv_precision(prec)
                prep = prepare_model(model, prec, kvp)
                gprep = prepare_gpu(gpu, prec, assumptions=a)
                if gpu_counts is None:
                    try:
                        first = layout_for(model, gpu, prec, kvp, None)
                    except DoesNotFitError:
                        continue
                    counts = valid_gpu_counts(model, gpu, first.gpus_per_replica)[: 1 + max_extra_counts]
                else:
                    counts = list(gpu_counts)
                for n in counts:
                    try:
                        lay = layout_for(model, gpu, prec, kvp, n)
                    except (DoesNotFitError, InputError):
                        continue
                    c = evaluate_config(prep, gprep, lay, input_tokens=input_tokens, output_tokens=output_tokens,
                                        requests_per_day=requests_per_day, concurrency=concurrency, calib=calib, a=a,
                                        deployment=deployment, usd_per_gpu_hour=prices.get(gpu.id),
                                        purchase_usd=purchase.get(gpu.id), ttft_target_s=ttft_target_s,
                                        tpot_target_ms=tpot_target_ms, memo=memo)
                    if c is not None:
                        out.append(c)
    out.sort(key=lambda c: (c.monthly_usd, c.total_gpus, c.model_id, c.gpu_id, c.precision, c.gpus_per_replica))
    return out


def cheapest(candidates: Iterable[Candidate], *, require_latency: bool = True) -> Candidate | None:
    """The cheapest candidate (meeting the latency targets unless ``require_latency`` is False)."""
    best = None
    for c in candidates:
        if require_latency and not c.meets_latency:
            continue
        if best is None or (c.monthly_usd, c.total_gpus) < (best.monthly_usd, best.total_gpus):
            best = c
    return best


# =========================================================================== the boundary: request and estimate
_REQUEST_CHOICES = {
    "precision": PRECISIONS,
    "kv_precision": ("fp16", "bf16", "fp8", "int8"),
    "int8_mode": ("weight-only", "w8a8"),
    "deployment": ("cloud", "owned"),
}
#: the optional numbers of a request, checked against BOUNDS
_REQUEST_NUMBERS = ("gpus", "input_tokens", "output_tokens", "requests_per_day", "tokens_per_day", "peak_to_average",
                    "utilisation", "prefix_cache_hit_rate", "usd_per_gpu_hour", "ttft_target_s", "tpot_target_ms")
_INT_FIELDS = {"gpus", "input_tokens", "output_tokens"}


@dataclasses.dataclass(frozen=True, kw_only=True)
class EstimateRequest:
    """Everything ``sizewise estimate`` accepts (numbers already parsed).

    Checked on construction: a bad field raises :class:`InputError` naming it.
    A plain dataclass rather than a pydantic model so that the command's cold
    start does not pay for importing pydantic (docs/architecture.md).
    ``input_tokens`` / ``output_tokens`` left as None mean the defaults
    (DEFAULT_INPUT_TOKENS / DEFAULT_OUTPUT_TOKENS, the input shrunk to fit a real model's
    context window), and the estimate says so. ``precision`` None means the precision a
    quantised checkpoint id names (``-AWQ`` -> int4), else bf16 (:func:`resolve_precision`).
    Numbers outside :data:`BOUNDS` are refused (:func:`check_bound`).
    """

    model: str | None = None
    model_config_path: str | None = None
    gpu: str
    gpus: int | None = None
    precision: str | None = None  # None: the precision a quantised model id names, else bf16
    kv_precision: str | None = None
    int8_mode: str = "weight-only"
    input_tokens: int | None = None
    output_tokens: int | None = None
    concurrency: int | str | None = None
    requests_per_day: float | None = None
    tokens_per_day: float | None = None
    peak_to_average: float | None = None
    utilisation: float | None = None
    prefix_cache_hit_rate: float | None = None
    deployment: str = "cloud"
    usd_per_gpu_hour: float | None = None
    ttft_target_s: float | None = None
    tpot_target_ms: float | None = None
    overrides_path: str | None = None
    serving_engine: str | None = None  # calibration profile (engine.calibration.serving_engines); None = vllm

    def __post_init__(self) -> None:
        if (self.model is None) == (self.model_config_path is None):
            raise InputError("give exactly one of model or model_config_path")
        for name in ("model", "model_config_path", "gpu", "overrides_path", "serving_engine"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise InputError(f"{name}: expected text, got {type(value).__name__}")
        for name, allowed in _REQUEST_CHOICES.items():
            value = getattr(self, name)
            if value is not None and value not in allowed:
                raise InputError(f"{name}: must be one of {', '.join(allowed)}, got {value!r}")
        for name in _REQUEST_NUMBERS:
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or (
                    name in _INT_FIELDS and not isinstance(value, int)):
                raise InputError(f"{name}: expected {'a whole number' if name in _INT_FIELDS else 'a number'}, "
                                 f"got {value!r}")
            if not math.isfinite(value):
                raise InputError(f"{name}: must be a finite number, got {value!r}")
            check_bound(name, value, label=name)
        if self.requests_per_day is not None and self.tokens_per_day is not None:
            raise InputError("give requests_per_day or tokens_per_day, not both")
        c = self.concurrency
        if c is not None and c != "max":
            if isinstance(c, bool) or not isinstance(c, int):
                raise InputError(f"concurrency: must be 'max' or a whole number, got {c!r}")
            check_bound("concurrency", c, label="concurrency")


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


def _load_model(req: EstimateRequest) -> ModelSpec:
    if req.model_config_path is not None:
        from engine.hf_config import model_from_hf_config

        return model_from_hf_config(req.model_config_path)
    return resolve_model(req.model)


_ID_PRECISION = re.compile(r"-(int8|int4|awq|gptq|fp8)(?=-|$)", re.IGNORECASE)


def precision_from_model_id(model_id: str | None) -> str | None:
    """The weight precision a published quantised checkpoint's id names (``...-AWQ`` -> int4), or None.

    Why: such ids resolve to the base architecture (engine/catalog.py), but estimating
    ``Qwen2.5-7B-Instruct-AWQ`` at bf16 would count four times its weight bytes.
    ``-Int8`` wins over ``-GPTQ`` (``...-GPTQ-Int8`` is 8-bit); AWQ/GPTQ alone are 4-bit.
    """
    if not model_id:
        return None
    tags = {tag.lower() for tag in _ID_PRECISION.findall(model_id)}
    if "int8" in tags:
        return "int8"
    if tags & {"int4", "awq", "gptq"}:
        return "int4"
    return "fp8" if "fp8" in tags else None


def resolve_precision(given: str | None, model_id: str | None) -> tuple[str, str, str | None]:
    """(precision, its source for ``assumptions``, the precision the id names or None).

    The user's ``--precision`` wins; otherwise the id's; otherwise bf16 (the documented default).
    """
    named = precision_from_model_id(model_id)
    if given is not None:
        return given, "user", named
    if named is not None:
        return named, f"from the model id ({model_id!r} is a {named} checkpoint)", named
    return "bf16", "sizewise default (bf16)", named


def _regime(prep: ModelPrep, gpu: GpuSpec, lay: Layout, cand: Candidate) -> tuple[str, str, Layout]:
    """(regime, reason, one copy's layout) of the chosen deployment.

    With data-parallel copies inside the replica (see :func:`evaluate_config`) the regime is
    the copy's: 16 single-GPU copies never talk to each other, so they are not "multi-node".
    """
    n, dp = lay.gpus_per_replica, cand.data_parallel
    if dp <= 1:
        return lay.regime, lay.regime_reason, lay
    m = cand.tp * cand.pp
    copy = next((sub for sub in smaller_layouts(prep, gpu, n) if (sub.tp, sub.pp) == (cand.tp, cand.pp)), None)
    idle = n - dp * m
    reason = (f"{n} GPUs per replica run as {dp} data-parallel copies of TP {cand.tp} x PP {cand.pp} "
              f"(faster than one TP {lay.tp} x PP {lay.pp} group here)"
              + (f"; {idle} GPUs idle" if idle > 0 else ""))
    if copy is None:  # not expected: evaluate_config chose the copy among smaller_layouts
        return cand.regime, reason, lay
    return copy.regime, f"{reason}; each copy: {copy.regime_reason}", copy


def _context_assumed(model: ModelSpec) -> str | None:
    """The ``assumed`` entry of a --model-config load that concerns the context window, if any."""
    for entry in getattr(model, "assumed", ()) or ():
        if "max_position_embeddings" in entry or "context" in entry.lower():
            return entry
    return None


def _workload_tokens(req: EstimateRequest, model: ModelSpec, warnings: list[str]) -> tuple[float, float, str, str]:
    """(input tokens, output tokens, their sources) after the context-window rule.

    Explicit token counts beyond a real model's context window are an error. The defaults
    (2,000 + 300) are the article's workload, not the user's: when neither count was given
    and they exceed the window (Falcon-40B's 2,048), the input shrinks to fit (output stays
    300 unless the window is under 600 tokens; then the default's 13% output share) and a
    warning says what was assumed. Generic classes only warn (their window is nominal).
    """
    s_src = "user" if req.input_tokens is not None else "sizewise default (the article's 2K-token prompts)"
    g_src = "user" if req.output_tokens is not None else "sizewise default (~300-token answers; seed-consistency C03)"
    s = float(req.input_tokens if req.input_tokens is not None else DEFAULT_INPUT_TOKENS)
    g = float(req.output_tokens if req.output_tokens is not None else DEFAULT_OUTPUT_TOKENS)
    ctx = model.max_context
    if s + g <= ctx:
        return s, g, s_src, g_src
    if model.generic:
        warnings.append(f"input + output = {int(s + g):,} tokens exceeds the model's context window of {ctx:,}")
        return s, g, s_src, g_src
    assumed = _context_assumed(model)
    assumed_note = f" (an assumed window: config.json: {assumed})" if assumed else ""
    if req.input_tokens is None and req.output_tokens is None and ctx >= 2:
        default_total = DEFAULT_INPUT_TOKENS + DEFAULT_OUTPUT_TOKENS
        if ctx >= 2 * DEFAULT_OUTPUT_TOKENS:
            g = float(DEFAULT_OUTPUT_TOKENS)
        else:
            g = float(max(1, round(ctx * DEFAULT_OUTPUT_TOKENS / default_total)))
            g_src = (f"sizewise default shrunk to fit {model.name}'s {ctx:,}-token context window "
                     f"(the default's {DEFAULT_OUTPUT_TOKENS / default_total:.0%} output share)")
        s = float(ctx - g)
        s_src = (f"sizewise default shrunk to fit {model.name}'s {ctx:,}-token context window "
                 f"(context - {int(g):,} output tokens)")
        warnings.append(f"the default workload ({DEFAULT_INPUT_TOKENS:,} input + {DEFAULT_OUTPUT_TOKENS:,} output tokens) "
                        f"exceeds {model.name}'s context window of {ctx:,} tokens{assumed_note}; assumed {int(s):,} "
                        f"input + {int(g):,} output tokens (set --input-tokens / --output-tokens to choose)")
        return s, g, s_src, g_src
    raise InputError(f"--input-tokens + --output-tokens = {int(s + g):,} exceeds {model.name}'s context window "
                     f"of {ctx:,} tokens{assumed_note}")


#: with no --gpus and no --concurrency, GPU counts tried beyond the fewest that fit (each costs ~1 ms once)
LATENCY_EXTRA_COUNTS = 4
#: another tried GPU count is named only when it saves more than this share of the monthly cost
CHEAPER_COUNT_MARGIN = 0.05


def _fewest_meeting_latency(prep: ModelPrep, gprep: GpuPrep, first: Layout, first_cand: Candidate,
                            kwargs: dict[str, Any]) -> tuple[Layout, Candidate, list[tuple[Layout, Candidate]]]:
    """The fewest GPUs per replica that fit AND meet the latency targets, and every count tried.

    Why: the fewest GPUs that merely hold the weights can miss the TPOT target even at one
    sequence (Llama-3.1-70B on 2 x A100: 53 ms), and then need 7x the GPUs of 4-GPU replicas.
    Tries ``first`` and the next LATENCY_EXTRA_COUNTS larger valid counts and chooses the
    fewest that meets the targets; if none does, the fewest that fit is kept (and the caller
    says so). All are evaluated (a few ms, once per command) so the caller can name a cheaper one.
    """
    model, gpu = prep.model, gprep.gpu
    tried = [(first, first_cand)]
    chosen = (first, first_cand) if first_cand.meets_latency else None
    for n in valid_gpu_counts(model, gpu, first.gpus_per_replica + 1)[:LATENCY_EXTRA_COUNTS]:
        try:
            lay = layout_for(model, gpu, prep.precision, prep.kv_precision, n)
        except (DoesNotFitError, InputError):
            continue
        c = evaluate_config(prep, gprep, lay, **kwargs)
        if c is None:
            continue
        tried.append((lay, c))
        if chosen is None and c.meets_latency:
            chosen = (lay, c)
    lay, cand = chosen or (first, first_cand)
    return lay, cand, tried


def _cheaper_count(chosen: Candidate, tried: Iterable[Candidate]) -> Candidate | None:
    """A tried GPU count cheaper per month than ``chosen`` by more than CHEAPER_COUNT_MARGIN, or None.

    Only counts that meet the latency targets compete with one that does.
    """
    best = None
    for c in tried:
        if c.gpus_per_replica == chosen.gpus_per_replica or (chosen.meets_latency and not c.meets_latency):
            continue
        if best is None or (c.monthly_usd, c.gpus_per_replica) < (best.monthly_usd, best.gpus_per_replica):
            best = c
    if best is not None and best.monthly_usd < chosen.monthly_usd * (1.0 - CHEAPER_COUNT_MARGIN):
        return best
    return None


def estimate(req: EstimateRequest) -> Estimate:
    """Memory, deployment, throughput, fleet and cost of one model on one GPU type, with sources."""
    from engine.article import reference_block
    from engine.memory import article_quick_rule_gb

    a = load_assumptions()
    prices: dict[str, float] = {}
    purchases: dict[str, float] = {}
    warnings: list[str] = []
    if req.overrides_path:
        from engine.overrides import load_overrides

        ov = load_overrides(req.overrides_path)
        ov.check_gpu_ids([g.id for g in load_gpus().values()])
        a = ov.apply(a)
        prices, purchases = dict(ov.usd_per_gpu_hour), dict(ov.purchase_usd)
    changes: dict[str, float] = {}
    if req.peak_to_average is not None:
        changes["peak_to_average"] = req.peak_to_average
    if req.utilisation is not None:
        changes["target_utilisation"] = req.utilisation
    if req.prefix_cache_hit_rate is not None:
        changes["prefix_cache_hit_rate"] = req.prefix_cache_hit_rate
    if changes:
        a = a.replace(**changes)

    model = _load_model(req)
    gpu = resolve_gpu(req.gpu)
    calib = load_calibration(req.serving_engine)
    # what a --model-config loader had to assume (getattr: older ModelSpecs have no ``assumed``)
    for entry in getattr(model, "assumed", ()) or ():
        warnings.append(f"config.json: {entry}")
    prec, prec_source, id_prec = resolve_precision(req.precision, req.model)
    if id_prec is not None and req.precision is not None and req.precision != id_prec:
        warnings.append(f"the model id {req.model!r} names {id_prec} weights, but --precision {req.precision} was "
                        f"given: estimated at {req.precision}")
    if req.int8_mode == "w8a8" and prec != "int8":
        warnings.append(f"--int8-kernels w8a8 applies to --precision int8 only; ignored at {prec}")
    kvp = req.kv_precision or default_kv_precision(prec)
    s, g, s_source, g_source = _workload_tokens(req, model, warnings)

    requests = req.requests_per_day
    if req.tokens_per_day is not None:
        requests = req.tokens_per_day / (s + g)
        if not MIN_REQUESTS_PER_DAY <= requests <= MAX_REQUESTS_PER_DAY:
            lo_hi = "small" if requests < MIN_REQUESTS_PER_DAY else "large"
            bound = MIN_REQUESTS_PER_DAY if requests < MIN_REQUESTS_PER_DAY else MAX_REQUESTS_PER_DAY
            raise InputError(f"--tokens-per-day: {req.tokens_per_day:g} is too {lo_hi} (it gives {requests:.3g} requests "
                             f"per day of {int(s + g):,} tokens; the supported "
                             f"{'minimum' if lo_hi == 'small' else 'maximum'} is {_bound_text(bound)} requests per day)")

    prep = prepare_model(model, prec, kvp)
    gprep = prepare_gpu(gpu, prec, req.int8_mode, a)
    need = req.concurrency if isinstance(req.concurrency, int) else 1
    if req.gpus is None:
        lay = layout_for(model, gpu, prec, kvp, None, need, s + g)
    else:
        lay = layout_for(model, gpu, prec, kvp, req.gpus)
    price = prices.get(gpu.id, req.usd_per_gpu_hour)
    if req.usd_per_gpu_hour is not None:
        price = req.usd_per_gpu_hour
    kwargs = dict(input_tokens=s, output_tokens=g, requests_per_day=requests, concurrency=req.concurrency, calib=calib,
                  a=a, deployment=req.deployment, usd_per_gpu_hour=price, purchase_usd=purchases.get(gpu.id),
                  ttft_target_s=req.ttft_target_s, tpot_target_ms=req.tpot_target_ms)
    cand = evaluate_config(prep, gprep, lay, **kwargs)
    if cand is None:
        cap = min(a.max_batch_sequences, calib.max_batch_sequences)
        maxc = max_sequences(prep, lay, s + g, cap)
        if maxc < 1:
            raise DoesNotFitError(
                f"{model.id} at {prec} on {lay.gpus_per_replica} x {gpu.id}: the weights fit but not one sequence of "
                f"{int(s + g):,} tokens of KV cache; use more GPUs (--gpus), a smaller precision or shorter requests")
        if maxc >= cap:
            raise DoesNotFitError(f"--concurrency {req.concurrency}: the {calib.profile} profile runs at most {int(cap):,} "
                                  f"sequences at once (the engine's default scheduler limit); lower --concurrency")
        raise DoesNotFitError(
            f"--concurrency {req.concurrency}: only {maxc:,} sequences of {int(s + g):,} tokens fit in the KV cache of "
            f"{lay.gpus_per_replica} x {gpu.id}; lower --concurrency or add --gpus")
    tried: list[tuple[Layout, Candidate]] = [(lay, cand)]
    if req.gpus is None and req.concurrency is None:
        lay, cand, tried = _fewest_meeting_latency(prep, gprep, lay, cand, kwargs)
        cheaper = _cheaper_count(cand, [c for _, c in tried])
        if cheaper is not None:
            warnings.append(f"{cheaper.gpus_per_replica} GPUs per replica would cost ${cheaper.monthly_usd:,.0f}/month "
                            f"({(cheaper.monthly_usd / cand.monthly_usd - 1) * 100:+.0f}%): "
                            f"try --gpus {cheaper.gpus_per_replica}")
    if not cand.meets_latency and req.concurrency is None:
        others = [lt.gpus_per_replica for lt, _ in tried if lt.gpus_per_replica != lay.gpus_per_replica]
        also = (f"; also tried {', '.join(map(str, others))} GPUs per replica: none meets them" if others else "")
        warnings.append("even one request at a time misses the latency targets (TTFT/TPOT); reported at concurrency 1"
                        + also)

    ttft_t = req.ttft_target_s if req.ttft_target_s is not None else a.ttft_target_s
    tpot_t = req.tpot_target_ms if req.tpot_target_ms is not None else a.tpot_target_ms
    r = replica_perf(prep.perf, gprep.perf, calib.efficiency_for(gpu.vendor, prec), cand.tp, cand.pp, s, g,
                     cand.concurrency / cand.data_parallel, s * a.prefix_cache_hit_rate)

    regime, regime_reason, copy_lay = _regime(prep, gpu, lay, cand)
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


def _at_load(prep: ModelPrep, gprep: GpuPrep, calib: Calibration, cand: Candidate, a: Assumptions, s: float,
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


def compare_quantization(model: str | ModelSpec, gpu: str | GpuSpec, precisions: Iterable[str] = ("bf16", "fp8", "int8", "int4"),
                         *, requests_per_day: float | None, input_tokens: float, output_tokens: float,
                         deployment: str = "cloud", assumptions: Assumptions | None = None,
                         baseline: str = "bf16", serving_engine: str | None = None) -> list[dict[str, Any]]:
    """One row per precision: memory, GPUs, throughput, per-phase times and $ (cheapest layout meeting latency).

    Rows carry the article's quality prior per precision (labelled a prior) and the saving
    against ``baseline`` (engine/optimizations.py). Per phase: ``prefill_s`` is one request's
    prefill (weight-only int8/int4 keep the bf16 rate, C10), ``decode_step_ms`` one decode step
    at the chosen concurrency. Precisions that fit nowhere are reported with ``fits: False``.
    """
    from engine.optimizations import compare_precisions

    a = assumptions or load_assumptions()
    calib = load_calibration(serving_engine)
    spec = model if isinstance(model, ModelSpec) else resolve_model(model)
    gspec = gpu if isinstance(gpu, GpuSpec) else resolve_gpu(gpu)
    rows: list[dict[str, Any]] = []
    for prec in precisions:
        cands = sweep([spec], [gspec], [prec], requests_per_day=requests_per_day, input_tokens=input_tokens,
                      output_tokens=output_tokens, deployment=deployment, assumptions=a,
                      serving_engine=serving_engine)
        best = cheapest(cands) or cheapest(cands, require_latency=False)
        if best is None:
            rows.append({"precision": prec, "fits": False})
            continue
        prep = prepare_model(spec, prec, best.kv_precision)
        gprep = prepare_gpu(gspec, prec, assumptions=a)
        r = replica_perf(prep.perf, gprep.perf, calib.efficiency_for(gspec.vendor, prec), best.tp, best.pp,
                         input_tokens, output_tokens,
                         best.concurrency / best.data_parallel, input_tokens * a.prefix_cache_hit_rate)
        rows.append({
            "precision": prec, "fits": True, "kv_precision": best.kv_precision, "weights_gb": round(best.weights_gb, 3),
            "gpus_per_replica": best.gpus_per_replica, "total_gpus": best.total_gpus, "concurrency": best.concurrency,
            "output_tokens_per_s_per_gpu": round(best.output_tokens_per_s / best.gpus_per_replica, 2),
            "prefill_s": round(r.prefill_s, 5), "decode_step_ms": round(r.decode_step_s * 1000, 4),
            "compute_path": gprep.compute_note, "ttft_s": round(best.ttft_s, 4), "tpot_ms": round(best.tpot_ms, 3),
            "meets_latency": best.meets_latency, "monthly_usd": round(best.monthly_usd, 2),
            "usd_per_million_output_tokens": round(best.usd_per_million_output_tokens, 5),
        })
    fitting = [r for r in rows if r["fits"]]
    annotated = {r["precision"]: r for r in compare_precisions(fitting, baseline)} if fitting else {}
    return [annotated.get(r["precision"], r) for r in rows]
