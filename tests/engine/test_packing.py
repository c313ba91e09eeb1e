"""Whole instances: instances paid for, GPUs paid vs used, TP inside an instance, pipeline across."""

import pytest

from engine.errors import InputError
from engine.offer_specs import Offer, OfferPrice
from engine.packing import pack
from engine.specs import Provenance

P = Provenance(source="test", as_of="2026-12")


def offer(gpus_per_instance: int) -> Offer:
    return Offer(provider="t", instance_type=f"x{gpus_per_instance}", gpu="h100-sxm", gpus_per_instance=gpus_per_instance,
                 region="r", network_gb_per_s=400, network=P, prices={"on_demand": OfferPrice(usd_per_hour=8, source="t", as_of="2026")})


def test_tp2_on_an_8_gpu_instance_packs_four_replicas_and_five_replicas_pay_for_two_instances():
    p = pack(2, 5, offer(8))
    assert (p.instances, p.gpus_paid, p.gpus_used, p.gpus_idle) == (2, 16, 10, 6)
    assert p.replicas_per_instance == 4 and p.tp_fits_instance and p.pipeline_stages == 1


def test_an_exact_fill_leaves_no_idle_gpu():
    p = pack(4, 4, offer(8))
    assert (p.instances, p.gpus_idle) == (2, 0)


def test_a_replica_that_does_not_divide_the_instance_wastes_the_remainder():
    p = pack(3, 3, offer(8))  # two replicas per instance (6 of 8 GPUs), the third needs a second instance
    assert (p.replicas_per_instance, p.instances, p.gpus_paid, p.gpus_used) == (2, 2, 16, 9)


def test_a_replica_bigger_than_an_instance_runs_pipeline_stages_across_instances():
    p = pack(16, 3, offer(8))
    assert not p.tp_fits_instance
    assert (p.pipeline_stages, p.tp_per_stage, p.instances, p.gpus_paid, p.replicas_per_instance) == (2, 8, 6, 48, 0)


def test_a_replica_that_does_not_split_into_whole_instances_is_refused():
    with pytest.raises(InputError, match="multiple of 8"):
        pack(12, 1, offer(8))


@pytest.mark.parametrize("args", [(0, 1), (1, 0), (2.0, 1), (True, 1)])
def test_bad_counts_are_input_errors(args):
    with pytest.raises(InputError):
        pack(*args, offer(8))


@pytest.mark.parametrize("g, r, n", [(1, 1, 1), (1, 7, 8), (2, 5, 8), (8, 9, 8), (3, 10, 4), (16, 2, 8), (24, 1, 8)])
def test_paid_gpus_cover_used_gpus_in_whole_instances(g, r, n):
    p = pack(g, r, offer(n))
    assert p.gpus_paid == p.instances * n >= p.gpus_used == g * r
    if p.tp_fits_instance:  # no instance more than needed: one fewer could not hold every replica
        assert (p.instances - 1) * p.replicas_per_instance < r <= p.instances * p.replicas_per_instance
    else:
        assert p.instances == r * p.pipeline_stages and p.pipeline_stages * n == g
