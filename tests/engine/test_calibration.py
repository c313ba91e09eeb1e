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


# --------------------------------------------------------------------------- coverage: where the band stops applying
def _gaps(**over):
    args = dict(gpu_id="h100-sxm", precision="fp8", kv_precision="fp8", moe=False, mla=False, sliding_window=False,
                tp=1, pp=1, total_params_b=8.0, tokens_per_sequence=2300)
    args.update(over)
    from engine.calibration import coverage_gaps

    return coverage_gaps(load_calibration().coverage, **args)


def test_shipped_coverage_is_what_the_points_span(table):
    _, points = table
    cov = load_calibration().coverage
    assert set(cov.gpus) == {p["gpu"] for p in points}
    assert set(cov.precisions) == {p["precision"] for p in points}
    assert cov.tokens_per_sequence == (min(p["input_tokens"] + p["output_tokens"] for p in points),
                                       max(p["input_tokens"] + p["output_tokens"] for p in points))
    assert cov.max_tensor_parallel == max(p["gpus"] for p in points)
    assert not cov.moe and not cov.mla


def test_a_measured_setup_is_inside():
    assert _gaps() == []
    assert _gaps(gpu_id="a100-80gb", precision="bf16", kv_precision="bf16", tp=4, total_params_b=70.6) == []


@pytest.mark.parametrize("over, needle", [
    ({"gpu_id": "mi300x"}, "GPU mi300x was not measured"),
    ({"precision": "int4"}, "int4 weights"),
    ({"kv_precision": "int8"}, "int8 KV cache"),
    ({"moe": True}, "mixture-of-experts"),
    ({"mla": True}, "MLA"),
    ({"sliding_window": True}, "sliding-window"),
    ({"tp": 8}, "tensor parallelism 8"),
    ({"pp": 2}, "2 pipeline stages"),
    ({"total_params_b": 405.0}, "405.0B-parameter"),
    ({"total_params_b": 1.0}, "1.0B-parameter"),
    ({"tokens_per_sequence": 128_000}, "128,000 tokens per sequence"),
])
def test_each_kind_of_extrapolation_is_named(over, needle):
    gaps = _gaps(**over)
    assert len(gaps) == 1 and needle in gaps[0]


def test_estimate_carries_coverage_and_warns_when_outside():
    from engine.estimate import estimate
    from engine.request import EstimateRequest

    inside = estimate(EstimateRequest(model="llama-3.1-70b", gpu="h100-sxm", precision="fp8")).as_dict()
    assert inside["calibration"]["coverage"] == {"within": True, "outside": []}
    assert not any("calibration measured" in w for w in inside["warnings"])
    outside = estimate(EstimateRequest(model="llama-3.1-70b", gpu="mi300x", precision="fp8")).as_dict()
    assert outside["calibration"]["coverage"]["within"] is False
    assert any("mi300x" in w and "extrapolation" in w for w in outside["warnings"])


# --------------------------------------------------------------------------- benchmarks/calibrate.py command line
@pytest.fixture()
def sandboxed(tmp_path, monkeypatch):
    """The calibrate module with its two output files redirected to copies in tmp_path (the repo is never written)."""
    cal = _calibrate_module()
    for name, rel in (("EFFICIENCY", "engine/data/efficiency.yaml"), ("DOC", "docs/methodology.md")):
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((ROOT / rel).read_bytes())
        monkeypatch.setattr(cal, name, target)
    monkeypatch.setattr(cal, "ROOT", tmp_path)
    return cal, tmp_path


def test_calibrate_help_prints_usage_and_writes_nothing(sandboxed, capsys):
    cal, tmp = sandboxed
    (tmp / "engine/data/efficiency.yaml").write_text("sentinel", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        cal.main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "usage: python benchmarks/calibrate.py" in out and "--check" in out
    assert (tmp / "engine/data/efficiency.yaml").read_text(encoding="utf-8") == "sentinel"


@pytest.mark.parametrize("argv", [["--bogus"], ["--check", "extra"], ["-x"]])
def test_calibrate_unknown_arguments_are_an_error(sandboxed, capsys, argv):
    cal, tmp = sandboxed
    (tmp / "engine/data/efficiency.yaml").write_text("sentinel", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        cal.main(argv)
    assert exc.value.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err
    assert (tmp / "engine/data/efficiency.yaml").read_text(encoding="utf-8") == "sentinel"


def test_calibrate_check_writes_nothing(sandboxed, capsys):
    cal, tmp = sandboxed
    (tmp / "engine/data/efficiency.yaml").write_text("sentinel", encoding="utf-8")
    assert cal.main(["--check"]) == 0
    assert "median_abs_error=" in capsys.readouterr().out
    assert (tmp / "engine/data/efficiency.yaml").read_text(encoding="utf-8") == "sentinel"


def test_calibrate_fit_reproduces_the_shipped_files_byte_for_byte(sandboxed, capsys):
    """The real fit on the current data: the shipped efficiency.yaml and docs table are what it writes."""
    cal, tmp = sandboxed
    assert cal.main([]) == 0
    out = capsys.readouterr().out
    assert "engine/data/efficiency.yaml: unchanged" in out
    assert "docs/methodology.md: calibration table (93 rows): unchanged" in out
    for rel in ("engine/data/efficiency.yaml", "docs/methodology.md"):
        assert (tmp / rel).read_bytes() == (ROOT / rel).read_bytes(), rel


def test_calibrate_says_what_it_wrote(sandboxed, capsys, monkeypatch):
    cal, tmp = sandboxed
    eff_path = tmp / "engine/data/efficiency.yaml"
    eff_path.write_text(eff_path.read_text(encoding="utf-8").replace(
        f"value: {load_calibration().efficiency.mfu}", "value: 0.5"), encoding="utf-8")
    doc_path = tmp / "docs/methodology.md"
    doc_path.write_text(doc_path.read_text(encoding="utf-8").replace("\n| 93 | ", "\n| 93x | ", 1), encoding="utf-8")
    assert "\n| 93x | " in doc_path.read_text(encoding="utf-8") and "value: 0.5\n" in eff_path.read_text(encoding="utf-8")
    monkeypatch.setattr(cal, "fit", lambda prepared: load_calibration().efficiency)   # the shipped fit, no search
    assert cal.main([]) == 0
    out = capsys.readouterr().out
    assert f"engine/data/efficiency.yaml: wrote {len((ROOT / 'engine/data/efficiency.yaml').read_bytes()):,} bytes" in out
    assert f"mfu 0.5 -> {load_calibration().efficiency.mfu}" in out
    assert "docs/methodology.md: calibration table (93 rows): rewritten" in out
    for rel in ("engine/data/efficiency.yaml", "docs/methodology.md"):
        assert (tmp / rel).read_bytes() == (ROOT / rel).read_bytes(), rel
