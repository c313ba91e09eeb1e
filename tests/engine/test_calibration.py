"""Calibration acceptance, computed from the data files: per file and serving engine, median error <= 15%,
>= 95% within 2x, TPOT median error <= 20%; the shipped profiles, band, coverage and docs tables match the data."""

import importlib.util
import sys
from pathlib import Path

import pytest

from engine.calibration import Coverage, band_from_ratios, load_calibration, load_profiles, percentile, serving_engines
from engine.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))


def _calibrate_module():
    spec = importlib.util.spec_from_file_location("calibrate", ROOT / "benchmarks" / "calibrate.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def calibrate():
    """benchmarks/calibrate.py loaded once, its fits memoised (the real fit runs at most once per holdout flag)."""
    mod = _calibrate_module()
    real_fit, memo = mod.fit, {}

    def fit(prepared, holdout=False):
        if holdout not in memo:
            memo[holdout] = real_fit(prepared, holdout)
        return {k: dict(v) for k, v in memo[holdout].items()}

    mod.fit = fit
    return mod


@pytest.fixture(scope="module")
def table(calibrate):
    cal = calibrate
    prepared = cal.setups()
    return cal.rows(prepared, cal.all_factors(cal.values_from_shipped())), prepared


def test_every_point_is_predicted_or_refused_with_a_reason(table):
    import calibration_points as cp

    rows, _ = table
    points = [p for f in cp.FILES for p in cp.load_points(f)]
    assert len(points) == 93 + 79
    assert [r["id"] for r in rows] == [p["id"] for p in points]
    for r in rows:
        assert (r["predicted"] is None) == bool(r["refused"])
    assert all(r["excluded"] for r in rows if r["refused"])  # a refused point is never silently in the fit


def test_acceptance_per_file_and_serving_engine(table):
    import accuracy_table

    rows, _ = table
    lines = accuracy_table.acceptance(rows)
    assert {ln.split()[1] + " " + ln.split()[2].rstrip(":") for ln in lines} == {
        "calibration.yaml trtllm", "calibration2.yaml vllm", "calibration2.yaml sglang", "calibration2.yaml trtllm"}
    assert all(ln.startswith("PASS") for ln in lines), lines


def test_moe_and_tp8_points_are_no_longer_outliers(table):
    import accuracy_table

    rows, _ = table
    fitted = [r for r in rows if not r["excluded"]]
    for group in ([r for r in fitted if r["moe"]], [r for r in fitted if r["tp"] == 8]):
        s = accuracy_table.summary(group)
        assert s["points"] >= 10 and s["median_error"] <= 0.15 and s["within_2x"] >= 0.95


def test_shipped_band_matches_the_data(table):
    rows, _ = table
    for prof in serving_engines():
        ratios = [r["ratio"] for r in rows if r["profile"] == prof and not r["excluded"] and r["ratio"] is not None
                  and not r["demand_bound"]]
        band = band_from_ratios(ratios)
        shipped = load_calibration(prof).band
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
        if r["predicted"] is not None:
            assert f"{r['predicted']:,.1f}" in line  # the table was generated from the shipped factors
        assert ("(excluded)" in line) == bool(r["excluded"] and r["predicted"] is not None)
    accuracy = doc.split("<!-- accuracy-table:begin -->")[1].split("<!-- accuracy-table:end -->")[0]
    for r in rows:
        if r["excluded"]:
            assert r["id"] in accuracy and r["excluded"] in accuracy  # shown, with its reason


def test_factors_are_physical():
    for prof in serving_engines():
        cal = load_calibration(prof)
        eff = cal.efficiency
        assert 0 < eff.mfu <= 1 and 0 < eff.mbu <= 1 and 0 < eff.link_efficiency <= 1, prof
        assert 0 <= eff.step_overhead_s < 0.05 and 0 < eff.moe_mfu_scale <= 1
        assert all(0 < v <= 1.2 for v in cal.vendor_scale.values())
        assert all(0 < v <= 1 for v in cal.weight_only.values())


def test_profiles_default_and_unknown_id():
    assert serving_engines()[0] == "vllm" == load_profiles().default
    assert set(serving_engines()) == {"vllm", "sglang", "trtllm"}
    assert load_calibration().profile == "vllm"
    with pytest.raises(InputError) as exc:
        load_calibration("tgi")
    assert "unknown serving engine 'tgi'" in str(exc.value) and "vllm, sglang, trtllm" in str(exc.value)


def test_efficiency_for_applies_vendor_and_weight_only_factors():
    cal = load_calibration("vllm")
    base = cal.efficiency_for("nvidia", "bf16")
    assert base == cal.efficiency
    amd = cal.efficiency_for("amd", "bf16")
    assert amd.mfu == pytest.approx(base.mfu * cal.vendor_scale["amd"]) and amd.mbu < base.mbu
    int4 = cal.efficiency_for("nvidia", "int4")
    assert int4.weight_bw_scale == cal.weight_only["int4"] < 1 and int4.mbu == base.mbu
    assert cal.efficiency_for("amd", "bf16") is amd  # memoised


def test_percentile_interpolates():
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 0.5) == 3.0
    assert percentile([0.0, 10.0], 0.1) == pytest.approx(1.0)


# --------------------------------------------------------------------------- coverage: where the band stops applying
DENSE_COV = Coverage(("a100-80gb", "h100-sxm"), ("bf16", "fp8"), ("fp16", "fp8"), False, False, False, 4, 1,
                     (8.0, 70.6), (256, 22000))


def _gaps(**over):
    args = dict(gpu_id="h100-sxm", precision="fp8", kv_precision="fp8", moe=False, mla=False, sliding_window=False,
                tp=1, pp=1, total_params_b=8.0, tokens_per_sequence=2300)
    args.update(over)
    from engine.calibration import coverage_gaps

    return coverage_gaps(DENSE_COV, **args)


def test_shipped_coverage_is_what_the_points_span(table):
    _, prepared = table
    for prof in serving_engines():
        pts = [st for st in prepared if st.profile == prof and not st.excluded and not st.refused]
        cov = load_calibration(prof).coverage
        assert set(cov.gpus) == {st.point["gpu"] for st in pts}
        assert set(cov.precisions) == {st.point["precision"] for st in pts}
        assert cov.max_tensor_parallel == max(st.lay.tp for st in pts)
        assert cov.moe == any(st.prep.perf.num_experts for st in pts)
        assert set(cov.moe_layouts) == {(st.prep.model.moe.num_experts, st.prep.model.moe.experts_per_token)
                                        for st in pts if st.prep.model.moe is not None}


def test_an_unmeasured_expert_layout_is_named():
    from engine.calibration import coverage_gaps

    cov = DENSE_COV._replace(moe=True, moe_layouts=((256, 8),))
    args = dict(gpu_id="h100-sxm", precision="fp8", kv_precision="fp8", moe=True, mla=False, sliding_window=False,
                tp=1, pp=1, total_params_b=46.7, tokens_per_sequence=2300)
    assert coverage_gaps(cov, **args, moe_layout=(256, 8)) == []
    (gap,) = coverage_gaps(cov, **args, moe_layout=(8, 2))
    assert "expert layout (8 experts, 2 per token) was not measured" in gap and "256 x 8" in gap


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
    outside = estimate(EstimateRequest(model="llama-3.1-70b", gpu="l40s", precision="fp8")).as_dict()
    assert outside["calibration"]["coverage"]["within"] is False
    assert any("l40s" in w and "extrapolation" in w for w in outside["warnings"])


# --------------------------------------------------------------------------- benchmarks/calibrate.py command line
@pytest.fixture()
def sandboxed(calibrate, tmp_path, monkeypatch):
    """The calibrate module with its two output files redirected to copies in tmp_path (the repo is never written)."""
    cal = calibrate
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
    assert "PASS calibration.yaml trtllm" in capsys.readouterr().out
    assert (tmp / "engine/data/efficiency.yaml").read_text(encoding="utf-8") == "sentinel"


def test_calibrate_fit_reproduces_the_shipped_files_byte_for_byte(sandboxed, capsys):
    """The real fit on the current data: the shipped efficiency.yaml and docs table are what it writes."""
    cal, tmp = sandboxed
    assert cal.main([]) == 0
    out = capsys.readouterr().out
    assert "engine/data/efficiency.yaml: unchanged" in out
    assert "docs/methodology.md: calibration table (172 rows) and accuracy table: unchanged" in out
    for rel in ("engine/data/efficiency.yaml", "docs/methodology.md"):
        assert (tmp / rel).read_bytes() == (ROOT / rel).read_bytes(), rel


def test_calibrate_says_what_it_wrote(sandboxed, capsys, monkeypatch):
    cal, tmp = sandboxed
    eff_path = tmp / "engine/data/efficiency.yaml"
    mfu = load_calibration("trtllm").efficiency.mfu
    eff_path.write_text(eff_path.read_text(encoding="utf-8").replace(f"value: {mfu}", "value: 0.5", 1), encoding="utf-8")
    doc_path = tmp / "docs/methodology.md"
    doc_path.write_text(doc_path.read_text(encoding="utf-8").replace("\n| 93 | ", "\n| 93x | ", 1), encoding="utf-8")
    assert "\n| 93x | " in doc_path.read_text(encoding="utf-8") and "value: 0.5\n" in eff_path.read_text(encoding="utf-8")
    assert cal.main([]) == 0
    out = capsys.readouterr().out
    assert f"engine/data/efficiency.yaml: wrote {len((ROOT / 'engine/data/efficiency.yaml').read_bytes()):,} bytes" in out
    assert f"trtllm.mfu 0.5 -> {mfu}" in out
    assert "docs/methodology.md: calibration table (172 rows) and accuracy table: rewritten" in out
    for rel in ("engine/data/efficiency.yaml", "docs/methodology.md"):
        assert (tmp / rel).read_bytes() == (ROOT / rel).read_bytes(), rel
