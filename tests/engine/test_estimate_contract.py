"""The ``sizewise estimate`` contract, frozen: ~50 invocations must print byte-identical output.

Why: the engine is refactored (issue 9 split engine/estimate.py into request, layout,
evaluation, sweep and JSON modules) and the JSON of ``sizewise estimate`` is a public
contract. The expected outputs in tests/engine/fixtures/estimate_contract/ were captured
from the code before the split; any difference (a number, a warning, a key, the table,
an error message, an exit code) fails. The sweep and the quantization comparison the
recommendation uses are frozen the same way (their floats written with ``repr``).

After an intended change of numbers or wording, regenerate and review the diff:

    SIZEWISE_UPDATE_CONTRACT=1 python -m pytest tests/engine/test_estimate_contract.py
    git diff tests/engine/fixtures/estimate_contract/

Runs in-process (``advisor.cli.main``), from the repository root so relative paths in
messages are stable, with a fixed terminal width for the rich table.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = ROOT / "tests" / "engine" / "fixtures" / "estimate_contract"
UPDATE = os.environ.get("SIZEWISE_UPDATE_CONTRACT") == "1"
CFG = "tests/engine/fixtures"

J = ("--format", "json")
CASES: dict[str, tuple[str, ...]] = {
    # dense, generic and real, several GPUs
    "70b-h100": ("--model", "70b", "--gpu", "h100-sxm", *J),
    "7b-a100": ("--model", "7b", "--gpu", "a100-80gb", *J),
    "llama31-8b-demand": ("--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--input-tokens", "2K",
                          "--output-tokens", "256", "--requests-per-day", "1.5e6", *J),
    "llama31-8b-16-gpus-data-parallel": ("--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "16", *J),
    "13b-a100-40-max": ("--model", "13b", "--gpu", "a100-40gb", "--concurrency", "max", *J),
    "30b-h100pcie-conc8": ("--model", "30b", "--gpu", "h100-pcie", "--concurrency", "8",
                           "--requests-per-day", "500K", *J),
    "70b-a100-tokens-per-day": ("--model", "70b", "--gpu", "a100-80gb", "--tokens-per-day", "100M", *J),
    "70b-rtx3090-pcie": ("--model", "70b", "--gpu", "rtx-3090", *J),
    "175b-a100-16-gpus": ("--model", "175b", "--gpu", "a100-80gb", "--gpus", "16", *J),
    "1t-h100-fp8-multinode": ("--model", "1t", "--gpu", "h100-sxm", "--precision", "fp8", *J),
    "1t-rtx3080": ("--model", "1t", "--gpu", "rtx-3080", *J),
    "7b-owned": ("--model", "7b", "--gpu", "h100-sxm", "--deployment", "owned", "--requests-per-day", "1M", *J),
    "70b-price-and-load": ("--model", "70b", "--gpu", "h100-sxm", "--usd-per-gpu-hour", "2.5", "--peak-to-average", "3",
                           "--utilisation", "0.5", "--prefix-cache-hit-rate", "0.3", *J),
    "70b-tight-latency": ("--model", "70b", "--gpu", "h100-sxm", "--ttft-target", "0.5", "--tpot-target", "20", *J),
    "70b-kv-fp8": ("--model", "70b", "--gpu", "h100-sxm", "--kv-precision", "fp8", *J),
    "7b-fp32-mi300x": ("--model", "7b", "--gpu", "mi300x", "--precision", "fp32", *J),
    "falcon-40b-context-shrink": ("--model", "falcon-40b", "--gpu", "h100-sxm", *J),
    # precision named by the id, and contradicted
    "qwen-awq": ("--model", "Qwen/Qwen2.5-7B-Instruct-AWQ", "--gpu", "l4", *J),
    "qwen-awq-at-bf16": ("--model", "Qwen/Qwen2.5-7B-Instruct-AWQ", "--gpu", "l4", "--precision", "bf16", *J),
    "7b-w8a8-ignored": ("--model", "7b", "--gpu", "h100-sxm", "--int8-kernels", "w8a8", *J),
    # MoE, MLA, sliding window
    "mixtral-l40s-int4": ("--model", "mixtral-8x7b", "--gpu", "l40s", "--precision", "int4",
                          "--requests-per-day", "2M", *J),
    "mixtral-h100-fp8-max": ("--model", "mixtral-8x7b", "--gpu", "h100-sxm", "--precision", "fp8",
                             "--concurrency", "max", *J),
    "mixtral-8x22b-b200-fp8": ("--model", "mixtral-8x22b", "--gpu", "b200", "--precision", "fp8",
                               "--requests-per-day", "10M", *J),
    "deepseek-h200-fp8": ("--model", "deepseek-v3", "--gpu", "h200", "--precision", "fp8", *J),
    "deepseek-mi300x-int4": ("--model", "deepseek-v3", "--gpu", "mi300x", "--precision", "int4",
                             "--tokens-per-day", "1e9", *J),
    "mistral-window-rtx4090": ("--model", "mistral-7b", "--gpu", "rtx-4090", "--input-tokens", "8000",
                               "--output-tokens", "500", *J),
    "gemma2-9b-l4-w8a8": ("--model", "gemma-2-9b", "--gpu", "l4", "--precision", "int8", "--int8-kernels", "w8a8", *J),
    "gemma2-27b-a100-40-pp": ("--model", "gemma-2-27b", "--gpu", "a100-40gb", "--gpus", "16",
                              "--input-tokens", "6000", *J),
    "phi3-rtx3080-int4": ("--model", "phi-3-mini", "--gpu", "rtx-3080", "--precision", "int4", *J),
    # --model-config, --overrides
    "config-deepseek-h200": ("--model-config", f"{CFG}/deepseek-v3.json", "--gpu", "h200", "--precision", "fp8", *J),
    "config-mixtral-l40s": ("--model-config", f"{CFG}/mixtral-8x7b-instruct.json", "--gpu", "l40s", *J),
    "config-gemma-a10g": ("--model-config", f"{CFG}/gemma-2-9b-it.json", "--gpu", "a10g", *J),
    "config-no-kv-heads": ("--model-config", f"{CFG}/llama-2-7b-no-kv-heads.json", "--gpu", "rtx-4090", *J),
    "config-gpt2": ("--model-config", f"{CFG}/gpt2.json", "--gpu", "rtx-3080", *J),
    "config-falcon-7b-owned": ("--model-config", f"{CFG}/falcon-7b.json", "--gpu", "a100-40gb",
                               "--deployment", "owned", *J),
    "overrides": ("--model", "7b", "--gpu", "h100-sxm", "--overrides", f"{CFG}/estimate_contract/overrides.yaml",
                  "--deployment", "owned", *J),
    # the table
    "table-7b-a100": ("--model", "7b", "--gpu", "a100-80gb"),
    "table-70b-h100": ("--model", "70b", "--gpu", "h100-sxm", "--requests-per-day", "1M"),
    "table-mixtral-l40s-int4": ("--model", "mixtral-8x7b", "--gpu", "l40s", "--precision", "int4"),
    "table-8b-16-copies": ("--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "16"),
    "table-deepseek-h200": ("--model", "deepseek-v3", "--gpu", "h200", "--precision", "fp8"),
    "table-13b-max-owned": ("--model", "13b", "--gpu", "a100-40gb", "--concurrency", "max", "--deployment", "owned"),
    # errors: one line, exit 2
    "error-unknown-gpu": ("--model", "7b", "--gpu", "h100"),
    "error-unknown-model": ("--model", "llama-9b", "--gpu", "h100-sxm", *J),
    "error-does-not-fit-gpus": ("--model", "175b", "--gpu", "rtx-3080", "--gpus", "1"),
    "error-bad-split": ("--model", "7b", "--gpu", "h100-sxm", "--gpus", "3", *J),
    "error-context": ("--model", "falcon-40b", "--gpu", "h100-sxm", "--input-tokens", "2000"),
    "error-absurd-demand": ("--model", "7b", "--gpu", "h100-sxm", "--requests-per-day", "1e30"),
    "error-concurrency-kv": ("--model", "7b", "--gpu", "h100-sxm", "--gpus", "1", "--concurrency", "100000", *J),
    "error-tokens-per-day-tiny": ("--model", "7b", "--gpu", "h100-sxm", "--tokens-per-day", "1"),
    "error-broken-config": ("--model-config", f"{CFG}/broken-kv-heads.json", "--gpu", "h100-sxm", *J),
    "error-precision-choice": ("--model", "7b", "--gpu", "h100-sxm", "--precision", "fp4"),
    "error-two-demands": ("--model", "7b", "--gpu", "h100-sxm", "--requests-per-day", "1", "--tokens-per-day", "1"),
}


def _run(argv: tuple[str, ...], capsys) -> str:
    from advisor.cli import main

    try:
        code = main(["estimate", *argv])
    except SystemExit as exc:  # argparse's own exit
        code = exc.code
    out, err = capsys.readouterr()
    return f"exit: {code}\n--- stdout\n{out}--- stderr\n{err}"


@pytest.fixture
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("COLUMNS", "160")
    monkeypatch.delenv("SIZEWISE_DEBUG", raising=False)


def _check(name: str, text: str) -> None:
    path = EXPECTED / f"{name}.txt"
    if UPDATE:
        path.write_text(text, encoding="utf-8", newline="\n")
        return
    assert path.exists(), f"no expected output {path.name}: run SIZEWISE_UPDATE_CONTRACT=1 (see the docstring)"
    assert text == path.read_text(encoding="utf-8"), f"{name}: output differs from the frozen contract"


@pytest.mark.parametrize("name", sorted(CASES))
def test_estimate_output_is_frozen(name, capsys, at_root):
    text = _run(CASES[name], capsys)
    if name.startswith("error-"):
        assert not text.startswith("exit: 0") and "Traceback" not in text
    else:
        assert text.startswith("exit: 0\n")
    _check(name, text)


def _candidates_text(cands) -> str:
    return "".join(json.dumps([repr(v) if isinstance(v, float) else v for v in c]) + "\n" for c in cands)


def test_sweep_is_frozen(at_root):
    from engine.catalog import SIZE_CLASSES
    from engine.sweep import sweep

    cands = sweep(list(SIZE_CLASSES) + ["mixtral-8x7b", "deepseek-v3", "gemma-2-27b"],
                  ["l40s", "a100-80gb", "h100-sxm", "rtx-4090"], ["bf16", "fp8", "int4"],
                  requests_per_day=1e6, input_tokens=1500.0, output_tokens=300.0)
    owned = sweep(["70b", "mixtral-8x7b"], ["h100-pcie", "mi300x"], ["bf16", "int8"], requests_per_day=None,
                  input_tokens=4000.0, output_tokens=500.0, deployment="owned", concurrency="max")
    assert cands and owned
    _check("sweep", _candidates_text(cands) + "---\n" + _candidates_text(owned))


def test_quantization_comparison_is_frozen(at_root):
    from engine.sweep import compare_quantization

    rows = [compare_quantization(m, gpu, requests_per_day=2e6, input_tokens=2000.0, output_tokens=300.0)
            for m, gpu in (("70b", "h100-sxm"), ("mixtral-8x7b", "l40s"), ("7b", "rtx-3080"))]
    _check("quantization", json.dumps(rows, indent=1, sort_keys=True) + "\n")


def test_does_not_fit_message_is_the_same_on_every_lookup(capsys, at_root):
    """Same inputs, same output, whatever ran before in the process: the layout cache keeps
    placement's detailed "does not fit" explanation instead of a shorter second message."""
    argv = CASES["error-does-not-fit-gpus"]
    first, second = _run(argv, capsys), _run(argv, capsys)
    assert "the smallest count that fits is" in first
    assert second == first
