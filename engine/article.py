"""The article's reference figures, looked up for side-by-side display.

Why: the product policy is "compute from first principles, show the article's
figure next to ours where it states one" (docs/methodology.md). This module only
reads engine/data/article.yaml and builds the ``article`` block of an estimate;
it never feeds a figure into the physics.
"""

from __future__ import annotations

import functools
from typing import Any

from engine.defaults import load_packaged_yaml

SIZE_CLASSES = ("7b", "13b", "30b", "70b", "175b", "1t")
#: what sizewise's figure beside the article's VRAM figures is
SINGLE_SEQUENCE_LABEL = "sizewise, 1 sequence: weights + runtime overhead + the KV cache of one request"


def _check_article(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict) or "vram" not in data:
        raise ValueError("missing 'vram'")
    return data


@functools.lru_cache(maxsize=1)
def load_article() -> dict[str, Any]:
    return load_packaged_yaml("article.yaml", _check_article)


def quick_rule_gb(params_b: float, precision: str) -> tuple[float, float]:
    """The article's rule: params x bytes per param x [1.2, 1.4], decimal GB (a labelled reference)."""
    a = load_article()["quick_rule"]
    bpp = a["bytes_per_param"].get(precision, a["bytes_per_param"]["int8"] if precision == "fp8" else None)
    lo, hi = a["overhead_factor"]
    return params_b * bpp * lo, params_b * bpp * hi


def article_kv_example_bytes() -> int:
    """The article's KV formula on its own 70B/8K example (assumes MHA): 21,474,836,480 B."""
    k = load_article()["kv_example"]
    return 2 * k["num_layers"] * k["hidden_dim"] * k["context_tokens"] * k["batch_size"] * k["bytes_per_value"]


def reference_block(size_class: str | None, precision: str, *, computed_total_gb: float | None = None,
                    computed_single_sequence_gb: float | None = None, computed_monthly_usd: float | None = None, computed_gpus: int | None = None,
                    computed_gpu_name: str | None = None, cost_table_workload: bool = False) -> dict[str, Any]:
    """The ``article`` block for an estimate: the article's figures for this case, with ``where``.

    Only generic size classes have article rows. The cost-table row is shown for every
    generic class; its monthly figure is only comparable when the workload is the
    article's (100M output tokens/day, 2K in / 30 out), which ``cost_table_workload`` says.

    The article's VRAM figures (practical VRAM, the quick rule) describe a model serving one
    request, so they are compared with ``computed_single_sequence_gb`` (weights + runtime
    overhead + the KV cache of ONE sequence); ``computed_total_gb`` (the replica at its full
    concurrency) is kept beside it, labelled, never as the compared figure.
    """
    if not size_class or size_class not in SIZE_CLASSES:
        return {}
    art = load_article()
    out: dict[str, Any] = {"source": art["source"]}
    vram = art["vram"].get(size_class)
    if vram:
        key = {"bf16": "fp16", "fp16": "fp16", "fp32": "fp16", "int8": "int8", "fp8": "int8", "int4": "int4"}[precision]
        practical = vram.get(f"{key}_practical_gb")
        row = {
            "precision_row": key,
            "practical_gb": practical,
            "fp16_hardware": vram.get("fp16_hardware"),
            "where": vram["where"],
        }
        if computed_single_sequence_gb is not None:
            row["computed_single_sequence_gb"] = round(computed_single_sequence_gb, 3)
            row["compared_with"] = SINGLE_SEQUENCE_LABEL
        if computed_total_gb is not None:
            row["computed_total_gb"] = round(computed_total_gb, 3)  # full load: not comparable, kept for reference
        out["vram"] = row
    cost_row = art["cost_table"]["rows"].get(size_class)
    if cost_row:
        row = {
            "hardware": cost_row["hardware"],
            "monthly_usd": cost_row["monthly_usd"],
            "annual_usd": cost_row["annual_usd"],
            "workload": "100M output tokens/day, 2,000 input + 30 output tokens per request, fp16",
            "where": art["cost_table"]["where"],
            "comparable": cost_table_workload,
            "check": cost_row["check"],
        }
        if computed_monthly_usd is not None:
            row["computed_monthly_usd"] = round(computed_monthly_usd, 2)
        if computed_gpus is not None:
            row["computed_hardware"] = f"{computed_gpus}x {computed_gpu_name}" if computed_gpu_name else computed_gpus
        out["cost_table"] = row
    ladder = art["cost_ladder"]["vs_7b_x"].get(size_class)
    if ladder:
        out["cost_ladder_vs_7b_x"] = {"value": ladder, "where": art["cost_ladder"]["where"]}
    lo, hi = quick_rule_gb(vram["params_b"], precision) if vram else (None, None)
    if lo is not None:
        out["quick_rule_gb"] = {"value": [round(lo, 2), round(hi, 2)], "where": art["quick_rule"]["where"],
                                "note": "params x bytes x 1.2-1.4 (weights-only rule of thumb)"}
        if computed_single_sequence_gb is not None:
            out["quick_rule_gb"]["computed_single_sequence_gb"] = round(computed_single_sequence_gb, 3)
            out["quick_rule_gb"]["compared_with"] = SINGLE_SEQUENCE_LABEL
    if size_class == "1t":
        out["usd_per_million_tokens"] = {"value": art["trillion"]["usd_per_million_tokens"], "where": art["trillion"]["where"]}
    return out
