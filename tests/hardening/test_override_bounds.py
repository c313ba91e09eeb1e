"""Issue 16 item 2: an overrides file obeys the same bounds as the flags (1e-300 is absurd everywhere)."""

from __future__ import annotations

import pytest

from engine.request import BOUNDS
from engine.errors import SizewiseError
from engine.overrides import load_overrides
from tests.hardening.conftest import assert_refused, run

#: override key -> the BOUNDS field (and so the flag) it must agree with
SAME_AS_FLAG = {"target_utilisation": "utilisation", "peak_to_average": "peak_to_average",
                "prefix_cache_hit_rate": "prefix_cache_hit_rate", "ttft_target_s": "ttft_target_s",
                "tpot_target_ms": "tpot_target_ms"}


ABSURD = [(k, v) for k in [*SAME_AS_FLAG, "amortisation_years", "usd_per_gpu_hour", "purchase_usd"]
          for v in ("1e-300", "1e300") if not (v == "1e-300" and k == "prefix_cache_hit_rate")]  # 0 is allowed there


@pytest.mark.parametrize("key, value", ABSURD)
def test_absurd_override_is_refused_with_file_line(tmp_path, key, value):
    text = f"{key}: {{h100-sxm: {value}}}\n" if key in ("usd_per_gpu_hour", "purchase_usd") else f"{key}: {value}\n"
    path = tmp_path / "ov.yaml"
    path.write_text(text)
    code, out, err = run(["estimate", "--model", "7b", "--gpu", "h100-sxm", "--overrides", path,
                          "--requests-per-day", "1000", "--format", "json"])
    assert_refused(code, out, err)
    assert f"{path}:1:" in err and key in err
    assert out == ""


@pytest.mark.parametrize("key, field", sorted(SAME_AS_FLAG.items()))
def test_override_bounds_are_the_flag_bounds(tmp_path, key, field):
    _, lo, hi, _ = BOUNDS[field]
    path = tmp_path / "ov.yaml"
    for ok in (lo, hi):
        path.write_text(f"{key}: {float(ok)!r}\n")
        assert getattr(load_overrides(path), key) == ok
    for bad in (lo - max(abs(lo) * 0.5, 0.001), hi * 1.5 + 0.001):
        path.write_text(f"{key}: {bad!r}\n")
        with pytest.raises(SizewiseError, match="supported (minimum|maximum)"):
            load_overrides(path)


def test_price_table_bound_is_the_flag_bound(tmp_path):
    path = tmp_path / "ov.yaml"
    path.write_text("usd_per_gpu_hour: {h100-sxm: 0.001}\n")
    with pytest.raises(SizewiseError, match=r"supported minimum is \$0.01 per GPU-hour"):
        load_overrides(path)
