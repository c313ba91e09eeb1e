"""A team's own numbers (negotiated prices, utilisation, power cost) from a YAML file.

Why pydantic with ``extra='forbid'``: a misspelt key (``pue_factor``) must be an
error naming the file, line and key, not a silently ignored setting that leaves
the estimate on defaults. The file is read with engine/yamlsafe.py (size limit,
duplicate keys, alias bombs, positions).

Why strict numbers: ``pue: "1.2"`` is a string in YAML; accepting it would make
this file the one place where quoting changes nothing, while the rule and
answers files (pydantic ``strict=True``) refuse it. Numbers are written bare
(``1e6`` is a number too: engine/yamlsafe.py reads YAML 1.2 floats).

GPU ids in the price tables resolve like ``--gpu`` (case-insensitive, aliases)
and are stored under the catalog id, so ``H100-SXM`` and ``h100-sxm5`` price
the same GPU the estimate runs on. Example::

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

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from engine.defaults import Assumptions
from engine.errors import InputError, UnknownIdError, shown

def _flag_bound(field: str):
    """A float bounded exactly like the CLI flag of ``BOUNDS[field]``, refused in check_bound's wording.

    Why by import: the flags, ``EstimateRequest`` and this file must agree on
    what is absurd (``target_utilisation: 1e-300`` once gave 5e300 replicas
    while ``--utilisation`` refused anything under 0.01), so the bound lives in
    one table, engine.request.BOUNDS, and this file only names the field.
    """
    from engine.request import check_bound

    def check(value: float) -> float:
        try:
            check_bound(field, value, label="-")
        except InputError as err:  # the YAML path names the key: "x.yaml:3:5: pue: 0 is too small (...)"
            raise ValueError(str(err).removeprefix("-: ")) from None
        return value

    return Annotated[float, Field(allow_inf_nan=False), AfterValidator(check)]


Price = _flag_bound("usd_per_gpu_hour")
#: no flag sets these: bounds that only keep out the absurd (a GPU under $100, amortised in under 3 months)
Purchase = Annotated[float, Field(ge=100, le=10_000_000, allow_inf_nan=False)]


class Overrides(BaseModel):
    """Every key is optional; anything not given keeps its default from assumptions.yaml / the catalog."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    usd_per_gpu_hour: dict[str, Price] = Field(default_factory=dict, description="cloud price per GPU id")
    purchase_usd: dict[str, Purchase] = Field(default_factory=dict, description="purchase price per GPU id")
    target_utilisation: _flag_bound("utilisation") | None = None
    peak_to_average: _flag_bound("peak_to_average") | None = None
    prefix_cache_hit_rate: _flag_bound("prefix_cache_hit_rate") | None = None
    amortisation_years: Annotated[float, Field(ge=0.25, le=20, allow_inf_nan=False)] | None = None
    usd_per_kwh: Annotated[float, Field(ge=0, le=10, allow_inf_nan=False)] | None = None
    pue: Annotated[float, Field(ge=1, le=5, allow_inf_nan=False)] | None = None
    host_power_factor: Annotated[float, Field(ge=1, le=5, allow_inf_nan=False)] | None = None
    hosting_usd_per_gpu_month: Annotated[float, Field(ge=0, le=100_000, allow_inf_nan=False)] | None = None
    ttft_target_s: _flag_bound("ttft_target_s") | None = None
    tpot_target_ms: _flag_bound("tpot_target_ms") | None = None

    def apply(self, base: Assumptions) -> Assumptions:
        """The assumptions with this file's scalar values in place (sources say 'user override')."""
        changes = {
            k: float(v)
            for k, v in self.model_dump(exclude={"usd_per_gpu_hour", "purchase_usd"}).items()
            if v is not None
        }
        return base.replace(**changes) if changes else base

    def check_gpu_ids(self, known: list[str]) -> None:
        """Unknown GPU ids in price tables are errors (with suggestions), not ignored entries.

        :func:`load_overrides` already resolved the ids to catalog ids; this
        checks an ``Overrides`` built in code against the GPUs a caller knows
        (compared case-insensitively, as ``--gpu`` does).
        """
        lowered = {k.lower() for k in known}
        for table in (self.usd_per_gpu_hour, self.purchase_usd):
            for gpu_id in table:
                if gpu_id.lower() not in lowered:
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
        overrides = Overrides.model_validate(data)
    except ValidationError as err:
        problems = []
        for e in err.errors():
            loc = tuple(e["loc"])
            if e["type"] == "extra_forbidden":
                allowed = ", ".join(sorted(Overrides.model_fields))
                msg = f"unknown setting '{shown(loc[-1])}' (allowed: {allowed})"
                problems.append(doc.locator.problem(loc, msg, key=True))
            elif isinstance(e.get("input"), str) and e["type"] in _NOT_A_NUMBER:
                msg = f"expected a number, got the string {shown(repr(e['input']))}; write it without quotes"
                problems.append(doc.locator.problem(loc, msg))
            elif e["type"] == "value_error":  # a bound shared with a flag: check_bound's message as it is
                problems.append(doc.locator.problem(loc, str(e["ctx"]["error"])))
            else:
                problems.append(doc.locator.problem(loc, f"{e['msg']} (got {shown(repr(e.get('input')))})"))
        raise YamlProblems(problems) from None
    except Exception as err:  # pragma: no cover - defensive: never a traceback
        raise YamlProblems([Problem(doc.file, 0, 0, "", str(err))]) from None
    return _with_catalog_gpu_ids(overrides, doc)


#: pydantic error types for "a string where a number belongs" (strict mode)
_NOT_A_NUMBER = {"float_type", "int_type", "float_parsing", "int_parsing"}


def _with_catalog_gpu_ids(overrides: Overrides, doc) -> Overrides:
    """The price tables keyed by catalog GPU id; unknown or repeated GPUs are file:line problems."""
    from engine.catalog import resolve_gpu
    from engine.yamlsafe import YamlProblems

    problems = []
    changes = {}
    for table_name in ("usd_per_gpu_hour", "purchase_usd"):
        table: dict[str, float] = {}
        first: dict[str, str] = {}
        for given, value in getattr(overrides, table_name).items():
            where = (table_name, given)
            try:
                gpu_id = resolve_gpu(given).id
            except UnknownIdError as err:
                problems.append(doc.locator.problem(where, str(err), key=True))
                continue
            if gpu_id in table:
                line, _ = doc.locator.position((table_name, first[gpu_id]), key=True)
                problems.append(doc.locator.problem(
                    where, f"'{shown(given)}' is the same GPU as '{shown(first[gpu_id])}' (line {line}): {gpu_id}",
                    key=True))
                continue
            table[gpu_id], first[gpu_id] = value, given
        changes[table_name] = table
    if problems:
        raise YamlProblems(problems)
    return overrides.model_copy(update=changes)
