"""Fit the engine's efficiency factors to the calibration points and regenerate the docs table.

Usage::

    python benchmarks/calibrate.py            # fit, write engine/data/efficiency.yaml and the table in docs/methodology.md
    python benchmarks/calibrate.py --check    # only print the fit of the current efficiency.yaml; writes nothing
    python benchmarks/calibrate.py --help     # usage; unknown options are an error (exit 2), nothing is written

The default run prints, per file, what it wrote (or that the file was already
current and left untouched) and, for efficiency.yaml, each factor that changed.

Data: benchmarks/calibration.yaml, a verbatim copy of ../shared/calibration.yaml (93 published
TensorRT-LLM measurements: 81 offline max-throughput points from the v0.17 performance overview and
12 online points from the 0.14 online-serving figures). Nothing else is used for fitting: other
published figures are kept back to validate the engine independently.

Fitted parameters (4, all global; per-GPU-family factors were not needed, see docs/methodology.md):
mfu, mbu, step_overhead_ms, link_efficiency. ttft_overhead_ms is fitted afterwards on the online
points' TTFT only (it does not change throughput). Objective: mean |log(measured / predicted)| of
output tokens/s over all points (symmetric in over- and under-prediction), minimised by coordinate
descent on a grid, refined three times.
"""

from __future__ import annotations

import argparse
import math
import re
import statistics
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.calibration import band_from_ratios  # noqa: E402
from engine.catalog import resolve_gpu, resolve_model  # noqa: E402
from engine.defaults import load_assumptions  # noqa: E402
from engine.layout import layout_for, max_sequences  # noqa: E402
from engine.prep import prepare_gpu, prepare_model  # noqa: E402
from engine.performance import Efficiency, replica_perf  # noqa: E402

DATA = ROOT / "benchmarks" / "calibration.yaml"
EFFICIENCY = ROOT / "engine" / "data" / "efficiency.yaml"
DOC = ROOT / "docs" / "methodology.md"
BEGIN, END = "<!-- calibration-table:begin -->", "<!-- calibration-table:end -->"


def load_points(path: Path = DATA) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["points"]


def setups(points: list[dict]) -> list[tuple]:
    """Per point: everything but the efficiency factors (prepared once)."""
    a = load_assumptions()
    out = []
    for p in points:
        model = resolve_model(p["model"])
        gpu = resolve_gpu(p["gpu"])
        prec, kvp = p["precision"], p["kv_precision"]
        prep = prepare_model(model, prec, kvp)
        gprep = prepare_gpu(gpu, prec)
        lay = layout_for(model, gpu, prec, kvp, int(p["gpus"]))
        s, g = float(p["input_tokens"]), float(p["output_tokens"])
        maxc = max_sequences(prep, lay, s + g, a.max_batch_sequences)
        conc = maxc if p["concurrency"] == "max" else int(p["concurrency"])
        out.append((p, prep, gprep, lay, s, g, conc))
    return out


def predict(setup: tuple, eff: Efficiency):
    p, prep, gprep, lay, s, g, conc = setup
    return replica_perf(prep.perf, gprep.perf, eff, lay.tp, lay.pp, s, g, conc)


def rows(eff: Efficiency, prepared: list[tuple]) -> list[dict]:
    out = []
    for st in prepared:
        p = st[0]
        r = predict(st, eff)
        m = p["measured"]
        out.append({
            "id": p["id"], "model": p["model"].split("/")[-1], "gpu": p["gpu"], "tp": p["gpus"],
            "precision": p["precision"], "isl": p["input_tokens"], "osl": p["output_tokens"],
            "concurrency": p["concurrency"], "used_concurrency": st[6],
            "measured": m["output_tokens_per_s"], "predicted": r.output_tokens_per_s,
            "ratio": m["output_tokens_per_s"] / r.output_tokens_per_s,
            "tpot_ms": m.get("tpot_ms"), "pred_tpot_ms": r.tpot_s * 1000, "ttft_ms": m.get("ttft_ms"),
            "pred_ttft_ms": r.ttft_s * 1000,
        })
    return out


def score(eff: Efficiency, prepared: list[tuple]) -> float:
    return statistics.fmean(abs(math.log(r["ratio"])) for r in rows(eff, prepared))


def fit(prepared: list[tuple]) -> Efficiency:
    x = {"mfu": 0.5, "mbu": 0.7, "step_overhead_s": 0.002, "ttft_overhead_s": 0.0, "link_efficiency": 0.5}
    bounds = {"mfu": (0.2, 0.95), "mbu": (0.3, 0.98), "step_overhead_s": (0.0, 0.01), "link_efficiency": (0.05, 1.0)}
    for rnd in range(4):
        for _ in range(3):
            for k, (lo, hi) in bounds.items():
                span = (hi - lo) / (4 ** rnd)
                centre = x[k]
                grid = [min(hi, max(lo, centre - span / 2 + span * i / 40)) for i in range(41)]
                best = min(grid, key=lambda v: (score(Efficiency(**{**x, k: v}), prepared), v))
                x[k] = best
    # TTFT overhead: median residual of the online points' TTFT (throughput does not depend on it)
    base = Efficiency(**{**x, "ttft_overhead_s": 0.0})
    resid = [r["ttft_ms"] - r["pred_ttft_ms"] for r in rows(base, prepared) if r["ttft_ms"] is not None]
    x["ttft_overhead_s"] = max(0.0, statistics.median(resid) / 1000.0) if resid else 0.0
    return Efficiency(**{k: round(v, 4) for k, v in x.items()})


def coverage(prepared: list[tuple]) -> dict:
    """What the calibration points span: estimates outside it are extrapolations (engine.calibration.coverage_gaps)."""
    from engine.params import param_counts

    params = [param_counts(st[1].model).total / 1e9 for st in prepared]
    seqs = [st[4] + st[5] for st in prepared]
    models = [st[1].model for st in prepared]
    return {
        "gpus": sorted({st[0]["gpu"] for st in prepared}),
        "precisions": sorted({st[0]["precision"] for st in prepared}),
        "kv_precisions": sorted({st[0]["kv_precision"] for st in prepared}),
        "moe": any(m.moe is not None for m in models),
        "mla": any(m.mla is not None for m in models),
        "sliding_window": any(m.sliding_window_layers > 0 for m in models),
        "max_tensor_parallel": max(st[3].tp for st in prepared),
        "max_pipeline_parallel": max(st[3].pp for st in prepared),
        "total_params_b": [round(min(params), 2), round(max(params), 2)],
        "tokens_per_sequence": [int(min(seqs)), int(max(seqs))],
        "meaning": "what the calibration points span; an estimate outside it (another GPU, int8/int4 weights, "
                   "MoE, MLA, sliding windows, wider TP, pipeline stages, a model or sequence well outside the "
                   "measured range) is an extrapolation of the same physics, and its band can understate the error",
    }


def efficiency_yaml(eff: Efficiency, table: list[dict], prepared: list[tuple]) -> str:
    """The text of engine/data/efficiency.yaml for these factors (deterministic: same fit, same bytes)."""
    band = band_from_ratios([r["ratio"] for r in table])
    doc = {
        "engine": "TensorRT-LLM 0.14-0.17 (in-flight batching, FP8 on Hopper/Ada, FP16 on Ampere)",
        "source": "benchmarks/calibration.yaml (copy of ../shared/calibration.yaml, 93 points), fitted by benchmarks/calibrate.py",
        "as_of": "2026-11-27",
        "factors": {
            "mfu": {"value": eff.mfu, "meaning": "achieved / peak dense tensor FLOP/s (prefill and decode GEMMs, attention)"},
            "mbu": {"value": eff.mbu, "meaning": "achieved / peak memory bandwidth for decode weight and KV reads"},
            "step_overhead_ms": {"value": round(eff.step_overhead_s * 1000, 3), "meaning": "fixed time per decode step (scheduling, launches, sampling)"},
            "ttft_overhead_ms": {"value": round(eff.ttft_overhead_s * 1000, 3), "meaning": "fixed time added to each first token (request handling), from the online points' TTFT"},
            "link_efficiency": {"value": eff.link_efficiency, "meaning": "achieved / nominal interconnect bandwidth in tensor-parallel all-reduces"},
        },
        "band": {
            "ratio_p10": round(band.ratio_p10, 4), "ratio_p90": round(band.ratio_p90, 4),
            "median_abs_error": round(band.median_abs_error, 4), "max_ratio": round(band.max_ratio, 4),
            "points": band.points,
            "meaning": "measured / predicted output tokens/s over the calibration points; estimates show point x [p10, p90]",
        },
        "coverage": coverage(prepared),
    }
    header = ("# Efficiency factors of the sizewise performance model. GENERATED by benchmarks/calibrate.py;\n"
              "# do not edit by hand. Fitted ONLY to benchmarks/calibration.yaml (TensorRT-LLM measurements).\n")
    return header + yaml.safe_dump(doc, sort_keys=False, width=120)


def write_efficiency(eff: Efficiency, table: list[dict], prepared: list[tuple]) -> str:
    """Write efficiency.yaml; returns what was written, for the user (factor changes, or 'unchanged')."""
    old = _factors(EFFICIENCY.read_text(encoding="utf-8")) if EFFICIENCY.exists() else {}
    text = efficiency_yaml(eff, table, prepared)
    if not _write_if_changed(EFFICIENCY, text):
        return f"{EFFICIENCY.relative_to(ROOT)}: unchanged ({len(text.encode()):,} bytes; factors as fitted)"
    new = _factors(text)
    changes = [f"{k} {old[k]} -> {v}" if k in old else f"{k} {v}" for k, v in new.items() if old.get(k) != v]
    return (f"{EFFICIENCY.relative_to(ROOT)}: wrote {len(text.encode()):,} bytes; "
            + (f"factors changed: {', '.join(changes)}" if changes else "factors unchanged (band or coverage changed)"))


def _factors(text: str) -> dict:
    """{factor: value} of an efficiency.yaml text ({} if it cannot be read)."""
    try:
        return {k: v["value"] for k, v in yaml.safe_load(text)["factors"].items()}
    except (yaml.YAMLError, KeyError, TypeError, AttributeError):
        return {}


def _write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` unless the file already holds exactly it (keeps the file untouched); True if written."""
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def markdown_table(table: list[dict]) -> str:
    lines = [
        "| # | model | GPU | TP | prec | in | out | conc. (used) | measured tok/s | predicted tok/s | meas/pred | TPOT ms meas/pred | TTFT ms meas/pred |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for i, r in enumerate(table, 1):
        conc = f"{r['concurrency']} ({r['used_concurrency']})"
        tpot = f"{r['tpot_ms']} / {r['pred_tpot_ms']:.1f}" if r["tpot_ms"] is not None else ""
        ttft = f"{r['ttft_ms']} / {r['pred_ttft_ms']:.1f}" if r["ttft_ms"] is not None else ""
        lines.append(
            f"| {i} | {r['model']} | {r['gpu']} | {r['tp']} | {r['precision']} | {r['isl']} | {r['osl']} | {conc} | "
            f"{r['measured']:,.1f} | {r['predicted']:,.1f} | {r['ratio']:.3f} | {tpot} | {ttft} |"
        )
    band = band_from_ratios([r["ratio"] for r in table])
    lines.append("")
    lines.append(
        f"Summary over {band.points} points: median absolute error {band.median_abs_error * 100:.1f}% "
        f"(acceptance: at most 25%), worst ratio {band.max_ratio:.2f}x (acceptance: below 2x), "
        f"measured/predicted 10th-90th percentile {band.ratio_p10:.3f}-{band.ratio_p90:.3f} (the band)."
    )
    return "\n".join(lines)


def write_doc_table(table: list[dict]) -> str:
    """Replace the calibration table in docs/methodology.md (appended if absent); returns what was written."""
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    block = f"{BEGIN}\n{markdown_table(table)}\n{END}"
    if BEGIN in text and END in text:
        text = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _m: block, text, flags=re.S)
    else:
        text += "\n" + block + "\n"
    where = f"{DOC.relative_to(ROOT)}: calibration table ({len(table)} rows)"
    return f"{where}: {'rewritten' if _write_if_changed(DOC, text) else 'unchanged'}"


def parse_args(argv: list[str]) -> argparse.Namespace:
    """--check and --help; anything else is an error (exit 2) before a file is touched."""
    parser = argparse.ArgumentParser(
        prog="python benchmarks/calibrate.py",
        description="Fit the engine's efficiency factors to benchmarks/calibration.yaml and write "
                    "engine/data/efficiency.yaml and the calibration table in docs/methodology.md.",
    )
    parser.add_argument("--check", action="store_true",
                        help="only print the fit of the current engine/data/efficiency.yaml; write nothing")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    prepared = setups(load_points())
    if args.check:
        from engine.calibration import load_calibration

        eff = load_calibration().efficiency
    else:
        eff = fit(prepared)
    table = rows(eff, prepared)
    band = band_from_ratios([r["ratio"] for r in table])
    print(f"factors: {eff}")
    print(f"median_abs_error={band.median_abs_error:.4f} max_ratio={band.max_ratio:.3f} "
          f"p10={band.ratio_p10:.3f} p90={band.ratio_p90:.3f} points={band.points}")
    if not args.check:
        print(write_efficiency(eff, table, prepared))
        print(write_doc_table(table))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
