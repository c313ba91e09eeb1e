"""Default assumptions (utilisation, PUE, $/kWh, amortisation, hosting, latency targets).

Why a data file: every number the engine assumes must be visible, sourced and
dated (engine/data/assumptions.yaml), and a team must be able to replace it with
its own (engine/overrides.py). Code reads the values through
:func:`load_assumptions`, never from literals.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from engine import snapshot
from engine.errors import ConfigError

FIELDS = (
    "target_utilisation", "peak_to_average", "prefix_cache_hit_rate", "hours_per_month",
    "amortisation_years", "usd_per_kwh", "pue", "host_power_factor", "hosting_usd_per_gpu_month",
    "memory_headroom", "max_batch_sequences", "ttft_target_s", "tpot_target_ms", "training_mfu",
    "inter_node_gb_per_s", "inter_node_latency_us",
)


@dataclasses.dataclass(frozen=True)
class Assumptions:
    """Plain floats used by fleet and cost; ``sources`` maps each field to its provenance."""

    target_utilisation: float
    peak_to_average: float
    prefix_cache_hit_rate: float
    hours_per_month: float
    amortisation_years: float
    usd_per_kwh: float
    pue: float
    host_power_factor: float
    hosting_usd_per_gpu_month: float
    memory_headroom: float
    max_batch_sequences: float
    ttft_target_s: float
    tpot_target_ms: float
    training_mfu: float
    inter_node_gb_per_s: float
    inter_node_latency_us: float
    sources: dict[str, str] = dataclasses.field(default_factory=dict, compare=False)
    as_of: str = ""

    def replace(self, **changes: float) -> "Assumptions":
        """Copy with ``changes``; their source becomes 'user override'."""
        sources = dict(self.sources)
        for key in changes:
            sources[key] = "user override"
        return dataclasses.replace(self, sources=sources, **changes)


T = TypeVar("T")


def load_packaged_yaml(name: str, parse: Callable[[Any], T]) -> T:
    """Parse the shipped file engine/data/``name`` and hand it to ``parse``.

    Why one helper: the packaged data files (assumptions, efficiency, article) are
    part of the install, so any failure to read, parse or interpret one is a
    packaging bug; it is said plainly as one ConfigError naming the file. The
    parsed document comes from the compiled snapshot when that matches the file's
    bytes (engine/snapshot.py: no PyYAML import at start-up), else from the YAML.
    """
    try:
        document = snapshot.section(name)
        if document is None:
            import yaml

            try:
                text = (snapshot.DATA_DIR / name).read_text(encoding="utf-8")
                document = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
            except yaml.YAMLError as err:
                raise ConfigError(f"engine/data/{name} is unusable: {err}") from None
        return parse(document)
    except (OSError, KeyError, TypeError, ValueError) as err:
        raise ConfigError(f"engine/data/{name} is unusable: {err}") from None


def _parse_assumptions(raw: Any) -> Assumptions:
    items = raw["assumptions"]
    values = {name: float(items[name]["value"]) for name in FIELDS}
    sources = {name: " ".join(str(items[name]["source"]).split()) for name in FIELDS}
    return Assumptions(**values, sources=sources, as_of=str(raw.get("as_of", "")))


@functools.lru_cache(maxsize=1)
def load_assumptions() -> Assumptions:
    """The shipped defaults (cached; the file is part of the package)."""
    return load_packaged_yaml("assumptions.yaml", _parse_assumptions)
