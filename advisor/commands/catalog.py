"""``sizewise catalog gpus|models|offers``: list the GPU, model and offers catalogs.

Why a command: users pick ``--gpu`` and ``--model`` ids from here, and every
number's source is one ``--format json`` away (the JSON includes provenance).
The table is for people; the JSON is sorted by id with sorted keys, so the same
catalog always prints byte-identical output. Only argparse-level code runs at
import; rich and the engine are imported inside :func:`run`.
"""

from __future__ import annotations

HELP = "list the GPU, model and offers catalogs"


def add_arguments(parser) -> None:
    parser.add_argument("what", choices=("gpus", "models", "offers"), help="which catalog to list")
    parser.add_argument("--provider", help="offers: only this provider (aws, lambda, nebius, own_hardware, ...)")
    parser.add_argument("--gpu", help="offers: only offers of this GPU (id or alias)")
    parser.add_argument("--format", choices=("table", "json"), default="table", help="output format (default table)")


def run(args) -> int:
    import sys

    if args.what != "offers" and (args.provider or args.gpu):
        from engine.errors import InputError

        raise InputError("--provider and --gpu filter `sizewise catalog offers` only")
    if args.what == "gpus":
        rows = gpu_rows()
    elif args.what == "models":
        rows = model_rows()
    else:
        rows = offer_rows(args.provider, args.gpu)
    if args.format == "json":
        import json

        key = (lambda r: (r["provider"], r["gpu"], r["gpus_per_instance"], r["instance_type"])) if args.what == "offers" \
            else (lambda r: r["id"].lower())
        sys.stdout.write(json.dumps({args.what: sorted(rows, key=key)}, indent=2, sort_keys=True) + "\n")
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
    """One dict per catalog model: architecture, family, licence, context window, derived
    parameter counts (text model served; ``checkpoint_params_b`` adds an image encoder),
    KV per token, provenance."""
    from engine.catalog import load_models
    from engine.memory import kv_bytes_per_token
    from engine.params import param_counts
    from engine.specs import to_dict

    rows = []
    for model in load_models().values():
        row = to_dict(model)
        del row["assumed"]  # only --model-config fills it; always empty for a catalog model
        pc = param_counts(model)
        row["params_b"] = round(pc.total / 1e9, 4)
        row["active_params_b"] = round(pc.active / 1e9, 4)
        row["checkpoint_params_b"] = round(pc.checkpoint_total / 1e9, 4)   # + the image encoder, as published
        row["attention"] = attention_kind(model)
        row["kv_cache_bytes_per_token_fp16"] = kv_bytes_per_token(model, "fp16")
        rows.append(row)
    return rows


def offer_rows(provider: str | None = None, gpu: str | None = None) -> list[dict]:
    """One dict per offer (catalog order), optionally of one provider and/or GPU; unknown ids are errors."""
    from engine.catalog import resolve_gpu
    from engine.errors import UnknownIdError
    from engine.offers import load_offers, provider_ids
    from engine.specs import to_dict

    offers = load_offers()
    if provider is not None:
        provider = provider.strip().lower()
        if provider not in provider_ids(offers):
            raise UnknownIdError("provider", provider, provider_ids(offers))
        offers = tuple(o for o in offers if o.provider == provider)
    if gpu is not None:
        gpu_id = resolve_gpu(gpu).id
        offers = tuple(o for o in offers if o.gpu == gpu_id)
    return [to_dict(o) for o in offers]


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


#: width when stdout is not a terminal and COLUMNS is unset: wide and stable instead of rich's 80-column fallback
_PIPED_WIDTH = 200


def _table_width(console) -> int:
    """COLUMNS when set (also when piped: ``COLUMNS=80 sizewise catalog gpus | less``), else the terminal's width."""
    import os

    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return console.width if console.is_terminal else _PIPED_WIDTH


# (header, left-aligned, may wrap, rank) per column, in display order. Rank 0 is never
# dropped; at a narrow width the highest ranks go first (least needed to pick an id).
_GPU_COLUMNS = (
    ("id", True, False, 0), ("name", True, True, 6), ("memory GiB", False, False, 1), ("mem BW GB/s", False, False, 3),
    ("BF16 TFLOPS", False, False, 4), ("FP8 TFLOPS", False, False, 5), ("INT8 TOPS", False, False, 10),
    ("TDP W", False, False, 9), ("interconnect", True, True, 7), ("$/GPU-h", False, False, 2),
    ("purchase $", False, False, 8),
)
_MODEL_COLUMNS = (
    ("id", True, False, 0), ("class", True, False, 3), ("family", True, False, 4), ("params B", False, False, 1),
    ("active B", False, False, 5), ("context", False, False, 2), ("licence", True, True, 6),
    ("layers", False, False, 9), ("hidden", False, False, 11), ("heads", False, False, 12),
    ("attention", True, False, 7), ("KV/token fp16", False, False, 8), ("window", False, False, 10),
)


_OFFER_COLUMNS = (
    ("provider", True, False, 0), ("instance type", True, False, 0), ("GPU", True, False, 3),
    ("GPUs", False, False, 2), ("region", True, False, 7), ("on-demand $/h", False, False, 1),
    ("1y $/h", False, False, 4), ("3y $/h", False, False, 6), ("spot $/h", False, False, 8),
    ("purchase $", False, False, 5), ("network GB/s", False, False, 9),
)


def _offer_cells(r: dict) -> list[str]:
    def price(kind: str) -> str:
        p = r["prices"].get(kind)
        return "-" if p is None else _num(p["usd_per_hour"], 2)

    return [
        r["provider"], r["instance_type"], r["gpu"], str(r["gpus_per_instance"]), r["region"], price("on_demand"),
        price("committed_1y"), price("committed_3y"), price("spot"), _num(r["purchase_usd"]), _num(r["network_gb_per_s"], 1),
    ]


def _gpu_cells(r: dict) -> list[str]:
    ic = r["interconnect"]
    mem = _num(r["memory_gib"]) + (f" ({r['usable_memory_gib']:.1f} usable)" if r["usable_memory_gib"] else "")
    return [
        r["id"], r["name"], mem, _num(r["memory_bandwidth_gb_per_s"]), _num(r["bf16_dense_tflops"], 1),
        _num(r["fp8_dense_tflops"], 1), _num(r["int8_dense_tops"], 1), _num(r["tdp_w"]),
        f"{ic['kind']} {ic['bandwidth_gb_per_s']:g} GB/s x{ic['gpus_per_node']}",
        _num(r["cloud_usd_per_gpu_hour"], 2), _num(r["purchase_usd"]),
    ]


def _model_cells(r: dict) -> list[str]:
    window = "-" if not r["sliding_window"] else f"{r['sliding_window']} x{r['sliding_window_layers']}L"
    if r["sliding_window"] and r["local_attention"] == "chunked":
        window = f"chunk {r['sliding_window']} x{r['sliding_window_layers']}L"
    return [
        r["id"], r["size_class"] or "-", r["family"] or "-", _num(r["params_b"], 2),
        _num(r["active_params_b"], 2) if r["moe"] else "-", f"{r['max_context']:,}", r["license"] or "-",
        str(r["num_layers"]), str(r["hidden_size"]), str(r["num_attention_heads"]), r["attention"],
        f"{r['kv_cache_bytes_per_token_fp16'] / 1024:,.0f} KiB", window,
    ]


def fit_columns(columns, cells: list[list[str]], width: int) -> list[int]:
    """Indexes of the columns to show at ``width`` characters, in display order.

    Why drop columns rather than only let rich squeeze them: eleven columns in
    80 characters wrap every number over several lines, which is harder to read
    than fewer columns (the JSON always has every field). A column needs its
    longest cell or header, plus 3 characters of border and padding. The
    highest-ranked columns are dropped until the rest fit; rank 0 (the id)
    always stays, and rich wraps the text columns (or folds the id) when even
    that does not fit.
    """
    def need(i: int) -> int:
        return max(len(text) for text in (columns[i][0], *(row[i] for row in cells)))

    shown_ = list(range(len(columns)))
    for i in sorted(shown_, key=lambda i: -columns[i][3]):
        if sum(need(j) + 3 for j in shown_) + 1 <= width or columns[i][3] == 0:
            break
        shown_.remove(i)
    return shown_


def _print_table(what: str, rows: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    width = _table_width(console)
    console = Console(width=width)
    if what == "gpus":
        title = "GPU catalog (dense tensor rates; memory in GiB as marketed; bandwidth per direction)"
        columns, cells = _GPU_COLUMNS, [_gpu_cells(r) for r in rows]
        caption = "Sources and dates per field: sizewise catalog gpus --format json"
        every = "Every field and its source"
    elif what == "offers":
        title = "Offers catalog (prices per instance-hour; owned servers by purchase price)"
        columns, cells = _OFFER_COLUMNS, [_offer_cells(r) for r in rows]
        caption = "Sources and dates per price: sizewise catalog offers --format json (DISCOUNT = documented % off on-demand)"
        every = "Every field and its source"
    else:
        title = "Model catalog (parameter counts derived from each config.json)"
        columns, cells = _MODEL_COLUMNS, [_model_cells(r) for r in rows]
        caption = "Aliases and sources: sizewise catalog models --format json"
        every = "Every field, aliases and sources"
    keep = fit_columns(columns, cells, width)
    hidden = [columns[i][0] for i in range(len(columns)) if i not in keep]
    if hidden:
        caption = f"Not shown at {width} columns: {', '.join(hidden)}. {every}: sizewise catalog {what} --format json"
    table = Table(title=title, caption=caption)
    for i in keep:
        header, left, wraps, _ = columns[i]
        table.add_column(header, justify="left" if left else "right", no_wrap=not wraps and i != 0,
                         overflow="fold" if i == 0 else "ellipsis")
    for row in cells:
        table.add_row(*(row[i] for i in keep))
    console.print(table)
