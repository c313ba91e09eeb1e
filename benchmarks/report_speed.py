"""Time from answers to a finished report, in-process and as a command.

Prints, for the golden cases in rules/cases/ (and a plain seven-answer file):
* in-process: ``recommend()`` + Markdown rendering, with the rulebook loaded once
  and the engine warm (what the wizard pays per update after the first);
* the first, cold in-process call (imports, catalogs, engine caches);
* as a command: ``python -m advisor recommend --answers FILE`` wall time (a fresh
  interpreter every time, so it includes start-up and cold caches);
* where the time goes: the engine sweeps vs everything else (rules, assembly, rendering).

Ends with the lines ``report_in_process_ms=<float>`` (median over cases of the
median of repeated warm runs), ``report_command_ms=<float>`` (median),
``recommend_cli_ms=<float>`` (the same cold command: `sizewise recommend`'s wall
time from the shell, issue 10's goal < 300 ms), ``configurations_searched=<int>``
(engine configurations the sweeps evaluated for the plain answers) and
``offer_fits=<int>`` (configuration x offer pricings). Goal: under 100 ms in-process.
"""

from __future__ import annotations

import statistics
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PLAIN = {
    "task_complexity": "moderate",
    "quality_bar": "professional",
    "latency": "interactive",
    "requests_per_day": 200000,
    "input_tokens": 1500,
    "output_tokens": 300,
    "deployment": "cloud",
}


def _cases() -> list[tuple[str, dict]]:
    from engine.yamlsafe import load_yaml_file

    out = [("plain-seven-answers", PLAIN)]
    for f in sorted((ROOT / "rules" / "cases").glob("*.yaml")):
        out.append((f.stem, dict(load_yaml_file(f).data["answers"])))
    return out


def main(repeats: int = 5, command_runs: int = 3) -> None:
    t0 = time.perf_counter()
    from advisor.pipeline import recommend
    from advisor.report import render
    from advisor.pipeline import engine_search
    from advisor.rulebook import load_rulebook

    rb = load_rulebook()
    cases = _cases()
    name0, answers0 = cases[0]
    t1 = time.perf_counter()
    render(recommend(answers0, rb, generated_on="2026-01-01"), "markdown")
    cold_ms = (time.perf_counter() - t1) * 1000
    print(f"imports+rules: {(t1 - t0) * 1000:.1f} ms; first report (cold engine caches): {cold_ms:.1f} ms")

    # instrument the engine search to split engine time from the rest
    spent = {"search_ms": 0.0, "calls": 0}
    original = engine_search.EngineSearch.search

    def timed(self, *a, **kw):
        s = time.perf_counter()
        try:
            return original(self, *a, **kw)
        finally:
            spent["search_ms"] += (time.perf_counter() - s) * 1000
            spent["calls"] += 1

    engine_search.EngineSearch.search = timed
    per_case = []
    print(f"{'case':40s} {'median ms':>10s} {'engine ms':>10s} {'sweeps':>7s} {'other ms':>9s}")
    for name, answers in cases:
        times, engine_ms = [], []
        for _ in range(repeats):
            spent["search_ms"], spent["calls"] = 0.0, 0
            s = time.perf_counter()
            render(recommend(answers, rb, generated_on="2026-01-01"), "markdown")
            times.append((time.perf_counter() - s) * 1000)
            engine_ms.append(spent["search_ms"])
        med = statistics.median(times)
        other = statistics.median(t - e for t, e in zip(times, engine_ms))
        per_case.append(med)
        print(f"{name:40s} {med:10.1f} {statistics.median(engine_ms):10.1f} {spent['calls']:7d} {other:9.1f}")
    engine_search.EngineSearch.search = original

    configs, fits = _search_counts(rb, answers0)
    cmd_times = []
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "answers.yaml"
        f.write_text("".join(f"{k}: {v}\n" for k, v in PLAIN.items()))
        for _ in range(command_runs):
            s = time.perf_counter()
            r = subprocess.run(
                [sys.executable, "-m", "advisor", "recommend", "--answers", str(f), "--date", "2026-01-01"],
                capture_output=True, text=True, cwd=ROOT,
                # bytecode cached, as a user meets it (see benchmarks/engine_speed.py)
                env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
            )
            cmd_times.append((time.perf_counter() - s) * 1000)
            if r.returncode != 0:
                raise SystemExit(f"command failed: {r.stderr}")
    print(f"command runs (ms): {', '.join(f'{t:.0f}' for t in cmd_times)}")
    print(f"report_in_process_ms={statistics.median(per_case):.1f}")
    print(f"report_command_ms={statistics.median(cmd_times):.1f}")
    print(f"recommend_cli_ms={statistics.median(cmd_times):.1f}")
    print(f"configurations_searched={configs}")
    print(f"offer_fits={fits}")


def _search_counts(rb, answers) -> tuple[int, int]:
    """(configurations the engine sweeps returned, configuration x offer pricings) for one full recommendation."""
    from advisor.pipeline import recommend
    from engine import offer_fit, sweep

    counts = {"configs": 0, "fits": 0}
    originals = {"sweep": sweep.sweep, "cloud": offer_fit.cloud_fit, "owned": offer_fit.owned_fit}

    def counted_sweep(*a, **kw):
        out = originals["sweep"](*a, **kw)
        counts["configs"] += len(out)
        return out

    def counted(fn):
        def inner(*a, **kw):
            counts["fits"] += 1
            return fn(*a, **kw)
        return inner

    sweep.sweep, offer_fit.cloud_fit, offer_fit.owned_fit = counted_sweep, counted(originals["cloud"]), counted(originals["owned"])
    try:
        recommend(answers, rb, generated_on="2026-01-01")
    finally:
        sweep.sweep, offer_fit.cloud_fit, offer_fit.owned_fit = originals["sweep"], originals["cloud"], originals["owned"]
    return counts["configs"], counts["fits"]


if __name__ == "__main__":
    main()
