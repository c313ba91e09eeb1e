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


def test_tables_list_every_id(capsys, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
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


@pytest.mark.parametrize("what", ["gpus", "models"])
@pytest.mark.parametrize("columns", [80, 100, 60])
def test_table_honours_the_terminal_width(capsys, monkeypatch, what, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    code, out, _ = run(capsys, "catalog", what)
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= columns
    rows = json.loads(run(capsys, "catalog", what, "--format", "json")[1])[what]
    for row in rows:
        assert row["id"] in out  # ids are never cut, whatever the width
    if columns < 120:
        assert f"Not shown at {columns} columns:" in " ".join(out.split())


def test_narrow_gpu_table_keeps_the_important_columns(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    _, out, _ = run(capsys, "catalog", "gpus")
    header = next(line for line in out.splitlines() if "id" in line and "memory GiB" in line)
    assert "$/GPU-h" in header and "mem BW GB/s" in header
    assert "INT8 TOPS" not in header and "TDP W" not in header


def test_wide_table_shows_every_column(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    _, out, _ = run(capsys, "catalog", "gpus")
    for header in ("name", "INT8 TOPS", "TDP W", "interconnect", "purchase $"):
        assert header in out
    assert "Not shown" not in out


@pytest.mark.parametrize("what", ["gpus", "models"])
def test_json_ignores_the_width(capsys, monkeypatch, what):
    monkeypatch.setenv("COLUMNS", "250")
    wide = run(capsys, "catalog", what, "--format", "json")[1]
    monkeypatch.setenv("COLUMNS", "40")
    assert run(capsys, "catalog", what, "--format", "json")[1] == wide


def test_model_json_has_no_empty_assumed_field(capsys):
    models = json.loads(run(capsys, "catalog", "models", "--format", "json")[1])["models"]
    assert all("assumed" not in m for m in models)


def test_fit_columns_drops_highest_ranks_first_and_never_the_id():
    from advisor.commands.catalog import fit_columns

    columns = (("id", True, False, 0), ("a", False, False, 2), ("b", False, False, 1))
    cells = [["x" * 10, "y" * 10, "z" * 10]]
    assert fit_columns(columns, cells, 100) == [0, 1, 2]
    assert fit_columns(columns, cells, 30) == [0, 2]   # 'a' (rank 2) goes first
    assert fit_columns(columns, cells, 5) == [0]       # the id stays even when nothing fits


def test_offers_json_is_sorted_filtered_and_stable(capsys):
    code, first, _ = run(capsys, "catalog", "offers", "--provider", "aws", "--format", "json")
    assert code == 0
    rows = json.loads(first)["offers"]
    assert rows and {r["provider"] for r in rows} == {"aws"}
    assert [(r["gpu"], r["instance_type"]) for r in rows] == sorted((r["gpu"], r["instance_type"]) for r in rows)
    p5 = next(r for r in rows if r["instance_type"] == "p5.48xlarge")
    assert p5["prices"]["on_demand"]["usd_per_hour"] == 98.32 and p5["prices"]["on_demand"]["as_of"]
    _, second, _ = run(capsys, "catalog", "offers", "--provider", "aws", "--format", "json")
    assert first == second


def test_offers_by_gpu_alias_and_table(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")
    code, out, _ = run(capsys, "catalog", "offers", "--gpu", "h100-sxm5")
    assert code == 0 and "p5.48xlarge" in out and "hgx-h100-8gpu" in out and "p4d.24xlarge" not in out


@pytest.mark.parametrize("argv, message", [
    (("catalog", "offers", "--provider", "awz"), "unknown provider 'awz'; did you mean aws"),
    (("catalog", "offers", "--gpu", "h9000"), "unknown gpu 'h9000'"),
    (("catalog", "gpus", "--provider", "aws"), "--provider and --gpu filter `sizewise catalog offers` only"),
])
def test_offers_bad_filters_are_one_line_exit_2(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and message in err and err.count("\n") == 1 and out == ""


def test_model_table_shows_context_family_params_and_licence(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    _, out, _ = run(capsys, "catalog", "models")
    header = next(line for line in out.splitlines() if "id" in line and "params B" in line)
    for column in ("context", "family", "active B", "licence"):
        assert column in header
    row = next(line for line in out.splitlines() if "Qwen/Qwen3-30B-A3B " in line)
    assert "Qwen3" in row and "30.53" in row and "3.35" in row and "40,960" in row and "Apache-2.0" in row


def test_narrow_model_table_keeps_context_and_params(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    _, out, _ = run(capsys, "catalog", "models")
    header = next(line for line in out.splitlines() if "id" in line and "params B" in line)
    assert "context" in header and "heads" not in header


def test_model_json_has_family_licence_and_checkpoint_count(capsys):
    models = {m["id"]: m for m in json.loads(run(capsys, "catalog", "models", "--format", "json")[1])["models"]}
    gemma = models["google/gemma-3-27b-it"]
    assert gemma["family"] == "Gemma-3" and gemma["license"] == "Gemma Terms of Use"
    assert gemma["checkpoint_params_b"] > gemma["params_b"]
    assert models["openai/gpt-oss-20b"]["checkpoint_precision"] == "mxfp4"
