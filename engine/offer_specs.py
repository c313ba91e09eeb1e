"""The offers catalog's runtime types: one frozen dataclass per orderable thing.

Why a module of its own (and no pydantic): the recommendation reads offers on
its hot path, and ``sizewise estimate`` must not import pydantic or PyYAML
(engine/specs.py explains the cost). The file boundary is engine/offers_schema.py;
the compiled snapshot (engine/snapshot.py) replays these from plain dicts.

An offer is what a team can actually order: a cloud instance type with its
GPUs (``aws p5.48xlarge`` = 8 x H100 SXM) or, for ``own_hardware``, a whole
server bought outright. Prices are per instance-hour, one per pricing type the
provider publishes (or a documented discount of one, marked ``DISCOUNT`` in its
source); owned servers carry ``purchase_usd`` instead.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from engine.specs import Provenance

_FROZEN = {"frozen": True, "kw_only": True, "slots": True}

#: pricing types, in the order a report lists them
PRICING_TYPES = ("on_demand", "committed_1y", "committed_3y", "spot")
#: the provider id of hardware a team buys (priced by amortisation, never hourly)
OWN_HARDWARE = "own_hardware"
#: GPU classes of engine/data/gpus.yaml (``class:``), most production-ready first
GPU_CLASSES = ("datacenter", "workstation", "consumer")


@dataclass(**_FROZEN)
class OfferPrice:
    """One published (or derived, see ``source``) price of one instance for one hour."""

    usd_per_hour: float
    source: str
    as_of: str


@dataclass(**_FROZEN)
class Offer:
    """One orderable instance type (or owned server) and its prices."""

    provider: str
    instance_type: str
    gpu: str                                  # catalog id in engine/data/gpus.yaml
    gpus_per_instance: int
    region: str
    network_gb_per_s: float                   # inter-node bandwidth of one instance, 1e9 B/s, one direction
    network: Provenance
    prices: dict[str, OfferPrice]             # pricing type -> price; empty for owned hardware
    purchase_usd: float | None = None         # owned hardware: price of the whole server
    purchase: Provenance | None = None

    @property
    def owned(self) -> bool:
        return self.provider == OWN_HARDWARE

    def replace(self, **changes: Any) -> "Offer":
        return dataclasses.replace(self, **changes)


def offer_from_dict(d: dict[str, Any]) -> Offer:
    """An :class:`Offer` from plain data (a validated entry's dump or the compiled snapshot)."""
    d = dict(d)
    d["network"] = Provenance(**d["network"])
    d["prices"] = {k: OfferPrice(**v) for k, v in d.get("prices", {}).items()}
    if d.get("purchase") is not None:
        d["purchase"] = Provenance(**d["purchase"])
    return Offer(**d)
