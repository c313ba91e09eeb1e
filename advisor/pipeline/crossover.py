"""Training vs inference: after how many days the recommended deployment's bill passes a fine-tune's cost.

Why its own stage: the article claims inference passes training within 1-6
days at its example volume (seed-consistency C08); this is the figure for the
user's volume, from the engine's training cost and the chosen deployment.
"""

from __future__ import annotations

from advisor.pipeline.common import r
from advisor.pipeline.inputs import Inputs
from advisor.recommendation import Crossover


def crossover(inp: Inputs, engine, size: str, cfg) -> Crossover | None:
    """``engine`` is the search adapter (its training cost); ``cfg`` the recommended deployment (None: no crossover)."""
    if cfg is None:
        return None
    from engine.optimizations import crossover_days

    # the article's sizes are trained as their nominal shape (7B = 7B parameters); a 1-3B rung has no
    # such shape, so its fine-tune is costed on the real model the rung is costed by
    from advisor.pipeline.common import ARTICLE_SIZES

    training_usd, basis = engine.distillation_upfront_usd(size if size in ARTICLE_SIZES else cfg.model)
    daily = cfg.monthly(inp.deployment) * 12 / 365.0
    days = crossover_days(training_usd, daily)
    return Crossover(
        training_usd=r(training_usd),  # type: ignore[arg-type]
        training_basis=f"fine-tune of a {size} ({basis})",
        inference_usd_per_day=r(daily),  # type: ignore[arg-type]
        crossover_days=r(days, 1),
        inference_to_training_x_per_year=r(daily * 365.0 / training_usd, 2) if training_usd > 0 else None,
        note="The article claims inference passes training within 1-6 days at its example volume; this is the "
        "figure for your volume (seed-consistency C08).",
    )
