"""Sensitivity: what changes at 0.5x, 2x and 10x the volume and at twice the context.

Why re-run the rules too: a volume change can move the tier, the mandates or
(without measured scores) the starting size, so each scenario goes back
through the decisions and the candidate search; a scenario out of the rules' or
the engine's bounds is reported in its row, never raised.
"""

from __future__ import annotations

from engine.errors import SizewiseError

from advisor.pipeline.common import as_list, r
from advisor.pipeline.decisions import Plan, decisions
from advisor.pipeline.inputs import Inputs, with_values
from advisor.pipeline.search import CandidateSearch
from advisor.recommendation import SensitivityRow

#: (label, volume factor, context factor)
SENSITIVITY = (
    ("0.5x volume", 0.5, 1.0),
    ("2x volume", 2.0, 1.0),
    ("10x volume", 10.0, 1.0),
    ("2x context", 1.0, 2.0),
)


def sensitivity(inp: Inputs, search: CandidateSearch, ans, p: Plan, cfg) -> list[SensitivityRow]:
    """One row per scenario, against ``cfg`` (the recommended deployment, or None)."""
    return [_scenario(inp, search, ans, p, cfg, label, vol, ctxf) for label, vol, ctxf in SENSITIVITY]


def _scenario(inp: Inputs, search: CandidateSearch, ans, p: Plan, cfg, label: str, vol: float, ctxf: float) -> SensitivityRow:
    size, verdict = p.recommended, p.verdict
    values = dict(ans.values)
    values["requests_per_day"] = inp.requests_per_day * vol
    values["input_tokens"] = int(round(inp.input_tokens * ctxf))
    new_size = size
    what = []
    try:
        if inp.decide is decisions:
            outputs, _ = decisions(inp.rulebook, with_values(ans, values), trace=False)
        else:
            outputs, _ = inp.decide(inp.rulebook, with_values(ans, values))
        if not (verdict is not None and verdict.chosen):
            new_size = str(outputs.get("start_size", size))
        mand_new = sorted(set(as_list(outputs.get("mandatory_optimizations"))))
        mand_old = sorted(set(as_list(inp.outputs.get("mandatory_optimizations"))))
        if mand_new != mand_old:
            what.append(f"mandates {', '.join(mand_old) or 'none'} -> {', '.join(mand_new) or 'none'}")
        if outputs.get("volume_tier") != inp.outputs.get("volume_tier"):
            what.append(f"tier {inp.outputs.get('volume_tier')} -> {outputs.get('volume_tier')}")
    except Exception as err:  # out of the rules' bounds (e.g. 10x over the maximum)
        what.append(f"rules not re-evaluated: {err}")
    try:
        new = search.best(new_size, volume=vol, context=ctxf)
    except SizewiseError as err:  # e.g. 10x an already absurd volume: say so, keep the report
        new = None
        what.append(f"the engine refused this scenario: {err}")
    if new_size != size:
        what.insert(0, f"size {size} -> {new_size}")
    if cfg is not None and new is not None:
        if new.gpu != cfg.gpu:
            what.append(f"GPU {cfg.gpu} -> {new.gpu}")
        if new.precision != cfg.precision:
            what.append(f"precision {cfg.precision} -> {new.precision}")
        if new.gpus_per_replica != cfg.gpus_per_replica:
            what.append(f"GPUs per replica {cfg.gpus_per_replica} -> {new.gpus_per_replica}")
    elif new is None:
        what.append("no deployment fits")
    elif cfg is None:
        what.append("a deployment now fits")
    changes = bool(what)
    if cfg is None and new is None:
        what = [w for w in what if w != "no deployment fits"] or ["still no deployment fits"]
        changes = what != ["still no deployment fits"]
    if new is not None and cfg is not None and new.replicas != cfg.replicas:
        what.append(f"replicas {cfg.replicas} -> {new.replicas}")
    return SensitivityRow(
        scenario=label,
        volume_factor=vol,
        context_factor=ctxf,
        size=new_size,
        gpu=new.gpu if new else None,
        gpus_per_replica=new.gpus_per_replica if new else None,
        replicas=new.replicas if new else None,
        precision=new.precision if new else None,
        monthly_usd=r(new.monthly(inp.deployment)) if new else None,
        changes=changes,
        what_changes="; ".join(what) if what else "only the bill scales",
    )
