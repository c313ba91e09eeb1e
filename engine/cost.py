"""Dollars: rented GPU-hours and owned hardware, per month, per year, per million tokens.

Why plain functions of floats: the sweep calls them for every candidate, and each is
one line of arithmetic that the tests check exactly. Formulas (docs/methodology.md, "Cost"):

* cloud monthly = GPUs x $/GPU-h x hours per month (730); annual = 12 x monthly
* $/M tokens = monthly $ / tokens per month x 1e6, stated per token basis
  (output tokens, or input + output; never mixed: seed-consistency C04, C16)
* owned, per GPU per month: purchase / (years x 12) + power + hosting, where
  power = GPU W x host factor x utilisation x PUE x $/kWh x hours / 1000
* break-even utilisation: owning costs ``F + P u`` per GPU-month (F fixed = amortisation
  + hosting, P = power at 100% busy), renting only the busy hours costs ``price x hours x u``;
  owning wins above ``u* = F / (price x hours - P)`` (None if renting always wins).
"""

from __future__ import annotations

from typing import NamedTuple

MONTHS_PER_YEAR = 12.0


class OwnedMonthly(NamedTuple):
    amortisation_usd: float
    power_usd: float
    hosting_usd: float

    @property
    def total_usd(self) -> float:
        return self.amortisation_usd + self.power_usd + self.hosting_usd


def cloud_monthly_usd(total_gpus: float, usd_per_gpu_hour: float, hours_per_month: float) -> float:
    return total_gpus * usd_per_gpu_hour * hours_per_month


def usd_per_million(monthly_usd: float, tokens_per_month: float) -> float:
    """Dollars per million tokens of one basis (the caller names the basis)."""
    if tokens_per_month <= 0:
        return float("inf")
    return monthly_usd / tokens_per_month * 1e6


def usd_per_million_at_rate(usd_per_hour: float, tokens_per_s: float, utilisation: float) -> float:
    """$/M tokens for a resource costing ``usd_per_hour`` producing ``tokens_per_s`` when busy."""
    if tokens_per_s <= 0 or utilisation <= 0:
        return float("inf")
    return usd_per_hour / (tokens_per_s * 3600.0 * utilisation) * 1e6


def power_monthly_usd(tdp_w: float, utilisation: float, host_power_factor: float, pue: float,
                      usd_per_kwh: float, hours_per_month: float) -> float:
    return tdp_w / 1000.0 * host_power_factor * utilisation * pue * usd_per_kwh * hours_per_month


def owned_monthly_per_gpu(purchase_usd: float, tdp_w: float, utilisation: float, *, amortisation_years: float,
                          host_power_factor: float, pue: float, usd_per_kwh: float,
                          hosting_usd_per_gpu_month: float, hours_per_month: float) -> OwnedMonthly:
    return OwnedMonthly(
        amortisation_usd=purchase_usd / (amortisation_years * MONTHS_PER_YEAR),
        power_usd=power_monthly_usd(tdp_w, utilisation, host_power_factor, pue, usd_per_kwh, hours_per_month),
        hosting_usd=hosting_usd_per_gpu_month,
    )


def break_even_utilisation(purchase_usd: float, tdp_w: float, usd_per_gpu_hour: float, *, amortisation_years: float,
                           host_power_factor: float, pue: float, usd_per_kwh: float,
                           hosting_usd_per_gpu_month: float, hours_per_month: float) -> float | None:
    """Utilisation above which an owned GPU costs less than renting its busy hours (None: never)."""
    fixed = purchase_usd / (amortisation_years * MONTHS_PER_YEAR) + hosting_usd_per_gpu_month
    power_full = power_monthly_usd(tdp_w, 1.0, host_power_factor, pue, usd_per_kwh, hours_per_month)
    margin = usd_per_gpu_hour * hours_per_month - power_full
    if margin <= 0:
        return None
    u = fixed / margin
    return u if u <= 1.0 else None
