"""A team's own numbers (negotiated prices, utilisation, power cost) from a YAML file.

Why pydantic with ``extra='forbid'``: a misspelt key (``pue_factor``) must be an
error naming the file, line and key, not a silently ignored setting that leaves
the estimate on defaults. The file is read with engine/yamlsafe.py (size limit,
duplicate keys, alias bombs, positions). Example::

    # overrides.yaml
    usd_per_gpu_hour: {h100-sxm: 2.40, a100-80gb: 1.60}
    purchase_usd: {h100-sxm: 24000}
    target_utilisation: 0.7
    peak_to_average: 1.5
    usd_per_kwh: 0.09
    pue: 1.25
    amortisation_years: 4
    hosting_usd_per_gpu_month: 90
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.defaults import Assumptions
from engine.errors import UnknownIdError

Price = Annotated[float, Field(gt=0, le=1000, allow_inf_nan=False)]
Purchase = Annotated[float, Field(gt=0, le=10_000_000, allow_inf_nan=False)]


class Overrides(BaseModel):
    """Every key is optional; anything not given keeps its default from assumptions.yaml / the catalog."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    usd_per_gpu_hour: dict[str, Price] = Field(default_factory=dict, description="cloud price per GPU id")
    purchase_usd: dict[str, Purchase] = Field(default_factory=dict, description="purchase price per GPU id")
    target_utilisation: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] | None = None
    peak_to_average: Annotated[float, Field(ge=1, le=100, allow_inf_nan=False)] | None = None
    prefix_cache_hit_rate: Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)] | None = None
    amortisation_years: Annotated[float, Field(gt=0, le=20, allow_inf_nan=False)] | None = None
    usd_per_kwh: Annotated[float, Field(ge=0, le=10, allow_inf_nan=False)] | None = None
    pue: Annotated[float, Field(ge=1, le=5, allow_inf_nan=False)] | None = None
    host_power_factor: Annotated[float, Field(ge=1, le=5, allow_inf_nan=False)] | None = None
    hosting_usd_per_gpu_month: Annotated[float, Field(ge=0, le=100_000, allow_inf_nan=False)] | None = None
    ttft_target_s: Annotated[float, Field(gt=0, le=3600, allow_inf_nan=False)] | None = None
    tpot_target_ms: Annotated[float, Field(gt=0, le=60_000, allow_inf_nan=False)] | None = None

    def apply(self, base: Assumptions) -> Assumptions:
        """The assumptions with this file's scalar values in place (sources say 'user override')."""
        changes = {
            k: float(v)
            for k, v in self.model_dump(exclude={"usd_per_gpu_hour", "purchase_usd"}).items()
            if v is not None
        }
        return base.replace(**changes) if changes else base

    def check_gpu_ids(self, known: list[str]) -> None:
        """Unknown GPU ids in price tables are errors (with suggestions), not ignored entries."""
        for table in (self.usd_per_gpu_hour, self.purchase_usd):
            for gpu_id in table:
                if gpu_id not in known:
                    raise UnknownIdError("gpu", gpu_id, known)


def load_overrides(path: str | Path) -> Overrides:
    """Parse and validate an overrides file; every problem names file:line and the key."""
    from engine.yamlsafe import Problem, YamlProblems, load_yaml_file

    doc = load_yaml_file(path)
    data = doc.data
    if data is None:
        return Overrides()
    if not isinstance(data, dict):
        raise YamlProblems([doc.locator.problem((), "expected a mapping of setting: value at the top level")])
    try:
        return Overrides.model_validate(data)
    except ValidationError as err:
        problems = []
        for e in err.errors():
            loc = tuple(e["loc"])
            if e["type"] == "extra_forbidden":
                allowed = ", ".join(sorted(Overrides.model_fields))
                msg = f"unknown setting '{loc[-1]}' (allowed: {allowed})"
                problems.append(doc.locator.problem(loc, msg, key=True))
            else:
                problems.append(doc.locator.problem(loc, f"{e['msg']} (got {e.get('input')!r})"))
        raise YamlProblems(problems) from None
    except Exception as err:  # pragma: no cover - defensive: never a traceback
        raise YamlProblems([Problem(doc.file, 0, 0, "", str(err))]) from None
