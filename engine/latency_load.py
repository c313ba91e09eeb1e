"""TTFT and TPOT at the planned load (p50 and p95), in closed form on the per-step costs of engine/performance.py.

Why: the fleet is sized so that each replica runs at the target utilisation at the
peak hour (65% by default). An empty replica's TTFT and TPOT (what
:func:`engine.performance.replica_perf` gives at a concurrency) understate what users
see then: requests arrive at random, queue for their prefill, and share each decode
step with however many others are in flight. Latency targets are checked at p95.

Model (Poisson arrivals at ``lambda = utilisation x capacity``, capacity = the
replica's requests/s at its chosen concurrency ``B``):

* **In flight.** Little's law on the decode phase: ``n = lambda x g x TPOT(n)``, solved by
  fixed-point iteration from ``n = utilisation x B``; capped at ``B`` (the scheduler
  never runs more). TPOT(n) is the replica's TPOT with ``n`` sequences, which already
  stretches decode by the prefills sharing the GPU (chunked-prefill interference).
* **TPOT.** p50 = TPOT(n); p95 = TPOT at the 95th percentile of the number in flight,
  Poisson(n) as in an M/G/infinity system, ``n + 1.645 sqrt(n)`` capped at ``B``.
* **TTFT.** Prefills queue first come first served, each taking one request's prefill
  time ``S``; the prefill stream is busy ``rho = lambda x S`` of the time. M/D/1
  (Pollaczek-Khinchine) mean wait ``W = rho S / (2 (1 - rho))``; the wait's tail is
  taken as exponential with ``P(wait > 0) = rho`` and conditional mean ``W / rho``, so
  the q-quantile is ``(W / rho) ln(rho / (1 - q))`` (0 when ``rho <= 1 - q``).
  **Slots.** A request also waits when all ``B`` sequence slots are taken: each holds a slot
  for ``T = prefill + g x TPOT(n)``, so the slots are an M/M/B queue with offered load
  ``lambda T``; Erlang C gives the probability of waiting and an exponential wait with
  rate ``B / T - lambda``. This dominates when ``B`` is small (long prompts, large models).
  TTFT = prefill wait + slot wait (their quantiles added: an upper bound on the quantile of
  the sum) + prefill + one TPOT at ``n`` + the fitted TTFT overhead (as at an empty replica).

benchmarks/simulate_load.py checks this against a discrete-event simulation of
continuous batching built on the same per-step costs (docs/methodology.md says where
the two agree and where they part).
"""

from __future__ import annotations

import math
from typing import Callable, NamedTuple

Z95 = 1.6448536269514722  # standard normal 95th percentile


class AtLoad(NamedTuple):
    utilisation: float
    ttft_p50_s: float
    ttft_p95_s: float
    tpot_p50_ms: float
    tpot_p95_ms: float
    in_flight: float  # mean sequences decoding at that load
    prefill_busy: float  # fraction of time the prefill stream is busy (rho)


def queue_wait_s(arrival_per_s: float, service_s: float, q: float) -> float:
    """q-quantile of the prefill queueing wait (M/D/1 mean, exponential tail); inf when the queue is unstable."""
    rho = arrival_per_s * service_s
    if rho <= 0.0:
        return 0.0
    if rho >= 1.0:
        return math.inf
    if rho <= 1.0 - q:
        return 0.0
    mean_wait = rho * service_s / (2.0 * (1.0 - rho))
    return mean_wait / rho * math.log(rho / (1.0 - q))


def erlang_c(servers: int, offered: float) -> float:
    """Probability that an arrival waits in an M/M/c queue with ``servers`` and offered load ``offered`` (Erlangs)."""
    if offered <= 0.0:
        return 0.0
    if offered >= servers:
        return 1.0
    b = 1.0  # Erlang B by the stable recursion, then Erlang C from it
    for k in range(1, servers + 1):
        b = offered * b / (k + offered * b)
    rho = offered / servers
    return b / (1.0 - rho + rho * b)


def slot_wait_s(arrival_per_s: float, hold_s: float, slots: int, q: float) -> float:
    """q-quantile of the wait for one of ``slots`` sequence slots, each held ``hold_s`` (M/M/c, Erlang C)."""
    offered = arrival_per_s * hold_s
    if offered >= slots:
        return math.inf
    p_wait = erlang_c(slots, offered)
    if p_wait <= 1.0 - q:
        return 0.0
    return math.log(p_wait / (1.0 - q)) / (slots / hold_s - arrival_per_s)


def ttft_p95_bound_s(ttft_empty_s: float, prefill_s: float, requests_per_s: float, utilisation: float) -> float:
    """TTFT p95 at ``utilisation`` for the concurrency search: the empty-replica TTFT at the full batch plus the p95 prefill wait.

    A few float operations per configuration. TTFT at load is at most the TTFT at the
    full batch ``B`` plus the queueing wait; the slot wait (Erlang C, O(B)) is left to
    :func:`at_load`, which the estimate reports and warns on.
    """
    return ttft_empty_s + queue_wait_s(utilisation * requests_per_s, prefill_s, 0.95)


def at_load(perf_at: Callable[[float], tuple], batch: float, utilisation: float, output_tokens: float,
            ttft_overhead_s: float) -> AtLoad:
    """p50/p95 TTFT and TPOT at ``utilisation`` of a replica whose scheduler runs at most ``batch`` sequences.

    ``perf_at(n)`` is the replica's :class:`~engine.performance.PerfResult` with ``n`` sequences in flight.
    """
    g = output_tokens if output_tokens >= 1.0 else 1.0
    full = perf_at(batch)
    lam = utilisation * full.output_tokens_per_s / g  # requests/s arriving
    n = max(1.0, utilisation * batch)
    for _ in range(6):  # Little's law on the decode phase; converges in a few steps (TPOT rises slowly with n)
        n = min(batch, max(1.0, lam * g * perf_at(n).tpot_s))
    mid = perf_at(n)
    n95 = min(batch, n + Z95 * math.sqrt(n))
    hi = perf_at(n95) if n95 > n else mid
    service = mid.prefill_s
    slots, hold = max(1, int(batch)), service + g * mid.tpot_s
    w50 = queue_wait_s(lam, service, 0.50) + slot_wait_s(lam, hold, slots, 0.50)
    w95 = queue_wait_s(lam, service, 0.95) + slot_wait_s(lam, hold, slots, 0.95)
    base = service + mid.tpot_s + ttft_overhead_s  # as replica_perf's TTFT: prefill + one (stretched) decode step
    return AtLoad(utilisation, base + w50, base + w95, mid.tpot_s * 1000.0, hi.tpot_s * 1000.0, n, lam * service)
