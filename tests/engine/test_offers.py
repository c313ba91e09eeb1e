"""The offers catalog: every row sourced and dated, pricing types, GPU classes, filters and their errors, pruning."""

import pytest

from engine import offers as offers_mod
from engine.catalog import load_gpus
from engine.errors import InputError, SizewiseError, UnknownIdError
from engine.offers import filter_offers, load_offers, offer_price, provider_ids, prune_dominated
from engine.offers_schema import load_offer_file

OFFERS = load_offers()
DATACENTER = ["datacenter"]


def test_every_offer_row_has_a_source_and_an_as_of():
    for o in OFFERS:
        assert o.network.source and o.network.as_of, o.instance_type
        for kind, price in o.prices.items():
            assert price.source and price.as_of, (o.instance_type, kind)
        if o.owned:
            assert o.purchase_usd and o.purchase.source and o.purchase.as_of


def test_committed_is_cheaper_than_on_demand_wherever_both_exist():
    pairs = 0
    for o in OFFERS:
        od = offer_price(o, "on_demand")
        for term in ("committed_1y", "committed_3y"):
            p = offer_price(o, term)
            if od is not None and p is not None:
                pairs += 1
                assert p.usd_per_hour < od.usd_per_hour, (o.instance_type, term)
        if offer_price(o, "committed_1y") and offer_price(o, "committed_3y"):
            assert offer_price(o, "committed_3y").usd_per_hour <= offer_price(o, "committed_1y").usd_per_hour
    assert pairs >= 20


def test_the_catalog_covers_the_providers_and_owned_servers():
    assert {"aws", "lambda", "nebius", "runpod", "own_hardware"} <= set(provider_ids())
    assert {o.gpu for o in OFFERS if o.provider == "runpod" and o.instance_type.startswith("1x_H100_")} == {"h100-pcie"}
    p5 = next(o for o in OFFERS if o.instance_type == "p5.48xlarge")
    assert (p5.gpu, p5.gpus_per_instance, p5.region) == ("h100-sxm", 8, "us-east-1")
    assert offer_price(p5, "on_demand").usd_per_hour == 98.32
    hgx = next(o for o in OFFERS if o.instance_type == "hgx-h100-8gpu")
    assert hgx.purchase_usd == 8 * load_gpus()["h100-sxm"].purchase_usd and offer_price(hgx, "on_demand") is None


def test_every_offer_gpu_is_a_catalog_gpu_with_a_class():
    gpus = {g.id: g for g in load_gpus().values()}
    assert {o.gpu for o in OFFERS} <= set(gpus)
    assert {g.gpu_class for g in gpus.values()} == {"datacenter", "workstation", "consumer"}
    assert gpus["rtx-4090"].gpu_class == "consumer" and gpus["rtx-a6000"].gpu_class == "workstation"
    assert gpus["h100-sxm"].gpu_class == gpus["mi300x"].gpu_class == "datacenter"


def test_unknown_pricing_type_gets_suggestions():
    with pytest.raises(UnknownIdError, match="committed_1y"):
        offer_price(OFFERS[0], "committed-1y")


def test_filter_by_provider_pricing_and_class():
    kept = filter_offers(OFFERS, providers=["aws"], pricing="committed_1y", gpu_classes=DATACENTER)
    assert kept and {o.provider for o in kept} == {"aws"} and all("committed_1y" in o.prices for o in kept)
    spot = filter_offers(OFFERS, providers=["any"], pricing="spot", gpu_classes=DATACENTER)
    assert spot and all("spot" in o.prices and not o.owned for o in spot)


def test_the_class_filter_keeps_workstation_cards_out_unless_asked():
    default = filter_offers(OFFERS, providers=["lambda"], pricing="on_demand", gpu_classes=DATACENTER)
    assert "rtx-a6000" not in {o.gpu for o in default}
    opted = filter_offers(OFFERS, providers=["lambda"], pricing="on_demand", gpu_classes=["datacenter", "workstation"])
    assert "rtx-a6000" in {o.gpu for o in opted}


def test_allowed_gpus_accept_aliases():
    kept = filter_offers(OFFERS, providers=["any"], pricing="on_demand", gpu_classes=DATACENTER, allowed_gpus=["H100-SXM5"])
    assert kept and {o.gpu for o in kept} == {"h100-sxm"}
    assert "own_hardware" in {o.provider for o in kept}  # owned servers come with any non-spot pricing


def test_unknown_provider_suggests_the_closest():
    with pytest.raises(UnknownIdError, match="did you mean aws"):
        filter_offers(OFFERS, providers=["awz"], pricing="on_demand", gpu_classes=DATACENTER)


def test_a_provider_without_an_offer_for_the_allowed_gpus_is_an_error():
    with pytest.raises(InputError, match="provider 'aws' has no on_demand offer for the allowed GPUs \\(b200\\)"):
        filter_offers(OFFERS, providers=["aws"], pricing="on_demand", gpu_classes=DATACENTER, allowed_gpus=["b200"])


def test_owned_hardware_with_spot_pricing_is_contradictory():
    with pytest.raises(InputError, match="own_hardware with spot pricing is contradictory"):
        filter_offers(OFFERS, providers=["aws", "own_hardware"], pricing="spot", gpu_classes=DATACENTER)


@pytest.mark.parametrize("kwargs, match", [
    ({"providers": []}, "at least one provider"),
    ({"gpu_classes": ["gaming"]}, "unknown GPU class"),
    ({"allowed_gpus": ["h9000"]}, "unknown gpu"),
])
def test_other_bad_choices_are_one_line_errors(kwargs, match):
    args = {"providers": ["any"], "pricing": "on_demand", "gpu_classes": DATACENTER, **kwargs}
    with pytest.raises(SizewiseError, match=match) as err:
        filter_offers(OFFERS, **args)
    assert "\n" not in str(err.value)


def test_dominated_offers_are_pruned_per_gpu_and_shape():
    kept = prune_dominated(OFFERS, "on_demand")
    l40s_1 = [o for o in kept if o.gpu == "l40s" and o.gpus_per_instance == 1]
    assert [o.instance_type for o in l40s_1] == ["gpu-l40s-a_1gpu-8vcpu-32gb"]  # the cheapest of Nebius's 1-GPU L40S shapes
    lambda_a100 = [o for o in kept if o.gpu == "a100-40gb" and o.gpus_per_instance == 1]
    assert len(lambda_a100) == 1  # two same-priced shapes: the first is kept
    shapes = {(o.gpu, o.gpus_per_instance, o.owned) for o in OFFERS if o.prices.get("on_demand") or o.owned}
    assert {(o.gpu, o.gpus_per_instance, o.owned) for o in kept} == shapes  # every shape keeps one offer
    for o in OFFERS:
        if o not in kept and not o.owned:
            best = min(k.prices["on_demand"].usd_per_hour for k in kept if (k.gpu, k.gpus_per_instance) == (o.gpu, o.gpus_per_instance) and not k.owned)
            assert best <= o.prices["on_demand"].usd_per_hour


BAD = {
    "missing on_demand": ("  prices: {}\n", "needs an on_demand price"),
    "unknown field": ("  prices:\n    on_demand: {usd_per_hour: 1.0, source: \"x y z\", as_of: \"2026\"}\n  colour: red\n", "unknown field 'colour'"),
    "string price": ("  prices:\n    on_demand: {usd_per_hour: \"1.0\", source: \"x y z\", as_of: \"2026\"}\n", "valid number"),
}
HEAD = """schema_version: 1
offers:
- provider: acme
  instance_type: big
  gpu: h100-sxm
  gpus_per_instance: 8
  region: r1
  network_gb_per_s: 50
  network: {source: "test", as_of: "2026-12"}
"""


@pytest.mark.parametrize("case", list(BAD))
def test_a_malformed_offers_file_names_file_and_line(tmp_path, case):
    tail, match = BAD[case]
    path = tmp_path / "my-offers.yaml"
    path.write_text(HEAD + tail, encoding="utf-8")
    with pytest.raises(SizewiseError, match=match) as err:
        load_offer_file(path)
    assert f"{path}:" in str(err.value) and str(err.value).split(f"{path}:")[1].split(":")[0].isdigit()


def test_a_good_offers_file_loads_with_catalog_gpu_ids(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(HEAD.replace("h100-sxm", "H100-SXM5") + "  prices:\n    on_demand: {usd_per_hour: 20.5, source: \"quote\", as_of: \"2026-12\"}\n",
                    encoding="utf-8")
    [o] = load_offer_file(path)
    assert (o.gpu, o.prices["on_demand"].usd_per_hour) == ("h100-sxm", 20.5)


def test_the_offers_module_reexports_its_types():
    assert offers_mod.Offer is not None and "spot" in offers_mod.PRICING_TYPES
