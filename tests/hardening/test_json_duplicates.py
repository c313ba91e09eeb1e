"""Issue 16 item 6: a duplicate key in --model-config is refused like a duplicate YAML key (not last-wins)."""

from __future__ import annotations

import json

from tests.hardening.conftest import ROOT, assert_refused, run

CONFIG = ROOT / "tests" / "engine" / "fixtures"


def test_duplicate_json_key_is_refused_with_its_line(tmp_path):
    base = {"model_type": "llama", "num_hidden_layers": 32, "hidden_size": 4096, "num_attention_heads": 32,
            "vocab_size": 32000, "intermediate_size": 11008}
    text = json.dumps(base, indent=2)[:-2] + ',\n  "hidden_size": 8192\n}\n'
    path = tmp_path / "config.json"
    path.write_text(text)
    code, out, err = run(["estimate", "--model-config", path, "--gpu", "h100-sxm", "--format", "json"])
    assert_refused(code, out, err)
    assert "duplicate key 'hidden_size'" in err
    assert f"{path}:8" in err and "first defined at line 4" in err


def test_duplicate_key_in_a_nested_object_is_refused(tmp_path):
    path = tmp_path / "config.json"
    path.write_text('{"model_type": "llama", "rope_scaling": {"factor": 2, "factor": 4}}')
    code, out, err = run(["estimate", "--model-config", path, "--gpu", "h100-sxm"])
    assert_refused(code, out, err)
    assert "duplicate key 'factor'" in err
