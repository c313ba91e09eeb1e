"""Placement: smallest GPU count, TP/PP split, regime, max concurrency, does-not-fit."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.catalog import load_gpus, resolve_gpu, resolve_model
from engine.errors import DoesNotFitError, InputError
from engine.memory import kv_bytes, runtime_overhead, weight_bytes
from engine.placement import TIGHT_SPARE_FRACTION, place
from engine.sharding import valid_gpu_counts
from engine.units import GIB


def P(model, gpu, precision="fp16", tokens=2048, concurrency=1, kv="fp16", gpus=None):
    return place(resolve_model(model), resolve_gpu(gpu), precision, kv, tokens, concurrency, gpus=gpus)


def test_7b_fp16_fits_one_4090():
    p = P("7b", "rtx-4090")
    assert (p.gpus_per_replica, p.tp, p.pp, p.nodes, p.regime) == (1, 1, 1, 1, "single-gpu")
    assert p.fits and p.verdict == "fits"
    assert "inflection point 1" in p.regime_reason


def test_13b_fp16_does_not_fit_one_4090():
    # seed-consistency C07/C19: 26 GB of weights > 24 GiB (25.8 GB)
    with pytest.raises(DoesNotFitError, match="smallest count that fits is 2"):
        P("13b", "rtx-4090", gpus=1)
    assert P("13b", "rtx-4090").gpus_per_replica == 2


def test_llama2_70b_fp16_needs_two_a100_80():
    p = P("llama-2-70b", "a100-80gb")
    assert (p.gpus_per_replica, p.tp, p.regime) == (2, 2, "multi-gpu")
    assert p.weights_bytes_per_gpu == pytest.approx(weight_bytes(resolve_model("llama-2-70b"), "fp16") / 2)
    assert "tensor parallel x2 over NVLink" in p.regime_reason
    assert "inflection point 2" in p.regime_reason  # >= 70B: the article's label, shown as narrative


def test_175b_fp16_on_a100_80_uses_a_power_of_two():
    # 350 GB of weights needs >= 5 A100-80s; TP degrees must divide 96 heads -> 8
    p = P("175b", "a100-80gb")
    assert p.gpus_per_replica == 8 and p.tp == 8


def test_1t_fp16_goes_multi_node():
    p = P("1t", "h100-sxm")
    assert p.regime == "multi-node" and p.nodes >= 3 and p.tp == 8 and p.pp == p.nodes
    assert "inflection point 3" in p.regime_reason


def test_int4_70b_on_a100_40_is_at_best_tight():
    # seed-consistency C07: "70B INT4 on one A100 40GB" is marginal with no room for KV
    p = P("70b", "a100-40gb", "int4", tokens=2048, concurrency=1)
    assert p.gpus_per_replica == 1 and p.verdict == "tight"
    assert p.max_concurrency < 8


def test_capacity_uses_usable_memory_and_headroom():
    p = P("7b", "a10g", "int8")
    assert p.capacity_bytes_per_gpu == pytest.approx(22888 * 2**20 * 0.95)


def test_memory_adds_up():
    m, g = resolve_model("llama-3.1-8b"), resolve_gpu("l40s")
    p = place(m, g, "fp16", "fp16", 3000, 10)
    assert p.kv_bytes_per_sequence == kv_bytes(m, "fp16", 3000, 1)
    assert p.kv_bytes_per_gpu == pytest.approx(kv_bytes(m, "fp16", 3000, 10))
    assert p.overhead.total_bytes == pytest.approx(runtime_overhead(m, g, 1).total_bytes)
    free = p.capacity_bytes_per_gpu - p.weights_bytes_per_gpu - p.overhead.total_bytes
    assert p.max_concurrency == int(free // p.kv_bytes_per_sequence)
    assert p.spare_fraction == pytest.approx((free - p.kv_bytes_per_gpu) / p.capacity_bytes_per_gpu)


def test_max_concurrency_is_the_boundary():
    p = P("llama-3.1-8b", "rtx-4090", tokens=4096, concurrency=1)
    n = p.max_concurrency
    assert P("llama-3.1-8b", "rtx-4090", tokens=4096, concurrency=n).gpus_per_replica == 1
    with pytest.raises(DoesNotFitError, match="does not fit on 1x rtx-4090"):
        P("llama-3.1-8b", "rtx-4090", tokens=4096, concurrency=n + 1, gpus=1)
    assert P("llama-3.1-8b", "rtx-4090", tokens=4096, concurrency=n + 1).gpus_per_replica == 2


def test_verdicts():
    p = P("llama-3.1-8b", "rtx-4090", tokens=4096, concurrency=1)
    tight = P("llama-3.1-8b", "rtx-4090", tokens=4096, concurrency=p.max_concurrency)
    assert tight.verdict == "tight" and 0 <= tight.spare_fraction < TIGHT_SPARE_FRACTION


def test_kv_shards_with_tp_but_mla_latent_does_not():
    gqa = P("llama-3.1-70b", "h100-sxm", concurrency=4, gpus=4)
    assert gqa.kv_bytes_per_gpu == pytest.approx(gqa.kv_bytes_per_sequence * 4 / 4)
    mla = P("deepseek-v3", "h200", "fp8", concurrency=4)
    assert mla.tp == 8 and mla.pp == 1
    assert mla.kv_bytes_per_gpu == pytest.approx(mla.kv_bytes_per_sequence * 4)


def test_kv_heads_replicate_when_tp_exceeds_them():
    # Qwen2.5-7B has 4 KV heads: TP 8 is not allowed (28 heads), so counts go 1, 2, 4, then pipeline stages
    counts = valid_gpu_counts(resolve_model("qwen2.5-7b"), resolve_gpu("h100-sxm"))
    assert counts[:5] == (1, 2, 4, 8, 12)
    # Falcon-40B (128 heads, 8 KV heads) on 8 GPUs: one KV head per GPU
    p = P("falcon-40b", "l4", "fp16", concurrency=1, gpus=8)
    assert p.kv_bytes_per_gpu == pytest.approx(p.kv_bytes_per_sequence / 8)


def test_unsplittable_gpu_count_is_an_input_error():
    with pytest.raises(InputError, match="valid counts near it"):
        P("llama-2-70b", "h100-sxm", gpus=3)


def test_nothing_fits_is_said_plainly():
    with pytest.raises(DoesNotFitError, match="does not fit on any count of rtx-3080"):
        P("7b", "rtx-3080", concurrency=10_000_000)


def test_context_beyond_a_real_models_maximum():
    with pytest.raises(InputError, match="at most 4,096 tokens"):
        P("llama-2-7b", "h100-sxm", tokens=8192)


def test_bad_inputs():
    with pytest.raises(InputError):
        P("7b", "h100-sxm", concurrency=0)
    with pytest.raises(InputError, match="precision"):
        P("7b", "h100-sxm", precision="fp4")


def test_every_gpu_and_generic_class_places_or_says_why():
    for gpu in load_gpus().values():
        for cls in ("7b", "13b", "30b", "70b", "175b", "1t"):
            for precision in ("fp16", "int4"):
                try:
                    p = place(resolve_model(cls), gpu, precision, "fp16", 2048, 1)
                except DoesNotFitError:
                    continue
                assert p.fits and p.used_bytes_per_gpu <= p.capacity_bytes_per_gpu


@settings(max_examples=40, deadline=None)
@given(
    model=st.sampled_from(["7b", "13b", "30b", "70b", "mixtral-8x7b", "gemma-2-9b", "qwen2.5-32b"]),
    gpu=st.sampled_from(["rtx-4090", "l40s", "a100-80gb", "h100-sxm"]),
    precision=st.sampled_from(["fp16", "fp8", "int8", "int4"]),
    tokens=st.integers(128, 4096),
    conc=st.integers(1, 64),
    more=st.integers(1, 64),
)
def test_more_demand_never_needs_fewer_gpus(model, gpu, precision, tokens, conc, more):
    try:
        base = P(model, gpu, precision, tokens=tokens, concurrency=conc)
    except DoesNotFitError:
        return
    try:
        bigger = P(model, gpu, precision, tokens=tokens, concurrency=conc + more)
    except DoesNotFitError:
        return
    assert bigger.gpus_per_replica >= base.gpus_per_replica
    if precision != "int4":
        assert P(model, gpu, "int4", tokens=tokens, concurrency=conc).gpus_per_replica <= base.gpus_per_replica


def test_overhead_is_reported_per_gpu():
    p = P("llama-2-70b", "h100-sxm")
    assert p.overhead_bytes_per_gpu > 1.5 * GIB


def test_pipeline_stage_holds_its_layers_plus_embedding():
    m = resolve_model("1t")
    p = P("1t", "h100-sxm")
    w = weight_bytes(m, "fp16")
    assert p.pp > 1
    # the fullest stage holds ceil(L/pp) layers plus an embedding-sized table, split over TP
    assert w / p.gpus_per_replica < p.weights_bytes_per_gpu < w / p.gpus_per_replica * 1.1


def test_a_modified_copy_of_a_model_is_placed_on_its_own_numbers():
    base = resolve_model("7b")
    wide = base.replace(num_layers=64)
    g = resolve_gpu("rtx-4090")
    assert place(base, g, "fp16", "fp16", 2048, 1).gpus_per_replica == 1
    assert place(wide, g, "fp16", "fp16", 2048, 1).gpus_per_replica == 2
