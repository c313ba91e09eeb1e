"""How fast the wizard is ready, against a bare Textual app measured in the same run.

Prints::

    startup_ratio=<float>        time from process start to the first interactive
                                 screen: `sizewise` (no arguments) / a bare Textual
                                 app with one screen (goal <= 1.5); every start
                                 after the first, which replays the rules snapshot
                                 (advisor.session_cache.CachedRulebookBackend)
    startup_ratio_first_start=<float>  the same on the very first start (no
                                 snapshot yet: the rulebook is loaded up front)
    peak_memory_ratio=<float>    peak RSS at that moment, same ratio (goal <= 2)
    preview_update_ms=<float>    median time of one live-panel update with the real
                                 rulebook and pipeline, cache missed (goal < 50)

plus the absolute figures. Each app runs in a fresh interpreter, headless
(80x24), and reports when its first screen has been painted; runs alternate
between the two apps and the medians are compared, so machine load affects
both alike. The wizard run goes through ``advisor.cli.main([])`` exactly as
``sizewise`` does, with only the terminal check bypassed (there is no
terminal here) and the draft directory pointed at a temporary one.

Usage: python benchmarks/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Runs in the child: report (wall clock, peak RSS) once the first screen is painted, then exit.
_REPORT = """
import json, resource, sys, time
def _ready(app):
    def report():
        print(json.dumps({"ready": time.time(), "rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}), flush=True)
        app.exit(0)
    app.call_after_refresh(report)
"""

BARE = _REPORT + """
from textual.app import App
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

class One(Screen):
    def compose(self):
        yield Header()
        yield Static("hello")
        yield Footer()
    def on_mount(self):
        _ready(self.app)

class Bare(App):
    def on_mount(self):
        self.push_screen(One())

Bare().run(headless=True, size=(80, 24))
"""

WIZARD = _REPORT + """
import advisor.commands.wizard as wizard
wizard._interactive = lambda: True          # no terminal in a benchmark
from textual.app import App
_run = App.run
def run(self, *args, **kwargs):
    from advisor.tui.screens.base import WizardScreen
    mount = WizardScreen.on_mount
    def on_mount(screen):
        mount(screen)
        _ready(screen.app)
    WizardScreen.on_mount = on_mount
    return _run(self, headless=True, size=(80, 24))
App.run = run
from advisor.cli import main
main([])
"""


def once(code: str, env: dict) -> tuple[float, float]:
    start = time.time()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    line = next((l for l in proc.stdout.splitlines() if l.startswith("{")), None)
    if line is None:
        raise SystemExit(f"benchmark child failed:\n{proc.stdout}\n{proc.stderr}")
    data = json.loads(line)
    return data["ready"] - start, data["rss_kib"] / 1024


def preview_ms(samples: int = 15) -> float:
    """Median live-panel update (cache miss) over a complete set of answers."""
    sys.path.insert(0, str(ROOT))
    from advisor.session import WizardSession
    from advisor.session_backend import RulebookBackend

    session = WizardSession(RulebookBackend(generated_on="2026-01-01"), overrides={
        "task_complexity": "moderate", "quality_bar": "professional", "latency": "interactive",
        "requests_per_day": "200K", "input_tokens": "1500", "output_tokens": "300", "deployment": "cloud",
    })
    session.preview()  # warm: imports and catalogs load once per process
    times = []
    for i in range(samples):
        session.set_answer("requests_per_day", str(200_000 + 1000 * (i + 1)))  # a new value: cache miss
        start = time.perf_counter()
        assert session.preview() is not None
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as state:
        # Bytecode cached as for any installed program: without this, an environment that
        # sets PYTHONDONTWRITEBYTECODE recompiles every sizewise module on every start
        # while Textual (in site-packages) stays compiled, which is not what users meet.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["SIZEWISE_STATE_DIR"] = state
        once(BARE, env), once(WIZARD, env)  # warm the file cache and bytecode
        bare, wiz, cold = [], [], []
        for i in range(args.runs):
            bare.append(once(BARE, env))
            wiz.append(once(WIZARD, env))
            # first start ever: no rules snapshot in the state directory yet
            cold.append(once(WIZARD, {**env, "SIZEWISE_STATE_DIR": f"{state}/cold{i}"}))
    bare_s = statistics.median(t for t, _ in bare)
    wiz_s = statistics.median(t for t, _ in wiz)
    bare_mib = statistics.median(m for _, m in bare)
    wiz_mib = statistics.median(m for _, m in wiz)
    print(f"bare_textual_ready_s={bare_s:.3f}")
    print(f"wizard_ready_s={wiz_s:.3f}")
    print(f"bare_textual_peak_mib={bare_mib:.1f}")
    print(f"wizard_peak_mib={wiz_mib:.1f}")
    cold_s = statistics.median(t for t, _ in cold)
    print(f"wizard_first_start_ready_s={cold_s:.3f}")
    print(f"startup_ratio={wiz_s / bare_s:.3f}")
    print(f"startup_ratio_first_start={cold_s / bare_s:.3f}")
    print(f"peak_memory_ratio={wiz_mib / bare_mib:.3f}")
    print(f"preview_update_ms={preview_ms():.1f}")


if __name__ == "__main__":
    main()
