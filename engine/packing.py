"""Whole instances: how a fleet of replicas is placed on the instances of one offer.

Why a function of its own: clouds rent GPUs by the instance (an AWS p5.48xlarge is
8 H100s or nothing), so cost must count every instance paid for, not GPUs used.
The rules (issue 10, docs/methodology.md "Whole instances"):

* a tensor-parallel group never spans instances: a replica of ``g`` GPUs that fits
  in one instance (``g <= gpus_per_instance``) packs ``floor(n / g)`` replicas per
  instance, and the fleet pays for ``ceil(replicas / per_instance)`` instances;
* a replica larger than one instance runs as pipeline stages, one per instance
  (``ceil(g / n)`` instances per replica), exchanging activations over the
  instance's network (the offer's ``network_gb_per_s``); each stage's tensor-
  parallel group stays inside its instance.

Pure arithmetic on integers, so the sweep can call it for every candidate.
"""

from __future__ import annotations

from typing import NamedTuple

from engine.errors import InputError
from engine.offer_specs import Offer


class Packing(NamedTuple):
    instances: int                 # instances paid for
    gpus_paid: int                 # instances x GPUs per instance
    gpus_used: int                 # replicas x GPUs per replica
    replicas_per_instance: int     # 0 when one replica needs several instances
    tp_fits_instance: bool         # the replica's GPUs are all in one instance
    pipeline_stages: int           # instances one replica spans (1 = no cross-instance pipeline)
    tp_per_stage: int              # GPUs of one stage's tensor-parallel group

    @property
    def gpus_idle(self) -> int:
        return self.gpus_paid - self.gpus_used


def pack(gpus_per_replica: int, replicas: int, offer: Offer) -> Packing:
    """Instances of ``offer`` paid for when ``replicas`` replicas of ``gpus_per_replica`` GPUs run
    on it (see the module docstring for the rules).

    A replica larger than one instance must split evenly into stages of whole instances
    (``gpus_per_replica`` a multiple of ``gpus_per_instance``), since tensor parallelism
    inside a stage cannot use part of an instance and leave the rest to another stage.
    """
    gpus_per_instance = offer.gpus_per_instance
    for name, value in (("gpus_per_replica", gpus_per_replica), ("replicas", replicas),
                        ("gpus_per_instance", gpus_per_instance)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise InputError(f"{name} must be a whole number >= 1, got {value!r}")
    used = gpus_per_replica * replicas
    if gpus_per_replica <= gpus_per_instance:
        per_instance = gpus_per_instance // gpus_per_replica
        instances = -(-replicas // per_instance)
        return Packing(instances, instances * gpus_per_instance, used, per_instance, True, 1, gpus_per_replica)
    if gpus_per_replica % gpus_per_instance:
        raise InputError(
            f"a replica of {gpus_per_replica} GPUs does not split into whole instances of {gpus_per_instance} GPUs "
            f"(pipeline stages need a multiple of {gpus_per_instance})")
    stages = gpus_per_replica // gpus_per_instance
    instances = stages * replicas
    return Packing(instances, instances * gpus_per_instance, used, 0, False, stages, gpus_per_instance)
