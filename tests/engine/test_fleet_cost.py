"""Fleet sizing and cost arithmetic: exact oracles."""

import math

import pytest

from engine import cost
from engine.defaults import load_assumptions
from engine.errors import SizewiseError, UnknownIdError
from engine.fleet import Demand, prefill_tokens, size_fleet
from engine.overrides import load_overrides


def test_replicas_is_ceiling_of_peak_over_usable_capacity():
    # 864,000 requests/day = 10 req/s average, peak 2x = 20 req/s; a replica does 1000 tok/s / 100 = 10 req/s
    d = Demand(864_000, 1000, 100, 2.0, 0.5)
    f = size_fleet(d, 1000.0, 2)
    assert f.replicas == math.ceil(20 / (10 * 0.5)) == 4
    assert f.total_gpus == 8
    assert f.fleet_utilisation == pytest.approx(10 / (4 * 10))


def test_exact_fit_does_not_round_up():
    d = Demand(864_000, 1000, 100, 1.0, 1.0)
    assert size_fleet(d, 1000.0, 1).replicas == 1


def test_at_least_one_replica():
    assert size_fleet(Demand(1, 10, 10, 1.0, 0.5), 1e6, 1).replicas == 1


def test_prefix_cache_removes_cached_tokens():
    assert prefill_tokens(2000, 0.75) == 500


def test_usd_per_million_arithmetic():
    # 10 GPUs x $2/h x 730 h = $14,600 per month; 100M output tokens/day x 365/12 days
    monthly = cost.cloud_monthly_usd(10, 2.0, 730)
    assert monthly == 14_600
    tokens = 100e6 * 365 / 12
    assert cost.usd_per_million(monthly, tokens) == pytest.approx(14_600 / tokens * 1e6)
    # $2/h producing 1000 tok/s fully busy: 2 / 3.6M tokens = $0.5556 per M
    assert cost.usd_per_million_at_rate(2.0, 1000, 1.0) == pytest.approx(2.0 / 3.6)


def test_owned_monthly_terms():
    om = cost.owned_monthly_per_gpu(36_000, 700, 0.5, amortisation_years=3, host_power_factor=1.0, pue=1.5,
                                    usd_per_kwh=0.2, hosting_usd_per_gpu_month=100, hours_per_month=730)
    assert om.amortisation_usd == 1000
    assert om.power_usd == pytest.approx(0.7 * 0.5 * 1.5 * 0.2 * 730)
    assert om.total_usd == pytest.approx(1000 + 76.65 + 100)


def test_break_even_utilisation():
    # fixed 1000 + 100 per month; power at full load 0.7 kW x 1.5 x 0.2 x 730 = 153.3; cloud $4/h x 730 = 2920
    u = cost.break_even_utilisation(36_000, 700, 4.0, amortisation_years=3, host_power_factor=1.0, pue=1.5,
                                    usd_per_kwh=0.2, hosting_usd_per_gpu_month=100, hours_per_month=730)
    assert u == pytest.approx(1100 / (2920 - 153.3))
    # a very cheap rental never loses
    assert cost.break_even_utilisation(36_000, 700, 0.5, amortisation_years=3, host_power_factor=1.0, pue=1.5,
                                       usd_per_kwh=0.2, hosting_usd_per_gpu_month=100, hours_per_month=730) is None


def test_defaults_have_sources():
    a = load_assumptions()
    assert a.amortisation_years == 3  # the article's
    assert a.hours_per_month == 730
    for name, src in a.sources.items():
        assert len(src) > 10, name


def test_overrides_apply_and_validate(tmp_path):
    p = tmp_path / "o.yaml"
    p.write_text("pue: 1.2\nusd_per_gpu_hour: {h100-sxm: 2.5}\n")
    o = load_overrides(p)
    a = o.apply(load_assumptions())
    assert a.pue == 1.2 and a.sources["pue"] == "user override"
    assert o.usd_per_gpu_hour == {"h100-sxm": 2.5}


def test_overrides_unknown_key_names_file_line_and_key(tmp_path):
    p = tmp_path / "o.yaml"
    p.write_text("pue: 1.2\npue_factor: 3\n")
    with pytest.raises(SizewiseError) as err:
        load_overrides(p)
    msg = str(err.value)
    assert f"{p}:2" in msg and "pue_factor" in msg


def test_overrides_bad_value(tmp_path):
    p = tmp_path / "o.yaml"
    p.write_text("target_utilisation: 1.5\n")
    with pytest.raises(SizewiseError, match="target_utilisation"):
        load_overrides(p)


def test_overrides_unknown_gpu_id_names_file_line_and_suggests(tmp_path):
    p = tmp_path / "o.yaml"
    p.write_text("pue: 1.2\nusd_per_gpu_hour: {h100-sxn: 2.5}\n")
    with pytest.raises(SizewiseError) as err:
        load_overrides(p)
    assert f"{p}:2:" in str(err.value) and "unknown gpu 'h100-sxn'; did you mean h100-sxm" in str(err.value)


def test_check_gpu_ids_still_guards_overrides_built_in_code():
    from engine.overrides import Overrides

    with pytest.raises(UnknownIdError, match="h100-sxm"):
        Overrides(usd_per_gpu_hour={"h100-sxn": 2.5}).check_gpu_ids(["h100-sxm", "a100-80gb"])
    Overrides(usd_per_gpu_hour={"H100-SXM": 2.5}).check_gpu_ids(["h100-sxm"])  # case-insensitive, like --gpu


def test_overrides_gpu_ids_resolve_like_the_gpu_flag(tmp_path):
    p = tmp_path / "o.yaml"
    p.write_text("usd_per_gpu_hour: {H100-SXM: 2.5, '4090': 0.4}\npurchase_usd:\n  h100-sxm5: 25000\n")
    o = load_overrides(p)
    assert o.usd_per_gpu_hour == {"h100-sxm": 2.5, "rtx-4090": 0.4}
    assert o.purchase_usd == {"h100-sxm": 25000}
    o.check_gpu_ids(["h100-sxm", "rtx-4090"])  # what the estimate and the report check afterwards


def test_overrides_one_gpu_twice_is_an_error(tmp_path):
    p = tmp_path / "o.yaml"
    p.write_text("usd_per_gpu_hour:\n  h100-sxm: 2.5\n  H100-SXM5: 3.0\n")
    with pytest.raises(SizewiseError) as err:
        load_overrides(p)
    assert f"{p}:3:3" in str(err.value) and "same GPU as 'h100-sxm' (line 2)" in str(err.value)


@pytest.mark.parametrize("text, line, key", [
    ('target_utilisation: "0.7"\n', 1, "target_utilisation"),
    ("pue: 1.2\nusd_per_gpu_hour: {h100-sxm: '2.5'}\n", 2, "usd_per_gpu_hour.h100-sxm"),
    ("amortisation_years: true\n", 1, "amortisation_years"),
])
def test_overrides_numbers_must_be_numbers(tmp_path, text, line, key):
    p = tmp_path / "o.yaml"
    p.write_text(text)
    with pytest.raises(SizewiseError) as err:
        load_overrides(p)
    msg = str(err.value)
    assert f"{p}:{line}:" in msg and key in msg


def test_quoted_number_message_says_how_to_fix(tmp_path):
    p = tmp_path / "o.yaml"
    p.write_text('pue: "1.2"\n')
    with pytest.raises(SizewiseError, match="expected a number, got the string '1.2'; write it without quotes"):
        load_overrides(p)


def test_overrides_accept_ints_and_exponents(tmp_path):
    p = tmp_path / "o.yaml"
    p.write_text("amortisation_years: 4\npurchase_usd: {h100-sxm: 2.5e4}\n")
    o = load_overrides(p)
    assert o.amortisation_years == 4 and o.purchase_usd == {"h100-sxm": 25000.0}
