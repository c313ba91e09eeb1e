"""The wizard's side-panel figure: the starting size's cheapest deployment, without the rest of the report.

Why apart from :func:`advisor.pipeline.recommend`: the panel updates on every
answer, so it runs only the decisions and one size's search. The underscored
names are the ones ``advisor/session.py``'s fast preview calls (it falls back
to the full pipeline if they go); :func:`start_preview` is the same in one call.
"""

from __future__ import annotations

from advisor.pipeline.decisions import decisions as _decisions
from advisor.pipeline.inputs import inputs_for, restricted_gpus as _restricted_gpus, validated as _validated
from advisor.pipeline.search import CandidateSearch

__all__ = ["start_preview", "_Context", "_decisions", "_restricted_gpus", "_validated"]


def start_preview(answers, rulebook, engine):
    """``(start size, its cheapest configuration or None, deployment mode)`` for validated or raw answers."""
    ans = _validated(answers, rulebook)
    outputs, _ = _decisions(rulebook, ans)
    search = CandidateSearch(inputs_for(rulebook, ans.values, outputs, None, _decisions), engine)
    size = str(outputs.get("start_size"))
    return size, search.best(size), search.inp.deployment


class _Context(CandidateSearch):
    """The old pipeline context's constructor over :class:`CandidateSearch` (``best(size)``, ``deployment``)."""

    def __init__(self, *, rulebook, values, outputs, engine, gpus, decide):
        super().__init__(inputs_for(rulebook, values, outputs, gpus, decide), engine)
        self.deployment = self.inp.deployment
