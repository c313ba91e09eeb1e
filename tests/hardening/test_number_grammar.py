"""Issue 16 item 7: one number grammar on every surface (answers file, --set, estimate flags)."""

from __future__ import annotations

import pytest

from engine.errors import InputError
from engine.units import parse_quantity
from tests.hardening.conftest import ANSWERS, assert_refused, run

REFUSED = ["\u0665\u0660\u0660", "\uff15\uff10\uff10", "0x10", "0o17", "0b101", "1_000", "1:30", "١e3", "5\u200b00"]
ACCEPTED = {"500": 500, "2K": 2000, "1,000": 1000, "1.5e3": 1500, "2.5k": 2500, "+7": 7}


@pytest.mark.parametrize("text", REFUSED)
def test_non_ascii_digits_and_other_bases_are_refused_by_the_parser(text):
    with pytest.raises(InputError, match="is not a number"):
        parse_quantity(text, name="--x")


@pytest.mark.parametrize("text", REFUSED)
def test_refused_in_an_answers_file_too(tmp_path, text):
    path = tmp_path / "a.yaml"
    path.write_text(ANSWERS.replace("requests_per_day: 500", f"requests_per_day: {text}"))
    code, out, err = run(["explain", path])
    assert_refused(code, out, err)
    assert "requests_per_day" in err and "not a number" in err


@pytest.mark.parametrize("text", REFUSED)
def test_refused_by_set_and_by_the_flag(tmp_path, text):
    assert_refused(*run(["explain", "--set", f"requests_per_day={text}", "--set", "latency=batch"]), max_lines=20)
    assert_refused(*run(["estimate", "--model", "7b", "--gpu", "h100-sxm", "--requests-per-day", text]))


def test_a_rate_per_period_is_accepted_by_the_flag_as_by_the_answers():
    code, out, err = run(["estimate", "--model", "7b", "--gpu", "h100-sxm", "--requests-per-day", "50M/month",
                          "--format", "json"])
    assert code == 0, err
    import json

    assert json.loads(out)["workload"]["requests_per_day"] == pytest.approx(50e6 * 12 / 365, rel=1e-5)  # the JSON rounds to 6 figures


@pytest.mark.parametrize("text, value", sorted(ACCEPTED.items()))
def test_the_same_spellings_are_accepted_everywhere(tmp_path, text, value):
    assert parse_quantity(text, name="--x") == value
    path = tmp_path / "a.yaml"
    path.write_text(ANSWERS.replace("requests_per_day: 500", f"requests_per_day: '{text}'"))
    code, out, err = run(["explain", path, "--format", "json"])
    assert code == 0, err
