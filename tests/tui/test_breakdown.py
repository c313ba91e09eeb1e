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


SMALL_RUNGS_PLANNED = {"task_complexity": "simple", "quality_bar": "acceptable", "latency": "batch",
                       "requests_per_day": "500K", "input_tokens": "2000", "output_tokens": "300",
                       "deployment": "cloud", "planned_model": "Qwen/Qwen3-8B"}


@pytest.mark.parametrize("answers", [ANSWERS, SMALL_RUNGS_PLANNED], ids=["13b-start", "small-rungs-planned"])
def test_every_result_row_breaks_down_as_its_costed_model_and_fleet(answers):
    """Each row of the Result screen (a 1-3B rung, the recommended '7B *', the planned model's row)
    breaks down as the model that row is costed by, at the fleet the recommendation sized: the
    estimate the breakdown prints gives the same replicas (a 1B rung has no generic shape to fall
    back on; a 13B costed as Gemma-3-12B is not the generic 13B shape)."""
    from advisor.cli import main

    backend = RulebookBackend(generated_on=DAY)
    rec = backend.recommendation(answers)
    by_label = {c.size.upper(): c for c in rec.recommendation.candidates}
    rows = backend.result(answers).candidate_rows
    assert any(r[0].endswith(" *") for r in rows)
    for row in rows:
        label = row[0].removesuffix(" *")
        cand = rec.planned_model if label.startswith("planned: ") else by_label[label]
        shown = backend.breakdown(answers, row[0])
        if not cand.fits:
            assert shown is None
            continue
        assert shown is not None, row[0]
        args = shlex.split(shown.command)[1:]
        assert args[args.index("--model") + 1] == cand.costed_model, row[0]
        assert cand.costed_model in shown.title
        out = io.StringIO()
        with redirect_stdout(out):
            assert main([*args, "--format", "json"]) == 0
        e = json.loads(out.getvalue())
        assert e["model"]["id"] == cand.costed_model
        assert e["deployment"]["replicas"] == cand.replicas, row[0]
    labels = [r[0] for r in rows]
    if answers is SMALL_RUNGS_PLANNED:
        assert labels[:2] == ["1B", "3B"] and "planned: Qwen/Qwen3-8B" in labels


async def test_enter_on_a_small_rung_opens_its_breakdown():
    """The crash the issue-11 walk found: Enter on the 1B row raised 'unknown model 1b'."""
    from advisor.tui.app import SizewiseApp
    from advisor.tui.screens.breakdown import BreakdownScreen

    app = SizewiseApp(RulebookBackend(generated_on=DAY), overrides=SMALL_RUNGS_PLANNED)
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
        assert app.screen.breakdown.title.startswith("1B (Qwen/Qwen3-0.6B)")


async def test_a_breakdown_that_fails_is_a_message_not_a_crash(monkeypatch):
    from advisor.tui.app import SizewiseApp
    from advisor.tui.screens.breakdown import BreakdownScreen
    from engine.errors import InputError

    backend = RulebookBackend(generated_on=DAY)

    def broken(answers, size):
        raise InputError("the engine refused this configuration")

    monkeypatch.setattr(backend, "breakdown", broken)
    app = SizewiseApp(backend, overrides=ANSWERS)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(5):
            await pilot.press("ctrl+n")
            await pilot.pause()
        app.screen.query_one("#candidates").focus()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, BreakdownScreen)
        assert app.session.step_id == "result"
        assert any("the engine refused this configuration" in str(n.message) for n in app._notifications)
