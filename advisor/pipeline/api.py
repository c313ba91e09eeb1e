"""Self-hosting against a serverless API: the same workload priced per token (issue 13).

Why: the article calls API services viable at low volume (under ~1M tokens/day), so a
self-hosting answer is only defensible beside what the same tokens cost on an API that
serves a model of the recommended class. Prices come from the dated LiteLLM snapshot
(engine/data/api_prices.yaml); a row whose listed context limit cannot take one request
(input + output) is left out.

Break-even: the fleet is sized at its planned load, so more volume adds replicas at about the
same cost per token. When self-hosting is cheaper now, the API wins only below the volume at
which its bill equals the self-hosted monthly cost, ``tokens_per_day x self_hosted / api``
(an upper bound: a smaller fleet would cost less). When the API is cheaper now it stays
cheaper at any volume at these prices, and the report says so instead of inventing a figure.
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.recommendation import ApiRow

#: rows shown: the cheapest provider rows, one per provider
MAX_ROWS = 5


@dataclass(frozen=True)
class ApiComparison:
    rows: list[ApiRow]
    break_even_tokens_per_day: float | None
    verdict: str | None
    #: the cheapest API bills less than self-hosting at today's volume
    api_cheaper: bool = False


def api_comparison(size: str | None, volume, self_hosted_monthly_usd: float | None,
                   headroom: float | None = None, *, hours_per_month: float | None = None) -> ApiComparison:
    """The cheapest API rows for ``size`` at this volume, the break-even volume and a one-line verdict.

    ``headroom``: how many times today's volume the self-hosted fleet carries at its planned load
    (target utilisation / the fleet's utilisation; 1 when the fleet is sized exactly);
    ``hours_per_month`` the engine's month, the one the self-hosting costs use (default: assumptions.yaml).
    """
    from engine.api_prices import api_monthly_usd, prices_for
    from engine.defaults import load_assumptions

    if hours_per_month is None:
        hours_per_month = load_assumptions().hours_per_month

    if not size:
        return ApiComparison([], None, None)
    per_request = volume.input_tokens_per_request + volume.output_tokens_per_request
    best: dict[str, tuple[float, object]] = {}
    for row in prices_for(size_class=size):
        if row.max_input_tokens is not None and row.max_input_tokens < per_request:
            continue
        monthly = api_monthly_usd(row, volume.input_tokens_per_day, volume.output_tokens_per_day,
                                  days_per_month=hours_per_month / 24.0)
        key = (monthly, row.model)
        if row.provider not in best or key < (best[row.provider][0], best[row.provider][1].model):
            best[row.provider] = (monthly, row)
    all_ranked = sorted(best.values(), key=lambda t: (t[0], t[1].provider, t[1].model))
    ranked = all_ranked[:MAX_ROWS]
    rows = [ApiRow(provider=r.provider, model=r.model, usd_per_million_input=r.usd_per_million_input,
                   usd_per_million_output=r.usd_per_million_output, monthly_usd=round(m, 2),
                   source=r.source, as_of=r.as_of) for m, r in ranked]
    if not rows:
        return ApiComparison([], None, f"no API in the price snapshot serves a {size.upper()}-class model "
                                       f"that takes {per_request:,.0f} tokens per request")
    cheapest = ranked[0][0]
    if not self_hosted_monthly_usd or cheapest <= 0:
        return ApiComparison(rows, None, None)
    tokens = volume.total_tokens_per_day
    ratio = self_hosted_monthly_usd / cheapest
    first = rows[0]
    spare = max(1.0, headroom or 1.0)
    capacity = tokens * spare  # what the same fleet carries at its planned load
    month_m = tokens * hours_per_month / 24.0 / 1e6  # million tokens per month
    full_load_per_m = self_hosted_monthly_usd / month_m / spare
    break_even = tokens * ratio  # where the cheapest API's bill equals the self-hosted monthly cost
    if ratio <= 1:
        verdict = (f"Self-hosting ({_usd(self_hosted_monthly_usd)}/month) costs {_x(1 / ratio)} less than the "
                   f"cheapest API serving a {size.upper()}-class model ({first.provider}, {first.model}: "
                   f"{_usd(cheapest)}/month); the API would be cheaper below about {_tokens(break_even)} "
                   f"tokens/day (an upper bound: a smaller fleet would cost less).")
    elif break_even <= capacity:
        verdict = (f"The cheapest API serving a {size.upper()}-class model ({first.provider}, {first.model}) "
                   f"would bill {_usd(cheapest)}/month for this workload, {_x(ratio)} less than self-hosting "
                   f"({_usd(self_hosted_monthly_usd)}/month); the same fleet carries up to {_tokens(capacity)} "
                   f"tokens/day, and self-hosting wins above about {_tokens(break_even)} tokens/day.")
    else:
        # beyond its capacity the fleet grows at about the same cost per token: against this API there is
        # no break-even; name the cheapest API against which one exists, if any
        dearer = next(((m, r) for m, r in all_ranked if tokens * self_hosted_monthly_usd / m <= capacity), None)
        verdict = (f"The cheapest API serving a {size.upper()}-class model ({first.provider}, {first.model}) "
                   f"would bill {_usd(cheapest)}/month for this workload, {_x(ratio)} less than self-hosting "
                   f"({_usd(self_hosted_monthly_usd)}/month), and stays cheaper at any volume: self-hosting costs "
                   f"{_usd_small(full_load_per_m)} per million tokens at full planned load against its "
                   f"{_usd_small(cheapest / month_m)}.")
        if dearer is None:
            return ApiComparison(rows, None, verdict + " No API in the snapshot is dear enough for self-hosting to win.",
                                 api_cheaper=True)
        m, r = dearer
        break_even = tokens * self_hosted_monthly_usd / m
        verdict += (f" Against {r.provider} ({r.model}, {_usd(m)}/month here), self-hosting wins above about "
                    f"{_tokens(break_even)} tokens/day; that is the break-even reported.")
    return ApiComparison(rows, round(break_even, -3) if break_even >= 1e4 else round(break_even, 1), verdict,
                         api_cheaper=ratio > 1)


def headroom(config, assumptions) -> float | None:
    """How many times today's volume the chosen fleet carries at its planned load (None if unknown)."""
    fleet_u = getattr(config, "fleet_utilisation", None)
    if not fleet_u or fleet_u <= 0:
        return None
    return assumptions.target_utilisation / fleet_u


def _usd(x: float) -> str:
    return f"${x:,.2f}" if x < 10 else f"${x:,.0f}"


def _usd_small(x: float) -> str:
    return f"${x:.3g}"


def _x(r: float) -> str:
    return f"{r:,.0f}x" if r >= 100 else f"{r:.3g}x"


def _tokens(n: float) -> str:
    for unit, scale in (("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if n >= scale:
            return f"{n / scale:.3g}{unit}"
    return f"{n:.3g}"
