"""``sizewise catalog gpus|models``: list the GPU and model catalogs.

Why a command: users pick ``--gpu`` and ``--model`` ids from here, and every
number's source is one ``--format json`` away (the JSON includes provenance).
The table is for people; the JSON is sorted by id with sorted keys, so the same
catalog always prints byte-identical output. Only argparse-level code runs at
import; rich and the engine are imported inside :func:`run`.
"""

from __future__ import annotations

HELP = "list the GPU and model catalogs"


def add_arguments(parser) -> None:
    parser.add_argument("what", choices=("gpus", "models"), help="which catalog to list")
    parser.add_argument("--format", choices=("table", "json"), default="table", help="output format (default table)")


def run(args) -> int:
    import sys

    if args.what == "gpus":
        rows = gpu_rows()
    else:
        rows = model_rows()
    if args.format == "json":
        import json

        sys.stdout.write(json.dumps({args.what: sorted(rows, key=lambda r: r["id"].lower())}, indent=2, sort_keys=True) + "\n")
        return 0
    _print_table(args.what, rows)
    return 0


def gpu_rows() -> list[dict]:
    """One dict per catalog GPU: the spec fields and their provenance (JSON-ready)."""
    from engine.catalog import load_gpus
    from engine.specs import to_dict

    rows = []
    for gpu in load_gpus().values():
        row = to_dict(gpu)
        row["capacity_gib"] = gpu.capacity_gib
        rows.append(row)
    return rows


def model_rows() -> list[dict]:
    """One dict per catalog model: architecture, derived parameter counts, KV per token, provenance."""
    from engine.catalog import load_models
    from engine.memory import kv_bytes_per_token
    from engine.params import param_counts
    from engine.specs import to_dict

    rows = []
    for model in load_models().values():
        row = to_dict(model)
        pc = param_counts(model)
        row["params_b"] = round(pc.total / 1e9, 4)
        row["active_params_b"] = round(pc.active / 1e9, 4)
        row["attention"] = attention_kind(model)
        row["kv_cache_bytes_per_token_fp16"] = kv_bytes_per_token(model, "fp16")
        rows.append(row)
    return rows


def attention_kind(model) -> str:
    if model.mla is not None:
        return "MLA"
    if model.num_kv_heads == model.num_attention_heads:
        return "MHA"
    if model.num_kv_heads == 1:
        return "MQA"
    return f"GQA-{model.num_kv_heads}"


def _num(x, digits: int = 0) -> str:
    if x is None:
        return "-"
    return f"{x:,.{digits}f}"


def _print_table(what: str, rows: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not console.is_terminal:  # piped: wide and stable instead of the 80-column fallback
        console = Console(width=200)
    if what == "gpus":
        table = Table(title="GPU catalog (dense tensor rates; memory in GiB as marketed; bandwidth per direction)")
        for col in ("id", "name", "memory GiB", "mem BW GB/s", "BF16 TFLOPS", "FP8 TFLOPS", "INT8 TOPS",
                    "TDP W", "interconnect", "$/GPU-h", "purchase $"):
            table.add_column(col, justify="left" if col in ("id", "name", "interconnect") else "right")
        for r in rows:
            ic = r["interconnect"]
            mem = _num(r["memory_gib"]) + (f" ({r['usable_memory_gib']:.1f} usable)" if r["usable_memory_gib"] else "")
            table.add_row(
                r["id"], r["name"], mem, _num(r["memory_bandwidth_gb_per_s"]), _num(r["bf16_dense_tflops"], 1),
                _num(r["fp8_dense_tflops"], 1), _num(r["int8_dense_tops"], 1), _num(r["tdp_w"]),
                f"{ic['kind']} {ic['bandwidth_gb_per_s']:g} GB/s x{ic['gpus_per_node']}",
                _num(r["cloud_usd_per_gpu_hour"], 2), _num(r["purchase_usd"]),
            )
        caption = "Sources and dates per field: sizewise catalog gpus --format json"
    else:
        table = Table(title="Model catalog (parameter counts derived from each config.json)")
        for col in ("id", "class", "params B", "active B", "layers", "hidden", "heads", "attention",
                    "KV/token fp16", "context", "window"):
            table.add_column(col, justify="left" if col in ("id", "class", "attention") else "right")
        for r in rows:
            window = "-" if not r["sliding_window"] else f"{r['sliding_window']} x{r['sliding_window_layers']}L"
            table.add_row(
                r["id"], r["size_class"] or "-", _num(r["params_b"], 2),
                _num(r["active_params_b"], 2) if r["moe"] else "-",
                str(r["num_layers"]), str(r["hidden_size"]), str(r["num_attention_heads"]), r["attention"],
                f"{r['kv_cache_bytes_per_token_fp16'] / 1024:,.0f} KiB", f"{r['max_context']:,}", window,
            )
        caption = "Aliases and sources: sizewise catalog models --format json"
    table.caption = caption
    console.print(table)
