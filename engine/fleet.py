"""Demand -> replicas and GPUs.

Why separate from performance: a replica's capacity is physics (engine/performance.py);
how many replicas a business needs is arithmetic on its demand (requests per day,
tokens per request, peak-to-average ratio, target utilisation). Keeping the two
apart lets the same replica figures serve any demand, and keeps this arithmetic
exact and testable.

Formulas (docs/methodology.md, "Fleet"):

* average request rate ``r = requests_per_day / 86,400``; peak ``r x peak_to_average``
* replica capacity in requests/s ``= output tokens/s of one replica / output tokens per request``
  (that throughput already includes the replica's prefill work)
* ``replicas = max(1, ceil(peak rate / (replica capacity x target utilisation)))``
* fleet utilisation (drives owned power) ``= average rate / (replicas x replica capacity)``
"""

from __future__ import annotations

import math
from typing import NamedTuple

SECONDS_PER_DAY = 86_400.0
DAYS_PER_MONTH = 365.0 / 12.0


class Demand(NamedTuple):
    requests_per_day: float
    input_tokens: float  # per request
    output_tokens: float  # per request
    peak_to_average: float
    target_utilisation: float
    prefix_cache_hit_rate: float = 0.0  # fraction of input tokens served from a shared-prefix cache


class Fleet(NamedTuple):
    replicas: int
    total_gpus: int
    peak_requests_per_s: float
    average_requests_per_s: float
    replica_requests_per_s: float
    fleet_utilisation: float  # average busy fraction of the fleet's capacity
    output_tokens_per_month: float
    input_tokens_per_month: float


def prefill_tokens(input_tokens: float, prefix_cache_hit_rate: float) -> float:
    """Input tokens that must actually be prefilled after the shared-prefix cache."""
    return input_tokens * (1.0 - prefix_cache_hit_rate)


def size_fleet(demand: Demand, replica_output_tokens_per_s: float, gpus_per_replica: int) -> Fleet:
    """Replicas and GPUs for ``demand`` given one replica's sustained output tokens/s."""
    avg_rps = demand.requests_per_day / SECONDS_PER_DAY
    peak_rps = avg_rps * demand.peak_to_average
    per_replica_rps = replica_output_tokens_per_s / demand.output_tokens
    usable = per_replica_rps * demand.target_utilisation
    # the 1e-9 keeps an exact fit (peak == k x usable) from rounding up a replica on float noise
    replicas = max(1, math.ceil(peak_rps / usable - 1e-9)) if usable > 0 else 1
    utilisation = avg_rps / (replicas * per_replica_rps) if per_replica_rps > 0 else 1.0
    month_requests = demand.requests_per_day * DAYS_PER_MONTH
    return Fleet(
        replicas=replicas,
        total_gpus=replicas * gpus_per_replica,
        peak_requests_per_s=peak_rps,
        average_requests_per_s=avg_rps,
        replica_requests_per_s=per_replica_rps,
        fleet_utilisation=min(1.0, utilisation),
        output_tokens_per_month=month_requests * demand.output_tokens,
        input_tokens_per_month=month_requests * demand.input_tokens,
    )
