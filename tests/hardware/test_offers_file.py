"""``--offers FILE`` on recommend and estimate: a team's own offers replace or extend the shipped ones."""

import json

import pytest

from advisor.cli import main
from engine.offers import load_offers, merge_offers, shipped_offers, use_offer_file

BASE = {"task_complexity": "moderate", "quality_bar": "professional", "latency": "interactive",
        "requests_per_day": 200000, "input_tokens": 1500, "output_tokens": 300, "deployment": "cloud"}

MY_P5 = """schema_version: 1
offers:
- provider: aws
  instance_type: "p5.48xlarge"
  gpu: h100-sxm
  gpus_per_instance: 8
  region: us-east-1
  network_gb_per_s: 400
  network: {source: "AWS P5 page", as_of: "2024-09"}
  prices:
    on_demand: {usd_per_hour: 11.5, source: "our negotiated AWS rate", as_of: "2026-11"}
- provider: coreweave
  instance_type: "gd-8xh100ib-i128"
  gpu: h100-sxm
  gpus_per_instance: 8
  region: us-east-04
  network_gb_per_s: 400
  network: {source: "CoreWeave HGX H100 page: 3.2 Tb/s InfiniBand", as_of: "2024-06"}
  prices:
    on_demand: {usd_per_hour: 9.0, source: "our CoreWeave quote", as_of: "2026-11"}
"""


@pytest.fixture(autouse=True)
def _shipped_offers_again():
    yield
    use_offer_file(None)


def test_merge_replaces_same_key_in_place_and_appends_new_rows(tmp_path):
    f = tmp_path / "offers.yaml"
    f.write_text(MY_P5)
    merged = use_offer_file(f)
    assert load_offers() is merged and len(merged) == len(shipped_offers()) + 1
    p5 = [o for o in merged if (o.provider, o.instance_type, o.region) == ("aws", "p5.48xlarge", "us-east-1")]
    assert len(p5) == 1 and p5[0].prices["on_demand"].usd_per_hour == 11.5
    assert merged.index(p5[0]) == [o.instance_type for o in shipped_offers()].index("p5.48xlarge")
    assert merged[-1].provider == "coreweave"
    assert merge_offers(shipped_offers(), []) == shipped_offers()
    assert use_offer_file(None) == shipped_offers() and load_offers() == shipped_offers()


def test_recommend_prices_on_the_teams_own_rate(tmp_path, capsys):
    a, f = tmp_path / "a.yaml", tmp_path / "offers.yaml"
    a.write_text("".join(f"{k}: {v}\n" for k, v in BASE.items()))
    f.write_text(MY_P5)
    assert main(["recommend", "--answers", str(a), "--providers", "aws", "--offers", str(f), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    offers = [c["offer"] for c in doc["recommendation"]["candidates"] if c["fits"]]
    assert offers and all(o["provider"] == "aws" for o in offers)
    p5 = [o for o in offers if o["instance_type"] == "p5.48xlarge"]
    assert p5 and all(o["usd_per_instance_hour"] == 11.5 and o["source"] == "our negotiated AWS rate" for o in p5)


def test_estimate_can_use_a_provider_the_catalog_does_not_have(tmp_path, capsys):
    f = tmp_path / "offers.yaml"
    f.write_text(MY_P5)
    assert main(["estimate", "--model", "70b", "--gpu", "h100-sxm", "--requests-per-day", "1M",
                 "--providers", "coreweave", "--offers", str(f), "--format", "json"]) == 0
    o = json.loads(capsys.readouterr().out)["offer"]
    assert (o["provider"], o["instance_type"], o["usd_per_instance_hour"]) == ("coreweave", "gd-8xh100ib-i128", 9.0)


@pytest.mark.parametrize("command", [
    ["estimate", "--model", "7b", "--gpu", "h100-sxm"],
    ["recommend", *[a for k, v in BASE.items() for a in ("--set", f"{k}={v}")]],
])
def test_a_malformed_offers_file_is_one_file_line_error_and_exit_2(tmp_path, capsys, command):
    f = tmp_path / "bad.yaml"
    f.write_text(MY_P5.replace("usd_per_hour: 9.0", 'usd_per_hour: "cheap"'))
    assert main([*command, "--offers", str(f)]) == 2
    err = capsys.readouterr().err
    assert f"{f.name}:20:" in err and "offers[1].prices.on_demand.usd_per_hour" in err
    assert "Traceback" not in err and err.count("\n") == 1
