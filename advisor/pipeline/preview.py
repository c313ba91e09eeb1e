"""The wizard's side-panel figure: the starting size's cheapest deployment, without the rest of the report.

Why apart from :func:`advisor.pipeline.recommend`: the panel updates on every
answer, so it runs only the decisions and one size's search. The underscored
names are the ones ``advisor/session.py``'s fast preview calls (it falls back
to the full pipeline if they go).
"""

from __future__ import annotations

from advisor.pipeline.decisions import decisions as _decisions
from advisor.pipeline.inputs import inputs_for, restricted_gpus as _restricted_gpus, validated as _validated
from advisor.pipeline.search import CandidateSearch

__all__ = ["_Context", "_decisions", "_restricted_gpus", "_validated"]


class _Context(CandidateSearch):
    """The old pipeline context's constructor over :class:`CandidateSearch` (``best(size)``, ``deployment``)."""

    def __init__(self, *, rulebook, values, outputs, engine, gpus, decide):
        super().__init__(inputs_for(rulebook, values, outputs, gpus, decide), engine)
        self.deployment = self.inp.deployment
