"""Enter on a candidate opens its breakdown, with the figures `sizewise estimate` prints for it."""

from __future__ import annotations

import io
import json
import shlex
from contextlib import redirect_stdout

import pytest

from advisor.breakdown import Breakdown
from advisor.session_backend import RulebookBackend

DAY = "2026-11-27"
ANSWERS = {"task_complexity": "moderate", "quality_bar": "professional", "latency": "interactive",
           "requests_per_day": "200K", "input_tokens": "1500", "output_tokens": "300", "deployment": "cloud"}
FIXED = Breakdown(title="7B on NVIDIA A100 SXM4 40GB", command="sizewise estimate --model 7b --gpu a100-40gb --gpus 1",
                  memory=("weights      7.00 GB", "KV cache     27.84 GB", "overhead     1.60 GB"),
                  throughput=("prefill      0.107 s", "decode       28.64 ms/step", "concurrency  59 of max 68"),
                  cost=("offer        3 x Lambda gpu_1x_a100", "instances    3 replicas", "$/M tokens   1.548 output"))


async def test_enter_on_a_candidate_shows_the_estimate_figures(tmp_path):
    from advisor.cli import main
    from advisor.tui.app import SizewiseApp
    from advisor.tui.screens.breakdown import BreakdownScreen

    backend = RulebookBackend(generated_on=DAY)
    app = SizewiseApp(backend, overrides=ANSWERS)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(5):
            await pilot.press("ctrl+n")
            await pilot.pause()
        assert app.session.step_id == "result"
        app.screen.query_one("#candidates").focus()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BreakdownScreen)
        shown = app.screen.breakdown
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, BreakdownScreen)
    out = io.StringIO()
    with redirect_stdout(out):
        assert main([*shlex.split(shown.command)[1:], "--format", "json"]) == 0
    e = json.loads(out.getvalue())
    text = "\n".join(shown.memory + shown.throughput)
    for figure in (e["memory"]["weights_gb"], e["memory"]["kv_cache_gb"], e["memory"]["overhead_gb"],
                   e["performance"]["decode_step_ms"]):
        assert f"{figure:,.2f}" in text
    assert f"{e['performance']['prefill_s']:,.3f}" in text
    assert f"concurrency  {e['performance']['concurrency']} " in text


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_breakdown_snapshot(snap_compare, make_app, size):
    from advisor.tui.screens.breakdown import BreakdownScreen

    async def run_before(pilot) -> None:
        pilot.app.push_screen(BreakdownScreen(FIXED))
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)
