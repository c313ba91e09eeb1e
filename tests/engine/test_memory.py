"""Memory terms: exact KV oracles, weight bytes per precision, overhead terms, article references."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.catalog import load_models, resolve_gpu, resolve_model
from engine.errors import InputError
from engine.memory import (
    article_kv_formula_bytes,
    article_quick_rule_gb,
    kv_bytes,
    kv_bytes_per_token,
    runtime_overhead,
    weight_bytes,
)
from engine.params import param_counts
from engine.units import GIB


# ---------------------------------------------------------------- exact oracles
def test_llama2_70b_kv_at_8k_fp16_is_exact():
    assert kv_bytes(resolve_model("llama-2-70b"), "fp16", 8192, 1) == 2_684_354_560


def test_article_mha_formula_70b_at_8k_is_exact():
    assert article_kv_formula_bytes(80, 8192, 8192, 1, 2) == 21_474_836_480


def test_generic_70b_kv_is_the_gqa_value_not_the_article_value():
    m = resolve_model("70b")
    assert kv_bytes(m, "fp16", 8192, 1) * 8 == article_kv_formula_bytes(80, 8192, 8192)


@pytest.mark.parametrize(
    "model_id,per_token",
    [
        ("llama-2-7b", 524_288),        # MHA 32 x 4096 x 2 x 2
        ("llama-2-13b", 819_200),
        ("mistral-7b", 131_072),        # GQA 8 x 128
        ("llama-3.1-70b", 327_680),
        ("mixtral-8x7b", 131_072),
        ("deepseek-v3", 61 * (512 + 64) * 2),   # MLA latent + rope key
        ("175b", 2 * 96 * 12288 * 2),   # GPT-3 MHA: the article formula is exact here
    ],
)
def test_kv_per_token(model_id, per_token):
    assert kv_bytes_per_token(resolve_model(model_id), "fp16") == per_token


def test_article_formula_matches_engine_for_mha_models():
    m = resolve_model("llama-2-7b")
    assert kv_bytes(m, "fp16", 4096, 3) == article_kv_formula_bytes(32, 4096, 4096, 3)


def test_fp8_kv_halves():
    m = resolve_model("llama-3.1-8b")
    assert kv_bytes(m, "fp8", 1000, 7) * 2 == kv_bytes(m, "fp16", 1000, 7)


def test_mqa_kv():
    m = resolve_model("llama-2-7b").replace(num_kv_heads=1)
    assert kv_bytes_per_token(m, "fp16") == 32 * 2 * 128 * 2


def test_sliding_window_caps_kv():
    mistral = resolve_model("mistral-7b")       # all 32 layers windowed at 4096
    assert kv_bytes(mistral, "fp16", 32768, 1) == kv_bytes(mistral, "fp16", 4096, 1)
    gemma = resolve_model("gemma-2-9b")         # 21 of 42 layers windowed
    per_layer = 2 * 8 * 256 * 2
    assert kv_bytes(gemma, "fp16", 8192, 1) == per_layer * (21 * 8192 + 21 * 4096)
    assert kv_bytes(gemma, "fp16", 2000, 1) == kv_bytes_per_token(gemma, "fp16") * 2000


def test_weight_bytes_fp16_is_two_bytes_per_parameter():
    m = resolve_model("llama-2-70b")
    assert weight_bytes(m, "fp16") == 2 * 68_976_648_192
    assert weight_bytes(m, "bf16") == weight_bytes(m, "fp16")
    assert weight_bytes(m, "fp32") == 4 * 68_976_648_192


def test_int4_has_group_scales_and_16_bit_embeddings():
    m = resolve_model("llama-2-70b")
    p = param_counts(m)
    expected = p.linear * 0.5 + p.linear / 128 * 2.5 + (p.total - p.linear) * 2
    assert weight_bytes(m, "int4") == pytest.approx(expected)
    # seed-consistency C07: 70B INT4 weights ~35 GB raw, ~37 GB with GPTQ group scales
    assert 36e9 < weight_bytes(m, "int4") < 38e9


def test_mixtral_fp16_weights():
    # seed-consistency C09: 93.4 GB
    assert weight_bytes(resolve_model("mixtral-8x7b"), "fp16") / 1e9 == pytest.approx(93.4, abs=0.1)


def test_unknown_precision_is_an_input_error():
    with pytest.raises(InputError, match="precision"):
        weight_bytes(resolve_model("7b"), "int3")
    with pytest.raises(InputError, match="kv-precision"):
        kv_bytes(resolve_model("7b"), "int4", 10, 1)


# ---------------------------------------------------------------- properties
def test_precision_order_for_every_catalog_model():
    for m in load_models().values():
        w = {p: weight_bytes(m, p) for p in ("int4", "int8", "fp8", "fp16", "fp32")}
        assert w["int4"] < w["int8"] < w["fp16"] < w["fp32"], m.id
        assert w["fp8"] < w["fp16"], m.id


@settings(max_examples=60)
@given(
    a=st.sampled_from(sorted(load_models())),
    b=st.sampled_from(sorted(load_models())),
    precision=st.sampled_from(["fp32", "bf16", "fp8", "int8", "int4"]),
)
def test_more_parameters_never_need_less_weight_memory_at_full_width(a, b, precision):
    ma, mb = load_models()[a], load_models()[b]
    pa, pb = param_counts(ma), param_counts(mb)
    if precision in ("fp32", "bf16"):
        if pa.total > pb.total:
            assert weight_bytes(ma, precision) > weight_bytes(mb, precision)
    else:
        # with 16-bit embeddings kept, compare models whose quantizable and other parts both grow
        if pa.linear >= pb.linear and pa.total - pa.linear >= pb.total - pb.linear and pa.total > pb.total:
            assert weight_bytes(ma, precision) > weight_bytes(mb, precision)


@given(
    layers=st.integers(1, 100),
    extra=st.integers(1, 20),
    precision=st.sampled_from(["fp32", "bf16", "fp16", "fp8", "int8", "int4"]),
)
def test_adding_layers_never_reduces_memory(layers, extra, precision):
    base = resolve_model("13b").replace(num_layers=layers)
    deeper = base.replace(num_layers=layers + extra)
    assert weight_bytes(deeper, precision) > weight_bytes(base, precision)
    assert kv_bytes(deeper, "fp16", 1000, 1) > kv_bytes(base, "fp16", 1000, 1)


@given(tokens=st.integers(0, 200_000), seqs=st.integers(0, 512), more=st.integers(1, 1000))
def test_kv_monotone_in_tokens_and_sequences(tokens, seqs, more):
    for mid in ("llama-3.1-8b", "gemma-2-9b", "deepseek-v3"):
        m = resolve_model(mid)
        assert kv_bytes(m, "fp16", tokens + more, seqs) >= kv_bytes(m, "fp16", tokens, seqs)
        assert kv_bytes(m, "fp16", tokens, seqs + 1) >= kv_bytes(m, "fp16", tokens, seqs)


# ---------------------------------------------------------------- overhead
def test_overhead_terms():
    m, g = resolve_model("llama-2-70b"), resolve_gpu("h100-sxm")
    one = runtime_overhead(m, g, 1)
    two = runtime_overhead(m, g, 2)
    assert one.collective_bytes == 0 and two.collective_bytes > 0
    assert one.cuda_context_bytes == 0.5 * GIB
    # activations shard with TP
    assert two.activation_bytes < one.activation_bytes
    assert one.total_bytes == pytest.approx(
        one.cuda_context_bytes + one.workspace_bytes + one.activation_bytes + one.collective_bytes
    )
    # activations scale with batched tokens
    small = runtime_overhead(m, g, 1, max_batched_tokens=1024)
    assert small.activation_bytes < one.activation_bytes
    # overhead stays a small fraction of an 80 GiB GPU
    assert 1 * GIB < one.total_bytes < 4 * GIB


# ---------------------------------------------------------------- article references
def test_article_quick_rule():
    lo, hi = article_quick_rule_gb(70, "fp16")
    assert (lo, hi) == pytest.approx((168.0, 196.0))
    assert article_quick_rule_gb(7, "int4") == pytest.approx((4.2, 4.9))
