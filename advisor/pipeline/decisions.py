"""Framework steps 1-3 as the rulebook decides them: outputs, the rule trace, and what to consider.

Why an adapter: the evaluator's result (and a test's fake ``decide``) come in
more than one shape; this stage turns them into plain values (outputs, trace
rows, warnings) and into the :class:`Plan`: the starting size, the test ladder,
the mandated and considered optimizations, and the sizes the engine must price.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from advisor import evals
from advisor.pipeline.common import ARTICLE_SIZES, SIZE_ORDER, SIZE_PARAMS_B, as_list, display, get, size_key, str_or_none
from advisor.pipeline.inputs import Inputs
from advisor.recommendation import AnswerRow, Candidate, Decision, LatencyTargets, TraceRow, Volume, WarningItem

OPTIMIZATIONS = ("quantization", "distillation", "moe")
#: the article's volume tiers, half-open, in tokens/day (seed-consistency C16); used only to
#: show the tier on the basis the rules did NOT declare
ARTICLE_TIERS = ((0.0, "low"), (1e6, "moderate"), (5e7, "high"), (5e8, "massive"))


def decisions(rulebook, answers, *, trace: bool = True) -> tuple[dict[str, Any], list[TraceRow]]:
    """Evaluate the rules; return ``(outputs, trace rows)`` as plain values (``trace=False``: no rows)."""
    from advisor.rulebook import evaluate

    result = evaluate(rulebook, answers)
    outputs = dict(get(result, "outputs", {}) or {})
    rows: list[TraceRow] = []
    if not trace:
        return outputs, rows
    for entry in get(result, "trace", []) or []:
        rows.extend(trace_rows(entry))
    return outputs, rows


def _trace_row(table: str, r, *, matched: bool, detail: str) -> TraceRow:
    """One rule of a trace entry -> a row (the rule id and its location read the same in every shape)."""
    return TraceRow(
        table=table,
        rule=str(get(r, "rule", get(r, "id", ""))),
        location=rule_location(str(get(r, "where", get(r, "location", "")))),
        matched=matched,
        detail=detail,
    )


def rule_location(where: str) -> str:
    """``/any/checkout/rules/step1_2_size.yaml:21`` -> ``rules/step1_2_size.yaml:21``.

    Why: the report must be byte-identical in every checkout and name no machine
    path, so a rule is located relative to the rules directory (rule files sit
    directly in it), whatever directory the rules were loaded from.
    """
    if not where:
        return where
    m = re.match(r"^(.*?)((?::\d+)*)$", where)
    file, line = (m.group(1), m.group(2)) if m else (where, "")
    name = file.replace("\\", "/").rsplit("/", 1)[-1]
    return f"rules/{name}{line}"


def trace_rows(entry) -> list[TraceRow]:
    """One table's trace entry -> rows (matched rules, and the first failing condition of the rest)."""
    table = str(get(entry, "table", get(entry, "table_id", "")))
    out: list[TraceRow] = []
    matched = get(entry, "matched", None)
    rules = get(entry, "rules", None)
    if rules is not None:
        for r in rules:
            detail = str(get(r, "detail", get(r, "reason", get(r, "because", ""))) or "")
            out.append(_trace_row(table, r, matched=bool(get(r, "matched", False)), detail=detail))
        return out
    for r in matched or []:
        detail = str(get(r, "because", get(r, "detail", "")) or "")
        outs = get(r, "outputs", None)
        if isinstance(outs, Mapping) and outs:
            detail += " -> " + ", ".join(f"{k}={display(v)}" for k, v in outs.items())
        out.append(_trace_row(table, r, matched=True, detail=detail))
    for r in (get(entry, "missed", None) or get(entry, "unmatched", None) or []):
        failed = get(r, "failed", None) or get(r, "first_failing", None) or get(r, "detail", "")
        actual = get(r, "actual", None)
        detail = str(failed or "")
        if actual is not None and detail:
            detail += f" (actual: {display(actual)})"
        out.append(_trace_row(table, r, matched=False, detail=detail))
    return out


@dataclasses.dataclass(frozen=True)
class Plan:
    """What the rules (and the user's own evaluation) put on the table."""

    start: str
    ladder: list[str]
    mandatory: list[str]
    considered: list[str]
    #: every size the engine prices, smallest first
    sizes: list[str]
    recommended: str
    verdict: evals.EvalVerdict | None


def plan(inp: Inputs, evaluations) -> Plan:
    """The sizes to price: the ladder, the start, a planned size, the recommendation and one size above it."""
    outputs, values = inp.outputs, inp.values
    start = str(outputs.get("start_size"))
    ladder = [str(s) for s in as_list(outputs.get("test_ladder"))] or [start]
    # rungs below 7B a rule puts first on the ladder (rules/step4_testing.yaml small_rungs); a rule
    # book without the table keeps the article's 7B floor
    small = [str(s) for s in as_list(outputs.get("small_rungs")) if str(s) in SIZE_ORDER and str(s) not in ladder]
    ladder = sorted(set(small), key=size_key) + ladder
    mandatory = [o for o in OPTIMIZATIONS if o in as_list(outputs.get("mandatory_optimizations"))]
    considered = [o for o in OPTIMIZATIONS if o in as_list(outputs.get("considered_optimizations")) or o in mandatory]
    planned = values.get("planned_size")
    sizes = sorted({start, *ladder} | ({planned} if planned in SIZE_PARAMS_B else set()), key=size_key)
    verdict = None
    if evaluations is not None and evaluations.results:
        verdict = evals.judge([(r.size, r.correct, r.examples, r.outcomes) for r in evaluations.results], evaluations.target_accuracy)
    recommended = verdict.chosen if verdict is not None and verdict.chosen else start
    # one size above the recommendation too: what the next step up would cost
    up = SIZE_ORDER.index(recommended) + 1 if recommended in SIZE_ORDER else len(SIZE_ORDER)
    step_up = {SIZE_ORDER[up]} if up < SIZE_ORDER.index("1t") else set()
    sizes = sorted({*sizes, recommended, *step_up}, key=size_key)
    return Plan(start, ladder, mandatory, considered, sizes, recommended, verdict)


def trim_small_rungs(p: Plan, best: dict, deployment: str) -> tuple[Plan, list[str]]:
    """Drop the 1-3B rungs that would save nothing: testing them first only pays when they cost less.

    Why after pricing: the rule (small_rungs) offers the rungs by volume tier, but whether a
    1B fleet is cheaper than the 7B one depends on whole instances (two replicas of one GPU
    may already carry every size). A rung the user measured stays: their result is evidence.
    The rungs stay priced in the candidates table, so the reader sees the equal cost.
    """
    start_cfg = best.get(p.start)
    measured = {s.size for s in p.verdict.scores} if p.verdict is not None else set()
    small = [s for s in p.ladder if s not in ARTICLE_SIZES and s not in measured]
    if not small or start_cfg is None:
        return p, []
    start_usd = round(start_cfg.monthly(deployment), 2)
    drop = []
    for s in small:
        cfg = best.get(s)
        if cfg is None or round(cfg.monthly(deployment), 2) >= start_usd:
            drop.append(s)
    if not drop:
        return p, []
    names = " and ".join(s.upper() for s in drop)
    is_, they, costs, them = ("is", "it", "costs", "it") if len(drop) == 1 else ("are", "they", "cost", "them")
    note = (f"{names} (offered by the small_rungs rule, rules/step4_testing.yaml) {is_} left off the ladder: "
            f"on this workload {they} {costs} no less than {p.start.upper()} (${start_usd:,.0f}/month; the "
            f"candidates table shows each), so testing {them} first saves nothing.")
    return dataclasses.replace(p, ladder=[s for s in p.ladder if s not in drop]), [note]


def decision(inp: Inputs, p: Plan, candidates: list[Candidate], trace: list[TraceRow]) -> Decision:
    """The decision block (its summary sentence is written last, by the summary stage)."""
    budget = inp.values.get("budget_usd_per_month")
    within = None
    if budget is not None:
        cand = next((c for c in candidates if c.size == p.recommended), None)
        if cand is not None and cand.monthly_usd is not None:
            within = cand.monthly_usd <= float(budget)
    return Decision(
        summary="",
        start_size=p.start,
        recommended_size=p.recommended,
        deployment=inp.deployment,  # type: ignore[arg-type]
        test_ladder=p.ladder,
        mandatory_optimizations=p.mandatory,  # type: ignore[arg-type]
        considered_optimizations=p.considered,  # type: ignore[arg-type]
        volume_tier=str_or_none(inp.outputs.get("volume_tier")),
        latency=LatencyTargets(
            latency=str(inp.values.get("latency")),
            ttft_target_s=inp.ttft_target_s,
            tpot_target_ms=inp.tpot_target_ms,
        ),
        candidates=candidates,
        warnings=warnings(inp.rulebook, inp.outputs, trace),
        rules_hash=inp.rulebook.hash,
        budget_usd_per_month=float(budget) if budget is not None else None,
        within_budget=within,
        allowed_gpus=sorted(g if isinstance(g, str) else g.id for g in inp.gpus) if inp.gpus else None,
    )


def answer_rows(rulebook, ans) -> list[AnswerRow]:
    rows = []
    for qid, q in ((q.id, q) for q in rulebook.question_models):
        if qid in ans.hidden:
            continue
        v = ans.values.get(qid)
        origin = "given" if qid in ans.given else "default"
        rows.append(AnswerRow(id=qid, prompt=q.prompt, value=display(v), origin=origin, label=answer_label(q, v)))  # type: ignore[arg-type]
    return rows


def answer_label(q, v) -> str:
    """An answer as a product reader reads it: the choice labels of the question, a number with its unit."""
    if v is None or v == "" or v == []:
        return "not given"
    choices = {c.value: c.label for c in (getattr(q, "choices", None) or [])}
    if choices:
        vals = v if isinstance(v, (list, tuple)) else [v]
        return ", ".join(choices.get(str(x), display(x)) for x in vals)
    unit = getattr(q, "unit", None)
    text = display(v)
    if unit and unit != "x":
        return f"{text} {unit}"
    return f"{text}x" if unit == "x" else text


def warnings(rulebook, outputs, trace) -> list[WarningItem]:
    items: list[WarningItem] = []
    seen = set()
    for w in as_list(outputs.get("warnings")):
        wid = str(get(w, "id", w))
        if wid in seen:
            continue
        seen.add(wid)
        msg = rulebook.messages.get(wid) if hasattr(rulebook, "messages") else None
        title = str(get(w, "title", None) or (msg.title if msg else wid))
        text = str(get(w, "message", None) or (msg.message if msg else ""))
        where = str(get(w, "rule", None) or get(w, "where", None) or "")
        if not where:
            where = next((t.location for t in trace if t.matched and wid in t.detail), "")
        items.append(WarningItem(id=wid, title=title, message=_fill(text, outputs), rule=where))
    return items


def _fill(text: str, outputs: Mapping[str, Any]) -> str:
    """Fill ``{id}`` placeholders the evaluator may have left (unknown ones stay as written)."""

    def sub(m):
        v = outputs.get(m.group(1))
        return m.group(0) if v is None else display(v)

    return re.sub(r"\{([a-z][a-z0-9_]*)\}", sub, text)


def volume(inp: Inputs) -> Volume:
    """Step 3's volume: tokens per day, the rules' tier, and the tier on the basis they did not declare."""
    rpd, i, o = inp.requests_per_day, inp.input_tokens, inp.output_tokens
    total = rpd * (i + o)
    out = rpd * o
    basis = str_or_none(inp.outputs.get("volume_basis"))
    if basis is not None:
        basis = basis.removesuffix("_tokens")  # 'total_tokens' -> 'total'
    other = None
    other_tier = None
    if basis in ("total", "output"):
        other = "output" if basis == "total" else "total"
        given = inp.outputs.get(f"volume_tier_{other}_basis")
        # the rules' own tier on the other basis when they publish it, else the article's bounds
        other_tier = str(given) if given is not None else article_tier(out if other == "output" else total)
    return Volume(
        requests_per_day=rpd,
        input_tokens_per_request=i,
        output_tokens_per_request=o,
        input_tokens_per_day=rpd * i,
        output_tokens_per_day=out,
        total_tokens_per_day=total,
        tier=str_or_none(inp.outputs.get("volume_tier")),
        basis=basis,
        tier_on_other_basis=other_tier,
        other_basis=other,
    )


def article_tier(tokens_per_day: float) -> str:
    tier = ARTICLE_TIERS[0][1]
    for lower, name in ARTICLE_TIERS:
        if tokens_per_day >= lower:
            tier = name
    return tier
