"""Discrete-event simulation of continuous batching vs the closed form of engine/latency_load.py.

Usage: ``python benchmarks/simulate_load.py [--requests N] [--markdown]``. Prints, per configuration
and utilisation, TTFT and TPOT p50/p95 from the closed form and from the simulation, and their
ratio. Never asserts (a benchmark prints figures; docs/methodology.md quotes them).

Why a simulation: the closed form is an approximation (M/D/1 prefill queue with an exponential
tail, Little's law for the sequences in flight, Poisson spread of the batch). The simulation makes
none of those assumptions; it runs the *same per-step costs* (``replica_perf``'s one-request prefill
time and its decode-step time at each batch size) under a scheduler like vLLM's default:

* requests arrive as a Poisson process at ``utilisation x capacity`` (capacity = the replica's
  requests/s at the concurrency ``B`` the estimate chose);
* prefill first: when a request waits and fewer than ``B`` sequences run, the next step prefills it
  alone (no chunking), otherwise the step decodes every running sequence, taking
  ``decode_step(n)`` for ``n`` sequences;
* TTFT = the end of the first decode step after the request's prefill, minus its arrival, plus the
  profile's TTFT overhead (the closed form's definition: prefill + one step); TPOT = (finish - first
  token) / (g - 1).

Deterministic: a fixed seed per configuration.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.calibration import load_calibration  # noqa: E402
from engine.catalog import resolve_gpu, resolve_model  # noqa: E402
from engine.estimate import EstimateRequest, estimate, layout_for, prepare_gpu, prepare_model  # noqa: E402
from engine.latency_load import at_load  # noqa: E402
from engine.performance import replica_perf  # noqa: E402

CONFIGS = (  # (label, model, gpu, precision, input tokens, output tokens)
    ("Llama-3.1-8B, 1x H100, bf16, 2000/300", "meta-llama/Llama-3.1-8B", "h100-sxm", "bf16", 2000, 300),
    ("Llama-3.1-70B, H100, fp8, 2000/300", "meta-llama/Llama-3.1-70B", "h100-sxm", "fp8", 2000, 300),
    ("Qwen2.5-7B, 1x A100, bf16, 8000/200", "Qwen/Qwen2.5-7B", "a100-80gb", "bf16", 8000, 200),
)
UTILISATIONS = (0.3, 0.5, 0.65, 0.8)


def _pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))]


def simulate(prefill_s: float, step_s: list[float], batch: int, arrival_per_s: float, g: int, overhead_s: float,
             requests: int, seed: int) -> tuple[float, float, float, float]:
    """(TTFT p50, TTFT p95, TPOT p50, TPOT p95) in seconds over ``requests`` after a warm-up of a tenth of them."""
    rng = random.Random(seed)
    t, arrivals = 0.0, deque()
    nxt = rng.expovariate(arrival_per_s)
    running: list[list[float]] = []  # [arrival, tokens left, first token time (0 = not yet), needs first step]
    ttft, tpot, done = [], [], 0
    warm = requests // 10
    while done < requests + warm:
        while nxt <= t:
            arrivals.append(nxt)
            nxt += rng.expovariate(arrival_per_s)
        if arrivals and len(running) < batch:
            t += prefill_s
            running.append([arrivals.popleft(), float(g), 0.0])
            continue
        if not running:
            t = nxt
            continue
        t += step_s[len(running)]
        keep = []
        for r in running:
            r[1] -= 1.0
            if r[2] == 0.0:
                r[2] = t
            if r[1] <= 0.0:
                done += 1
                if done > warm:
                    ttft.append(r[2] - r[0] + overhead_s)
                    tpot.append((t - r[2]) / max(1.0, g - 1.0))
            else:
                keep.append(r)
        running = keep
    return _pct(ttft, 0.5), _pct(ttft, 0.95), _pct(tpot, 0.5), _pct(tpot, 0.95)


def compare(label, model_id, gpu_id, prec, s, g, requests: int) -> list[dict]:
    e = estimate(EstimateRequest(model=model_id, gpu=gpu_id, precision=prec, input_tokens=s, output_tokens=g)).as_dict()
    model, gpu = resolve_model(model_id), resolve_gpu(gpu_id)
    kvp = e["workload"]["kv_precision"]
    prep, gprep = prepare_model(model, prec, kvp), prepare_gpu(gpu, prec)
    lay = layout_for(model, gpu, prec, kvp, e["deployment"]["gpus_per_replica"])
    tp, pp = e["deployment"]["tensor_parallel"], e["deployment"]["pipeline_parallel"]
    eff = load_calibration().efficiency_for(gpu.vendor, prec)
    batch = int(e["performance"]["concurrency"] / e["deployment"]["data_parallel_in_replica"])

    def perf_at(n):
        return replica_perf(prep.perf, gprep.perf, eff, tp, pp, s, g, n)

    steps = [0.0] + [perf_at(n).decode_step_s for n in range(1, batch + 1)]
    full = perf_at(batch)
    out = []
    for i, u in enumerate(UTILISATIONS):
        cf = at_load(perf_at, batch, u, g, eff.ttft_overhead_s)
        lam = u * full.output_tokens_per_s / g
        sim = simulate(full.prefill_s, steps, batch, lam, g, eff.ttft_overhead_s, requests, seed=1000 + i)
        out.append({"config": f"{label} (TP {tp}, B {batch}, {lay.gpus_per_replica} GPU)", "utilisation": u,
                    "closed": (cf.ttft_p50_s, cf.ttft_p95_s, cf.tpot_p50_ms / 1e3, cf.tpot_p95_ms / 1e3), "sim": sim})
    return out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python benchmarks/simulate_load.py", description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=3000, help="requests measured per run (default 3000)")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table (for docs/methodology.md)")
    args = ap.parse_args(argv)
    rows = [r for c in CONFIGS for r in compare(*c, requests=args.requests)]
    head = ("| configuration | load | TTFT p50 s closed / sim | TTFT p95 s closed / sim | TPOT p50 ms closed / sim "
            "| TPOT p95 ms closed / sim |")
    print(head)
    print("|---|---|---|---|---|---|")
    for r in rows:
        c, m = r["closed"], r["sim"]
        cells = [f"{c[0]:.3f} / {m[0]:.3f}", f"{c[1]:.3f} / {m[1]:.3f}", f"{c[2] * 1e3:.1f} / {m[2] * 1e3:.1f}",
                 f"{c[3] * 1e3:.1f} / {m[3] * 1e3:.1f}"]
        print(f"| {r['config']} | {r['utilisation']:.0%} | " + " | ".join(cells) + " |")
    ratios = [r["closed"][k] / r["sim"][k] for r in rows for k in range(4) if r["sim"][k] > 0]
    print(f"\nclosed/sim ratio over all cells: median {statistics.median(ratios):.2f}, "
          f"min {min(ratios):.2f}, max {max(ratios):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
