"""One evaluated configuration priced on the offers a team can order: whole instances, a pricing type, a replica floor.

Why a module of its own: the sweep (engine/sweep.py) prices a configuration per
GPU-hour; a team pays per *instance* (engine/packing.py), at the price of the
pricing type it chose (engine/offers.py), and keeps a spare replica for
production traffic. This module turns one engine ``Candidate`` and one ``Offer``
into an :class:`OfferFit` (instances, $/instance-hour, monthly cost, source),
on the recommendation's hot path: plain arithmetic, no catalogs loaded here.

The rules (issue 10):

* a tensor-parallel group never spans instances (``tp <= gpus_per_instance``);
  a replica larger than one instance runs one pipeline stage per instance, so
  its GPUs must be a multiple of the instance's (engine/packing.py);
* cloud monthly = instances x $/instance-hour x hours per month;
* owned monthly = GPUs paid for x (server price per GPU amortised + hosting) +
  GPUs used x power at the fleet's utilisation (engine/cost.py's terms);
* a GPU with no orderable offer (a team's own card, a named consumer card) is
  priced per GPU from the GPU catalog: a *per-GPU* offer (region
  :data:`PER_GPU_REGION`), which has no instance shape to pack.
"""

from __future__ import annotations

from typing import NamedTuple

from engine import cost as costm
from engine.offer_specs import OWN_HARDWARE, Offer, OfferPrice
from engine.packing import Packing, pack
from engine.specs import GpuSpec, Provenance

#: the region of a per-GPU offer: the GPU catalog's price, no instance shape (one "instance" = one GPU)
PER_GPU_REGION = "catalog"
#: the provider id of a per-GPU rented price from the GPU catalog
CATALOG_PROVIDER = "catalog"
#: the pricing label of owned hardware (costed by amortisation, not by the hour)
OWNED_PRICING = "owned"
#: a source marked so is a guess, used only when the team opts in (names the GPU)
ESTIMATE_MARK = "ESTIMATE"


class OfferFit(NamedTuple):
    """A configuration's fleet on one offer: what is paid for and what it costs per month."""

    offer: Offer
    pricing: str                       # a pricing type, or 'owned'
    usd_per_instance_hour: float | None  # None for owned hardware
    source: str
    as_of: str
    packing: Packing
    monthly_usd: float
    estimate: bool                     # a price marked ESTIMATE was used

    @property
    def per_gpu(self) -> bool:
        return self.offer.region == PER_GPU_REGION


def fit_dict(f: "OfferFit | None") -> dict | None:
    """A fit as the ``offer`` object of a report or an estimate: exactly its nine keys (None stays None)."""
    if f is None:
        return None
    o = f.offer
    return {"provider": o.provider, "instance_type": o.instance_type, "gpus_per_instance": o.gpus_per_instance,
            "instances": f.packing.instances,
            "usd_per_instance_hour": None if f.usd_per_instance_hour is None else round(f.usd_per_instance_hour, 4),
            "pricing": f.pricing, "region": o.region, "source": f.source, "as_of": f.as_of}


def is_per_gpu(offer: Offer) -> bool:
    return offer.region == PER_GPU_REGION


def is_estimate(offer: Offer, pricing: str) -> bool:
    """Whether the price this offer would be costed at (``pricing``, or the purchase) is marked ESTIMATE."""
    if offer.owned:
        return offer.purchase is not None and ESTIMATE_MARK in offer.purchase.source
    p = offer.prices.get(pricing)
    return p is not None and ESTIMATE_MARK in p.source


def per_gpu_offer(gpu: GpuSpec, *, owned: bool, pricing: str, usd_per_gpu_hour: float | None = None,
                  purchase_usd: float | None = None, source: str | None = None) -> Offer:
    """A per-GPU offer from the GPU catalog (or the team's override price, ``source`` naming it)."""
    net = Provenance(source=f"{gpu.name} interconnect (GPU catalog)", as_of="")
    bw = gpu.interconnect.bandwidth_gb_per_s if gpu.interconnect is not None else 0.0
    if owned:
        prov = gpu.provenance.get("purchase_usd")
        buy = gpu.purchase_usd if purchase_usd is None else purchase_usd
        purchase = Provenance(source=source or (prov.source if prov else ""), as_of="" if source else (prov.as_of if prov else ""))
        return Offer(provider=OWN_HARDWARE, instance_type=f"{gpu.id} card", gpu=gpu.id, gpus_per_instance=1,
                     region=PER_GPU_REGION, network_gb_per_s=bw, network=net, prices={}, purchase_usd=buy, purchase=purchase)
    prov = gpu.provenance.get("cloud_usd_per_gpu_hour")
    price = OfferPrice(usd_per_hour=gpu.cloud_usd_per_gpu_hour if usd_per_gpu_hour is None else usd_per_gpu_hour,
                       source=source or (prov.source if prov else ""), as_of="" if source else (prov.as_of if prov else ""))
    return Offer(provider=CATALOG_PROVIDER, instance_type=f"{gpu.id} per GPU", gpu=gpu.id, gpus_per_instance=1,
                 region=PER_GPU_REGION, network_gb_per_s=bw, network=net, prices={pricing: price})


def placeable(offer: Offer, tp: int, gpus_per_replica: int) -> bool:
    """Whether a replica of ``gpus_per_replica`` GPUs with a ``tp``-way tensor-parallel group can run on ``offer``."""
    if is_per_gpu(offer):
        return True
    n = offer.gpus_per_instance
    return tp <= n and (gpus_per_replica <= n or gpus_per_replica % n == 0)


def _packing(offer: Offer, gpus_per_replica: int, replicas: int) -> Packing:
    if is_per_gpu(offer):  # priced per GPU: every GPU used is paid for, nothing else
        used = gpus_per_replica * replicas
        return Packing(used, used, used, 1, True, 1, gpus_per_replica)
    return pack(gpus_per_replica, replicas, offer)


def cloud_fit(offer: Offer, pricing: str, *, tp: int, gpus_per_replica: int, replicas: int,
              hours_per_month: float) -> OfferFit | None:
    """The fleet on a rented ``offer`` at ``pricing``; None if the offer cannot hold the replica or lacks that price."""
    price = offer.prices.get(pricing)
    if price is None or offer.owned or not placeable(offer, tp, gpus_per_replica):
        return None
    pk = _packing(offer, gpus_per_replica, replicas)
    return OfferFit(offer, pricing, price.usd_per_hour, price.source, price.as_of, pk,
                    pk.instances * price.usd_per_hour * hours_per_month, ESTIMATE_MARK in price.source)


def owned_fit(offer: Offer, *, tp: int, gpus_per_replica: int, replicas: int, fleet_utilisation: float,
              tdp_w: float, a) -> OfferFit | None:
    """The fleet on owned servers of ``offer`` (``a``: engine.defaults.Assumptions); None if it cannot hold the replica."""
    if not offer.owned or offer.purchase_usd is None or not placeable(offer, tp, gpus_per_replica):
        return None
    pk = _packing(offer, gpus_per_replica, replicas)
    per_gpu_fixed = offer.purchase_usd / offer.gpus_per_instance / (a.amortisation_years * 12.0) + a.hosting_usd_per_gpu_month
    power_full = costm.power_monthly_usd(tdp_w, 1.0, a.host_power_factor, a.pue, a.usd_per_kwh, a.hours_per_month)
    monthly = pk.gpus_paid * per_gpu_fixed + pk.gpus_used * power_full * fleet_utilisation
    src = offer.purchase.source if offer.purchase else ""
    return OfferFit(offer, OWNED_PRICING, None, src, offer.purchase.as_of if offer.purchase else "", pk, monthly,
                    ESTIMATE_MARK in src)


def cheapest_fit(fits) -> OfferFit | None:
    """The cheapest fit (ties: fewer GPUs paid for, then provider and instance type, for determinism)."""
    best = None
    for f in fits:
        if f is None:
            continue
        key = (round(f.monthly_usd, 6), f.packing.gpus_paid, f.offer.provider, f.offer.instance_type)
        if best is None or key < best[0]:
            best = (key, f)
    return None if best is None else best[1]


def _instances(offer: Offer, tp: int, gpus_per_replica: int, replicas: int) -> int | None:
    """Instances paid for (engine/packing.py's arithmetic, inlined for the hot path); None if it cannot hold the replica."""
    n = offer.gpus_per_instance
    if offer.region == PER_GPU_REGION:
        return gpus_per_replica * replicas
    if tp > n:
        return None
    if gpus_per_replica <= n:
        return -(-replicas // (n // gpus_per_replica))
    return None if gpus_per_replica % n else gpus_per_replica // n * replicas


def cheapest_cloud(offers, pricing: str, *, tp: int, gpus_per_replica: int, replicas: int,
                   hours_per_month: float) -> OfferFit | None:
    """:func:`cheapest_fit` over :func:`cloud_fit` of ``offers``, building a fit only for the winner (the hot path)."""
    best = None
    for o in offers:
        price = o.prices.get(pricing)
        if price is None or o.owned:
            continue
        k = _instances(o, tp, gpus_per_replica, replicas)
        if k is None:
            continue
        key = (round(k * price.usd_per_hour * hours_per_month, 6), k * o.gpus_per_instance, o.provider, o.instance_type)
        if best is None or key < best[0]:
            best = (key, o)
    if best is None:
        return None
    return cloud_fit(best[1], pricing, tp=tp, gpus_per_replica=gpus_per_replica, replicas=replicas,
                     hours_per_month=hours_per_month)


def with_min_replicas(cand, min_replicas: int, hours_per_month: float):
    """``cand`` (an engine ``Candidate``) with at least ``min_replicas`` replicas; the same object if it has them.

    The extra replica is a spare: the fleet's utilisation falls in proportion, the cost
    per GPU-hour stays (engine/cost.py), so the per-GPU monthly cost scales with the GPUs.
    """
    if cand.replicas >= min_replicas:
        return cand
    total = min_replicas * cand.gpus_per_replica
    monthly = total * cand.usd_per_gpu_hour * hours_per_month
    scale = monthly / cand.monthly_usd if cand.monthly_usd > 0 else 1.0
    return cand._replace(
        replicas=min_replicas, total_gpus=total, monthly_usd=monthly, annual_usd=monthly * 12.0,
        usd_per_million_output_tokens=cand.usd_per_million_output_tokens * scale,
        usd_per_million_total_tokens=cand.usd_per_million_total_tokens * scale,
        fleet_utilisation=cand.fleet_utilisation * cand.replicas / min_replicas,
    )


def best_offer(gpu: GpuSpec, *, tp: int, gpus_per_replica: int, replicas: int, fleet_utilisation: float,
               providers, pricing: str, deployment: str, a) -> OfferFit:
    """The cheapest offer of ``providers`` at ``pricing`` that holds this fleet of ``gpu`` (``sizewise estimate
    --providers/--pricing``); one-line errors for what no offer can satisfy (engine/offers.py)."""
    from engine.errors import InputError
    from engine.offers import filter_offers, load_offers, prune_dominated

    kept = filter_offers(load_offers(), providers=providers, pricing=pricing, gpu_classes=("datacenter", "workstation", "consumer"),
                         allowed_gpus=[gpu.id])
    kw = {"tp": tp, "gpus_per_replica": gpus_per_replica, "replicas": replicas}
    if deployment == "owned":
        fits = (owned_fit(o, fleet_utilisation=fleet_utilisation, tdp_w=gpu.tdp_w, a=a, **kw)
                for o in prune_dominated([o for o in kept if o.owned], pricing))
    else:
        fits = (cloud_fit(o, pricing, hours_per_month=a.hours_per_month, **kw)
                for o in prune_dominated([o for o in kept if not o.owned], pricing))
    best = cheapest_fit(fits)
    if best is None:
        what = "owned server" if deployment == "owned" else f"{pricing} instance"
        raise InputError(f"no {what} of {', '.join(providers)} holds a replica of {gpus_per_replica} x {gpu.id} "
                         f"(tensor parallel {tp}); see `sizewise catalog offers --gpu {gpu.id}`")
    return best
