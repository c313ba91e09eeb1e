"""Calibration acceptance, computed from the data file: median error <= 25%, no point off by 2x or more."""

import importlib.util
import statistics
from pathlib import Path

import pytest

from engine.calibration import band_from_ratios, load_calibration, percentile

ROOT = Path(__file__).resolve().parents[2]


def _calibrate_module():
    spec = importlib.util.spec_from_file_location("calibrate", ROOT / "benchmarks" / "calibrate.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def table():
    cal = _calibrate_module()
    points = cal.load_points()
    return cal.rows(load_calibration().efficiency, cal.setups(points)), points


def test_every_point_is_predicted(table):
    rows, points = table
    assert len(points) == 93
    assert [r["id"] for r in rows] == [p["id"] for p in points]


def test_acceptance_median_and_worst(table):
    rows, _ = table
    errors = [abs(r["predicted"] - r["measured"]) / r["measured"] for r in rows]
    assert statistics.median(errors) <= 0.25
    assert max(max(r["ratio"], 1 / r["ratio"]) for r in rows) < 2.0


def test_shipped_band_matches_the_data(table):
    rows, _ = table
    band = band_from_ratios([r["ratio"] for r in rows])
    shipped = load_calibration().band
    assert shipped.points == band.points
    assert shipped.ratio_p10 == pytest.approx(band.ratio_p10, abs=1e-3)
    assert shipped.ratio_p90 == pytest.approx(band.ratio_p90, abs=1e-3)
    assert shipped.ratio_p10 < 1 < shipped.ratio_p90


def test_docs_table_lists_every_point(table):
    rows, _ = table
    doc = (ROOT / "docs" / "methodology.md").read_text(encoding="utf-8")
    block = doc.split("<!-- calibration-table:begin -->")[1].split("<!-- calibration-table:end -->")[0]
    data_rows = [line for line in block.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert len(data_rows) == len(rows)
    for line, r in zip(data_rows, rows):
        assert f"{r['measured']:,.1f}" in line
        assert f"{r['predicted']:,.1f}" in line  # the table was generated from the shipped factors


def test_factors_are_physical():
    eff = load_calibration().efficiency
    assert 0 < eff.mfu <= 1 and 0 < eff.mbu <= 1 and 0 < eff.link_efficiency <= 1
    assert 0 <= eff.step_overhead_s < 0.05


def test_percentile_interpolates():
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 0.5) == 3.0
    assert percentile([0.0, 10.0], 0.1) == pytest.approx(1.0)
