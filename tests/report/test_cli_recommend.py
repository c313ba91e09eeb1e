"""`sizewise recommend` and `sizewise answers template` on the command line: bad input, files, template."""

from __future__ import annotations

import subprocess
import sys

import pytest

GOOD = """task_complexity: moderate
quality_bar: professional
latency: interactive
requests_per_day: 200000
input_tokens: 1500
output_tokens: 300
deployment: cloud
"""


def run(*args, stdin=None, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "advisor", *args], capture_output=True, text=True, timeout=120, input=stdin, cwd=cwd
    )


def _bad(tmp_path, name, content: str | bytes):
    f = tmp_path / name
    if isinstance(content, bytes):
        f.write_bytes(content)
    else:
        f.write_text(content)
    return f


BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(8)
)


@pytest.mark.parametrize(
    "name,content,expected",
    [
        ("unknown.yaml", GOOD + "task_complexty: simple\n", "task_complexty: unknown question; did you mean 'task_complexity'?"),
        ("range.yaml", GOOD.replace("requests_per_day: 200000", "requests_per_day: 1e30"), "requests_per_day"),
        ("type.yaml", GOOD.replace("input_tokens: 1500", "input_tokens: lots"), "input_tokens"),
        ("notyaml.yaml", "task_complexity: [moderate\nquality_bar: {\n", "notyaml.yaml:"),
        ("empty.yaml", "", "the answers file is empty"),
        ("bomb.yaml", BILLION_LAUGHS, "bomb.yaml"),
        ("list.yaml", "- a\n- b\n", "an answers file is a mapping"),
        ("binary.yaml", b"\xff\xfe\x00bad", "binary.yaml"),
    ],
)
def test_bad_answers_exit_2_with_one_clear_message_and_write_nothing(tmp_path, name, content, expected):
    f = _bad(tmp_path, name, content)
    out_path = tmp_path / "report.md"
    r = run("recommend", "--answers", str(f), "-o", str(out_path))
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert expected in r.stderr
    assert r.stdout == ""
    assert not out_path.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_missing_answers_are_listed_with_how_to_supply_them(tmp_path):
    f = _bad(tmp_path, "partial.yaml", "task_complexity: moderate\n")
    r = run("recommend", "--answers", str(f))
    assert r.returncode == 2
    for key in ("quality_bar", "latency", "requests_per_day", "input_tokens", "output_tokens", "deployment"):
        assert f"{key}: missing answer" in r.stderr
    assert "--set quality_bar=<value>" in r.stderr


def test_no_answers_at_all(tmp_path):
    r = run("recommend")
    assert r.returncode == 2
    assert "no answers given" in r.stderr


def test_bad_set_and_bad_date(tmp_path):
    f = _bad(tmp_path, "a.yaml", GOOD)
    r = run("recommend", "--answers", str(f), "--set", "latency=sometimes")
    assert r.returncode == 2 and "latency" in r.stderr and "--set" in r.stderr
    r = run("recommend", "--answers", str(f), "--date", "27/11/2026")
    assert r.returncode == 2 and "--date: expected YYYY-MM-DD" in r.stderr


def test_template_lists_every_question_and_loads_back(tmp_path):
    from advisor.answers import read_answers_file, validate
    from advisor.rulebook import load_rulebook

    rb = load_rulebook()
    r = run("answers", "template")
    assert r.returncode == 0, r.stderr
    text = r.stdout
    for q in rb.question_models:
        assert q.prompt.split()[0] in text
        assert (f"\n{q.id}:" in text) if q.required else (f"\n# {q.id}: " in text)
        for c in q.choices or []:
            assert f"#   {c.value} " in text
    # as printed: only the required answers are missing
    f = tmp_path / "t.yaml"
    f.write_text(text)
    _, problems = validate(rb, read_answers_file(f))
    assert sorted(p.key for p in problems) == sorted(q.id for q in rb.question_models if q.required)
    assert {p.kind for p in problems} == {"missing"}
    # the seven required filled in: validates cleanly, rules hash matches
    filled = text
    for line in GOOD.splitlines():
        key, _, value = line.partition(": ")
        filled = filled.replace(f"\n{key}:\n", f"\n{key}: {value}\n")
    f.write_text(filled)
    answers, problems = validate(rb, read_answers_file(f))
    assert problems == []
    assert answers.notes == ()
    assert answers.values["requests_per_day"] == 200000


def test_template_o_is_atomic_and_refuses_overwrite(tmp_path):
    target = tmp_path / "answers.yaml"
    assert run("answers", "template", "-o", str(target)).returncode == 0
    first = target.read_text()
    target.write_text("mine")
    r = run("answers", "template", "-o", str(target))
    assert r.returncode == 2 and "pass --force" in r.stderr
    assert target.read_text() == "mine"
    assert run("answers", "template", "-o", str(target), "--force").returncode == 0
    assert target.read_text() == first


def test_stdin_json_output_and_force(tmp_path):
    import json

    r = run("recommend", "--answers", "-", "--format", "json", "--date", "2026-02-03", stdin=GOOD)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["generated_on"] == "2026-02-03"
    assert doc["recommendation"]["start_size"] == "13b"
    assert r.stdout == json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n"

    f = _bad(tmp_path, "a.yaml", GOOD)
    out = tmp_path / "r.md"
    assert run("recommend", "--answers", str(f), "-o", str(out), "--date", "2026-02-03").returncode == 0
    first = out.read_text()
    assert first.startswith("# Model sizing recommendation\n")
    r = run("recommend", "--answers", str(f), "-o", str(out), "--set", "latency=batch")
    assert r.returncode == 2 and "file exists; pass --force" in r.stderr
    assert out.read_text() == first
    assert run("recommend", "--answers", str(f), "-o", str(out), "--force", "--set", "latency=batch", "--date", "2026-02-03").returncode == 0
    assert out.read_text() != first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "r.md"]


def test_same_input_same_bytes_and_source_date_epoch(tmp_path):
    import os

    f = _bad(tmp_path, "a.yaml", GOOD)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}  # 2026-01-01T00:00:00Z
    a = subprocess.run([sys.executable, "-m", "advisor", "recommend", "--answers", str(f)], capture_output=True, text=True, env=env, timeout=120)
    b = subprocess.run([sys.executable, "-m", "advisor", "recommend", "--answers", str(f)], capture_output=True, text=True, env=env, timeout=120)
    assert a.returncode == 0 and a.stdout == b.stdout
    assert "Generated on 2026-01-01 " in a.stdout


def test_unknown_gpu_restriction(tmp_path):
    f = _bad(tmp_path, "a.yaml", GOOD)
    r = run("recommend", "--answers", str(f), "--gpus", "a100-80g")
    assert r.returncode == 2
    assert "unknown gpu 'a100-80g'; did you mean a100-80gb" in r.stderr


def test_oversized_file_is_refused_without_reading_it_all(tmp_path):
    f = tmp_path / "huge.yaml"
    f.write_text(GOOD + "# " + "x" * 2_000_000 + "\n")
    r = run("recommend", "--answers", str(f))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "huge.yaml" in r.stderr


def test_rules_hash_mismatch_is_a_note_in_the_report(tmp_path):
    f = _bad(tmp_path, "a.yaml", GOOD + "rules_hash: sha256:" + "0" * 64 + "\n")
    r = run("recommend", "--answers", str(f), "--date", "2026-01-01")
    assert r.returncode == 0, r.stderr
    notes = r.stdout.split("## Notes\n", 1)[1]
    assert "rules_hash: these answers were written for other rules" in notes


def test_stdin_closed_or_terminal_never_waits():
    r = subprocess.run([sys.executable, "-m", "advisor", "recommend", "--answers", "-"], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "the answers file is empty" in r.stderr

    class Tty:
        def isatty(self):
            return True

    from advisor.errors import UserError
    from advisor.cli_answers import load_cli_answers
    from advisor.rulebook import load_rulebook

    with pytest.raises(UserError, match="standard input is a terminal"):
        load_cli_answers("-", load_rulebook(), [], stdin=Tty())
