"""`sizewise estimate` end to end through a subprocess: JSON contract and every bad-input class (exit 2, one line)."""

import json
import os
import subprocess
import sys

import pytest


def run(*args, columns=None):
    env = None
    if columns:  # rich wraps table cells at the terminal width (80 in a pipe)
        env = {**os.environ, "COLUMNS": str(columns)}
    return subprocess.run([sys.executable, "-m", "advisor", "estimate", *args], capture_output=True, text=True,
                          timeout=120, env=env)


def test_json_output_and_quantities():
    out = run("--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--input-tokens", "2K", "--output-tokens", "256",
              "--requests-per-day", "1.5e6", "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["workload"]["input_tokens"] == 2000
    assert data["workload"]["requests_per_day"] == 1.5e6
    assert data["deployment"]["total_gpus"] >= 1
    assert data["memory"]["kv_cache_bytes_per_token"] == 131072


def test_json_is_deterministic():
    args = ("--model", "70b", "--gpu", "a100-80gb", "--format", "json", "--tokens-per-day", "100M")
    assert run(*args).stdout == run(*args).stdout


def test_table_output():
    out = run("--model", "13b", "--gpu", "a100-40gb", "--concurrency", "max")
    assert out.returncode == 0, out.stderr
    assert "output tokens/s" in out.stdout
    assert "article" in out.stdout


@pytest.mark.parametrize("args, needle", [
    (("--model", "7b", "--gpu", "h100"), "unknown gpu 'h100'"),
    (("--model", "llama-9b", "--gpu", "h100-sxm"), "unknown model 'llama-9b'"),
    (("--model", "7b", "--gpu", "h100-sxm", "--requests-per-day", "0"), "--requests-per-day"),
    (("--model", "7b", "--gpu", "h100-sxm", "--requests-per-day", "-5"), "--requests-per-day"),
    (("--model", "7b", "--gpu", "h100-sxm", "--requests-per-day", "nan"), "--requests-per-day"),
    (("--model", "7b", "--gpu", "h100-sxm", "--requests-per-day", "lots"), "--requests-per-day"),
    (("--model", "7b", "--gpu", "h100-sxm", "--requests-per-day", "1e30"), "--requests-per-day"),
    (("--model", "7b", "--gpu", "h100-sxm", "--input-tokens", "2.5"), "--input-tokens"),
    (("--model", "7b", "--gpu", "h100-sxm", "--gpus", "0"), "--gpus"),
    (("--model", "7b", "--gpu", "h100-sxm", "--concurrency", "-1"), "--concurrency"),
    (("--model", "7b", "--gpu", "h100-sxm", "--utilisation", "1.5"), "--utilisation"),
    (("--model", "7b", "--gpu", "h100-sxm", "--peak-to-average", "0.5"), "--peak-to-average"),
    (("--model", "175b", "--gpu", "rtx-3080", "--gpus", "1"), "does not fit"),
    (("--model", "7b", "--gpu", "h100-sxm", "--overrides", "/nonexistent/o.yaml"), "file not found"),
])
def test_bad_input_exits_2_with_one_clear_line(args, needle):
    out = run(*args)
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert needle in out.stderr
    assert "Traceback" not in out.stderr
    assert out.stdout == ""


def test_bad_overrides_file_names_line_and_key(tmp_path):
    p = tmp_path / "o.yaml"
    p.write_text("pue: 1.3\nelectricity: 0.1\n")
    out = run("--model", "7b", "--gpu", "h100-sxm", "--overrides", str(p))
    assert out.returncode == 2
    assert f"{p}:2" in out.stderr and "electricity" in out.stderr


def test_overrides_change_the_price(tmp_path):
    p = tmp_path / "o.yaml"
    p.write_text("usd_per_gpu_hour: {h100-sxm: 1.0}\n")
    out = run("--model", "7b", "--gpu", "h100-sxm", "--overrides", str(p), "--format", "json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["cost"]["usd_per_gpu_hour"] == 1.0


def test_malformed_model_config_names_missing_field(tmp_path):
    cfg = tmp_path / "config.json"
    cfg.write_text(json.dumps({"hidden_size": 4096, "num_attention_heads": 32}))
    out = run("--model-config", str(cfg), "--gpu", "h100-sxm")
    assert out.returncode == 2
    assert "num_hidden_layers" in out.stderr or "missing" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("flag, value, message", [
    ("--requests-per-day", "1e30", "--requests-per-day: 1e30 is too large (the supported maximum is 1e11 requests per day)"),
    ("--requests-per-day", "1e-320", "--requests-per-day: 1e-320 is too small (the supported minimum is 0.01 requests per day)"),
    ("--tokens-per-day", "5e15", "--tokens-per-day: 5e15 is too large (the supported maximum is 1e15 tokens per day)"),
    ("--utilisation", "0.001", "--utilisation: 0.001 is too small (the supported minimum is 0.01)"),
    ("--usd-per-gpu-hour", "0.0001", "--usd-per-gpu-hour: 0.0001 is too small (the supported minimum is $0.01 per GPU-hour)"),
    ("--gpus", "2K", "--gpus: 2K is too large (the supported maximum is 1,024 GPUs per replica)"),
    ("--input-tokens", "20M", "--input-tokens: 20M is too large (the supported maximum is 1e7 tokens per request)"),
    ("--peak-to-average", "0.5", "--peak-to-average: 0.5 is too small (the supported minimum is 1)"),
])
def test_absurd_inputs_one_wording(flag, value, message):
    out = run("--model", "7b", "--gpu", "h100-sxm", flag, value)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stderr.strip() == f"sizewise estimate: {message}"


def test_table_shows_data_parallel_copies():
    out = run("--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "16", columns=200)
    assert out.returncode == 0, out.stderr
    assert "16 (TP 1, PP 1, 16 copies)" in out.stdout
    assert "single-gpu" in out.stdout and "multi-node" not in out.stdout


def test_table_compares_article_vram_with_one_sequence():
    out = run("--model", "7b", "--gpu", "a100-80gb", "--format", "json")
    data = json.loads(out.stdout)
    out = run("--model", "7b", "--gpu", "a100-80gb", columns=250)
    text = out.stdout
    assert "practical VRAM (fp16) vs sizewise, 1 sequence" in text and "sizewise, full load (" in text
    assert f"{data['memory']['single_sequence_gb']:.2f} GB" in text


def test_default_workload_fits_falcon_context():
    out = run("--model", "falcon-40b", "--gpu", "h100-sxm", "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["workload"]["input_tokens"] + data["workload"]["output_tokens"] == 2048
    assert any("default workload" in w for w in data["warnings"])
    assert run("--model", "falcon-40b", "--gpu", "h100-sxm", "--input-tokens", "2000").returncode == 2


def test_precision_flag_defaults_to_the_model_id():
    data = json.loads(run("--model", "Qwen/Qwen2.5-7B-Instruct-AWQ", "--gpu", "l4", "--format", "json").stdout)
    assert data["workload"]["precision"] == "int4"
    data = json.loads(run("--model", "qwen2.5-7b", "--gpu", "l4", "--format", "json").stdout)
    assert data["workload"]["precision"] == "bf16"


def test_tiny_values_never_print_as_zero():
    data = json.loads(run("--model", "1t", "--gpu", "rtx-3080", "--format", "json").stdout)
    per_gpu = data["performance"]["output_tokens_per_s_per_gpu"]
    assert 0 < per_gpu < 0.05
    out = run("--model", "1t", "--gpu", "rtx-3080", columns=200)
    row = next(line for line in out.stdout.splitlines() if "output tokens/s per GPU" in line)
    assert f"{per_gpu:.3g}" in row and "0.00 " not in row
