"""The assumptions table: every default the costs rest on, and the price of each GPU used, with sources.

Why last among the engine stages: the GPU rows list only the hardware the
chosen deployments use, so they follow the candidate search.
"""

from __future__ import annotations

from advisor.pipeline.inputs import Inputs
from advisor.recommendation import Assumption


def assumptions(inp: Inputs, engine, best: dict) -> list[Assumption]:
    """``engine`` is the search adapter (it knows the defaults, overrides and any team GPU searched)."""
    rows = list(engine.assumption_rows(peak_to_average=inp.peak_to_average, serving_engine=inp.serving_engine))
    used = sorted({c.gpu for c in best.values() if c is not None})
    rows.extend(engine.gpu_price_rows(used))
    return rows
