"""The published accuracy table: error and bias of the engine by serving engine, GPU, family, ...

Why separate from the fit: the fit decides factors; this module only summarises rows
(benchmarks/calibration_points.row) into the Markdown that docs/methodology.md shows,
so the same summary serves the docs, the tests and the acceptance check.

Per group: points (demand-bound points, whose throughput is the offered load, count for
TPOT only), median |error| of output tok/s, share within 2x, bias (geometric mean
of measured/predicted: < 1 = the engine is optimistic), and the TPOT median |error| where
TPOT was measured. Excluded and refused points are listed, never silently dropped.
"""

from __future__ import annotations

import math
import statistics


def _err(ratio: float) -> float:
    return abs(1.0 / ratio - 1.0)  # |predicted - measured| / measured


def summary(rs: list[dict]) -> dict:
    """{points, median_error, within_2x, bias, tpot_points, tpot_median_error} over predicted rows."""
    predicted = [r for r in rs if r["ratio"] is not None]
    ok = [r for r in predicted if not r["demand_bound"]]  # demand-bound throughput is the offered load
    if not ok:
        return {"points": 0}
    tp = [abs(r["pred_tpot_ms"] / r["tpot_ms"] - 1.0) for r in predicted if r["tpot_ms"]]
    return {
        "points": len(ok),
        "median_error": statistics.median(_err(r["ratio"]) for r in ok),
        "within_2x": sum(1 for r in ok if 0.5 < r["ratio"] < 2.0) / len(ok),
        "bias": math.exp(statistics.fmean(math.log(r["ratio"]) for r in ok)),
        "tpot_points": len(tp),
        "tpot_median_error": statistics.median(tp) if tp else None,
    }


def family(model: str) -> str:
    m = model.lower()
    for key, name in (("deepseek", "DeepSeek (MoE, MLA)"), ("qwen2.5", "Qwen2.5"), ("llama-3", "Llama-3"),
                      ("llama-2", "Llama-2"), ("gpt-j", "GPT-J"), ("mixtral", "Mixtral (MoE)"), ("falcon", "Falcon")):
        if key in m:
            return name
    return model


def concurrency_class(r: dict) -> str:
    c = r["used_concurrency"]
    if r["concurrency"] == "max":
        return "offline (max)"
    return "1" if c <= 1 else "2-16" if c <= 16 else "17-128" if c <= 128 else ">128"


GROUPINGS = (
    ("serving engine", lambda r: r["profile"]),
    ("GPU", lambda r: r["gpu"]),
    ("model family", lambda r: family(r["model"])),
    ("GPUs per replica", lambda r: str(r["tp"])),
    ("weight precision", lambda r: r["precision"]),
    ("concurrency", concurrency_class),
)


def _fmt(s: dict) -> str:
    if not s.get("points"):
        return "0 | | | | "
    tpot = f"{s['tpot_median_error'] * 100:.1f}% ({s['tpot_points']})" if s["tpot_median_error"] is not None else ""
    return f"{s['points']} | {s['median_error'] * 100:.1f}% | {s['within_2x'] * 100:.0f}% | {s['bias']:.3f} | {tpot}"


def _ratio_text(r: dict) -> str:
    return "refused" if r["ratio"] is None else f"meas/pred {r['ratio']:.3f}"


def markdown(rs: list[dict], files: tuple[str, ...], holdout: dict[str, dict] | None = None) -> str:
    """The accuracy section: per file, every grouping; then held-out, excluded and refused points."""
    lines: list[str] = []
    for f in files:
        fr = [r for r in rs if r["file"] == f and not r["excluded"]]
        lines += [f"#### `{f}` ({len(fr)} points fitted and checked)", "",
                  "| grouping | value | points | median error | within 2x | bias (meas/pred) | TPOT median error (points) |",
                  "|---|---|---|---|---|---|---|",
                  f"| all | all | {_fmt(summary(fr))} |"]
        for label, key in GROUPINGS:
            for value in sorted({key(r) for r in fr if r["ratio"] is not None}, key=str):
                lines.append(f"| {label} | {value} | {_fmt(summary([r for r in fr if key(r) == value]))} |")
        moe = [r for r in fr if r["moe"]]
        if moe:
            lines.append(f"| MoE | all MoE points | {_fmt(summary(moe))} |")
        lines.append("")
    if holdout:
        lines += ["#### Held out by source (factors refitted without these sources, then checked on them)", "",
                  "| file | held-out sources | points | median error | within 2x | bias (meas/pred) | TPOT median error (points) |",
                  "|---|---|---|---|---|---|---|"]
        for f, h in holdout.items():
            lines.append(f"| `{f}` | {h['sources']} | {_fmt(h['summary'])} |")
        lines.append("")
    ex = [r for r in rs if r["excluded"]]
    ref = [r for r in rs if r["refused"]]
    if ex:
        lines += ["Excluded from the fit (still predicted, and shown in the per-point table):", ""]
        for reason in dict.fromkeys(r["excluded"] for r in ex):
            same = [r for r in ex if r["excluded"] == reason]
            lines.append("- " + ", ".join(f"`{r['id']}` ({_ratio_text(r)})" for r in same) + f": {reason}")
        lines.append("")
    if ref:
        lines += ["Refused by the engine (no prediction):", ""]
        lines += [f"- `{r['id']}`: {r['refused']}" for r in ref]
        lines.append("")
    return "\n".join(lines).rstrip()


def acceptance(rs: list[dict]) -> list[str]:
    """The issue's acceptance targets per file and serving engine, one line each (with PASS/FAIL)."""
    out = []
    for f in sorted({r["file"] for r in rs}):
        for prof in sorted({r["profile"] for r in rs if r["file"] == f}):
            s = summary([r for r in rs if r["file"] == f and r["profile"] == prof and not r["excluded"]])
            if not s.get("points"):
                continue
            ok = s["median_error"] <= 0.15 and s["within_2x"] >= 0.95 and (
                s["tpot_median_error"] is None or s["tpot_median_error"] <= 0.20)
            tp = f"{s['tpot_median_error'] * 100:.1f}%" if s["tpot_median_error"] is not None else "n/a"
            out.append(f"{'PASS' if ok else 'FAIL'} {f} {prof}: {s['points']} points, median {s['median_error'] * 100:.1f}%, "
                       f"within 2x {s['within_2x'] * 100:.0f}%, TPOT median {tp}")
    return out
