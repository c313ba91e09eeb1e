"""The packaged offers regenerate byte for byte from the recorded snapshot and the hand-kept inputs."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_build_offers_reproduces_the_packaged_file_byte_for_byte():
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_offers.py"), "--check"],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr


def test_build_offers_output_is_the_packaged_bytes():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import build_offers
    finally:
        sys.path.pop(0)
    assert build_offers.build().encode("utf-8") == (ROOT / "engine" / "data" / "offers.yaml").read_bytes()


def test_every_snapshot_file_is_named_with_its_commit_in_the_readme():
    readme = (ROOT / "data-sources" / "skypilot-catalog" / "README.md").read_text(encoding="utf-8")
    for csv in (ROOT / "data-sources" / "skypilot-catalog").glob("*/vms.csv"):
        assert csv.parent.name in readme


def _build_module():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import build_offers
    finally:
        sys.path.pop(0)
    return build_offers


def test_gcp_host_and_accelerator_rows_are_joined_per_zone():
    table = [
        {"InstanceType": "a3-highgpu-8g", "AcceleratorName": "", "AcceleratorCount": "", "AvailabilityZone": "z-a",
         "Region": "r", "Price": "9.5", "SpotPrice": "2.0"},
        {"InstanceType": "a3-highgpu-8g", "AcceleratorName": "", "AcceleratorCount": "", "AvailabilityZone": "z-b",
         "Region": "r", "Price": "9.5", "SpotPrice": "2.0"},
        {"InstanceType": "", "AcceleratorName": "H100", "AcceleratorCount": "8", "AvailabilityZone": "z-a",
         "Region": "r", "Price": "30.25", "SpotPrice": ""},
    ]
    rows = _build_module()._host_plus_accelerator(table, {"a3-highgpu-8g": {"accelerator": "H100", "count": 8}})
    assert len(rows) == 1  # zone z-b has no accelerator row: dropped
    assert rows[0]["AcceleratorName"] == "H100" and rows[0]["AcceleratorCount"] == "8"
    assert float(rows[0]["Price"]) == 39.75
    assert rows[0]["SpotPrice"] == ""  # one half has no spot price: no spot


def test_the_packaged_offers_cover_the_clouds_the_issue_names():
    from engine.offers import load_offers

    offers = load_offers()
    providers = {o.provider for o in offers}
    assert {"aws", "gcp", "azure", "lambda", "runpod", "nebius", "own_hardware"} <= providers
    gcp = {o.instance_type: o for o in offers if o.provider == "gcp"}
    assert gcp["a3-highgpu-8g"].gpu == "h100-sxm" and gcp["a3-highgpu-8g"].gpus_per_instance == 8
    # host 9.46006 + 8x H100 33.60609 in us-central1 (data-sources/skypilot-catalog/gcp-017e2502)
    assert abs(gcp["a3-highgpu-8g"].prices["on_demand"].usd_per_hour - 43.06615) < 1e-9
    aws = {o.instance_type for o in offers if o.provider == "aws"}
    assert {"p5.48xlarge", "p4d.24xlarge", "p4de.24xlarge", "p5en.48xlarge"} <= aws
    azure = {o.instance_type: o for o in offers if o.provider == "azure"}
    # upstream says 12 GPUs and spot = on-demand: corrected to 8, spot dropped (README)
    assert azure["Standard_ND96isr_H100_v5"].gpus_per_instance == 8
    assert "spot" not in azure["Standard_ND96isr_H100_v5"].prices
    assert azure["Standard_ND96asr_v4"].gpu == "a100-40gb"

