"""config.json loading: every family maps to the same architecture as the catalog; bad files say why."""

from pathlib import Path

import pytest

from engine.catalog import resolve_model
from engine.errors import ConfigError
from engine.hf_config import MAX_CONFIG_BYTES, model_from_hf_config
from engine.memory import kv_bytes, kv_bytes_per_token
from engine.params import param_counts

FIX = Path(__file__).parent / "fixtures"

ARCH_FIELDS = (
    "num_layers", "hidden_size", "intermediate_size", "num_attention_heads", "num_kv_heads", "head_dim",
    "vocab_size", "tie_word_embeddings", "mlp_kind", "attention_bias", "sliding_window",
    "sliding_window_layers", "moe", "mla", "norm_kind", "norms_per_layer",
)


@pytest.mark.parametrize(
    "fixture,catalog_id",
    [
        ("llama-2-70b-chat-hf", "llama-2-70b"),
        ("llama-2-7b-no-kv-heads", "llama-2-7b"),
        ("mistral-7b-v0.1", "mistral-7b"),
        ("qwen2.5-7b-instruct", "qwen2.5-7b"),
        ("gemma-2-9b-it", "gemma-2-9b"),
        ("phi-3-mini-4k-instruct", "phi-3-mini"),
        ("mixtral-8x7b-instruct", "mixtral-8x7b"),
        ("deepseek-v3", "deepseek-v3"),
        ("falcon-40b", "falcon-40b"),
    ],
)
def test_config_matches_catalog_architecture(fixture, catalog_id):
    loaded = model_from_hf_config(FIX / f"{fixture}.json")
    ref = resolve_model(catalog_id)
    for field in ARCH_FIELDS:
        assert getattr(loaded, field) == getattr(ref, field), field
    assert param_counts(loaded).total == param_counts(ref).total
    assert kv_bytes_per_token(loaded, "fp16") == kv_bytes_per_token(ref, "fp16")


def test_loaded_model_gets_name_and_size_class():
    m = model_from_hf_config(FIX / "llama-2-70b-chat-hf.json")
    assert m.id == "meta-llama/Llama-2-70b-chat-hf" and not m.generic
    assert m.size_class == "70b"
    assert "config.json read from" in m.provenance.source
    assert model_from_hf_config(FIX / "mixtral-8x7b-instruct.json").size_class == "moe"


def test_oracle_through_a_config_file():
    m = model_from_hf_config(FIX / "llama-2-70b-chat-hf.json")
    assert kv_bytes(m, "fp16", 8192, 1) == 2_684_354_560


def test_directory_with_config_json(tmp_path):
    (tmp_path / "config.json").write_bytes((FIX / "mistral-7b-v0.1.json").read_bytes())
    assert model_from_hf_config(tmp_path).sliding_window == 4096


def test_qwen_window_ignored_when_disabled():
    m = model_from_hf_config(FIX / "qwen2.5-7b-instruct.json")
    assert m.sliding_window is None and m.attention_bias


@pytest.mark.parametrize(
    "fixture,message",
    [
        ("broken-malformed.json", r"broken-malformed.json:2: malformed JSON"),
        ("broken-not-utf8.json", "not UTF-8"),
        ("broken-missing-heads.json", "missing required field 'num_attention_heads'"),
        ("broken-string-hidden.json", "field 'hidden_size' must be a positive integer"),
        ("broken-kv-heads.json", "num_kv_heads"),
        ("broken-array.json", "JSON object"),
        ("broken-nan.json", "NaN"),
    ],
)
def test_broken_configs_name_file_and_problem(fixture, message):
    with pytest.raises(ConfigError, match=message) as err:
        model_from_hf_config(FIX / fixture)
    assert fixture in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        model_from_hf_config(tmp_path / "nope.json")


def test_too_big(tmp_path):
    p = tmp_path / "config.json"
    p.write_text('{"x": "' + "a" * MAX_CONFIG_BYTES + '"}')
    with pytest.raises(ConfigError, match="larger than 5 MB"):
        model_from_hf_config(p)


def test_absurd_values_rejected(tmp_path):
    p = tmp_path / "config.json"
    p.write_text('{"num_hidden_layers": 32, "hidden_size": 4096000000, "num_attention_heads": 32, '
                 '"vocab_size": 32000, "intermediate_size": 11008}')
    with pytest.raises(ConfigError, match="implausibly large"):
        model_from_hf_config(p)
    p.write_text('{"num_hidden_layers": 0, "hidden_size": 4096, "num_attention_heads": 32, '
                 '"vocab_size": 32000, "intermediate_size": 11008}')
    with pytest.raises(ConfigError, match="num_hidden_layers"):
        model_from_hf_config(p)
    p.write_text('{"num_hidden_layers": true, "hidden_size": 4096, "num_attention_heads": 32, '
                 '"vocab_size": 32000, "intermediate_size": 11008}')
    with pytest.raises(ConfigError, match="num_hidden_layers"):
        model_from_hf_config(p)


def test_gpt2_style_config_counts_exactly():
    # GPT-2 small: 124,439,808 parameters (learned positions, biases, LayerNorm, tied head)
    m = model_from_hf_config(FIX / "gpt2.json")
    assert param_counts(m).total == 124_439_808
    assert m.mlp_kind == "standard" and m.learned_position_embeddings == 1024


def test_falcon_7b_multi_query():
    # Falcon-7B: multi-query attention (1 KV head), one shared LayerNorm per layer, 6,921,720,704 parameters
    m = model_from_hf_config(FIX / "falcon-7b.json")
    assert m.num_kv_heads == 1 and m.norms_per_layer == 1 and m.head_dim == 64
    assert param_counts(m).total == 6_921_720_704
    assert kv_bytes_per_token(m, "fp16") == 32 * 2 * 64 * 2
