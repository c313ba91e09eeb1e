"""Fitted efficiency factors and the error band they leave, from engine/data/efficiency.yaml.

Why a separate module: the factors are *data* produced by benchmarks/calibrate.py
from ../shared/calibration.yaml (93 published TensorRT-LLM measurements) and
nothing else; the engine only reads them. The defaults therefore represent
TensorRT-LLM (0.14-0.17) on NVIDIA datacenter GPUs; other engines (vLLM, SGLang,
llama.cpp) are typically slower at the same setting, which the band does not cover.

The band: the 10th and 90th percentiles of measured / predicted throughput over
the calibration points. An estimate's throughput band is ``point x [p10, p90]``;
costs scale inversely.
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

from engine.defaults import load_packaged_yaml
from engine.performance import Efficiency


class Band(NamedTuple):
    ratio_p10: float  # measured / predicted throughput, 10th percentile
    ratio_p90: float  # 90th percentile
    median_abs_error: float
    max_ratio: float  # worst max(measured/predicted, predicted/measured)
    points: int


class Calibration(NamedTuple):
    efficiency: Efficiency
    band: Band
    engine: str
    source: str
    as_of: str


def _parse_calibration(raw: Any) -> Calibration:
    f = raw["factors"]
    eff = Efficiency(
        mfu=float(f["mfu"]["value"]),
        mbu=float(f["mbu"]["value"]),
        step_overhead_s=float(f["step_overhead_ms"]["value"]) / 1000.0,
        ttft_overhead_s=float(f["ttft_overhead_ms"]["value"]) / 1000.0,
        link_efficiency=float(f["link_efficiency"]["value"]),
    )
    b = raw["band"]
    band = Band(float(b["ratio_p10"]), float(b["ratio_p90"]), float(b["median_abs_error"]),
                float(b["max_ratio"]), int(b["points"]))
    return Calibration(eff, band, str(raw["engine"]), " ".join(str(raw["source"]).split()), str(raw["as_of"]))


@functools.lru_cache(maxsize=1)
def load_calibration() -> Calibration:
    return load_packaged_yaml("efficiency.yaml", _parse_calibration)


def percentile(sorted_values: list[float], q: float) -> float:
    """Linear-interpolated percentile (q in [0, 1]) of an already sorted list."""
    if not sorted_values:
        raise ValueError("no values")
    pos = (len(sorted_values) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def band_from_ratios(ratios: list[float]) -> Band:
    """The band from measured/predicted ratios (used by the fit script and the acceptance test)."""
    s = sorted(ratios)
    errs = sorted(abs(1.0 / r - 1.0) for r in ratios)  # |predicted - measured| / measured
    return Band(percentile(s, 0.10), percentile(s, 0.90), percentile(errs, 0.5),
                max(max(r, 1.0 / r) for r in ratios), len(ratios))
