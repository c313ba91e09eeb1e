"""The wizard's side-panel figure: the starting size's cheapest deployment, without the rest of the report.

Why apart from :func:`advisor.pipeline.recommend`: the panel updates on every
answer, so it runs only the validation, the decisions and one size's search:
the same functions, in the same order, as the full pipeline, so the figure is
the one the report would show (``tests/tui/test_real_rules.py`` checks it).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from advisor.pipeline import decisions, inputs
from advisor.pipeline.search import CandidateSearch


class StartingSize(NamedTuple):
    """What the panel shows: the rules' starting size and its cheapest deployment (None: nothing fits)."""

    size: str
    best: Any
    deployment: str


def starting_size(rulebook, given: dict[str, Any], engine) -> StartingSize | None:
    """Validated answers -> rules -> the starting size's best configuration.

    Returns None when the team gave its own evaluation results: measured scores
    may move the recommended size away from the starting one, so only the full
    pipeline can say what the panel should show. Raises the pipeline's own
    errors (missing answers, nothing fits) unchanged.
    """
    ans = inputs.validated(dict(given), rulebook, None)
    if ans.evaluations is not None:
        return None
    outputs, _ = decisions.decisions(rulebook, ans)
    inp = inputs.inputs_for(rulebook, ans.values, outputs, None, decisions.decisions)
    size = str(outputs.get("start_size"))
    return StartingSize(size, CandidateSearch(inp, engine).best(size), inp.deployment)
