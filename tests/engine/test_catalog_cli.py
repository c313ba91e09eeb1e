"""`sizewise catalog gpus|models`: stable JSON, readable table, light import."""

import json
import subprocess
import sys

import pytest

from advisor.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_gpus_json_is_sorted_complete_and_stable(capsys):
    code, first, _ = run(capsys, "catalog", "gpus", "--format", "json")
    assert code == 0
    data = json.loads(first)["gpus"]
    ids = [g["id"] for g in data]
    assert ids == sorted(ids)
    assert {"rtx-3080", "a10g", "h100-sxm", "mi300x"} <= set(ids)
    h100 = next(g for g in data if g["id"] == "h100-sxm")
    assert h100["bf16_dense_tflops"] == 989
    assert h100["provenance"]["cloud_usd_per_gpu_hour"]["as_of"] == "2026-11-09"
    _, second, _ = run(capsys, "catalog", "gpus", "--format", "json")
    assert first == second


def test_models_json_has_derived_counts(capsys):
    code, out, _ = run(capsys, "catalog", "models", "--format", "json")
    assert code == 0
    models = {m["id"]: m for m in json.loads(out)["models"]}
    assert models["mistralai/Mixtral-8x7B-v0.1"]["params_b"] == pytest.approx(46.70, abs=0.01)
    assert models["mistralai/Mixtral-8x7B-v0.1"]["active_params_b"] == pytest.approx(12.88, abs=0.01)
    assert models["70b"]["attention"] == "GQA-8"
    assert models["deepseek-ai/DeepSeek-V3"]["attention"] == "MLA"
    assert models["meta-llama/Llama-2-70b-hf"]["kv_cache_bytes_per_token_fp16"] == 327680


def test_tables_list_every_id(capsys):
    code, out, _ = run(capsys, "catalog", "gpus")
    assert code == 0 and "h100-sxm" in out and "22.4 usable" in out
    code, out, _ = run(capsys, "catalog", "models")
    assert code == 0 and "deepseek-ai/DeepSeek-V3" in out and "GQA-8" in out


def test_bad_choice_is_a_usage_error():
    out = subprocess.run([sys.executable, "-m", "advisor", "catalog", "gpu"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "Traceback" not in out.stderr


def test_command_module_imports_nothing_heavy():
    code = (
        "import sys, advisor.commands.catalog as c; "
        "bad = [m for m in ('rich', 'engine.catalog', 'pydantic', 'yaml', 'textual') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == ""
