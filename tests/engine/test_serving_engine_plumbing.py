"""`--serving-engine` / the serving_engine question reach the engine, and the estimate JSON names the profile and at_load."""

import json
import subprocess
import sys


def test_estimate_json_carries_at_load_and_the_profile():
    from engine.estimate import EstimateRequest, estimate

    e = estimate(EstimateRequest(model="llama-3.1-8b", gpu="h100-sxm", requests_per_day=200_000)).as_dict()
    load = e["performance"]["at_load"]
    assert {"utilisation", "ttft_p50_s", "ttft_p95_s", "tpot_p50_ms", "tpot_p95_ms"} <= set(load)
    assert 0 < load["utilisation"] <= e["fleet"]["target_utilisation"] + 1e-9
    assert e["performance"]["serving_engine"] == e["calibration"]["serving_engine"] == "vllm"
    trt = estimate(EstimateRequest(model="llama-3.1-8b", gpu="h100-sxm", requests_per_day=200_000,
                                   serving_engine="trtllm")).as_dict()
    assert trt["calibration"]["serving_engine"] == "trtllm"
    assert trt["performance"]["output_tokens_per_s"] != e["performance"]["output_tokens_per_s"]


def test_cli_unknown_serving_engine_is_one_line_listing_the_known_ones():
    p = subprocess.run([sys.executable, "-m", "advisor", "estimate", "--model", "7b", "--gpu", "h100-sxm",
                        "--serving-engine", "tgi", "--format", "json"], capture_output=True, text=True)
    assert p.returncode == 2 and p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "unknown serving engine 'tgi'" in lines[0] and "vllm, sglang, trtllm" in lines[0]
    ok = subprocess.run([sys.executable, "-m", "advisor", "estimate", "--model", "7b", "--gpu", "h100-sxm",
                         "--serving-engine", "sglang", "--format", "json"], capture_output=True, text=True)
    assert ok.returncode == 0 and json.loads(ok.stdout)["calibration"]["serving_engine"] == "sglang"
