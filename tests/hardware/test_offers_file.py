"""`--offers FILE` (issue 10): a team's own offers merged over the catalog, with file:line errors."""

from __future__ import annotations

import json

import pytest

from advisor.cli import main
from engine import offers as offers_mod
from engine.offers import clear_user_offers, load_offers, shipped_offers, use_offer_file

ROW = """\
- provider: {provider}
  instance_type: "{itype}"
  gpu: h100-sxm
  gpus_per_instance: 8
  region: us-east-1
  network_gb_per_s: 400
  network: {{source: "our network team", as_of: "2026-11"}}
  prices:
    on_demand: {{usd_per_hour: {price}, source: "our contract", as_of: "2026-11"}}
"""


@pytest.fixture(autouse=True)
def _shipped_only():
    clear_user_offers()
    yield
    clear_user_offers()


def _file(tmp_path, *rows):
    path = tmp_path / "offers.yaml"
    path.write_text("schema_version: 1\noffers:\n" + "".join(ROW.format(**r) for r in rows), encoding="utf-8")
    return path


def test_a_user_row_replaces_the_catalog_row_of_the_same_provider_and_instance_type(tmp_path):
    shipped_p5 = next(o for o in shipped_offers() if o.instance_type == "p5.48xlarge")
    use_offer_file(_file(tmp_path, dict(provider="aws", itype="p5.48xlarge", price=40.0)))
    p5 = [o for o in load_offers() if o.provider == "aws" and o.instance_type == "p5.48xlarge"]
    assert len(p5) == 1 and p5[0].prices["on_demand"].usd_per_hour == 40.0 != shipped_p5.prices["on_demand"].usd_per_hour
    assert p5[0].prices["on_demand"].source == "our contract"
    assert len(load_offers()) == len(shipped_offers())  # replaced, not added


def test_a_new_provider_is_added_and_estimate_prices_on_it(tmp_path, capsys):
    path = _file(tmp_path, dict(provider="coreweave", itype="gd-8xh100ib-i128", price=49.24))
    code = main(["estimate", "--model", "70b", "--gpu", "h100-sxm", "--format", "json",
                 "--offers", str(path), "--providers", "coreweave"])
    assert code == 0
    offer = json.loads(capsys.readouterr().out)["offer"]
    assert (offer["provider"], offer["instance_type"], offer["usd_per_instance_hour"]) == ("coreweave", "gd-8xh100ib-i128", 49.24)
    # monthly = instances x hourly x 730
    assert offer["monthly_usd"] == pytest.approx(offer["instances"] * 49.24 * 730, rel=0.01)


def test_recommend_uses_the_cheaper_contract_price(tmp_path, capsys):
    answers = tmp_path / "answers.yaml"
    answers.write_text("task_complexity: complex\nquality_bar: expert\nlatency: interactive\nrequests_per_day: 2000000\n"
                       "input_tokens: 1500\noutput_tokens: 300\ndeployment: cloud\nproviders: [aws]\n", encoding="utf-8")
    assert main(["recommend", "--answers", str(answers), "--format", "json"]) == 0
    before = json.loads(capsys.readouterr().out)
    clear_user_offers()
    path = _file(tmp_path, dict(provider="aws", itype="p5.48xlarge", price=1.0))
    assert main(["recommend", "--answers", str(answers), "--format", "json", "--offers", str(path)]) == 0
    after = json.loads(capsys.readouterr().out)
    top = after["recommendation"]["candidates"]
    used = [c["offer"] for c in top if c.get("offer") and c["offer"]["instance_type"] == "p5.48xlarge"]
    assert used and all(o["usd_per_instance_hour"] == 1.0 and o["source"] == "our contract" for o in used)
    assert json.dumps(after) != json.dumps(before)


@pytest.mark.parametrize("text, expected", [
    ("schema_version: 1\noffers:\n- provider: aws\n  instance_type: x\n  gpu: h100-sxm\n  gpus_per_instance: eight\n",
     ":6:22: offers[0].gpus_per_instance"),
    ("schema_version: 1\noffers:\n- provider: aws\n  instance_type: x\n  gpu: h999\n  gpus_per_instance: 8\n"
     "  region: r\n  network_gb_per_s: 1\n  network: {source: ours, as_of: '2026-11'}\n"
     "  prices: {on_demand: {usd_per_hour: 1, source: ours, as_of: '2026-11'}}\n", ":5:8: offers[0].gpu"),
    ("offers: [1, 2\n", "offers.yaml:2:1: invalid YAML"),
    ("- just a list\n", "expected a mapping"),
])
def test_a_malformed_offers_file_is_file_line_and_exit_2(tmp_path, capsys, text, expected):
    path = tmp_path / "offers.yaml"
    path.write_text(text, encoding="utf-8")
    for argv in (["estimate", "--model", "7b", "--gpu", "h100-sxm", "--offers", str(path)],
                 ["recommend", "--set", "task_complexity=simple", "--set", "quality_bar=acceptable",
                  "--set", "latency=interactive", "--set", "requests_per_day=500", "--set", "input_tokens=500",
                  "--set", "output_tokens=200", "--set", "deployment=cloud", "--offers", str(path)]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert expected in err and "Traceback" not in err
    assert offers_mod._user_offers == ()  # a refused file is not used
