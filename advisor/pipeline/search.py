"""The candidate search: for one size, the cheapest deployment that fits and meets latency.

Why a memo: the candidates, the optimizations, the sensitivity scenarios and
the case studies ask for the same (size, volume, context, precisions, GPUs)
searches; each runs the engine once per run. A volume-only change rescales the
base search (only the fleet depends on volume) instead of sweeping again.
"""

from __future__ import annotations

from typing import Any

from advisor.pipeline.inputs import Inputs


class CandidateSearch:
    """The engine searches of one run (``engine`` is an :class:`advisor.pipeline.engine_search.EngineSearch`)."""

    def __init__(self, inp: Inputs, engine):
        self.inp = inp
        self.engine = engine
        self._cache: dict[tuple, Any] = {}

    def search(self, model: str, *, volume=1.0, context=1.0, precisions=None, gpus=None):
        """Every configuration of ``model`` that fits, at ``volume`` x the demand and ``context`` x the prompt."""
        inp = self.inp
        key = (model, volume, context, precisions, tuple(gpus) if gpus else None)
        if key not in self._cache and volume != 1.0 and context == 1.0 and hasattr(self.engine, "rescaled"):
            base = self.search(model, precisions=precisions, gpus=gpus)
            self._cache[key] = self.engine.rescaled(base, volume)
        if key not in self._cache:
            self._cache[key] = self.engine.search(
                model,
                requests_per_day=inp.requests_per_day * volume,
                input_tokens=inp.input_tokens * context,
                output_tokens=inp.output_tokens,
                peak_to_average=inp.peak_to_average,
                ttft_target_s=inp.ttft_target_s,
                tpot_target_ms=inp.tpot_target_ms,
                gpus=gpus if gpus is not None else inp.hardware.gpus if inp.hardware is not None else inp.gpus,
                precisions=precisions if precisions is not None else inp.precisions,
                deployment=inp.deployment,
                serving_engine=inp.serving_engine,
                **({"hardware": inp.hardware} if inp.hardware is not None else {}),
            )
        return self._cache[key]

    def best(self, model: str, *, only_precision: str | None = None, **kw):
        """The cheapest configuration meeting latency (ties: fewer GPUs, then GPU id, then precision), or None."""
        configs = [c for c in self.search(model, **kw) if c.meets_latency]
        if only_precision is not None:
            configs = [c for c in configs if c.precision == only_precision]
        if not configs:
            return None
        return min(configs, key=lambda c: (round(c.monthly(self.inp.deployment), 6), c.total_gpus, c.gpu, c.precision))

    def best_per_size(self, sizes) -> dict[str, Any]:
        return {size: self.best(size) for size in sizes}
