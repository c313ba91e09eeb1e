"""Regenerate engine/data/offers.yaml from the recorded SkyPilot snapshot and the hand-kept inputs.

    python scripts/build_offers.py            # rewrite engine/data/offers.yaml
    python scripts/build_offers.py --check    # exit 1 if the packaged file differs

Why a script and not a hand-edited file: the offers are a few dozen rows copied from
SkyPilot's public catalog (github skypilot-org/skypilot-catalog, catalogs/v7/, Apache-2.0),
trimmed copies of which live under data-sources/skypilot-catalog/ with the commit each was
read at; committed-use prices, network bandwidths and owned servers come from
data-sources/offers/inputs.yaml. The output is byte for byte a function of those files and
engine/data/gpus.yaml (owned servers' purchase prices), so a reviewer can re-run it and diff
(tests/engine/test_offers_build.py does). After a rebuild run ``python -m engine.snapshot``.

Rules (docs/catalogs.md, "Offers"):
* region: the provider's representative region when the instance type is offered there,
  else its cheapest on-demand region (ties: alphabetical);
* on_demand: SkyPilot's ``Price``; spot: the lowest ``SpotPrice`` over the region's zones;
  GCP lists host and accelerators as separate rows: their prices are summed per zone
  (the ``hosts`` map in inputs.yaml says which accelerators each machine type carries);
  a SpotPrice not below on-demand is dropped (a placeholder, not a spot market); a provider's
  ``gpu_counts`` in inputs.yaml corrects an AcceleratorCount the upstream table gets wrong;
* committed_1y / committed_3y: a published rate from inputs.yaml if one is listed, else the
  provider's documented discount off on-demand (its source says DISCOUNT), rounded to 0.0001;
* owned: a whole server, purchase_usd = GPUs x the card's purchase_usd from gpus.yaml.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT_DIR = ROOT / "data-sources" / "skypilot-catalog"
INPUTS = ROOT / "data-sources" / "offers" / "inputs.yaml"
OUTPUT = ROOT / "engine" / "data" / "offers.yaml"
SKYPILOT_PATH = "github skypilot-org/skypilot-catalog catalogs/{version}/{provider}/vms.csv @{commit}"


def _num(x: float) -> str:
    x = round(float(x), 6)
    return str(int(x)) if x.is_integer() else repr(x)


def _str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _network(rules: list[dict], provider: str, instance_type: str) -> dict:
    matches = [r for r in rules if r["provider"] == provider and instance_type.startswith(r["prefix"])]
    if not matches:
        raise SystemExit(f"build_offers: no network entry for {provider} {instance_type} in {INPUTS.name}")
    return max(matches, key=lambda r: len(r["prefix"]))


def _host_plus_accelerator(table: list[dict], hosts: dict[str, dict]) -> list[dict]:
    """GCP-style tables price a GPU VM as two rows: the host machine type (no accelerator) and the
    attached accelerators (no instance type). Join them per zone into one row like the other clouds'
    tables (Price and SpotPrice summed; a zone missing either half is dropped)."""
    accel = {(r["AcceleratorName"], int(float(r["AcceleratorCount"])), r["AvailabilityZone"]): r
             for r in table if not r["InstanceType"] and r["AcceleratorName"]}
    out = []
    for r in table:
        host = hosts.get(r["InstanceType"])
        if host is None:
            continue
        a = accel.get((host["accelerator"], host["count"], r["AvailabilityZone"]))
        if a is None or not r["Price"] or not a["Price"]:
            continue
        spot = (str(round(float(r["SpotPrice"]) + float(a["SpotPrice"]), 6))
                if r["SpotPrice"] and a["SpotPrice"] else "")
        out.append({**r, "AcceleratorName": host["accelerator"], "AcceleratorCount": str(host["count"]),
                    "Price": str(round(float(r["Price"]) + float(a["Price"]), 6)), "SpotPrice": spot})
    return out


def _rows(provider: str, spec: dict, accelerators: dict[str, str]) -> list[dict]:
    """One dict per instance type: region chosen, on-demand and spot price, GPU id."""
    with open(SNAPSHOT_DIR / spec["file"], newline="", encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    if "hosts" in spec:
        table = _host_plus_accelerator(table, spec["hosts"])
    raw = [r for r in table if r["AcceleratorName"] in accelerators and r["Price"]]
    by_type: dict[str, list[dict]] = {}
    for r in raw:
        by_type.setdefault(r["InstanceType"], []).append(r)
    out = []
    for instance_type, rows in by_type.items():
        regions = sorted({r["Region"] for r in rows}, key=lambda g: (min(float(r["Price"]) for r in rows if r["Region"] == g), g))
        region = spec["region"] if spec["region"] in regions else regions[0]
        here = [r for r in rows if r["Region"] == region]
        on_demand = min(float(r["Price"]) for r in here)
        # a SpotPrice not below the on-demand price is a placeholder (Azure lists H100 spot = on-demand)
        spots = [float(r["SpotPrice"]) for r in here if r.get("SpotPrice") and float(r["SpotPrice"]) < on_demand]
        out.append({
            "instance_type": instance_type,
            "gpu": accelerators[here[0]["AcceleratorName"]],
            "gpus": spec.get("gpu_counts", {}).get(instance_type, int(float(here[0]["AcceleratorCount"]))),
            "region": region,
            "on_demand": on_demand,
            "spot": min(spots) if spots else None,
        })
    return out


def build() -> str:
    import yaml

    sys.path.insert(0, str(ROOT))
    from engine.catalog import load_gpus

    inputs = yaml.safe_load(INPUTS.read_text(encoding="utf-8"))
    gpus = load_gpus()
    rates = {(r["provider"], r["instance_type"], r["pricing"]): r for r in inputs["committed"]["rates"]}
    discounts = {d["provider"]: d for d in inputs["committed"]["discounts"]}
    blocks = []
    for provider, spec in inputs["skypilot"].items():
        where = SKYPILOT_PATH.format(version=spec.get("catalog", "v7"), provider=provider, commit=spec["commit"][:8])
        read = spec["read"]
        accelerators = {k: v for k, v in {**inputs["accelerators"], **spec.get("accelerators", {})}.items() if v}
        rows = sorted(_rows(provider, spec, accelerators), key=lambda r: (r["gpu"], r["gpus"], r["instance_type"]))
        for r in rows:
            net = _network(inputs["network"], provider, r["instance_type"])
            od = r["on_demand"]
            what = "host Price + accelerator Price" if "hosts" in spec else "Price"
            prices = [("on_demand", od, f"{where} ({what}, {r['region']}; snapshot date not determined, read {read})", read)]
            for term in ("committed_1y", "committed_3y"):
                rate = rates.get((provider, r["instance_type"], term))
                if rate is not None:
                    prices.append((term, rate["usd_per_hour"], rate["source"], rate["as_of"]))
                elif provider in discounts:
                    d = discounts[provider][term]
                    value = round(od * (1 - d["fraction_off"]), 4)
                    prices.append((term, value, f"{d['source']}; {d['fraction_off']:.0%} off on-demand ${_num(od)}/h", d["as_of"]))
            if r["spot"] is not None:
                prices.append(("spot", r["spot"], f"{where} (lowest SpotPrice over {r['region']} zones; read {read})", read))
            lines = [
                f"- provider: {provider}",
                f"  instance_type: {_str(r['instance_type'])}",
                f"  gpu: {r['gpu']}",
                f"  gpus_per_instance: {r['gpus']}",
                f"  region: {r['region']}",
                f"  network_gb_per_s: {_num(net['gb_per_s'])}",
                f"  network: {{source: {_str(net['source'])}, as_of: {_str(net['as_of'])}}}",
                "  prices:",
            ]
            lines += [f"    {k}: {{usd_per_hour: {_num(v)}, source: {_str(s)}, as_of: {_str(a)}}}" for k, v, s, a in prices]
            blocks.append("\n".join(lines))
    for server in inputs["owned"]:
        card = gpus[server["gpu"]]
        prov = card.provenance["purchase_usd"]
        source = (f"{server['gpus']} x engine/data/gpus.yaml {card.id} purchase_usd ${_num(card.purchase_usd)} "
                  f"({prov.source}); GPUs only: host, chassis and network not included")
        blocks.append("\n".join([
            "- provider: own_hardware",
            f"  instance_type: {_str(server['instance_type'])}",
            f"  gpu: {card.id}",
            f"  gpus_per_instance: {server['gpus']}",
            "  region: owned",
            f"  network_gb_per_s: {_num(server['network_gb_per_s'])}",
            f"  network: {{source: {_str(server['network_source'])}, as_of: {_str(server['network_as_of'])}}}",
            f"  purchase_usd: {_num(server['gpus'] * card.purchase_usd)}",
            f"  purchase: {{source: {_str(source)}, as_of: {_str(prov.as_of)}}}",
        ]))
    head = ("# GENERATED by scripts/build_offers.py from data-sources/skypilot-catalog/ and\n"
            "# data-sources/offers/inputs.yaml: do not edit; change the inputs and re-run it\n"
            "# (then `python -m engine.snapshot`). Fields: docs/catalogs.md, \"Offers\".\n"
            "schema_version: 1\n"
            "generated_by: scripts/build_offers.py\n"
            "offers:\n")
    return head + "\n".join(blocks) + "\n"


def main(argv: list[str]) -> int:
    text = build()
    current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else None
    if "--check" in argv:
        if current == text:
            print(f"{OUTPUT.name} is current")
            return 0
        print(f"{OUTPUT.name} differs from `python scripts/build_offers.py`", file=sys.stderr)
        return 1
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)} ({text.count(chr(10) + '- provider:') + text.startswith('- provider:')} offers)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
