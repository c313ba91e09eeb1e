"""Issue 16 item 4: no string from a user or a rule file reaches the terminal with a raw control character.

Each case sends ESC, BEL and U+202E (right-to-left override) through one path that
echoed them raw before; the output must keep the text visible as escapes (``\\x1b``).
"""

from __future__ import annotations

import shutil

import pytest

from tests.hardening.conftest import ANSWERS, RAW_CONTROL, ROOT, run

EVIL = "\x1b[31mred\x1b]0;pwned\x07\u202e"
EVIL_YAML = '"\\e[31mred\\e]0;pwned\\a\\u202e"'  # the same string as a YAML double-quoted scalar


def _rules_with(tmp_path, old: str, new: str, file: str = "step1_2_size.yaml"):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    path = rules / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return rules


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def _named_config(tmp_path):
    import json

    data = json.loads((ROOT / "tests" / "engine" / "fixtures" / "deepseek-v3.json").read_text())
    data["_name_or_path"] = EVIL + "[blink]markup[/blink]"
    return _write(tmp_path, "config.json", json.dumps(data))


CASES = {
    "answers key": lambda t: (["explain", _write(t, "a.yaml", ANSWERS + f"{EVIL_YAML}: 1\n")], 2),
    "answers choice value": lambda t: (["explain", _write(t, "a.yaml", ANSWERS.replace("latency: interactive", f"latency: {EVIL_YAML}"))], 2),
    "overrides key": lambda t: (["estimate", "--model", "7b", "--gpu", "h100-sxm", "--overrides",
                                 _write(t, "o.yaml", f"{EVIL_YAML}: 1\n")], 2),
    "overrides nested key": lambda t: (["estimate", "--model", "7b", "--gpu", "h100-sxm", "--overrides",
                                        _write(t, "o.yaml", f"usd_per_gpu_hour: {{{EVIL_YAML}: 1}}\n")], 2),
    "--set key": lambda t: (["explain", _write(t, "a.yaml", ANSWERS), "--set", f"{EVIL}=1"], 2),
    "--set value": lambda t: (["explain", _write(t, "a.yaml", ANSWERS), "--set", f"latency={EVIL}"], 2),
    "--set without =": lambda t: (["explain", _write(t, "a.yaml", ANSWERS), "--set", EVIL], 2),
    "--date": lambda t: (["recommend", "--answers", _write(t, "a.yaml", ANSWERS), "--date", EVIL], 2),
    "missing answers file": lambda t: (["recommend", "--answers", t / f"{EVIL}.yaml"], 2),
    "missing rules dir": lambda t: (["explain", _write(t, "a.yaml", ANSWERS), "--rules", t / EVIL], 2),
    "missing model config": lambda t: (["estimate", "--model-config", t / EVIL, "--gpu", "h100-sxm"], 2),
    "rules key": lambda t: (["audit", _rules_with(t, "  - id: step1_size\n", f"  - id: step1_size\n    {EVIL_YAML}: 1\n")], 2),
    "invalid rule id": lambda t: (["audit", _rules_with(t, "      - id: simple\n", f"      - id: {EVIL_YAML}\n")], 2),
    "cases key": lambda t: (["audit", _rules_with(t, "answers:\n", f"answers:\n  {EVIL_YAML}: 1\n",
                                                  file="cases/faq-bot-7b.yaml")], 1),
    "because in explain": lambda t: (["explain", _write(t, "a.yaml", ANSWERS), "--rules", _rules_with(
        t, '"Step 1: simple tasks', '"\\e[31m\\u202eStep 1: simple tasks')], 0),
    "model config name in the table": lambda t: (["estimate", "--model-config", _named_config(t), "--gpu", "h100-sxm"], 0),
    "--title on stdout": lambda t: (["recommend", "--answers", _write(t, "a.yaml", ANSWERS), "--date", "2026-01-01",
                                     "--title", EVIL], 2),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_control_characters_never_reach_the_terminal(tmp_path, case):
    argv, expected = CASES[case](tmp_path)
    code, out, err = run(argv)
    assert "internal error" not in err, err
    if expected is not None:
        assert code == expected, (code, err)
    assert not RAW_CONTROL.search(out + err), repr((out + err)[:2000])
    assert "\\x1b" in out + err or "\\u202e" in out + err, "the control characters are escaped, not dropped"
