"""Issue 10 acceptance: the recommendation runs on offers a team can order (whole instances, pricing, classes)."""

import pytest

from advisor.pipeline import recommend_from_answers
from engine.catalog import load_gpus
from engine.errors import InputError
from engine.offers import load_offers

BASE = {"task_complexity": "moderate", "quality_bar": "professional", "latency": "interactive",
        "requests_per_day": 200000, "input_tokens": 1500, "output_tokens": 300, "deployment": "cloud"}
HOURS_PER_MONTH = 730


def _rec(**extra):
    return recommend_from_answers({**BASE, **extra}, with_sensitivity=False)


def _fitting(rec):
    return [c for c in rec.recommendation.candidates if c.fits]


@pytest.fixture(scope="module")
def default_rec():
    return _rec()


def test_default_interactive_answers_never_get_a_consumer_card_or_an_estimate_price(default_rec):
    classes = {g.id: g.gpu_class for g in load_gpus().values()}
    cands = _fitting(default_rec)
    assert cands
    for c in cands:
        assert classes[c.gpu] == "datacenter"
        for block in (c.offer, c.cloud.offer, c.owned.offer):
            assert block is None or "ESTIMATE" not in block.source
        assert "ESTIMATE" not in " ".join(c.hardware_notes)


def test_aws_gives_an_aws_instance_of_the_catalog_whole_instances_and_monthly_cost():
    rec = _rec(providers=["aws"])
    aws = {(o.instance_type, o.gpu): o for o in load_offers() if o.provider == "aws"}
    for c in _fitting(rec):
        o = c.offer
        assert o.provider == "aws" and (o.instance_type, c.gpu) in aws
        assert o.gpus_per_instance == aws[(o.instance_type, c.gpu)].gpus_per_instance
        assert c.gpus_paid == o.instances * o.gpus_per_instance and c.gpus_paid >= c.total_gpus
        assert c.gpus_paid % o.gpus_per_instance == 0
        assert c.monthly_usd == pytest.approx(o.instances * o.usd_per_instance_hour * HOURS_PER_MONTH, rel=0.01)
        assert set(o.model_dump()) == {"provider", "instance_type", "gpus_per_instance", "instances",
                                       "usd_per_instance_hour", "pricing", "region", "source", "as_of"}


def test_committed_1y_is_cheaper_than_on_demand_and_the_report_says_which(default_rec):
    from advisor.report import render

    committed = _rec(pricing="committed_1y")
    for od, c1 in zip(_fitting(default_rec), _fitting(committed)):
        assert od.offer.pricing == "on_demand" and c1.offer.pricing == "committed_1y"
        assert c1.monthly_usd < od.monthly_usd
    md = render(committed, "markdown")
    assert "1-year committed" in md.split("## Your answers")[0]


def test_the_class_filter_reaches_the_recommendation():
    only_consumer = _rec(gpu_classes=["consumer"], requests_per_day=500)
    classes = {g.id: g.gpu_class for g in load_gpus().values()}
    cands = _fitting(only_consumer)
    assert cands and {classes[c.gpu] for c in cands} == {"consumer"}
    assert any("consumer" in n for n in only_consumer.notes)


def test_a_replica_is_added_for_availability_and_stated_unless_one_is_accepted():
    low = {"requests_per_day": 500, "input_tokens": 500, "output_tokens": 200}
    two = _fitting(_rec(**low))[0]
    one = _fitting(_rec(**low, availability="single_ok"))[0]
    assert two.replicas == 2 and two.replicas_for_availability == 1
    assert any("added for availability" in n for n in two.hardware_notes)
    assert one.replicas == 1 and one.replicas_for_availability == 0


def test_owned_hardware_counts_whole_servers():
    rec = _rec(deployment="owned")
    for c in _fitting(rec):
        assert c.offer.provider == "own_hardware" and c.offer.pricing == "owned"
        assert c.gpus_paid % c.offer.gpus_per_instance == 0 and c.gpus_paid >= c.total_gpus


def test_fp8_on_silicon_without_fp8_tensor_cores_is_labelled_weight_only():
    rec = _rec(allowed_gpus="a100-80gb", serving_precision="fp8")
    fp8 = [c for c in _fitting(rec) if c.precision == "fp8"]
    for c in fp8:
        assert c.precision_label == "fp8 weights, bf16 compute (no FP8 tensor cores)"
    h100 = [c for c in _fitting(_rec(allowed_gpus="h100-sxm")) if c.precision == "fp8"]
    assert all(c.precision_label is None for c in h100)


def test_a_named_gpu_opts_in_to_its_estimate_price_and_the_report_says_so():
    rec = _rec(allowed_gpus="mi300x", deployment="owned")
    cands = _fitting(rec)
    assert cands and all(c.gpu == "mi300x" for c in cands)
    assert all(any("ESTIMATE" in n for n in c.hardware_notes) for c in cands)


@pytest.mark.parametrize("extra, message", [
    ({"providers": ["own_hardware"], "pricing": "spot"}, "own_hardware with spot pricing is contradictory"),
    ({"providers": ["nebius"], "allowed_gpus": "a100-80gb"}, "provider 'nebius' has no on_demand offer for the allowed GPUs"),
    ({"providers": ["aws"], "deployment": "owned"}, "exclude own_hardware"),
])
def test_contradictions_are_one_line_errors(extra, message):
    with pytest.raises(InputError) as err:
        _rec(**extra)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_cli_providers_and_pricing_are_the_answers(tmp_path, capsys):
    import json

    from advisor.cli import main

    f = tmp_path / "a.yaml"
    f.write_text("".join(f"{k}: {v}\n" for k, v in BASE.items()))
    assert main(["recommend", "--answers", str(f), "--providers", "aws", "--pricing", "committed_1y",
                 "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    offers = [c["offer"] for c in doc["recommendation"]["candidates"] if c["fits"]]
    assert offers and {(o["provider"], o["pricing"]) for o in offers} == {("aws", "committed_1y")}
    assert main(["recommend", "--answers", str(f), "--providers", "aws,nebuis"]) == 2
    assert "did you mean 'nebius'" in capsys.readouterr().err


def test_estimate_prices_on_the_cheapest_offer(capsys):
    import json

    from advisor.cli import main

    assert main(["estimate", "--model", "70b", "--gpu", "h100-sxm", "--requests-per-day", "1M",
                 "--providers", "aws", "--pricing", "committed_1y", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    o = doc["offer"]
    assert (o["provider"], o["instance_type"], o["pricing"]) == ("aws", "p5.48xlarge", "committed_1y")
    assert o["instances"] * 8 >= doc["deployment"]["total_gpus"] > (o["instances"] - 1) * 8
    assert o["monthly_usd"] == pytest.approx(o["instances"] * o["usd_per_instance_hour"] * HOURS_PER_MONTH, rel=1e-6)
    assert main(["estimate", "--model", "7b", "--gpu", "h100-sxm", "--providers", "own_hardware",
                 "--pricing", "spot"]) == 2
