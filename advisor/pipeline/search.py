"""The candidate search: for one size, the cheapest deployment that fits and meets latency.

A size class ('13b') is costed by the catalog's real models of that class whose
context window holds the workload (input + output tokens): the class's cost is
the cheapest of them that meets latency, and the model it costed is
``cfg.model``. Why real models: a generic shape (13B = Llama-2-13B's full
multi-head attention and 4K window) prices a model nobody deploys and cannot
hold a long prompt, so the ladder bent the wrong way (issue 11). The generic
shape is costed only when the catalog has no real model of the class at all
(``ClassChoice.no_real_model``: 1t today), and the report labels it.

Pruning instead of searching less: models whose window is short are never
searched, and a model *dominated* by another of its class (no more total and
active parameters and no more KV cache per sequence of this workload) is
listed without a search: it cannot cost less (tests check this against a search).

Why a memo: the candidates, the optimizations, the sensitivity scenarios and
the case studies ask for the same (size, volume, context, precisions, GPUs)
searches; each runs the engine once per run. A volume-only change rescales the
base search (only the fleet depends on volume) instead of sweeping again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from advisor.pipeline.common import SIZE_PARAMS_B
from advisor.pipeline.inputs import Inputs


@dataclass(frozen=True)
class ClassChoice:
    """How one size class was costed: the real model chosen, the others that qualified, the ones set aside.

    ``costed`` is None when no model of the class takes the workload; ``generic`` is True when the
    class has no real model in the catalog at all and its generic shape was costed instead (labelled).
    ``alternatives`` are (model id, config or None, why it is not the costed one, status) in id order;
    status is one of :class:`advisor.recommendation.Alternative`'s.
    """

    size: str
    tokens: int
    costed: str | None
    generic: bool = False
    alternatives: tuple = ()
    #: real models of the class whose window is shorter than ``tokens`` (never costed, never listed)
    too_short: tuple = ()
    #: no real model of the class exists in the catalog
    no_real_model: bool = False
    #: set when no current model met the targets and a superseded one costs the class (the reason)
    fallback: str = ""


class CandidateSearch:
    """The engine searches of one run (``engine`` is an :class:`advisor.pipeline.engine_search.EngineSearch`)."""

    def __init__(self, inp: Inputs, engine):
        self.inp = inp
        self.engine = engine
        self._cache: dict[tuple, Any] = {}

    def search(self, model: str, *, volume=1.0, context=1.0, precisions=None, gpus=None):
        """Every configuration of ``model`` that fits, at ``volume`` x the demand and ``context`` x the prompt.

        A size class ('13b') means the real model that class is costed by (:meth:`choice`); none that
        takes the workload's tokens -> no configuration.
        """
        inp = self.inp
        if is_class(model):
            chosen = self.choice(model, context=context).costed
            if chosen is None:
                return []
            model = chosen
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
        """The cheapest configuration meeting latency of ``model``: a catalog id, or a size class, which is
        priced by the real model :meth:`choice` costs it with (None when none fits or takes the workload).

        Ties: fewer GPUs, then GPU id, then precision.
        """
        if is_class(model):
            model = self.choice(model, context=kw.get("context", 1.0)).costed
            if model is None:
                return None
        return self.best_one(model, only_precision=only_precision, **kw)

    def best_one(self, model: str, *, only_precision: str | None = None, **kw):
        """The cheapest configuration of one model meeting latency, or None."""
        configs = [c for c in self.search(model, **kw) if c.meets_latency]
        if only_precision is not None:
            configs = [c for c in configs if c.precision == only_precision]
        if not configs:
            return None
        return min(configs, key=lambda c: (round(c.monthly(self.inp.deployment), 6), c.total_gpus, c.gpu, c.precision))

    def best_per_size(self, sizes) -> dict[str, Any]:
        return {size: self.best(size) for size in sizes}

    def choice(self, size: str, *, context: float = 1.0) -> ClassChoice:
        """The real model that costs ``size``: the cheapest (meeting latency) of the class's catalog models
        whose window holds input + output tokens. Models another qualifying model dominates (no more
        weights, active parameters or KV per token, and at least as long a window) are set aside unpriced:
        they cannot cost less, so the search skips them (issue 11: prune rather than search less)."""
        key = ("choice", size, context)
        if key in self._cache:
            return self._cache[key]
        from engine.catalog import load_models, resolve_model

        tokens = int(round(self.inp.input_tokens * context + self.inp.output_tokens))
        if context != 1.0:
            # A what-if on the prompt length keeps the model the class is costed by while its window holds
            # the longer request (the question is "what if prompts grow", not "which model then"); only a
            # window too short for it re-opens the choice.
            base = self.choice(size)
            if base.costed is not None and resolve_model(base.costed).max_context >= tokens:
                ch = ClassChoice(size, tokens, base.costed, generic=base.generic, no_real_model=base.no_real_model)
                self._cache[key] = ch
                return ch
        members = sorted((m for m in load_models().values() if m.size_class == size and not m.generic), key=lambda m: m.id)
        if not members:
            # No real model of this class in the catalog at all (175b has none below 405B? 1t has none):
            # cost the generic shape, labelled as such, so the ladder keeps its rung (see docs/methodology.md).
            gen = next((m for m in load_models().values() if m.generic and m.id == size), None)
            ok = gen is not None and gen.max_context >= tokens
            ch = ClassChoice(size, tokens, gen.id if ok else None, generic=ok, no_real_model=True)
            self._cache[key] = ch
            return ch
        fit = [m for m in members if m.max_context >= tokens]
        short = tuple(m.id for m in members if m.max_context < tokens)
        # the models a team would deploy today: a superseded release (Llama-2, Qwen2.5, ...) is costed
        # only when no current model of the class holds the workload
        current = [m for m in fit if not m.superseded_by]
        retired = [m for m in fit if m.superseded_by] if current else []
        fit = current or fit
        keep, dominated, priced, chosen = self._cheapest(fit, tokens, context)
        fallback = ""
        if chosen is None and retired:
            # every current model misses memory or latency: a superseded release that meets them is still
            # the honest price of the class (the note says so), and the current ones are listed as not fitting
            r_keep, r_dominated, r_priced, r_chosen = self._cheapest(retired, tokens, context)
            if r_chosen is not None:
                fallback = (f"no current {size.upper()}-class model meets the latency targets on the allowed "
                            f"hardware, so the class is costed by {r_chosen}, an older release "
                            f"(superseded by {next(m.superseded_by for m in retired if m.id == r_chosen)})")
                priced, dominated, chosen = [*r_priced, *priced], [*r_dominated, *dominated], r_chosen
                retired = []
        alts = []
        for mid, c in priced:
            if mid == chosen:
                continue
            alts.append((mid, c, "", "priced") if c is not None
                        else (mid, c, "no configuration fits and meets the latency targets", "no_fit"))
        cfg_of = dict(priced)
        for mid, by, same in dominated:
            if same:  # the same architecture costs the same: shown at its twin's price
                alts.append((mid, cfg_of.get(by), f"same architecture as {by}", "same_architecture"))
            else:
                alts.append((mid, None, f"not priced: {by} has no more weights, active parameters or KV per token",
                             "dominated"))
        for m in retired:
            alts.append((m.id, None, f"not priced: superseded by {m.superseded_by}", "superseded"))
        alts.sort(key=lambda x: x[0])
        ch = ClassChoice(size, tokens, chosen, alternatives=tuple(alts), too_short=short, fallback=fallback)
        self._cache[key] = ch
        return ch

    def _cheapest(self, models, tokens: int, context: float):
        """(kept, dominated, [(id, config or None)], the cheapest id meeting latency or None) over ``models``.

        Ties (the smallest fleet often costs the same for several models): the newest release, then the id.
        """
        keep, dominated = _undominated(models, tokens)
        priced = [(m.id, self.best(m.id, context=context)) for m in keep]
        ok = [(mid, c) for mid, c in priced if c is not None]
        newest = {m.id: m.provenance.as_of for m in keep}
        ok.sort(key=lambda x: (x[0]))
        ok.sort(key=lambda x: newest[x[0]], reverse=True)
        mode = self.inp.deployment
        chosen = min(ok, key=lambda x: round(x[1].monthly(mode), 2))[0] if ok else None
        return keep, dominated, priced, chosen


def is_class(model: str) -> bool:
    """``model`` is a size class ('13b'), costed by one of its real models, not a catalog model.

    The 1b and 3b rungs have no generic shape (the article prices nothing below 7B), so they
    are classes by name only: always costed by a real member, never by a stand-in."""
    from engine.catalog import load_models

    m = load_models().get(model)
    return model in SIZE_PARAMS_B or (m is not None and m.generic)


def _undominated(models, tokens: int):
    """Split ``models`` into those worth pricing and (model, dominating model) pairs.

    A model is dominated when another has total params, active params and KV bytes per token (at the
    workload's length, sliding windows applied) all no greater, one strictly smaller: on the same GPU,
    precision and batch it needs no more memory, compute or bandwidth, so it never costs more."""
    from engine.memory import kv_bytes
    from engine.params import param_counts

    def vec(m):
        pc = param_counts(m)
        return (pc.total, pc.active, kv_bytes(m, "bf16", tokens, 1))

    v = {m.id: vec(m) for m in models}
    keep, dominated = [], []
    for m in models:
        # a strictly smaller model first: a twin (same architecture) of a dominated model is dominated
        # by the same model, never "same architecture as" a twin that was itself not priced
        by = next((n.id for n in models if n.id != m.id and all(a <= b for a, b in zip(v[n.id], v[m.id]))
                   and v[n.id] != v[m.id]), None)
        same = None if by else next((n.id for n in models if n.id < m.id and v[n.id] == v[m.id]), None)
        by = by or same
        if by is None:
            keep.append(m)
        else:
            dominated.append((m.id, by, same is not None))
    return keep, dominated
