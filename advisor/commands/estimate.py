"""``sizewise estimate``: memory, throughput, fleet and cost of one model on one GPU type.

Why this module is thin: all numbers come from :func:`engine.estimate.estimate`;
this file only turns flags into an :class:`engine.estimate.EstimateRequest`
(every number through :func:`engine.units.parse_quantity`, so ``2K``, ``100M``,
``1.5e9`` work and bad values name their flag) and renders the result as a rich
table or the JSON contract. Only argparse-level code runs at import; the engine
and rich are imported inside :func:`run` (cold start, docs/architecture.md).
"""

from __future__ import annotations

HELP = "memory, throughput, fleet and cost of one model on one GPU type"

PRECISIONS = ("fp32", "bf16", "fp16", "fp8", "int8", "int4")
KV_PRECISIONS = ("fp16", "bf16", "fp8", "int8")


def add_arguments(parser) -> None:
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument("--model", metavar="ID", help="catalog model id, alias or size class (7b, 13b, 30b, 70b, 175b, 1t)")
    src.add_argument("--model-config", metavar="PATH", help="a Hugging Face config.json on disk")
    parser.add_argument("--gpu", metavar="ID", required=True, help="GPU id (see `sizewise catalog gpus`)")
    parser.add_argument("--gpus", metavar="N", help="GPUs per replica (default: the fewest that fit)")
    parser.add_argument("--precision", choices=PRECISIONS, default="bf16", help="weight precision (default bf16)")
    parser.add_argument("--kv-precision", choices=KV_PRECISIONS, help="KV-cache precision (default fp8 with fp8 weights, else fp16)")
    parser.add_argument("--int8-kernels", choices=("weight-only", "w8a8"), default="weight-only",
                        help="int8 as weight-only (W8A16, bf16 compute; default) or W8A8 (int8 tensor cores)")
    parser.add_argument("--input-tokens", metavar="N", help="prompt tokens per request (default 2000)")
    parser.add_argument("--output-tokens", metavar="N", help="generated tokens per request (default 300)")
    parser.add_argument("--concurrency", metavar="N|max",
                        help="sequences in flight per replica; 'max' = offline maximum (no latency limit); "
                             "default: the most that still meets the latency targets")
    demand = parser.add_mutually_exclusive_group()
    demand.add_argument("--requests-per-day", metavar="N", help="average requests per day")
    demand.add_argument("--tokens-per-day", metavar="N", help="input + output tokens per day (converted to requests)")
    parser.add_argument("--peak-to-average", metavar="X", help="busiest-hour rate / daily average (default 2)")
    parser.add_argument("--utilisation", metavar="F", help="target utilisation of a replica at peak, 0-1 (default 0.65)")
    parser.add_argument("--prefix-cache-hit-rate", metavar="F", help="fraction of input tokens served from a shared-prefix cache (default 0)")
    parser.add_argument("--deployment", choices=("cloud", "owned"), default="cloud", help="price basis (default cloud)")
    parser.add_argument("--usd-per-gpu-hour", metavar="USD", help="cloud price per GPU-hour (default: the catalog's)")
    parser.add_argument("--ttft-target", metavar="S", help="time-to-first-token target in seconds (default 2)")
    parser.add_argument("--tpot-target", metavar="MS", help="time-per-output-token target in ms (default 50)")
    parser.add_argument("--overrides", metavar="PATH", help="YAML file of your own prices and assumptions")
    parser.add_argument("--format", choices=("table", "json"), default="table", help="output format (default table)")


def _request(args):
    """Flags -> EstimateRequest; every problem is an InputError naming the flag."""
    from engine.errors import InputError
    from engine.estimate import (
        MAX_CONCURRENCY, MAX_GPUS_PER_REPLICA, MAX_REQUESTS_PER_DAY, MAX_TOKENS_PER_REQUEST, EstimateRequest,
    )
    from engine.units import parse_positive_int, parse_quantity

    def fraction(flag, value, *, lo_open=True, hi=1.0, hi_open=False):
        x = parse_quantity(value, name=flag, allow_zero=not lo_open)
        if x > hi or (hi_open and x >= hi):
            raise InputError(f"{flag}: must be {'below' if hi_open else 'at most'} {hi:g}, got {value!r}")
        return x

    fields = {"gpu": args.gpu, "precision": args.precision, "int8_mode": args.int8_kernels,
              "deployment": args.deployment}
    if args.model is not None:
        fields["model"] = args.model
    else:
        fields["model_config_path"] = args.model_config
    if args.kv_precision:
        fields["kv_precision"] = args.kv_precision
    if args.gpus is not None:
        fields["gpus"] = parse_positive_int(args.gpus, name="--gpus", maximum=MAX_GPUS_PER_REPLICA)
    if args.input_tokens is not None:
        fields["input_tokens"] = parse_positive_int(args.input_tokens, name="--input-tokens", maximum=MAX_TOKENS_PER_REQUEST)
    if args.output_tokens is not None:
        fields["output_tokens"] = parse_positive_int(args.output_tokens, name="--output-tokens", maximum=MAX_TOKENS_PER_REQUEST)
    if args.concurrency is not None:
        if args.concurrency.strip().lower() == "max":
            fields["concurrency"] = "max"
        else:
            try:
                fields["concurrency"] = parse_positive_int(args.concurrency, name="--concurrency", maximum=MAX_CONCURRENCY)
            except InputError as err:
                raise InputError(f"{err} (or 'max' for the offline maximum)") from None
    if args.requests_per_day is not None:
        x = parse_quantity(args.requests_per_day, name="--requests-per-day", allow_zero=False)
        if x > MAX_REQUESTS_PER_DAY:
            raise InputError(f"--requests-per-day: {args.requests_per_day} is absurd (the supported maximum is {MAX_REQUESTS_PER_DAY:g} requests per day)")
        fields["requests_per_day"] = x
    if args.tokens_per_day is not None:
        x = parse_quantity(args.tokens_per_day, name="--tokens-per-day", allow_zero=False)
        if x > MAX_REQUESTS_PER_DAY * 1e4:
            raise InputError(f"--tokens-per-day: {args.tokens_per_day} is absurd (the supported maximum is {MAX_REQUESTS_PER_DAY * 1e4:g} tokens per day)")
        fields["tokens_per_day"] = x
    if args.peak_to_average is not None:
        x = parse_quantity(args.peak_to_average, name="--peak-to-average", allow_zero=False)
        if not 1 <= x <= 100:
            raise InputError(f"--peak-to-average: must be between 1 and 100, got {args.peak_to_average!r}")
        fields["peak_to_average"] = x
    if args.utilisation is not None:
        fields["utilisation"] = fraction("--utilisation", args.utilisation)
    if args.prefix_cache_hit_rate is not None:
        fields["prefix_cache_hit_rate"] = fraction("--prefix-cache-hit-rate", args.prefix_cache_hit_rate,
                                                   lo_open=False, hi_open=True)
    if args.usd_per_gpu_hour is not None:
        x = parse_quantity(args.usd_per_gpu_hour, name="--usd-per-gpu-hour", allow_zero=False)
        if x > 1000:
            raise InputError(f"--usd-per-gpu-hour: {args.usd_per_gpu_hour} is absurd (at most $1000 per GPU-hour)")
        fields["usd_per_gpu_hour"] = x
    if args.ttft_target is not None:
        x = parse_quantity(args.ttft_target, name="--ttft-target", allow_zero=False)
        if x > 3600:
            raise InputError(f"--ttft-target: at most 3600 seconds, got {args.ttft_target!r}")
        fields["ttft_target_s"] = x
    if args.tpot_target is not None:
        x = parse_quantity(args.tpot_target, name="--tpot-target", allow_zero=False)
        if x > 60000:
            raise InputError(f"--tpot-target: at most 60000 ms, got {args.tpot_target!r}")
        fields["tpot_target_ms"] = x
    if args.overrides is not None:
        fields["overrides_path"] = args.overrides
    return EstimateRequest(**fields)


def run(args) -> int:
    import json
    import sys

    from engine.estimate import estimate

    result = estimate(_request(args))
    if args.format == "json":
        sys.stdout.write(json.dumps(result.as_dict(), indent=2, sort_keys=True) + "\n")
        return 0
    render_table(result)
    return 0


def _fmt(x, unit: str = "", nd: int = 2) -> str:
    if x is None:
        return "-"
    if isinstance(x, (list, tuple)):
        return " - ".join(_fmt(v, unit, nd) for v in x)
    if isinstance(x, float):
        if abs(x) >= 1000:
            return f"{x:,.0f}{unit}"
        return f"{x:,.{nd}f}{unit}"
    return f"{x}{unit}"


def render_table(e) -> None:
    """The estimate as rich tables: what, how much memory, what throughput, what cost, vs the article."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    m, d, p, c, b, w = e.memory, e.deployment, e.performance, e.cost, e.band, e.workload
    t = Table(title=f"{e.model['name']} on {e.gpu['name']} ({w['precision']}, KV {w['kv_precision']})", show_header=True)
    t.add_column("", style="bold")
    t.add_column("estimate", justify="right")
    t.add_column("band (p10-p90 of calibration)", justify="right")
    t.add_row("weights", _fmt(m["weights_gb"], " GB"), "")
    t.add_row("KV cache per token", _fmt(m["kv_cache_bytes_per_token"] / 1e3, " kB"), "")
    t.add_row(f"KV cache ({p['concurrency']} x {m['kv_tokens_per_sequence']:,} tokens)", _fmt(m["kv_cache_gb"], " GB"), "")
    t.add_row("runtime overhead", _fmt(m["overhead_gb"], " GB"), "")
    t.add_row("total per replica", _fmt(m["total_gb"], " GB") + f" of {_fmt(m['capacity_gb'], ' GB')}", "")
    t.add_row("GPUs per replica", f"{d['gpus_per_replica']} (TP {d['tensor_parallel']}, PP {d['pipeline_parallel']})", "")
    t.add_row("regime", d["regime"], "")
    t.add_row("concurrency", f"{p['concurrency']} ({p['concurrency_mode']}, max {p['max_concurrency']})", "")
    t.add_row("output tokens/s per replica", _fmt(p["output_tokens_per_s"]), _fmt(b["output_tokens_per_s"]))
    t.add_row("output tokens/s per GPU", _fmt(p["output_tokens_per_s_per_gpu"]), "")
    t.add_row("TTFT / TPOT", f"{p['ttft_s']:.3f} s / {p['tpot_ms']:.1f} ms", "")
    t.add_row("prefill share of GPU time", f"{p['prefill_share'] * 100:.0f}%", "")
    t.add_row("replicas / total GPUs", f"{d['replicas']} / {d['total_gpus']}", _fmt(b["replicas"]))
    t.add_row(f"$ per GPU-hour ({c['basis']})", _fmt(c["usd_per_gpu_hour"], nd=2), "")
    t.add_row("monthly", "$" + _fmt(c["monthly_usd"]), "$" + _fmt(b["monthly_usd"]))
    t.add_row("annual", "$" + _fmt(c["annual_usd"]), "")
    t.add_row("$ per M output tokens", _fmt(c["usd_per_million_output_tokens"], nd=3), _fmt(b["usd_per_million_output_tokens"], nd=3))
    t.add_row("$ per M total tokens", _fmt(c["usd_per_million_total_tokens"], nd=4), "")
    owned = c["owned"]
    be = owned["break_even_utilisation"]
    t.add_row("owned monthly (amortised)", "$" + _fmt(owned["monthly_usd"]),
              f"owning wins above {be * 100:.0f}% utilisation" if be is not None else "renting wins at these prices")
    console.print(t)
    art = e.article
    if art:
        a = Table(title="The article's figures for this case (reference, not an estimate)")
        a.add_column("figure")
        a.add_column("article", justify="right")
        a.add_column("sizewise", justify="right")
        a.add_column("where")
        if "vram" in art:
            v = art["vram"]
            a.add_row(f"practical VRAM ({v['precision_row']})", _fmt(v["practical_gb"], " GB", 0), _fmt(m["total_gb"], " GB"), v["where"])
        if "cost_table" in art:
            ct = art["cost_table"]
            note = "" if ct["comparable"] else " (its workload differs)"
            a.add_row("monthly cost" + note, "$" + _fmt([float(x) for x in ct["monthly_usd"]]), "$" + _fmt(c["monthly_usd"]), ct["where"])
            a.add_row("hardware", ct["hardware"], f"{d['total_gpus']}x {e.gpu['id']}", ct["where"])
        if "kv_formula" in art:
            k = art["kv_formula"]
            a.add_row("KV bytes per token", _fmt(float(k["article_bytes_per_token"]), nd=0), _fmt(float(k["computed_bytes_per_token"]), nd=0), k["where"])
        if "quick_rule_gb" in art:
            q = art["quick_rule_gb"]
            a.add_row("quick rule (params x bytes x 1.2-1.4)", _fmt(q["value"], " GB"), _fmt(m["total_gb"], " GB"), q["where"])
        console.print(a)
    for warning in e.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    console.print(f"Engine: {p['engine']}; calibration median error {e.calibration['median_abs_error'] * 100:.1f}% "
                  f"over {e.calibration['points']} points. Assumptions and sources: --format json.")
