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
    parser.add_argument("--gpus", metavar="N", help="GPUs per replica (default: the fewest that fit and meet the latency targets, else the fewest that fit)")
    parser.add_argument("--precision", choices=PRECISIONS, default=None,
                        help="weight precision (default bf16, or what a quantised model id names: "
                             "-AWQ/-GPTQ/-Int4 int4, -Int8 int8, -FP8 fp8)")
    parser.add_argument("--kv-precision", choices=KV_PRECISIONS, help="KV-cache precision (default fp8 with fp8 weights, else fp16)")
    parser.add_argument("--int8-kernels", choices=("weight-only", "w8a8"), default="weight-only",
                        help="int8 as weight-only (W8A16, bf16 compute; default) or W8A8 (int8 tensor cores)")
    parser.add_argument("--input-tokens", metavar="N", help="prompt tokens per request (default 2000)")
    parser.add_argument("--output-tokens", metavar="N", help="generated tokens per request (default 300)")
    parser.add_argument("--concurrency", metavar="N|max",
                        help="sequences in flight per replica; 'max' = offline maximum (no latency limit); "
                             "default: the most that still meets the latency targets")
    demand = parser.add_mutually_exclusive_group()
    demand.add_argument("--requests-per-day", metavar="N", help="average requests per day (or per another period: 50M/month)")
    demand.add_argument("--tokens-per-day", metavar="N", help="input + output tokens per day, converted to requests (or 1B/month)")
    parser.add_argument("--peak-to-average", metavar="X", help="busiest-hour rate / daily average (default 2)")
    parser.add_argument("--utilisation", metavar="F", help="target utilisation of a replica at peak, 0.01-1 (default 0.65)")
    parser.add_argument("--prefix-cache-hit-rate", metavar="F", help="fraction of input tokens served from a shared-prefix cache, 0-0.99 (default 0)")
    parser.add_argument("--deployment", choices=("cloud", "owned"), default="cloud", help="price basis (default cloud)")
    parser.add_argument("--usd-per-gpu-hour", metavar="USD", help="cloud price per GPU-hour (default: the catalog's)")
    parser.add_argument("--ttft-target", metavar="S", help="time-to-first-token target in seconds (default 2)")
    parser.add_argument("--tpot-target", metavar="MS", help="time-per-output-token target in ms (default 50)")
    parser.add_argument("--overrides", metavar="PATH", help="YAML file of your own prices and assumptions")
    parser.add_argument("--serving-engine", metavar="ID",
                        help="serving-engine profile the throughput is calibrated on: vllm (default), sglang, trtllm")
    parser.add_argument("--format", choices=("table", "json"), default="table", help="output format (default table)")
    parser.add_argument("--providers", metavar="P[,P...]",
                        help="price on the cheapest whole-instance offer of these providers (aws, lambda, ..., own_hardware, any)")
    parser.add_argument("--offers", metavar="PATH",
                        help="your own offers YAML for --providers/--pricing (replaces the catalog row of the same "
                             "provider and instance type, adds the others)")
    parser.add_argument("--pricing", choices=("on_demand", "committed_1y", "committed_3y", "spot"),
                        help="pricing type of that offer (default on_demand; implies --providers any)")


def _request(args):
    """Flags -> EstimateRequest; every problem is an InputError naming the flag.

    Bounds come from engine.request.BOUNDS and are checked here first (the message names
    the flag and the bound, in engine.request.check_bound's one wording), then again by
    EstimateRequest itself for callers that skip the CLI.
    """
    from engine.errors import InputError
    from engine.request import BOUNDS, EstimateRequest, check_bound
    from engine.units import parse_positive_int, parse_quantity

    def number(field, value, *, whole=False):
        flag = BOUNDS[field][0]
        if whole:
            x = parse_positive_int(value, name=flag)
        else:
            x = parse_quantity(value, name=flag, allow_zero=True, per_day=field.endswith("_per_day"))
        check_bound(field, x, shown=str(value).strip())
        return x

    fields = {"gpu": args.gpu, "int8_mode": args.int8_kernels, "deployment": args.deployment,
              "serving_engine": args.serving_engine}
    if args.precision is not None:
        fields["precision"] = args.precision
    if args.model is not None:
        fields["model"] = args.model
    else:
        fields["model_config_path"] = args.model_config
    if args.kv_precision:
        fields["kv_precision"] = args.kv_precision
    for field, value in (("gpus", args.gpus), ("input_tokens", args.input_tokens), ("output_tokens", args.output_tokens)):
        if value is not None:
            fields[field] = number(field, value, whole=True)
    if args.concurrency is not None:
        if args.concurrency.strip().lower() == "max":
            fields["concurrency"] = "max"
        else:
            try:
                fields["concurrency"] = number("concurrency", args.concurrency, whole=True)
            except InputError as err:
                raise InputError(f"{err} (or 'max' for the offline maximum)") from None
    for field, value in (("requests_per_day", args.requests_per_day), ("tokens_per_day", args.tokens_per_day),
                         ("peak_to_average", args.peak_to_average), ("utilisation", args.utilisation),
                         ("prefix_cache_hit_rate", args.prefix_cache_hit_rate),
                         ("usd_per_gpu_hour", args.usd_per_gpu_hour), ("ttft_target_s", args.ttft_target),
                         ("tpot_target_ms", args.tpot_target)):
        if value is not None:
            fields[field] = number(field, value)
    if args.overrides is not None:
        fields["overrides_path"] = args.overrides
    return EstimateRequest(**fields)


def run(args) -> int:
    import json
    import sys

    from engine.estimate import estimate

    req = _request(args)
    if args.offers is not None:
        from engine.offers import use_offer_file

        use_offer_file(args.offers)
    result = estimate(req)
    offer = _offer(args, req, result) if (args.providers or args.pricing or args.offers) else None
    if args.format == "json":
        doc = result.as_dict()
        if offer is not None:
            doc["offer"] = offer
        sys.stdout.write(json.dumps(doc, indent=2, sort_keys=True) + "\n")
        return 0
    render_table(result)
    if offer is not None:
        print(f"On offers: {offer['instances']} x {offer['provider']} {offer['instance_type']} "
              f"({offer['gpus_per_instance']} GPUs each), {offer['pricing']}: ${offer['monthly_usd']:,.0f}/month "
              f"({offer['region']}; {offer['source']}, {offer['as_of']})")
    return 0


def _offer(args, req, result) -> dict:
    """The estimate's fleet on the cheapest whole-instance offer: the ``offer`` object plus ``monthly_usd``."""
    from engine.catalog import resolve_gpu
    from engine.offer_fit import best_offer, fit_dict
    from engine.request import resolve_request

    providers = [p.strip() for p in (args.providers or "any").split(",") if p.strip()] or ["any"]
    d, fleet = result.deployment, result.fleet
    f = best_offer(resolve_gpu(result.gpu["id"]), tp=d["tensor_parallel"], gpus_per_replica=d["gpus_per_replica"],
                   replicas=d["replicas"], fleet_utilisation=fleet["fleet_utilisation"], providers=providers,
                   pricing=args.pricing or "on_demand", deployment=req.deployment, a=resolve_request(req).assumptions)
    return {**fit_dict(f), "monthly_usd": round(f.monthly_usd, 2), "gpus_paid": f.packing.gpus_paid}


def _num(x: float, nd: int) -> str:
    """``x`` with ``nd`` decimals, or 3 significant figures when the decimals would show a non-zero value as 0."""
    if x != 0 and abs(x) < 0.5 * 10.0 ** -nd:
        return f"{x:.3g}"
    return f"{x:,.{nd}f}"


def _fmt(x, unit: str = "", nd: int = 2) -> str:
    if x is None:
        return "-"
    if isinstance(x, (list, tuple)):
        return " - ".join(_fmt(v, unit, nd) for v in x)
    if isinstance(x, float):
        if abs(x) >= 1000:
            return f"{x:,.0f}{unit}"
        return f"{_num(x, nd)}{unit}"
    return f"{x}{unit}"


def render_table(e) -> None:
    """The estimate as rich tables: what, how much memory, what throughput, what cost, vs the article."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from engine.errors import terminal_text

    def text(s: str) -> str:  # a name from a --model-config is the user's: no ESC, no rich markup ([blink])
        return escape(terminal_text(s))

    def add(table, *cells: str) -> None:
        table.add_row(*(text(c) for c in cells))

    console = Console()
    m, d, p, c, b, w = e.memory, e.deployment, e.performance, e.cost, e.band, e.workload
    t = Table(title=f"{text(e.model['name'])} on {text(e.gpu['name'])} ({w['precision']}, KV {w['kv_precision']})", show_header=True)
    t.add_column("", style="bold")
    t.add_column("estimate", justify="right")
    t.add_column("band (p10-p90 of calibration)", justify="right")
    copies = d.get("data_parallel_in_replica", 1)
    add(t, "weights", _fmt(m["weights_gb"], " GB") + (f" (x{copies} copies)" if copies > 1 else ""), "")
    add(t, "KV cache per token", _fmt(m["kv_cache_bytes_per_token"] / 1e3, " kB"), "")
    add(t, f"KV cache ({p['concurrency']:,} x {m['kv_tokens_per_sequence']:,} tokens)", _fmt(m["kv_cache_gb"], " GB"), "")
    add(t, "runtime overhead", _fmt(m["overhead_gb"], " GB"), "")
    add(t, "total per replica", _fmt(m["total_gb"], " GB") + f" of {_fmt(m['capacity_gb'], ' GB')}", "")
    add(t, "GPUs per replica", f"{d['gpus_per_replica']} (TP {d['tensor_parallel']}, PP {d['pipeline_parallel']}"
              + (f", {copies} copies)" if copies > 1 else ")"), "")
    add(t, "regime", d["regime"], "")
    add(t, "concurrency", f"{p['concurrency']} ({p['concurrency_mode']}, max {p['max_concurrency']})", "")
    add(t, "output tokens/s per replica", _fmt(p["output_tokens_per_s"]), _fmt(b["output_tokens_per_s"]))
    add(t, "output tokens/s per GPU", _fmt(p["output_tokens_per_s_per_gpu"]), "")
    add(t, "TTFT / TPOT", f"{_num(p['ttft_s'], 3)} s / {_num(p['tpot_ms'], 1)} ms", "")
    load = p["at_load"]
    add(t, f"TTFT / TPOT p95 at {_num(load['utilisation'] * 100, 0)}% load",
        f"{_num(load['ttft_p95_s'], 3)} s / {_num(load['tpot_p95_ms'], 1)} ms", "")
    add(t, "serving engine (calibration profile)", p["serving_engine"], "")
    add(t, "prefill share of GPU time", f"{_num(p['prefill_share'] * 100, 0)}%", "")
    add(t, "replicas / total GPUs", f"{d['replicas']} / {d['total_gpus']}", _fmt(b["replicas"]))
    add(t, f"$ per GPU-hour ({c['basis']})", _fmt(c["usd_per_gpu_hour"], nd=2), "")
    add(t, "monthly", "$" + _fmt(c["monthly_usd"]), " - ".join("$" + _fmt(x) for x in b["monthly_usd"]))
    add(t, "annual", "$" + _fmt(c["annual_usd"]), "")
    add(t, "$ per M output tokens", _fmt(c["usd_per_million_output_tokens"], nd=3), _fmt(b["usd_per_million_output_tokens"], nd=3))
    add(t, "$ per M total tokens", _fmt(c["usd_per_million_total_tokens"], nd=4), "")
    owned = c["owned"]
    be = owned["break_even_utilisation"]
    add(t, "owned monthly (amortised)", "$" + _fmt(owned["monthly_usd"]),
              f"owning wins above {be * 100:.0f}% utilisation" if be is not None else "renting wins at these prices")
    console.print(t)
    art = e.article
    if art:
        a = Table(title="The article's figures for this case (reference, not an estimate)")
        a.add_column("figure")
        a.add_column("article", justify="right")
        a.add_column("sizewise", justify="right")
        a.add_column("where")
        one = m.get("single_sequence_gb")
        if "vram" in art:
            v = art["vram"]
            add(a, f"practical VRAM ({v['precision_row']}) vs sizewise, 1 sequence", _fmt(v["practical_gb"], " GB", 0),
                      _fmt(one, " GB"), v["where"])
        if "cost_table" in art:
            ct = art["cost_table"]
            note = "" if ct["comparable"] else " (its workload differs)"
            add(a, "monthly cost" + note, " - ".join("$" + _fmt(float(x)) for x in ct["monthly_usd"]), "$" + _fmt(c["monthly_usd"]), ct["where"])
            add(a, "hardware", ct["hardware"], f"{d['total_gpus']}x {e.gpu['id']}", ct["where"])
        if "kv_formula" in art:
            k = art["kv_formula"]
            add(a, k.get("label", "KV bytes per token"), _fmt(float(k["article_bytes_per_token"]), nd=0),
                      _fmt(float(k["computed_bytes_per_token"]), nd=0), k["where"])
        if "quick_rule_gb" in art:
            q = art["quick_rule_gb"]
            add(a, "quick rule (params x bytes x 1.2-1.4) vs sizewise, 1 sequence", _fmt(q["value"], " GB"),
                      _fmt(one, " GB"), q["where"])
        if "vram" in art or "quick_rule_gb" in art:
            add(a, f"sizewise, full load ({p['concurrency']} sequences)", "-",
                      _fmt(m["total_gb"], " GB"), "total per replica above")
        console.print(a)
    for warning in e.warnings:
        console.print(f"[yellow]warning:[/yellow] {text(warning)}")
    console.print(f"Engine: {p['engine']}; calibration median error {e.calibration['median_abs_error'] * 100:.1f}% "
                  f"over {e.calibration['points']} points. Assumptions and sources: --format json.")
