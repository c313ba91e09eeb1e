"""Fit each serving-engine profile's efficiency factors to the published points and regenerate the docs tables.

Usage::

    python benchmarks/calibrate.py            # fit, write engine/data/efficiency.yaml and the tables in docs/methodology.md
    python benchmarks/calibrate.py --check    # only print the fit of the current efficiency.yaml; writes nothing
    python benchmarks/calibrate.py --help     # usage; unknown options are an error (exit 2), nothing is written

The default run prints, per file, what it wrote (or that the file was already
current and left untouched) and, for efficiency.yaml, each factor that changed.

Data (benchmarks/calibration_points.py): calibration.yaml (93 TensorRT-LLM 0.14-0.17 points) and
calibration2.yaml (79 vLLM / SGLang / older TensorRT-LLM points), each point fitted by the profile of
the engine that measured it. Excluded points (reason beside each, in calibration_points.EXCLUDED) are
not fitted but are predicted and listed.

Parameters per profile (no factor is tuned per point; counts are printed and documented):

* ``trtllm``: mfu, mbu, step_overhead, link_efficiency, layer_overhead, allreduce_overhead, moe_mfu_scale,
  moe_layer_overhead (8), on its 93 + 13 points; weight-only factors are taken from vllm (no points).
* ``vllm``: mfu, mbu, step_overhead, layer_overhead, allreduce_overhead, moe_mfu_scale, moe_layer_overhead,
  vendor_scale[amd], weight_only[int4], weight_only[int8] (10), on its 46 points; link_efficiency from trtllm.
* ``sglang``: mbu, step_overhead, moe_mfu_scale, moe_layer_overhead, vendor_scale[amd] (5), on its 16 points;
  mfu, layer/all-reduce overheads, link_efficiency and weight-only factors from vllm (too few dense points).

ttft_overhead is fitted afterwards per profile on its dense online points' TTFT (it does not change throughput).
Demand-bound points (throughput = the offered load) enter the fit through TPOT only.
Objective: mean |log(measured / predicted)| over output tokens/s and, where measured, TPOT (symmetric in
over- and under-prediction), minimised by coordinate descent on a grid, refined three times.
The held-out check refits every profile without the sources in calibration_points.HOLDOUT_SOURCES
and reports the error on those sources only.
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
sys.path.insert(0, str(ROOT / "benchmarks"))

import accuracy_table  # noqa: E402
from calibration_points import (  # noqa: E402
    EXCLUDED, HOLDOUT_SOURCES, SCHEDULER_CAPS, Factors, Setup, efficiency_of, rows, setups,
)

from engine.calibration import FACTOR_FIELDS, band_from_ratios  # noqa: E402
from engine.performance import Efficiency, replica_perf  # noqa: E402

EFFICIENCY = ROOT / "engine" / "data" / "efficiency.yaml"
DOC = ROOT / "docs" / "methodology.md"
BEGIN, END = "<!-- calibration-table:begin -->", "<!-- calibration-table:end -->"
ABEGIN, AEND = "<!-- accuracy-table:begin -->", "<!-- accuracy-table:end -->"
DEFAULT_PROFILE = "vllm"
ENGINES = {
    "vllm": "vLLM 0.6-0.19 (continuous batching, CUDA graphs; ROCm build on MI300X)",
    "sglang": "SGLang 0.3-0.4 (RadixAttention scheduler; ROCm build on MI300X)",
    "trtllm": "TensorRT-LLM 0.14-0.17 (in-flight batching, FP8 on Hopper/Ada, FP16 on Ampere; trtllm-serve for DeepSeek-R1)",
}

#: search bounds of every parameter (seconds, fractions)
BOUNDS = {
    "mfu": (0.2, 0.95), "mbu": (0.3, 0.98), "step_overhead_s": (0.0, 0.01), "link_efficiency": (0.05, 1.0),
    "layer_overhead_s": (0.0, 2e-4), "allreduce_overhead_s": (0.0, 1e-4), "moe_mfu_scale": (0.01, 1.0),
    "moe_layer_overhead_s": (0.0, 1e-3), "vendor:amd": (0.2, 1.2), "wo:int4": (0.2, 1.0), "wo:int8": (0.2, 1.0),
}
START = {"mfu": 0.5, "mbu": 0.7, "step_overhead_s": 0.002, "link_efficiency": 0.5, "layer_overhead_s": 0.0,
         "allreduce_overhead_s": 0.0, "moe_mfu_scale": 1.0, "moe_layer_overhead_s": 0.0, "vendor:amd": 1.0,
         "wo:int4": 1.0, "wo:int8": 1.0, "ttft_overhead_s": 0.0}
#: profile -> (parameters fitted on its points, {parameter: profile it is inherited from}); fitted in this order
PLAN = {
    "trtllm": (("mfu", "mbu", "step_overhead_s", "link_efficiency", "layer_overhead_s", "allreduce_overhead_s",
                "moe_mfu_scale", "moe_layer_overhead_s"), {}),
    "vllm": (("mfu", "mbu", "step_overhead_s", "layer_overhead_s", "allreduce_overhead_s", "moe_mfu_scale",
              "moe_layer_overhead_s", "vendor:amd", "wo:int4", "wo:int8"), {"link_efficiency": "trtllm"}),
    "sglang": (("mbu", "step_overhead_s", "moe_mfu_scale", "moe_layer_overhead_s", "vendor:amd"),
               {"mfu": "vllm", "layer_overhead_s": "vllm", "allreduce_overhead_s": "vllm", "link_efficiency": "trtllm",
                "wo:int4": "vllm", "wo:int8": "vllm"}),
}
#: weight-only factors the trtllm profile takes from vllm (it has no weight-only points)
TRTLLM_INHERITS = {"wo:int4": "vllm", "wo:int8": "vllm"}


def factors_from(x: dict) -> Factors:
    base = Efficiency(**{k: v for k, v in x.items() if ":" not in k})
    return Factors(base, {k.split(":")[1]: v for k, v in x.items() if k.startswith("vendor:") and v != 1.0},
                   {k.split(":")[1]: v for k, v in x.items() if k.startswith("wo:") and v != 1.0})


def score(prepared: list[Setup], f: Factors) -> float:
    """Mean |log(measured / predicted)| over throughput (not demand-bound points) and measured TPOT."""
    total, n, effs = 0.0, 0, {}
    for st in prepared:
        key = (st.vendor, st.point["precision"])
        eff = effs.get(key)
        if eff is None:
            eff = effs[key] = efficiency_of(f, st)
        r = replica_perf(st.prep.perf, st.gprep.perf, eff, st.lay.tp, st.lay.pp, st.s, st.g, st.conc)
        m = st.point["measured"]
        if not st.demand_bound:
            total += abs(math.log(m["output_tokens_per_s"] / r.output_tokens_per_s))
            n += 1
        if m.get("tpot_ms"):
            total += abs(math.log(m["tpot_ms"] / (r.tpot_s * 1000.0)))
            n += 1
    return total / n if n else 0.0


def fit_profile(prepared: list[Setup], params: tuple[str, ...], fixed: dict) -> dict:
    """Coordinate descent of ``params`` on ``prepared`` (one profile's fitted points), others at ``fixed``."""
    x = {**START, **fixed}
    for rnd in range(4):
        for _ in range(3):
            for k in params:
                lo, hi = BOUNDS[k]
                span = (hi - lo) / (4 ** rnd)
                centre = x[k]
                grid = [min(hi, max(lo, centre - span / 2 + span * i / 40)) for i in range(41)]
                x[k] = min(grid, key=lambda v: (score(prepared, factors_from({**x, k: v})), v))
    base = factors_from({**x, "ttft_overhead_s": 0.0})
    # dense points only: the MoE runs' TTFT is queueing (it grows 4x from concurrency 4 to 16), not a fixed cost
    resid = [r["ttft_ms"] - r["pred_ttft_ms"] for r in rows(prepared, {st.profile: base for st in prepared})
             if r["ttft_ms"] is not None and not r["moe"]]
    x["ttft_overhead_s"] = max(0.0, statistics.median(resid) / 1000.0) if resid else 0.0
    return {k: round(v, 4) if k not in ("layer_overhead_s", "allreduce_overhead_s", "moe_layer_overhead_s")
            else round(v, 7) for k, v in x.items()}


def fitted_points(prepared: list[Setup], profile: str, holdout: bool = False) -> list[Setup]:
    return [st for st in prepared if st.profile == profile and not st.excluded and not st.refused
            and not (holdout and st.holdout)]


def fit(prepared: list[Setup], holdout: bool = False) -> dict[str, dict]:
    """{profile: parameter values} for every profile, in PLAN order (inherited values copied)."""
    out: dict[str, dict] = {}
    for prof, (params, inherit) in PLAN.items():
        fixed = {k: out[src][k] for k, src in inherit.items()}
        out[prof] = fit_profile(fitted_points(prepared, prof, holdout), params, fixed)
    for k, src in TRTLLM_INHERITS.items():
        out["trtllm"][k] = out[src][k]
    return out


def all_factors(values: dict[str, dict]) -> dict[str, Factors]:
    return {prof: factors_from(v) for prof, v in values.items()}


def coverage(prepared: list[Setup]) -> dict:
    """What the calibration points span: estimates outside it are extrapolations (engine.calibration.coverage_gaps)."""
    from engine.params import param_counts

    params = [param_counts(st.prep.model).total / 1e9 for st in prepared]
    seqs = [st.s + st.g for st in prepared]
    models = [st.prep.model for st in prepared]
    return {
        "gpus": sorted({st.point["gpu"] for st in prepared}),
        "precisions": sorted({st.point["precision"] for st in prepared}),
        "kv_precisions": sorted({st.point["kv_precision"] for st in prepared}),
        "moe": any(m.moe is not None for m in models),
        "moe_layouts": [list(t) for t in sorted({(m.moe.num_experts, m.moe.experts_per_token)
                                                  for m in models if m.moe is not None})],
        "mla": any(m.mla is not None for m in models),
        "sliding_window": any(m.sliding_window_layers > 0 for m in models),
        "max_tensor_parallel": max(st.lay.tp for st in prepared),
        "max_pipeline_parallel": max(st.lay.pp for st in prepared),
        "total_params_b": [round(min(params), 2), round(max(params), 2)],
        "tokens_per_sequence": [int(min(seqs)), int(max(seqs))],
        "meaning": "what the profile's points span; an estimate outside it (another GPU, int8/int4 weights, "
                   "MoE, MLA, sliding windows, wider TP, pipeline stages, a model or sequence well outside the "
                   "measured range) is an extrapolation of the same physics, and its band can understate the error",
    }


MEANINGS = {
    "mfu": "achieved / peak dense tensor FLOP/s (prefill and decode GEMMs, attention)",
    "mbu": "achieved / peak memory bandwidth for decode weight and KV reads",
    "step_overhead_ms": "fixed time per decode step (scheduling, launches, sampling)",
    "ttft_overhead_ms": "fixed time added to each first token (request handling), from the dense online points' TTFT",
    "link_efficiency": "achieved / nominal interconnect bandwidth in tensor-parallel all-reduces",
    "layer_overhead_us": "fixed time per layer per forward pass (kernels CUDA graphs do not hide)",
    "allreduce_overhead_us": "fixed time per tensor-parallel all-reduce on top of the link latency (launch, barrier)",
    "moe_mfu_scale": "MoE models: fraction of mfu their kernels reach (grouped GEMM at few tokens per expert, MLA)",
    "moe_layer_overhead_us": "per MoE layer per forward pass: router, top-k, permute / unpermute",
}


def _display(values: dict) -> dict:
    """Factors in the file's units, {name: {value, meaning}}."""
    out = {}
    for name, (field, mult) in FACTOR_FIELDS.items():
        out[name] = {"value": round(values[field] / mult, 4), "meaning": MEANINGS[name]}
    return out


def profile_doc(prof: str, values: dict, table: list[dict], prepared: list[Setup]) -> dict:
    pts = fitted_points(prepared, prof)
    ratios = [r["ratio"] for r in table if r["profile"] == prof and not r["excluded"] and r["ratio"] is not None
              and not r["demand_bound"]]
    band = band_from_ratios(ratios)
    params, inherit = PLAN[prof]
    inherited = {**inherit, **(TRTLLM_INHERITS if prof == "trtllm" else {})}
    doc = {
        "engine": ENGINES[prof],
        "fitted": {"parameters": len(params), "points": len(pts), "names": list(params),
                   "inherited": {k: v for k, v in inherited.items()}},
        "factors": _display(values),
        "vendor_scale": {"amd": {"value": values["vendor:amd"], "meaning": "ROCm on AMD Instinct: multiplier on mfu and mbu"}},
        "weight_only": {
            "int4": {"value": values["wo:int4"], "meaning": "weight-only int4 (GPTQ/AWQ): fraction of bf16 weight bandwidth reached"},
            "int8": {"value": values["wo:int8"], "meaning": "weight-only int8 (GPTQ W8A16): fraction of bf16 weight bandwidth reached"},
        },
        "band": {
            "ratio_p10": round(band.ratio_p10, 4), "ratio_p90": round(band.ratio_p90, 4),
            "median_abs_error": round(band.median_abs_error, 4), "max_ratio": round(band.max_ratio, 4),
            "points": band.points,
            "meaning": "measured / predicted output tokens/s over the profile's points; estimates show point x [p10, p90]",
        },
        "coverage": coverage(pts),
    }
    if prof == "trtllm":
        doc["vendor_scale"] = {}  # TensorRT-LLM does not run on ROCm
    if prof in SCHEDULER_CAPS:
        cap, src = SCHEDULER_CAPS[prof]
        doc["scheduler"] = {"max_batch_sequences": {"value": cap, "source": src}}
    return doc


def efficiency_yaml(values: dict[str, dict], table: list[dict], prepared: list[Setup]) -> str:
    """The text of engine/data/efficiency.yaml for these factors (deterministic: same fit, same bytes)."""
    doc = {
        "source": "benchmarks/calibration.yaml (93 points) and benchmarks/calibration2.yaml (79 points), copies of "
                  "../shared/, fitted per serving engine by benchmarks/calibrate.py",
        "as_of": "2026-12-02",
        "default_profile": DEFAULT_PROFILE,
        "profiles": {prof: profile_doc(prof, values[prof], table, prepared) for prof in ENGINES},
    }
    header = ("# Efficiency factors of the sizewise performance model, one profile per serving engine.\n"
              "# GENERATED by benchmarks/calibrate.py; do not edit by hand.\n")
    return header + yaml.safe_dump(doc, sort_keys=False, width=120)


def write_efficiency(values: dict[str, dict], table: list[dict], prepared: list[Setup]) -> str:
    """Write efficiency.yaml; returns what was written, for the user (factor changes, or 'unchanged')."""
    old = _factors(EFFICIENCY.read_text(encoding="utf-8")) if EFFICIENCY.exists() else {}
    text = efficiency_yaml(values, table, prepared)
    if not _write_if_changed(EFFICIENCY, text):
        return f"{EFFICIENCY.relative_to(ROOT)}: unchanged ({len(text.encode()):,} bytes; factors as fitted)"
    new = _factors(text)
    changes = [f"{k} {old[k]} -> {v}" if k in old else f"{k} {v}" for k, v in new.items() if old.get(k) != v]
    return (f"{EFFICIENCY.relative_to(ROOT)}: wrote {len(text.encode()):,} bytes; "
            + (f"factors changed: {', '.join(changes)}" if changes else "factors unchanged (band or coverage changed)"))


def _factors(text: str) -> dict:
    """{profile.factor: value} of an efficiency.yaml text ({} if it cannot be read)."""
    try:
        return {f"{p}.{k}": v["value"] for p, d in yaml.safe_load(text)["profiles"].items()
                for k, v in d["factors"].items()}
    except (yaml.YAMLError, KeyError, TypeError, AttributeError):
        return {}


def values_from_shipped() -> dict[str, dict]:
    """The parameter values of the shipped efficiency.yaml (for --check)."""
    from engine.calibration import load_profiles

    out = {}
    for prof, cal in load_profiles().by_name.items():
        v = dict(cal.efficiency._asdict())
        v.pop("weight_bw_scale", None)
        v["vendor:amd"] = cal.vendor_scale.get("amd", 1.0)
        v["wo:int4"] = cal.weight_only.get("int4", 1.0)
        v["wo:int8"] = cal.weight_only.get("int8", 1.0)
        out[prof] = v
    return out


def _write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` unless the file already holds exactly it (keeps the file untouched); True if written."""
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def markdown_table(table: list[dict]) -> str:
    lines = [
        "| # | file | engine | model | GPU | TP | prec | in | out | conc. (used) | measured tok/s | predicted tok/s | meas/pred | TPOT ms meas/pred | TTFT ms meas/pred |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for i, r in enumerate(table, 1):
        conc = f"{r['concurrency']} ({r['used_concurrency']})"
        mark = " (excluded)" if r["excluded"] else (" (held out)" if r["holdout"] else "")
        if r["ratio"] is None:
            lines.append(f"| {i} | {r['file'][:-5]} | {r['profile']} | {r['model']} | {r['gpu']} | {r['tp']} | "
                         f"{r['precision']} | {r['isl']} | {r['osl']} | {conc} | {r['measured']:,.1f} | refused | | | |")
            continue
        tpot = f"{r['tpot_ms']} / {r['pred_tpot_ms']:.1f}" if r["tpot_ms"] is not None else ""
        ttft = f"{r['ttft_ms']} / {r['pred_ttft_ms']:.1f}" if r["ttft_ms"] is not None else ""
        lines.append(
            f"| {i} | {r['file'][:-5]} | {r['profile']}{mark} | {r['model']} | {r['gpu']} | {r['tp']} | {r['precision']} | "
            f"{r['isl']} | {r['osl']} | {conc} | {r['measured']:,.1f} | {r['predicted']:,.1f} | {r['ratio']:.3f} | "
            f"{tpot} | {ttft} |"
        )
    return "\n".join(lines)


def _replace_block(text: str, begin: str, end: str, body: str) -> str:
    block = f"{begin}\n{body}\n{end}"
    if begin in text and end in text:
        return re.sub(re.escape(begin) + r".*?" + re.escape(end), lambda _m: block, text, flags=re.S)
    return text + "\n" + block + "\n"


def holdout_summaries(prepared: list[Setup]) -> dict[str, dict]:
    """Refit without the held-out sources; summarise the error on them, per file."""
    held = all_factors(fit(prepared, holdout=True))
    rs = rows(prepared, held)
    out = {}
    for f, keys in HOLDOUT_SOURCES.items():
        h = [r for r in rs if r["file"] == f and r["holdout"] and not r["excluded"] and r["ratio"] is not None]
        out[f] = {"sources": ", ".join(keys), "summary": accuracy_table.summary(h)}
    return out


def write_doc_tables(table: list[dict], holdout: dict[str, dict] | None) -> str:
    """Replace the per-point and accuracy tables in docs/methodology.md (appended if absent)."""
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    text = _replace_block(text, BEGIN, END, markdown_table(table))
    text = _replace_block(text, ABEGIN, AEND, accuracy_table.markdown(table, ("calibration.yaml", "calibration2.yaml"),
                                                                       holdout))
    where = f"{DOC.relative_to(ROOT)}: calibration table ({len(table)} rows) and accuracy table"
    return f"{where}: {'rewritten' if _write_if_changed(DOC, text) else 'unchanged'}"


def parse_args(argv: list[str]) -> argparse.Namespace:
    """--check and --help; anything else is an error (exit 2) before a file is touched."""
    parser = argparse.ArgumentParser(
        prog="python benchmarks/calibrate.py",
        description="Fit each serving-engine profile's efficiency factors to benchmarks/calibration*.yaml and write "
                    "engine/data/efficiency.yaml and the calibration tables in docs/methodology.md.",
    )
    parser.add_argument("--check", action="store_true",
                        help="only print the fit of the current engine/data/efficiency.yaml; write nothing")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    prepared = setups()
    values = values_from_shipped() if args.check else fit(prepared)
    table = rows(prepared, all_factors(values))
    for prof in ENGINES:
        print(f"{prof}: " + ", ".join(f"{k}={v:g}" for k, v in values[prof].items()))
    for line in accuracy_table.acceptance(table):
        print(line)
    print(f"excluded: {len(EXCLUDED)}, refused: {sum(1 for r in table if r['refused'])}")
    if not args.check:
        holdout = holdout_summaries(prepared)
        for f, h in holdout.items():
            s = h["summary"]
            print(f"held out {f}: {s['points']} points, median {s['median_error'] * 100:.1f}%, "
                  f"within 2x {s['within_2x'] * 100:.0f}%")
        print(write_efficiency(values, table, prepared))
        print(write_doc_tables(table, holdout))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
