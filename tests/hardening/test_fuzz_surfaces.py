"""Generated hostile input through every file and flag surface (issue 16 acceptance).

Each property sends one family of hostile input (over-long paths, absurd override
values, control characters, unsafe write targets, duplicate JSON keys, numbers in
other scripts or bases, floods of unknown keys) and asserts the contract of bad
input: exit 2, one line (or a capped list), no raw control character in the
output, nothing written or deleted. Bounded (few examples per property, no
shrinking budget to speak of) so the whole file runs in well under a minute; the
hand-written reproducers next to it (test_*.py) pin each issue item down exactly.

Safety: nothing here names a real device or a file outside ``tmp_path``; the
device target is a node made in the temporary directory (on code without the
fix, ``--force`` replaced ``/dev/null`` itself with a regular file).
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hardening.conftest import ANSWERS, RAW_CONTROL, run

FUZZ = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)

#: characters a terminal interprets or hides, plus digits from other scripts
CONTROLS = "\x00\x07\x08\x1b\x7f\x85\x9b\u200b\u200e\u202e\u2028\u2066\ufeff"
hostile_char = st.sampled_from(list(CONTROLS) + ["[", "]", "\n", "\t", "'", '"', "\\"])
hostile_text = st.lists(st.one_of(hostile_char, st.sampled_from(list("ab-_.:"))), min_size=1, max_size=12).map(
    "".join).filter(lambda s: any(c in CONTROLS for c in s))
foreign_digit = st.sampled_from(["\u0665", "\u06f5", "\u0967", "\uff15", "\u2075", "\u00b2", "\U0001d7d3"])
foreign_number = st.one_of(
    st.tuples(st.integers(0, 99), foreign_digit, st.integers(0, 99)).map(lambda t: f"{t[0] or ''}{t[1]}{t[2] or ''}"),
    st.sampled_from(["0x", "0o", "0b", "0X"]).flatmap(lambda p: st.integers(1, 999).map(lambda n: f"{p}{n}")),
    st.tuples(st.integers(1, 99), st.integers(0, 999)).map(lambda t: f"{t[0]}_{t[1]:03d}"),
    st.tuples(st.integers(1, 59), st.integers(0, 59)).map(lambda t: f"{t[0]}:{t[1]:02d}"),
)


class Sandbox:
    """A fresh directory holding an answers file, and a fingerprint of everything in it."""

    def __init__(self, factory):
        self.dir = factory.mktemp("fuzz")
        self.answers = self.dir / "answers.yaml"
        self.answers.write_text(ANSWERS)

    def write(self, name: str, text: str) -> Path:
        path = self.dir / name
        path.write_text(text, encoding="utf-8")
        return path

    def state(self) -> dict:
        out = {}
        for p in sorted(self.dir.rglob("*")):
            info = os.lstat(p)
            out[str(p)] = (stat.S_IFMT(info.st_mode), p.read_bytes() if stat.S_ISREG(info.st_mode) else os.readlink(p)
                           if stat.S_ISLNK(info.st_mode) else None)
        return out


def refused(argv, box: Sandbox, *, max_lines: int = 2):
    before = box.state()
    code, out, err = run(argv)
    assert code == 2, (argv, code, err[:500])
    assert "internal error" not in err, err
    assert 0 < len(err.rstrip("\n").split("\n")) <= max_lines, err[:2000]
    assert not RAW_CONTROL.search(out + err), repr((out + err)[:500])
    assert box.state() == before, "something was written or deleted"
    return err


# --- item 1: over-long paths on every path flag -------------------------------------------------
PATH_FLAGS = [
    lambda b, p: ["audit", p],
    lambda b, p: ["estimate", "--model-config", p, "--gpu", "h100-sxm", "--format", "json"],
    lambda b, p: ["explain", b.answers, "--rules", p],
    lambda b, p: ["recommend", "--answers", b.answers, "--rules", p],
    lambda b, p: ["recommend", "--answers", b.answers, "-o", p],
    lambda b, p: ["recommend", "--answers", p],
    lambda b, p: ["recommend", "--answers", b.answers, "--overrides", p],
    lambda b, p: ["answers", "template", "-o", p],
]


@FUZZ
@given(st.sampled_from(range(len(PATH_FLAGS))), st.integers(256, 600), st.sampled_from(["a", "é", "x/"]))
def test_fuzz_over_long_paths(tmp_path_factory, which, length, unit):
    box = Sandbox(tmp_path_factory)
    name = (unit * length)[:length].rstrip("/") or "a" * length
    err = refused(PATH_FLAGS[which](box, box.dir / name), box)
    assert "too long" in err.lower()


# --- item 2: absurd override values -------------------------------------------------------------
FLAG_BOUNDED = {"target_utilisation": "utilisation", "peak_to_average": "peak_to_average",
                "ttft_target_s": "ttft_target_s", "tpot_target_ms": "tpot_target_ms"}


@FUZZ
@given(st.sampled_from(sorted([*FLAG_BOUNDED, "amortisation_years", "usd_per_gpu_hour"])), st.booleans(),
       st.integers(5, 300))  # 1e-5 is under every minimum, 1e5 over every maximum
def test_fuzz_absurd_overrides(tmp_path_factory, key, tiny, exponent):
    box = Sandbox(tmp_path_factory)
    value = f"1e-{exponent}" if tiny else f"1e{exponent}"
    text = f"{key}: {{h100-sxm: {value}}}\n" if key == "usd_per_gpu_hour" else f"{key}: {value}\n"
    ov = box.write("ov.yaml", text)
    err = refused(["estimate", "--model", "7b", "--gpu", "h100-sxm", "--overrides", ov, "--format", "json"], box, max_lines=1)
    assert f"{ov}:1:" in err


# --- item 4: control characters through every surface that echoes ---------------------------
def _yaml_quoted(text: str) -> str:
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar


ECHO_SURFACES = [
    lambda b, s: ["explain", b.write("a.yaml", ANSWERS + f"{_yaml_quoted(s)}: 1\n")],
    lambda b, s: ["explain", b.write("a.yaml", ANSWERS.replace("latency: interactive", f"latency: {_yaml_quoted(s)}"))],
    lambda b, s: ["explain", b.answers, "--set", f"{s}=1"],
    lambda b, s: ["explain", b.answers, "--set", f"latency={s}"],
    lambda b, s: ["explain", b.answers, "--set", f"requests_per_day={s}"],
    lambda b, s: ["recommend", "--answers", b.answers, "--date", s],
    lambda b, s: ["recommend", "--answers", b.answers, "--title", s],
    lambda b, s: ["recommend", "--answers", b.dir / f"{s.replace('/', '').replace(chr(0), '')}.yaml"],
    lambda b, s: ["estimate", "--model", "7b", "--gpu", "h100-sxm", "--overrides", b.write("o.yaml", f"{_yaml_quoted(s)}: 1\n")],
    lambda b, s: ["estimate", "--model", s, "--gpu", "h100-sxm"],
    lambda b, s: ["estimate", "--model", "7b", "--gpu", s],
    lambda b, s: ["estimate", "--model", "7b", "--gpu", "h100-sxm", "--input-tokens", s],
    lambda b, s: ["recommend", "--answers", b.answers, "--gpus", s],
]


@settings(FUZZ, max_examples=40)
@given(st.sampled_from(range(len(ECHO_SURFACES))), hostile_text)
def test_fuzz_control_characters_are_escaped(tmp_path_factory, which, text):
    box = Sandbox(tmp_path_factory)
    argv = ECHO_SURFACES[which](box, text)
    if any("\x00" in str(a) for a in argv) and which in (2, 3, 4, 5, 6, 9, 10, 11, 12):
        return  # a NUL cannot be passed in argv (the OS would cut the argument there)
    refused(argv, box, max_lines=8)


# --- item 5: write targets that must not be replaced ------------------------------------------
def _target(box: Sandbox, kind: str) -> Path:
    if kind == "symlink":
        real = box.write("real.md", "keep\n")
        link = box.dir / "link.md"
        link.symlink_to(real)
        return link
    if kind == "dangling symlink":
        link = box.dir / "dangling.md"
        link.symlink_to(box.dir / "nowhere.md")
        return link
    if kind == "fifo":
        fifo = box.dir / "fifo"
        os.mkfifo(fifo)
        return fifo
    if kind == "answers":
        return box.answers
    if kind == "hard link to answers":
        os.link(box.answers, box.dir / "alias.yaml")
        return box.dir / "alias.yaml"
    if kind == "overrides":
        return box.write("ov.yaml", "pue: 1.2\n")
    return box.answers / "x.md"  # "inside a file"


@settings(FUZZ, max_examples=14)
@given(st.sampled_from(["symlink", "dangling symlink", "fifo", "answers", "hard link to answers", "overrides",
                        "inside a file"]), st.booleans(), st.sampled_from(["markdown", "json"]))
def test_fuzz_writes_never_destroy(tmp_path_factory, kind, force, fmt):
    box = Sandbox(tmp_path_factory)
    target = _target(box, kind)
    argv = ["recommend", "--answers", box.answers, "--date", "2026-01-01", "--format", fmt, "-o", target]
    if kind == "overrides":
        argv += ["--overrides", target]
    refused(argv + (["--force"] if force else []), box, max_lines=1)


# --- item 6: duplicate keys in a model config -----------------------------------------------------
@FUZZ
@given(st.sampled_from(["hidden_size", "num_hidden_layers", "vocab_size", "model_type", "x"]), st.integers(0, 3))
def test_fuzz_duplicate_json_keys(tmp_path_factory, key, depth):
    box = Sandbox(tmp_path_factory)
    inner = f'{{"{key}": 1, "{key}": 2}}'
    for _ in range(depth):
        inner = f'{{"text_config": {inner}}}'
    cfg = box.write("config.json", inner)
    err = refused(["estimate", "--model-config", cfg, "--gpu", "h100-sxm"], box, max_lines=1)
    assert f"duplicate key '{key}'" in err


# --- item 7: one number grammar ---------------------------------------------------------------------
@settings(FUZZ, max_examples=20)
@given(foreign_number, st.sampled_from(["file", "set", "flag"]))
def test_fuzz_numbers_in_other_scripts_or_bases_are_refused_everywhere(tmp_path_factory, text, surface):
    box = Sandbox(tmp_path_factory)
    if surface == "file":
        argv = ["explain", box.write("a.yaml", ANSWERS.replace("requests_per_day: 500", f"requests_per_day: {text}"))]
    elif surface == "set":
        argv = ["explain", box.answers, "--set", f"requests_per_day={text}"]
    else:
        argv = ["estimate", "--model", "7b", "--gpu", "h100-sxm", "--requests-per-day", text]
    assert "not a number" in refused(argv, box)


@settings(FUZZ, max_examples=20)
@given(st.integers(1, 10**6), st.sampled_from(["", "K", "M"]), st.sampled_from(["", "/day", "/month", " per week"]))
def test_fuzz_valid_spellings_agree_between_flag_and_answers(n, suffix, period):
    text = f"{n:,}{suffix}{period}"
    code_flag, out, err = run(["estimate", "--model", "7b", "--gpu", "h100-sxm", "--requests-per-day", text,
                               "--format", "json"])
    code_set, _, err_set = run(["explain", "--set", f"requests_per_day={text}", "--set", "latency=batch",
                                "--set", "task_complexity=simple", "--set", "quality_bar=acceptable", "--set",
                                "input_tokens=100", "--set", "output_tokens=100", "--set", "deployment=cloud"])
    flag_ok = code_flag == 0 or "too large" in err or "too small" in err
    set_ok = code_set == 0 or "between" in err_set
    assert flag_ok and set_ok, (text, err, err_set)


# --- item 8: floods of problems stay a screenful ---------------------------------------------------
@settings(FUZZ, max_examples=6)
@given(st.integers(25, 2000))
def test_fuzz_many_unknown_keys_give_a_capped_list(tmp_path_factory, n):
    box = Sandbox(tmp_path_factory)
    path = box.write("a.yaml", ANSWERS + "".join(f"unknown_{i}: 1\n" for i in range(n)))
    err = refused(["explain", path], box, max_lines=22)
    assert f"{n:,} problems" in err and err.rstrip().endswith("more")


@settings(FUZZ, max_examples=10)
@given(st.sampled_from([("requests_per_day", 10**11), ("input_tokens", 2_000_000), ("output_tokens", 1_000_000)]),
       st.integers(1, 10**4))
def test_fuzz_a_value_just_over_a_question_bound_is_shown_as_given(tmp_path_factory, question, over):
    qid, maximum = question
    box = Sandbox(tmp_path_factory)
    value = maximum + over
    err = refused(["explain", box.answers, "--set", f"{qid}={value}"], box, max_lines=1)
    from engine.units import parse_quantity

    assert parse_quantity(err.rstrip().rsplit("got ", 1)[1], name="got") == value, err  # not "got 1e11"
