"""The published measurements the engine is fitted and checked on, and the engine's prediction of each.

Why a module of its own: benchmarks/calibrate.py (the fit), benchmarks/accuracy_table.py
(the published accuracy table) and the tests all need the same points, the same
serving-engine profile per point, the same exclusions and the same predictions.

Files (verbatim copies of ../shared/, each point quoting its source):

* ``calibration.yaml``: 93 TensorRT-LLM 0.14-0.17 points (NVIDIA's performance overview).
* ``calibration2.yaml``: 79 vLLM / SGLang / older TensorRT-LLM points (Qwen2.5 at every
  precision, Llama-3, Llama-2, DeepSeek-R1 MoE + MLA; A100, H100, H200, MI300X).

``EXCLUDED`` (and ``OLD_TRTLLM``) list points kept out of the fit, each with its reason; they are still
predicted and shown in the accuracy table. ``HOLDOUT_SOURCES`` names, per file, the
sources left out of the held-out fit (benchmarks/calibrate.py reports their error).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import NamedTuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from engine.calibration import adjusted_efficiency  # noqa: E402
from engine.catalog import resolve_gpu, resolve_model  # noqa: E402
from engine.defaults import load_assumptions  # noqa: E402
from engine.errors import SizewiseError  # noqa: E402
from engine.layout import layout_for, max_sequences  # noqa: E402
from engine.prep import prepare_gpu, prepare_model  # noqa: E402
from engine.performance import Efficiency, replica_perf  # noqa: E402

FILES = (ROOT / "benchmarks" / "calibration.yaml", ROOT / "benchmarks" / "calibration2.yaml")

#: point id -> why it is not fitted (it is still predicted and listed)
EXCLUDED = {
    "trt-llm-dstack-DeepSeek-R1-h200-tp8/offline-n128/3200x800":
        "TensorRT-LLM 0.17 'deepseek branch' (an early branch): 380 tok/s at 128 prompts and 390 at 256 - "
        "throughput did not grow with the batch, so the run was limited outside the model (and it is half of "
        "trtllm-serve's own 724 tok/s at concurrency 64 on the same machine)",
    "trt-llm-dstack-DeepSeek-R1-h200-tp8/offline-n256/3200x800":
        "TensorRT-LLM 0.17 'deepseek branch' (an early branch): see the n128 point - flat from 128 to 256 prompts",
}

#: 2023 TensorRT-LLM releases: a different engine generation from the profile's 0.14-0.17
OLD_TRTLLM = ("TensorRT-LLM 0.5.0", "TensorRT-LLM 0.7a")
OLD_TRTLLM_REASON = (
    "TensorRT-LLM 0.5 / 0.7a (Oct-Dec 2023 launch blogs): an older engine generation than the 0.14-0.17 the "
    "trtllm profile represents; at the same setting v0.17 measures 1.4x more (Llama-70B fp8, one H200, 128x2048: "
    "4,166 tok/s in calibration.yaml vs 2,941 here; 128x4096: 2,652 vs 1,946), and all ten points are optimistic "
    "for the same reason")

#: profile -> (default scheduler limit on sequences in flight, its source); others use assumptions.yaml's
SCHEDULER_CAPS = {
    "vllm": (256, "vLLM engine arguments: max_num_seqs defaults to 256 (docs.vllm.ai engine args)"),
}

#: per file, substrings of `source` whose points the held-out fit leaves out
HOLDOUT_SOURCES = {
    "calibration.yaml": ("TensorRT-LLM 0.14 online-serving figures",),
    "calibration2.yaml": ("Falcon180B-H200.md", "2026-04-22-fp8-kvcache.md", "offline_results.csv"),
}


def profile_of(engine_text: str) -> str:
    """Serving-engine profile id of a point's ``engine`` field."""
    t = engine_text.lower()
    if t.startswith("vllm"):
        return "vllm"
    if t.startswith("sglang"):
        return "sglang"
    if t.startswith("tensorrt-llm"):
        return "trtllm"
    raise ValueError(f"no serving-engine profile for {engine_text!r}")


class Setup(NamedTuple):
    """One point with everything but the efficiency factors prepared (``prep`` None = refused)."""

    point: dict
    file: str
    profile: str
    excluded: str | None  # reason it is not fitted
    holdout: bool
    prep: object
    gprep: object
    lay: object
    s: float
    g: float
    conc: int
    vendor: str
    refused: str | None  # the engine's refusal (e.g. a model not in the catalog)
    demand_bound: bool = False  # throughput is the offered load, not a capacity: compare TPOT/TTFT only


def _is_holdout(file: str, point: dict) -> bool:
    keys = HOLDOUT_SOURCES.get(file, ())
    if file == "calibration.yaml":  # the 0.14 online figures are the one second source of that file
        return "0.14" in str(point.get("engine", ""))
    return any(k in str(point.get("source", "")) for k in keys)


def _demand_bound(point: dict) -> bool:
    """The file marks points whose throughput is the offered load (its header: 'demand-bound in their note')."""
    return "demand-bound" in str(point.get("note", ""))


def load_points(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["points"]


def setups(paths: tuple[Path, ...] = FILES) -> list[Setup]:
    """Every point of ``paths``, prepared once (refusals kept, with the engine's message)."""
    a = load_assumptions()
    out = []
    for path in paths:
        for p in load_points(path):
            prof, why = profile_of(p["engine"]), EXCLUDED.get(p["id"])
            if why is None and str(p["engine"]).startswith(OLD_TRTLLM):
                why = OLD_TRTLLM_REASON
            hold = _is_holdout(path.name, p)
            s, g = float(p["input_tokens"]), float(p["output_tokens"])
            try:
                model, gpu = resolve_model(p["model"]), resolve_gpu(p["gpu"])
                prec, kvp = p["precision"], p["kv_precision"]
                prep, gprep = prepare_model(model, prec, kvp), prepare_gpu(gpu, prec)
                lay = layout_for(model, gpu, prec, kvp, int(p["gpus"]))
            except SizewiseError as e:
                out.append(Setup(p, path.name, prof, why, hold, None, None, None, s, g, 0, "", str(e).split(";")[0],
                                 _demand_bound(p)))
                continue
            cap = min(a.max_batch_sequences, SCHEDULER_CAPS.get(prof, (math.inf,))[0])
            maxc = max_sequences(prep, lay, s + g, cap)
            conc = maxc if p["concurrency"] == "max" else int(p["concurrency"])
            out.append(Setup(p, path.name, prof, why, hold, prep, gprep, lay, s, g, conc, gpu.vendor, None,
                             _demand_bound(p)))
    return out


class Factors(NamedTuple):
    """A profile's fitted numbers as the fit handles them (seconds, fractions)."""

    base: Efficiency
    vendor_scale: dict
    weight_only: dict


def efficiency_of(f: Factors, st: Setup) -> Efficiency:
    prec = st.point["precision"]
    return adjusted_efficiency(f.base, f.vendor_scale.get(st.vendor, 1.0), f.weight_only.get(prec, 1.0))


def row(st: Setup, f: Factors) -> dict:
    """Measured vs predicted for one point (``predicted`` None when the engine refuses the point)."""
    p, m = st.point, st.point["measured"]
    r = None if st.refused else replica_perf(st.prep.perf, st.gprep.perf, efficiency_of(f, st), st.lay.tp, st.lay.pp,
                                              st.s, st.g, st.conc)
    out = {
        "id": p["id"], "file": st.file, "profile": st.profile, "excluded": st.excluded, "holdout": st.holdout,
        "refused": st.refused, "demand_bound": st.demand_bound, "model": p["model"].split("/")[-1], "gpu": p["gpu"], "tp": p["gpus"],
        "precision": p["precision"], "isl": p["input_tokens"], "osl": p["output_tokens"],
        "concurrency": p["concurrency"], "used_concurrency": st.conc, "moe": bool(st.prep and st.prep.perf.num_experts),
        "measured": m["output_tokens_per_s"], "tpot_ms": m.get("tpot_ms"), "ttft_ms": m.get("ttft_ms"),
        "predicted": None, "ratio": None, "pred_tpot_ms": None, "pred_ttft_ms": None,
    }
    if r is not None:
        out.update(predicted=r.output_tokens_per_s, ratio=m["output_tokens_per_s"] / r.output_tokens_per_s,
                   pred_tpot_ms=r.tpot_s * 1000, pred_ttft_ms=r.ttft_s * 1000)
    return out


def rows(prepared: list[Setup], factors: dict[str, Factors]) -> list[dict]:
    """One row per point, each predicted with its own profile's factors."""
    return [row(st, factors[st.profile]) for st in prepared]
