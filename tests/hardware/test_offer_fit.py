"""engine/offer_fit.py: whole-instance pricing of one configuration, checked against engine/packing.py."""

import itertools

import pytest

from engine.offer_fit import cheapest_cloud, cheapest_fit, cloud_fit, placeable
from engine.offers import load_offers
from engine.packing import pack


@pytest.mark.parametrize("tp, gpr, replicas", list(itertools.product((1, 2, 4, 8), (1, 2, 4, 8, 16), (1, 3, 5))))
def test_the_hot_path_picks_what_cheapest_fit_over_cloud_fit_picks(tp, gpr, replicas):
    if tp > gpr:
        return
    offers = [o for o in load_offers() if o.gpu == "h100-sxm"]
    kw = {"tp": tp, "gpus_per_replica": gpr, "replicas": replicas, "hours_per_month": 730.0}
    slow = cheapest_fit(cloud_fit(o, "on_demand", **kw) for o in offers)
    fast = cheapest_cloud(offers, "on_demand", **kw)
    assert (slow is None) == (fast is None)
    if slow is not None:
        assert (fast.offer, fast.monthly_usd, fast.packing) == (slow.offer, slow.monthly_usd, slow.packing)


def test_a_tp_group_never_spans_instances_and_costs_count_whole_instances():
    one_gpu = next(o for o in load_offers() if o.gpus_per_instance == 1 and "on_demand" in o.prices)
    assert not placeable(one_gpu, 2, 2) and placeable(one_gpu, 1, 1)
    eight = next(o for o in load_offers() if o.instance_type == "p5.48xlarge")
    f = cloud_fit(eight, "on_demand", tp=2, gpus_per_replica=2, replicas=5, hours_per_month=730.0)
    assert f.packing == pack(2, 5, eight) and f.packing.instances == 2
    assert f.monthly_usd == pytest.approx(2 * eight.prices["on_demand"].usd_per_hour * 730.0)
    big = cloud_fit(eight, "on_demand", tp=8, gpus_per_replica=16, replicas=1, hours_per_month=730.0)
    assert big.packing.pipeline_stages == 2 and big.packing.instances == 2


def test_a_missing_pricing_type_is_not_priced():
    lam = next(o for o in load_offers() if o.provider == "lambda")
    assert "spot" not in lam.prices
    assert cloud_fit(lam, "spot", tp=1, gpus_per_replica=1, replicas=1, hours_per_month=730.0) is None
