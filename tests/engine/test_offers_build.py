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
