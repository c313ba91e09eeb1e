"""Save answers under a name, load them back, compare two saved scenarios (advisor.scenarios)."""

from __future__ import annotations

import pytest

from advisor import scenarios
from advisor.errors import UserError
from advisor.session import WizardSession
from advisor.session_backend import RulebookBackend

BASE = {"task_complexity": "moderate", "quality_bar": "professional", "latency": "interactive",
        "requests_per_day": "200K", "input_tokens": "1500", "output_tokens": "300", "deployment": "cloud"}


def test_compare_two_saved_scenarios():
    backend = RulebookBackend(generated_on="2026-11-27")
    for name, changes in (("interactive", {}), ("batch", {"latency": "batch", "requests_per_day": "2M"})):
        scenarios.save_scenario(name, WizardSession(backend, overrides={**BASE, **changes}, cursor=4).snapshot())
    assert scenarios.list_scenarios() == ["batch", "interactive"]
    c = scenarios.compare(backend, "interactive", "batch")
    prompts = [row[0] for row in c.differences]
    assert any("requests" in p.lower() for p in prompts) and len(prompts) >= 2
    for side, answers in ((c.a, BASE), (c.b, {**BASE, "latency": "batch", "requests_per_day": "2M"})):
        rec = backend.recommendation(WizardSession(backend, overrides=answers).given_answers())
        best = next(x for x in rec.recommendation.candidates if x.size == rec.recommendation.recommended_size)
        assert side.recommended == rec.recommendation.recommended_size.upper() and side.monthly_usd == best.monthly_usd
    text = "\n".join(scenarios.comparison_lines(c))
    assert "Recommended size" in text and f"${c.a.monthly_usd:,.2f}/month" in text


def test_bad_names_and_missing_scenarios_are_one_line():
    with pytest.raises(UserError, match="use 1-40 letters"):
        scenarios.check_name("../etc")
    with pytest.raises(UserError, match="not found"):
        scenarios.load_scenario("nothing-here")


async def test_save_then_load_in_the_app(make_app):
    from advisor.tui.screens.confirm import ConfirmDialog
    from advisor.tui.screens.scenarios import NameDialog, PickDialog

    app = make_app()
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        saved = dict(app.session.overrides)
        app.action_save_scenario()
        await pilot.pause()
        assert isinstance(app.screen, NameDialog)
        await pilot.press(*"first", "enter")
        await pilot.pause()
        assert scenarios.list_scenarios() == ["first"]
        app.session.set_answer("task_complexity", app.session.question("task_complexity").choices[0].value)
        app.action_load_scenario()
        await pilot.pause()
        assert isinstance(app.screen, PickDialog)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)  # replacing typed answers asks once
        await pilot.click("#confirm")
        await pilot.pause()
        assert app.session.overrides == saved


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_compare_snapshot(snap_compare, make_app, size):
    from advisor.scenarios import ScenarioComparison, Side, comparison_lines
    from advisor.tui.screens.scenarios import CompareScreen

    lines = comparison_lines(ScenarioComparison(Side("interactive", True, "13B", 876.0), Side("batch", True, "7B", 438.5),
                                                (("Latency", "interactive", "batch"), ("Requests per day", "200,000", "2,000,000"))))

    async def run_before(pilot) -> None:
        pilot.app.push_screen(CompareScreen(lines))
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)
