"""Buy or rent, stated as a conclusion (issue 13): the break-even utilisation and the payback.

Why: the candidates table shows cloud and owned monthly costs side by side, but a reader
wants the conclusion they imply. For the recommended deployment:

* owned monthly O = amortisation P / (12 x years) + running R (hosting and power), as
  priced by the search (engine/offer_fit.py ``owned_fit``); rented monthly C (whole instances,
  the pricing type chosen);
* break-even utilisation O / C: owning is cheaper when the rented instances would be
  needed more than that share of the month (renting can be switched off, owning cannot);
* payback months P / (C - R): how long the purchase takes to pay for itself against renting,
  when running it costs less than renting it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BuyRent:
    text: str | None
    break_even_utilisation: float | None
    payback_months: float | None


def buy_or_rent(cand, assumptions) -> BuyRent:
    """The conclusion for one candidate (``advisor.recommendation.Candidate``) with both cost blocks."""
    from engine.offers import load_offers

    if cand is None or cand.cloud is None or cand.owned is None or cand.owned.offer is None:
        return BuyRent(None, None, None)
    c, o = cand.cloud.monthly_usd, cand.owned.monthly_usd
    server = next((x for x in load_offers() if x.owned and x.instance_type == cand.owned.offer.instance_type), None)
    if server is None or not c or c <= 0 or server.purchase_usd is None:
        return BuyRent(None, None, None)
    purchase = server.purchase_usd * cand.owned.offer.instances
    years = assumptions.amortisation_years
    running = o - purchase / (12.0 * years)
    share = o / c
    servers = f"{cand.owned.offer.instances} x {cand.owned.offer.instance_type}"
    basis = (f"assumes {years:g}-year amortisation of ${purchase:,.0f} ({servers}, GPUs only), "
             f"${assumptions.hosting_usd_per_gpu_month:,.0f}/GPU-month hosting and ${assumptions.usd_per_kwh:g}/kWh "
             f"power at PUE {assumptions.pue:g}")
    payback = purchase / (c - running) if c > running else None
    life = 12.0 * years
    if share >= 1:
        if payback and payback <= life:
            tail = f"; the purchase would pay back in {payback:.0f} months"
        elif payback:
            tail = f"; the purchase would take {payback:.0f} months to pay back, longer than its {life:.0f}-month life"
        else:
            tail = "; running the servers alone costs more than renting"
        text = f"Rent: owning costs ${o:,.0f}/month against ${c:,.0f} rented, more even at full use{tail} ({basis})."
    else:
        text = (f"Buy if the instances would be rented more than {share:.0%} of the month: owning costs "
                f"${o:,.0f}/month against ${c:,.0f} rented"
                + (f", and the purchase pays back in {payback:.0f} months" if payback else "")
                + f" ({basis}).")
    return BuyRent(text, round(share, 4), round(payback, 1) if payback else None)
