"""Properties of the engine (hypothesis): demand, GPUs per replica, price."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.calibration import load_calibration
from engine.catalog import resolve_gpu, resolve_model
from engine.defaults import load_assumptions
from engine.errors import DoesNotFitError
from engine.estimate import evaluate_config, layout_for, prepare_gpu, prepare_model, valid_gpu_counts

MODELS = ["7b", "13b", "30b", "70b", "mixtral-8x7b", "llama-3.1-8b", "qwen2.5-32b"]
GPUS = ["rtx-4090", "l4", "l40s", "a100-40gb", "a100-80gb", "h100-pcie", "h100-sxm", "h200", "mi300x"]
PRECISIONS = ["bf16", "fp8", "int8", "int4"]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _eval(model, gpu, prec, n, *, requests=None, conc="max", price=None, s=1000, g=200):
    m, gp = resolve_model(model), resolve_gpu(gpu)
    kvp = "fp8" if prec == "fp8" else "fp16"
    lay = layout_for(m, gp, prec, kvp, n)
    return evaluate_config(prepare_model(m, prec, kvp), prepare_gpu(gp, prec), lay, input_tokens=s, output_tokens=g,
                           requests_per_day=requests, concurrency=conc, calib=load_calibration(),
                           a=load_assumptions(), usd_per_gpu_hour=price)


def _first_count(model, gpu, prec):
    m, gp = resolve_model(model), resolve_gpu(gpu)
    kvp = "fp8" if prec == "fp8" else "fp16"
    try:
        return layout_for(m, gp, prec, kvp, None).gpus_per_replica
    except DoesNotFitError:
        return None


@SETTINGS
@given(st.sampled_from(MODELS), st.sampled_from(GPUS), st.sampled_from(PRECISIONS),
       st.floats(1e3, 1e8), st.floats(1.01, 10.0))
def test_more_demand_never_costs_less(model, gpu, prec, requests, factor):
    n = _first_count(model, gpu, prec)
    if n is None:
        return
    a = _eval(model, gpu, prec, n, requests=requests, conc=None)
    b = _eval(model, gpu, prec, n, requests=requests * factor, conc=None)
    if a is None or b is None:
        return
    assert b.monthly_usd >= a.monthly_usd
    assert b.total_gpus >= a.total_gpus


@SETTINGS
@given(st.sampled_from(MODELS), st.sampled_from(GPUS), st.sampled_from(PRECISIONS), st.sampled_from([None, 1, 8, 64]),
       st.integers(128, 8000), st.integers(16, 2000))
def test_more_gpus_per_replica_never_lowers_replica_throughput(model, gpu, prec, conc, s, g):
    n = _first_count(model, gpu, prec)
    if n is None:
        return
    m, gp = resolve_model(model), resolve_gpu(gpu)
    counts = valid_gpu_counts(m, gp, n)[:4]
    prev = None
    for c in counts:
        try:
            r = _eval(model, gpu, prec, c, conc=conc if conc is not None else "max", s=s, g=g)
        except DoesNotFitError:
            continue
        if r is None:
            continue
        if prev is not None:
            assert r.output_tokens_per_s >= prev.output_tokens_per_s * (1 - 1e-9), (c, r.output_tokens_per_s, prev.output_tokens_per_s)
        prev = r


@SETTINGS
@given(st.sampled_from(MODELS), st.sampled_from(GPUS), st.sampled_from(PRECISIONS),
       st.floats(0.1, 20.0), st.floats(1.5, 10.0), st.floats(1e4, 1e7))
def test_costs_scale_linearly_with_price(model, gpu, prec, price, k, requests):
    n = _first_count(model, gpu, prec)
    if n is None:
        return
    a = _eval(model, gpu, prec, n, requests=requests, price=price)
    b = _eval(model, gpu, prec, n, requests=requests, price=price * k)
    if a is None:
        return
    assert b.monthly_usd == a.monthly_usd * k or abs(b.monthly_usd - a.monthly_usd * k) <= 1e-9 * b.monthly_usd
    assert abs(b.usd_per_million_output_tokens - a.usd_per_million_output_tokens * k) <= 1e-9 * b.usd_per_million_output_tokens
