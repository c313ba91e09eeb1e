"""engine.yamlsafe: positions, duplicate keys, hostile files, YAML 1.2 floats."""

from __future__ import annotations

import time
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.yamlsafe import Problem, YamlProblems, load_yaml_bytes, load_yaml_file, load_yaml_text


def test_positions_of_keys_and_values():
    doc = load_yaml_text("a: 1\nb:\n  - x: 2\n    y: [1, 2]\n", "f.yaml")
    assert doc.data == {"a": 1, "b": [{"x": 2, "y": [1, 2]}]}
    assert doc.locator.position(("b", 0, "y", 1)) == (4, 12)
    assert doc.locator.position(("b", 0, "y"), key=True) == (4, 5)
    # unknown paths fall back to the nearest known ancestor
    assert doc.locator.position(("b", 0, "nope")) == (3, 5)


def test_scientific_notation_is_a_number_and_keys_stay_text():
    doc = load_yaml_text("a: 1e6\nb: 5.0e7\non: yes\n1: x\n")
    assert doc.data == {"a": 1e6, "b": 5e7, "on": True, "1": "x"}


@pytest.mark.parametrize(
    "text, message",
    [
        ("a: 1\na: 2\n", "f.yaml:2:1: a: duplicate key 'a' (first defined at line 1, column 1)"),
        ("a: !!python/object/apply:os.system [ls]\n", "f.yaml:1:4: a: unsupported YAML tag 'tag:yaml.org,2002:python/object/apply:os.system'"),
        ("a: &x [*x]\n", "f.yaml:1:4: recursive YAML alias (an anchor used inside itself)"),
        ("a: 1\n---\nb: 2\n", "f.yaml:2:1: invalid YAML: more than one YAML document in the file (remove the '---' separator)"),
        ("base: &b {x: 1}\nc:\n  <<: *b\n", "f.yaml:3:3: c: merge keys ('<<') are not supported; write the keys out"),
    ],
)
def test_hostile_or_broken_text(text, message):
    with pytest.raises(YamlProblems) as err:
        load_yaml_text(text, "f.yaml")
    assert [str(p) for p in err.value.problems] == [message]


def test_syntax_error_has_position():
    with pytest.raises(YamlProblems) as err:
        load_yaml_text("a: [1,\n", "f.yaml")
    (p,) = err.value.problems
    # libyaml and the pure-Python parser word it differently; both say where
    assert (p.line, p.column) == (2, 1) and str(p).startswith("f.yaml:2:1: invalid YAML: while parsing a flow node")


def test_all_duplicate_keys_reported_at_once():
    with pytest.raises(YamlProblems) as err:
        load_yaml_text("a: 1\na: 2\nb:\n  c: 1\n  c: 2\n", "f.yaml")
    assert [p.yaml_path for p in err.value.problems] == ["a", "b.c"]


def test_billion_laughs_fails_fast_with_bounded_memory():
    lines = ["l0: &l0 [" + ", ".join(["lol"] * 10) + "]"]
    for i in range(1, 10):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i-1}"] * 10) + "]")
    text = "\n".join(lines) + "\n"  # would expand to 10^10 strings
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(YamlProblems) as err:
        load_yaml_text(text, "bomb.yaml")
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "alias bomb" in str(err.value)
    assert peak < 5_000_000 and elapsed < 1.0  # generous: bounded, not a speed goal


def test_moderate_alias_use_is_fine():
    doc = load_yaml_text("x: &x {a: 1}\ny: *x\n")
    assert doc.data == {"x": {"a": 1}, "y": {"a": 1}}


def test_non_utf8_reports_line_column_and_offset():
    with pytest.raises(YamlProblems) as err:
        load_yaml_bytes(b"a: 1\nb: caf\xe9\n", "f.yaml")
    assert [str(p) for p in err.value.problems] == ["f.yaml:2:7: not valid UTF-8: byte 0xe9 at offset 11; save the file as UTF-8"]


def test_utf8_bom_is_accepted():
    assert load_yaml_bytes(b"\xef\xbb\xbfa: 1\n", "f.yaml").data == {"a": 1}


def test_oversize_and_missing_files(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: 1\n" * 10)
    with pytest.raises(YamlProblems, match="over the 20-byte limit"):
        load_yaml_file(big, max_bytes=20)
    with pytest.raises(YamlProblems, match="file not found"):
        load_yaml_file(tmp_path / "nope.yaml")


def test_bom_in_a_file_is_accepted(tmp_path):
    p = tmp_path / "bom.yaml"
    p.write_bytes(b"\xef\xbb\xbfa: 1\n")
    assert load_yaml_file(p).data == {"a": 1}


def test_directory_is_refused(tmp_path):
    with pytest.raises(YamlProblems, match="is a directory"):
        load_yaml_file(tmp_path)


def _without_hanging(fn, fifo):
    import threading

    outcome = []

    def run():
        try:
            outcome.append(fn())
        except YamlProblems as err:
            outcome.append(str(err))

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=10)
    if worker.is_alive():  # unblock the reader so the test process can exit, then fail
        with open(fifo, "wb"):
            pass
        pytest.fail("reading a FIFO blocked")
    return outcome[0]


_FIFO = pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="needs FIFOs")


@_FIFO
def test_a_fifo_nobody_writes_to_is_empty_not_a_hang(tmp_path):
    """Read as an empty document (the callers then say "empty file"), at once."""
    import os

    fifo = tmp_path / "answers.yaml"
    os.mkfifo(fifo)
    outcome = _without_hanging(lambda: load_yaml_file(fifo), fifo)
    assert not isinstance(outcome, str), outcome
    assert outcome.data is None


@_FIFO
def test_a_pipe_with_a_writer_is_parsed(tmp_path):
    """``--answers <(generate-answers)``: process substitution hands over a pipe."""
    import os
    import threading

    fifo = tmp_path / "answers.yaml"
    os.mkfifo(fifo)

    def write():
        with open(fifo, "wb") as fh:
            fh.write(b"task_complexity: moderate\nrequests_per_day: 2000\n")

    threading.Thread(target=write, daemon=True).start()
    doc = _without_hanging(lambda: load_yaml_file(fifo), fifo)
    assert not isinstance(doc, str), doc
    assert doc.data == {"task_complexity": "moderate", "requests_per_day": 2000}


def test_a_device_is_refused():
    with pytest.raises(YamlProblems, match="not a regular file or a pipe"):
        load_yaml_file("/dev/zero")


def test_problem_formatting():
    assert str(Problem("f.yaml", 3, 5, "a.b", "bad")) == "f.yaml:3:5: a.b: bad"
    assert str(Problem("f.yaml", 0, 0, "", "bad")) == "f.yaml: bad"


@settings(max_examples=60, deadline=None)
@given(st.recursive(st.one_of(st.integers(-10**6, 10**6), st.text("abc xyz", min_size=1, max_size=5), st.booleans()),
                    lambda c: st.one_of(st.lists(c, max_size=3), st.dictionaries(st.text("abcdef", min_size=1, max_size=4), c, max_size=3)),
                    max_leaves=12))
def test_round_trip_matches_safe_load(data):
    import yaml

    text = yaml.safe_dump({"root": data})
    assert load_yaml_text(text).data == yaml.safe_load(text)
