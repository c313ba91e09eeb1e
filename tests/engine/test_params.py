"""Parameter counts derived from the architecture match the published sizes."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.catalog import load_models, resolve_model
from engine.params import as_published, param_counts


def test_every_exact_published_count_within_1_percent():
    for m in load_models().values():
        if m.published_params_exact:
            total_b = as_published(m, param_counts(m)) / 1e9
            assert total_b == pytest.approx(m.published_params_b, rel=0.01), m.id


def test_rounded_headline_counts_within_5_percent():
    # "40B", "671B", "7B" are rounded headline figures; the architecture count is the truth
    for m in load_models().values():
        if not m.published_params_exact:
            total_b = as_published(m, param_counts(m)) / 1e9
            assert total_b == pytest.approx(m.published_params_b, rel=0.05), m.id


@pytest.mark.parametrize(
    "model_id,exact",
    [
        ("meta-llama/Llama-2-7b-hf", 6_738_415_616),
        ("meta-llama/Llama-2-70b-hf", 68_976_648_192),
        ("meta-llama/Llama-3.1-8B", 8_030_261_248),
        ("meta-llama/Llama-3.1-405B", 405_853_388_800),
        ("mistralai/Mistral-7B-v0.1", 7_241_732_096),
        ("mistralai/Mixtral-8x7B-v0.1", 46_702_792_704),
        ("google/gemma-2-9b", 9_241_705_984),
        ("google/gemma-2-27b", 27_227_128_320),
        ("microsoft/Phi-3-mini-4k-instruct", 3_821_079_552),
    ],
)
def test_exact_counts(model_id, exact):
    assert param_counts(resolve_model(model_id)).total == exact


def test_mixtral_total_and_active():
    p = param_counts(resolve_model("mixtral-8x7b"))
    assert p.total / 1e9 == pytest.approx(46.7, abs=0.05)
    assert p.active / 1e9 == pytest.approx(12.9, abs=0.05)
    assert p.routed_experts == 32 * 8 * 3 * 4096 * 14336


def test_deepseek_v3_main_model_and_active():
    p = param_counts(resolve_model("deepseek-v3"))
    assert p.total / 1e9 == pytest.approx(671, rel=0.005)
    assert p.active / 1e9 == pytest.approx(37, rel=0.03)
    assert p.dense_layers == 3 and p.moe_layers == 58


def test_tied_embeddings_counted_once():
    gemma = param_counts(resolve_model("gemma-2-9b"))
    assert gemma.lm_head == 0 and gemma.embedding == 256000 * 3584
    llama = param_counts(resolve_model("llama-3.1-8b"))
    assert llama.lm_head == llama.embedding


def test_qwen_qkv_bias_is_counted():
    m = resolve_model("qwen2.5-7b")
    p = param_counts(m)
    biases = m.num_attention_heads * m.head_dim + 2 * m.num_kv_heads * m.head_dim
    no_bias = m.replace(attention_bias=False)
    assert p.total - param_counts(no_bias).total == m.num_layers * biases


def test_generic_classes_land_near_their_nominal_size():
    nominal = {"7b": 7, "13b": 13, "30b": 30, "70b": 70, "175b": 175, "1t": 1000}
    for cls, size in nominal.items():
        assert param_counts(resolve_model(cls)).total / 1e9 == pytest.approx(size, rel=0.04), cls


def test_breakdown_adds_up():
    for m in load_models().values():
        p = param_counts(m)
        assert p.total == p.embedding + p.lm_head + p.position_embedding + p.attention + p.mlp + p.norms
        assert 0 < p.linear < p.total
        assert p.active <= p.total


@given(
    layers=st.integers(1, 120),
    heads=st.sampled_from([8, 16, 32, 64]),
    head_dim=st.sampled_from([64, 128]),
    ffn_mult=st.floats(1.0, 4.0),
    extra_layers=st.integers(1, 10),
)
def test_more_layers_means_more_parameters(layers, heads, head_dim, ffn_mult, extra_layers):
    base = resolve_model("7b").replace(
        num_layers=layers,
        num_attention_heads=heads,
        num_kv_heads=heads,
        head_dim=head_dim,
        hidden_size=heads * head_dim,
        intermediate_size=int(heads * head_dim * ffn_mult),
    )
    deeper = base.replace(num_layers=layers + extra_layers)
    assert param_counts(deeper).total > param_counts(base).total
