"""The offers file's boundary: pydantic models that validate engine/data/offers.yaml
or a team's own offers file, every problem reported as ``file:line``.

Why separate from engine/offers.py: validation needs pydantic and PyYAML, which
the shipped catalog avoids at run time by replaying the compiled snapshot
(engine/snapshot.py); only a stale snapshot or a user's file comes through here.
The file is read with engine/yamlsafe.py (size limit, duplicate keys, positions).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from engine.catalog_schema import ProvenanceEntry
from engine.errors import UnknownIdError, shown
from engine.offer_specs import OWN_HARDWARE, Offer, offer_from_dict

_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True)
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")

Usd = Annotated[float, Field(gt=0, le=100_000, allow_inf_nan=False)]
Pricing = Literal["on_demand", "committed_1y", "committed_3y", "spot"]


class _Provenance(ProvenanceEntry):
    model_config = _STRICT


class OfferPriceEntry(ProvenanceEntry):
    model_config = _STRICT  # a quoted "1.0" is a string, not a price (as in overrides files)
    usd_per_hour: Usd


class OfferEntry(BaseModel):
    """One orderable thing; the fields mirror :class:`engine.offer_specs.Offer`."""

    model_config = _STRICT
    provider: str = Field(min_length=2, max_length=40)
    instance_type: str = Field(min_length=1, max_length=80)
    gpu: str = Field(min_length=1, max_length=60)
    gpus_per_instance: int = Field(ge=1, le=72)
    region: str = Field(min_length=1, max_length=60)
    network_gb_per_s: Annotated[float, Field(gt=0, le=10_000, allow_inf_nan=False)]
    network: "_Provenance"
    prices: dict[Pricing, OfferPriceEntry] = Field(default_factory=dict)
    purchase_usd: Annotated[float, Field(gt=0, le=100_000_000, allow_inf_nan=False)] | None = None
    purchase: "_Provenance | None" = None

    @model_validator(mode="after")
    def _consistent(self) -> "OfferEntry":
        if not _SLUG.match(self.provider):
            raise ValueError(f"provider must be a lower-case id (letters, digits, - or _), got {self.provider!r}")
        if self.provider == OWN_HARDWARE:
            if self.prices:
                raise ValueError("own_hardware offers have purchase_usd, not hourly prices")
            if self.purchase_usd is None or self.purchase is None:
                raise ValueError("own_hardware offers need purchase_usd and purchase: {source, as_of}")
        else:
            if "on_demand" not in self.prices:
                raise ValueError("a rented offer needs an on_demand price")
            if self.purchase_usd is not None or self.purchase is not None:
                raise ValueError("purchase_usd belongs to own_hardware offers only")
            od = self.prices["on_demand"].usd_per_hour
            for term in ("committed_1y", "committed_3y"):
                if term in self.prices and self.prices[term].usd_per_hour >= od:
                    raise ValueError(f"{term} ({self.prices[term].usd_per_hour}) must be below on_demand ({od})")
        return self


class OfferFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    schema_version: Literal[1]
    generated_by: str | None = None
    offers: list[OfferEntry] = Field(min_length=1)


def load_offer_file(path: Path | str) -> list[Offer]:
    """Validate an offers file; every problem names ``file:line`` and the YAML path (exit 2, no traceback)."""
    from engine.catalog import resolve_gpu
    from engine.yamlsafe import YamlProblems, load_yaml_file

    doc = load_yaml_file(path)
    if not isinstance(doc.data, dict):
        raise YamlProblems([doc.locator.problem((), "expected a mapping with 'schema_version: 1' and an 'offers:' list")])
    try:
        parsed = OfferFile.model_validate(doc.data)
    except ValidationError as err:
        problems = []
        for e in err.errors():
            loc = tuple(p for p in e["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            if e["type"] == "extra_forbidden":
                problems.append(doc.locator.problem(loc, f"unknown field '{shown(loc[-1])}'", key=True))
            elif e["type"] == "missing":
                problems.append(doc.locator.problem(loc[:-1], f"missing field '{shown(loc[-1])}'"))
            else:
                problems.append(doc.locator.problem(loc, f"{e['msg']} (got {shown(repr(e.get('input')))})"))
        raise YamlProblems(problems) from None
    problems = []
    offers: list[Offer] = []
    seen: dict[tuple[str, str, str], int] = {}
    for i, entry in enumerate(parsed.offers):
        data = entry.model_dump()
        try:
            data["gpu"] = resolve_gpu(entry.gpu).id
        except UnknownIdError as err:
            problems.append(doc.locator.problem(("offers", i, "gpu"), str(err)))
            continue
        key = (entry.provider, entry.instance_type, entry.region)
        if key in seen:
            line, _ = doc.locator.position(("offers", seen[key]))
            problems.append(doc.locator.problem(("offers", i), f"repeats {'/'.join(key)} (line {line})"))
            continue
        seen[key] = i
        offers.append(offer_from_dict(data))
    if problems:
        raise YamlProblems(problems)
    return offers
