"""The hardware a team can order: its answers (providers, pricing, GPU classes, allowed GPUs, availability) -> a :class:`HardwarePool`.

Why a stage of its own: the engine prices a configuration per GPU-hour; a team
rents whole instances from the providers it works with, at one pricing type,
or buys whole servers. This module decides, once per run, which offers of
engine/data/offers.yaml the search may use and which GPUs that leaves to sweep;
:func:`fit` then prices each configuration the sweep returns on the cheapest
offer that can hold it (engine/offer_fit.py). Contradictions are one-line
errors (engine/offers.py ``filter_offers``), before any search runs.

The default pool is what a production team can defend: data-center GPUs with a
dated, sourced price. Consumer and workstation cards enter only when the team
chooses their class; a price marked ESTIMATE only when the team names the GPU
(``allowed_gpus`` or ``--gpus``); the report says when either was used.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

#: answers a rulebook without the hardware questions implies (then the legacy per-GPU pricing is used)
DEFAULT_PROVIDERS = ("any",)
DEFAULT_PRICING = "on_demand"
DEFAULT_CLASSES = ("datacenter",)
#: replicas production interactive traffic keeps (one may fail) unless the team accepts one
AVAILABILITY_MIN_REPLICAS = 2


@dataclasses.dataclass(frozen=True)
class HardwarePool:
    """The offers one run may use, per GPU id, and the GPUs that leaves to sweep."""

    pricing: str
    providers: tuple[str, ...]
    deployment: str
    #: catalog ids (or a team's own ``GpuSpec``) to sweep
    gpus: tuple
    #: GPU id -> rented offers (dominated ones pruned), cheapest shape first not implied
    rented: Mapping[str, tuple]
    #: GPU id -> owned servers (or a per-GPU card offer)
    owned: Mapping[str, tuple]
    min_replicas: int
    #: what the pool itself makes the report say (opt-ins, availability)
    notes: tuple[str, ...] = ()
    #: GPU ids the team named (their ESTIMATE prices are accepted)
    named: tuple[str, ...] = ()


def pool_for(values: Mapping[str, Any], deployment: str, gpus=None) -> HardwarePool | None:
    """The run's pool from the answers; None when the rulebook asks no hardware question (legacy pricing).

    ``gpus`` (explicit catalog ids or ``GpuSpec`` objects, e.g. ``--gpus``) restricts the GPUs
    like ``allowed_gpus`` and, like it, opts in to those GPUs' classes and ESTIMATE prices.
    """
    if "providers" not in values:
        return None
    from engine.catalog import load_gpus, resolve_gpu
    from engine.errors import InputError
    from engine.offer_fit import is_estimate, per_gpu_offer
    from engine.offer_specs import GPU_CLASSES, OWN_HARDWARE
    from engine.offers import ANY_PROVIDER, filter_offers, load_offers, prune_dominated

    providers = tuple(values.get("providers") or DEFAULT_PROVIDERS)
    pricing = str(values.get("pricing") or DEFAULT_PRICING)
    classes = tuple(values.get("gpu_classes") or DEFAULT_CLASSES)
    named_specs = [g if not isinstance(g, str) else resolve_gpu(g) for g in (gpus or _named(values) or [])]
    named = tuple(dict.fromkeys(g.id for g in named_specs))
    catalog = load_gpus()
    custom = {g.id: g for g in named_specs if g.id not in catalog or catalog[g.id] is not g}
    anywhere = ANY_PROVIDER in providers
    owns = anywhere or OWN_HARDWARE in providers
    if deployment == "owned" and not owns:
        raise InputError(f"deployment is owned, but providers ({', '.join(providers)}) exclude own_hardware: "
                         "add own_hardware (or any), or choose deployment: cloud")
    offers = [o for o in load_offers() if o.gpu not in custom]
    in_catalog = [g for g in named if g not in custom]
    try:
        kept = filter_offers(offers, providers=providers, pricing=pricing,
                             gpu_classes=GPU_CLASSES if named else classes, allowed_gpus=in_catalog or None)
    except InputError as err:
        # with 'any', GPUs nobody rents (named, or of an opted-in class) are priced per GPU from the catalog (below)
        if not anywhere or not str(err).startswith("no provider has"):
            raise
        kept = []
    accepted = [o for o in kept if o.gpu in named or not is_estimate(o, pricing)]
    rented = {g: tuple(prune_dominated([o for o in accepted if not o.owned and o.gpu == g], pricing))
              for g in dict.fromkeys(o.gpu for o in accepted)}
    every_server = [o for o in load_offers() if o.owned and (o.gpu in named or not is_estimate(o, pricing))]
    owned = {g: tuple(prune_dominated([o for o in every_server if o.gpu == g], pricing))
             for g in dict.fromkeys(o.gpu for o in every_server)}
    if deployment == "owned":
        sweep_ids = [g for g in owned if (not named or g in named) and catalog[g].gpu_class in (GPU_CLASSES if named else classes)]
    else:
        sweep_ids = [g for g, offs in rented.items() if offs]
    specs = {g.id: g for g in named_specs}
    # GPUs with nothing to order: the team's own cards, and named (or opted-in) catalog cards nobody rents
    extra = [g for g in named if g not in sweep_ids] if (anywhere or custom) else []
    if anywhere and not named:
        extra = [g.id for g in catalog.values() if g.gpu_class in classes and g.gpu_class != "datacenter"
                 and g.id not in sweep_ids and not _estimate_price(g, deployment)]
    for gid in extra:
        gpu = specs.get(gid) or catalog[gid]
        if gid in custom or anywhere:
            if deployment == "owned":
                owned = {**owned, gid: (per_gpu_offer(gpu, owned=True, pricing=pricing),)}
            else:
                rented = {**rented, gid: (per_gpu_offer(gpu, owned=False, pricing=pricing),)}
            sweep_ids.append(gid)
    if not sweep_ids:
        raise InputError(f"no {'owned server' if deployment == 'owned' else pricing + ' offer'} of "
                         f"{', '.join(providers)} for GPU classes {', '.join(classes)} "
                         "(see `sizewise catalog offers`; naming a GPU in allowed_gpus accepts an ESTIMATE price)")
    ordered = [g for g in dict.fromkeys([*named, *sweep_ids]) if g in sweep_ids]
    interactive = values.get("latency") == "interactive"
    min_replicas = AVAILABILITY_MIN_REPLICAS if interactive and values.get("availability", "redundant") != "single_ok" else 1
    return HardwarePool(
        pricing=pricing, providers=providers, deployment=deployment,
        gpus=tuple(specs.get(g) if g in custom else g for g in ordered),
        rented=rented, owned=owned, min_replicas=min_replicas, named=named,
        notes=_opt_in_notes(classes, named, catalog),
    )


def fit(pool: HardwarePool, cand, gpu, a, prices: Mapping[str, float], purchase: Mapping[str, float]):
    """(candidate with the availability floor, cheapest rented fit or None, cheapest owned fit or None).

    ``cand`` is an engine ``Candidate`` of ``gpu`` (a ``GpuSpec``); ``a`` the run's assumptions;
    ``prices`` / ``purchase`` the overrides file's per-GPU figures (they replace the offers of that GPU).
    """
    from engine.offer_fit import cheapest_cloud, cheapest_fit, owned_fit, per_gpu_offer, with_min_replicas

    c = with_min_replicas(cand, pool.min_replicas, a.hours_per_month)
    kw = {"tp": c.tp, "gpus_per_replica": c.gpus_per_replica, "replicas": c.replicas}
    rented = pool.rented.get(gpu.id, ())
    if gpu.id in prices:
        rented = (per_gpu_offer(gpu, owned=False, pricing=pool.pricing, usd_per_gpu_hour=prices[gpu.id],
                                source="your overrides file"),)
    servers = pool.owned.get(gpu.id, ())
    if gpu.id in purchase:
        servers = (per_gpu_offer(gpu, owned=True, pricing=pool.pricing, purchase_usd=purchase[gpu.id],
                                 source="your overrides file"),)
    cloud = cheapest_cloud(rented, pool.pricing, hours_per_month=a.hours_per_month, **kw)
    owned = cheapest_fit(owned_fit(o, fleet_utilisation=c.fleet_utilisation, tdp_w=gpu.tdp_w, a=a, **kw) for o in servers)
    return c, cloud, owned


def priced(pool: HardwarePool, cand, gpu, a, prices: Mapping[str, float], purchase: Mapping[str, float]):
    """``(candidate, cloud fit, owned fit, replicas added)`` with the candidate's cloud cost that of its rented
    offer; None when no offer of the run's deployment mode can hold it (e.g. TP-2 on 1-GPU instances only)."""
    c, cloud, owned = fit(pool, cand, gpu, a, prices, purchase)
    if (owned if pool.deployment == "owned" else cloud) is None:
        return None
    if cloud is not None:
        monthly = cloud.monthly_usd
        scale = monthly / c.monthly_usd if c.monthly_usd > 0 else 1.0
        c = c._replace(monthly_usd=monthly, annual_usd=monthly * 12.0,
                       usd_per_gpu_hour=monthly / (c.total_gpus * a.hours_per_month),
                       usd_per_million_output_tokens=c.usd_per_million_output_tokens * scale,
                       usd_per_million_total_tokens=c.usd_per_million_total_tokens * scale)
    return c, cloud, owned, c.replicas - cand.replicas


#: how the report names a provider (ids not listed print as given)
PROVIDER_NAMES = {"aws": "AWS", "gcp": "GCP", "azure": "Azure", "lambda": "Lambda", "nebius": "Nebius",
                  "runpod": "RunPod", "coreweave": "CoreWeave", "own_hardware": "owned", "catalog": "catalog"}
PRICING_NAMES = {"on_demand": "on-demand", "committed_1y": "1-year committed", "committed_3y": "3-year committed",
                 "spot": "spot", "owned": "owned, amortised"}


def offer_doc(f) -> dict | None:
    """An ``engine.offer_fit.OfferFit`` as the report's ``offer`` object (exactly its nine keys), or None."""
    from engine.offer_fit import fit_dict

    return fit_dict(f)


def hardware_label(f, gpu_name: str) -> str | None:
    """"3 x AWS p5.48xlarge (8 x H100 SXM), on-demand"; a per-GPU price: "4 x H100 SXM (per-GPU catalog price)"."""
    if f is None:
        return None
    o, n = f.offer, f.packing.instances
    if f.per_gpu:
        what = "owned cards" if o.owned else "per-GPU catalog price"
        return f"{n} x {gpu_name} ({what})"
    who = "owned" if o.owned else PROVIDER_NAMES.get(o.provider, o.provider)
    server = "server" + ("s" if n != 1 else "") + " " if o.owned else ""
    return f"{n} x {who} {server}{o.instance_type} ({o.gpus_per_instance} x {gpu_name}), {PRICING_NAMES.get(f.pricing, f.pricing)}"


def precision_label(precision: str, gpu) -> str | None:
    """FP8 on silicon without FP8 tensor cores runs weight-only: fp8 weights, bf16 compute (engine/performance.py)."""
    if precision == "fp8" and not gpu.fp8_dense_tflops:
        return "fp8 weights, bf16 compute (no FP8 tensor cores)"
    return None


def hardware_notes(cfg, f, gpu, hidden_size: int) -> list[str]:
    """What the report says about the hardware of one candidate (in a fixed order)."""
    notes = []
    if f is not None and f.packing.pipeline_stages > 1:
        stages = f.packing.pipeline_stages
        hop_ms = (stages - 1) * cfg.concurrency * hidden_size * 2 / (f.offer.network_gb_per_s * 1e9) * 1e3
        notes.append(
            f"a replica is too big for one {f.offer.instance_type}: it runs {stages} pipeline stages on {stages} "
            f"instances ({f.packing.tp_per_stage}-GPU tensor parallel inside each), passing activations over the "
            f"instance network ({f.offer.network_gb_per_s:g} GB/s, about {hop_ms:.3g} ms per decode step, "
            "not in the time per token)")
    if f is not None and f.packing.gpus_idle:
        notes.append(f"{f.packing.gpus_paid} GPUs paid for ({f.packing.instances} whole instance{'s' if f.packing.instances != 1 else ''}), "
                     f"{f.packing.gpus_used} used")
    if cfg.replicas_added:
        notes.append(f"{cfg.replicas_added} replica{'s' if cfg.replicas_added != 1 else ''} added for availability "
                     f"(production interactive traffic keeps {AVAILABILITY_MIN_REPLICAS}; answer availability: single_ok "
                     "to accept one)")
    if f is not None and f.estimate:
        notes.append(f"the {gpu.name} price is an ESTIMATE (used because you named the GPU): {f.source}")
    if f is not None and f.per_gpu:
        notes.append(f"no orderable instance of the {gpu.name} in the offers catalog: priced per GPU ({f.source or 'GPU catalog'})")
    label = precision_label(cfg.precision, gpu)
    if label:
        notes.append(f"{label}: costed at the bf16 tensor rate, never as FP8 compute")
    return notes


def _named(values: Mapping[str, Any]) -> list[str] | None:
    v = values.get("allowed_gpus")
    if v in (None, "", "any"):
        return None
    items = v if isinstance(v, (list, tuple)) else str(v).split(",")
    return [str(i).strip() for i in items if str(i).strip()] or None


def _estimate_price(gpu, deployment: str) -> bool:
    field = "purchase_usd" if deployment == "owned" else "cloud_usd_per_gpu_hour"
    prov = gpu.provenance.get(field)
    return prov is not None and "ESTIMATE" in prov.source


def _opt_in_notes(classes, named, catalog) -> tuple[str, ...]:
    notes = []
    extra = [c for c in classes if c != "datacenter"]
    if extra and not named:
        notes.append(f"GPU classes include {' and '.join(extra)} cards, as you chose (gpu_classes); "
                     "the default is data-center GPUs only.")
    return tuple(notes)
