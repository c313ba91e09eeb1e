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
    "sliding_window_layers", "moe", "mla", "norm_kind", "norms_per_layer", "qk_norm",
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
        ("qwen3-0.6b", "qwen3-0.6b"),
        ("gemma-3-1b-it", "gemma-3-1b"),
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


# --------------------------------------------------------------------------- defaults for missing fields are recorded
def _write(tmp_path, name="config.json", **fields):
    import json

    base = {"model_type": "llama", "num_hidden_layers": 4, "hidden_size": 256, "num_attention_heads": 8,
            "num_key_value_heads": 8, "vocab_size": 1000, "intermediate_size": 512, "max_position_embeddings": 4096}
    base.update(fields)
    data = {k: v for k, v in base.items() if v is not None}
    p = tmp_path / name
    p.write_text(json.dumps(data))
    return p


def test_complete_config_assumes_nothing(tmp_path):
    assert model_from_hf_config(_write(tmp_path)).assumed == ()


def test_missing_context_is_recorded(tmp_path):
    m = model_from_hf_config(_write(tmp_path, max_position_embeddings=None))
    assert m.max_context == 2048
    assert m.assumed == ("no max_position_embeddings; assumed 2,048",)


def test_missing_experts_per_token_is_recorded(tmp_path):
    p = _write(tmp_path, model_type="mixtral", num_local_experts=8)
    m = model_from_hf_config(p)
    assert m.moe.experts_per_token == 2
    assert "no num_experts_per_tok; assumed 2" in m.assumed
    assert model_from_hf_config(_write(tmp_path, model_type="mixtral", num_local_experts=8,
                                       num_experts_per_tok=2)).assumed == ()


def test_unknown_family_is_recorded_and_read_llama_style(tmp_path):
    m = model_from_hf_config(_write(tmp_path, model_type="weird"))
    assert m.mlp_kind == "gated" and m.norm_kind == "rms"
    assert m.assumed == ("model_type 'weird' is not a known family; read as Llama-style (gated MLP, RMSNorm)",)
    assert model_from_hf_config(_write(tmp_path, model_type=None)).assumed == (
        "no model_type; read as Llama-style (gated MLP, RMSNorm)",)


def test_unknown_family_name_is_sanitised(tmp_path):
    m = model_from_hf_config(_write(tmp_path, model_type="x\x1b[2J" + "y" * 200))
    phrase = m.assumed[0]
    assert "\x1b" not in phrase and "\\x1b" in phrase and len(phrase) < 150


def test_partly_mapped_family_is_recorded(tmp_path):
    m = model_from_hf_config(_write(tmp_path, model_type="gpt_neox"))
    assert m.mlp_kind == "standard"
    assert m.assumed == ("model_type 'gpt_neox': biases and LayerNorm biases not read (parameter count slightly low)",)


def test_falcon_without_multi_query_is_recorded(tmp_path):
    m = model_from_hf_config(_write(tmp_path, model_type="falcon", num_key_value_heads=None))
    assert m.num_kv_heads == 1
    assert m.assumed == ("no multi_query; assumed true (one KV head, Falcon's default)",)
    assert model_from_hf_config(_write(tmp_path, model_type="falcon", num_key_value_heads=None,
                                       multi_query=True)).assumed == ()


def test_missing_kv_heads_is_recorded(tmp_path):
    m = model_from_hf_config(_write(tmp_path, num_key_value_heads=None))
    assert m.num_kv_heads == 8
    assert m.assumed == ("no num_key_value_heads; assumed 8 (= num_attention_heads: full multi-head attention)",)


@pytest.mark.parametrize("fixture", ["llama-2-70b-chat-hf", "mistral-7b-v0.1", "qwen2.5-7b-instruct", "gemma-2-9b-it",
                                     "phi-3-mini-4k-instruct", "mixtral-8x7b-instruct", "deepseek-v3", "gpt2"])
def test_real_configs_assume_nothing(fixture):
    assert model_from_hf_config(FIX / f"{fixture}.json").assumed == ()


def test_catalog_models_assume_nothing():
    from engine.catalog import load_models

    assert all(m.assumed == () for m in load_models().values())


# --------------------------------------------------------------------------- files that are not plain files
def test_utf8_bom_is_accepted(tmp_path):
    p = _write(tmp_path)
    p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes())
    assert model_from_hf_config(p).num_layers == 4


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="needs FIFOs")
def _in_thread(fn, fifo):
    """Run ``fn`` in a thread; fail (after unblocking it) if it hangs on the FIFO."""
    import threading

    outcome = []

    def run():
        try:
            outcome.append(("ok", fn()))
        except Exception as err:  # noqa: BLE001 - the test inspects it
            outcome.append(("error", err))

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=10)
    if worker.is_alive():  # unblock the reader so the test process can exit, then fail
        with open(fifo, "wb"):
            pass
        pytest.fail("reading a FIFO blocked")
    return outcome[0]


def test_a_fifo_nobody_writes_to_reads_as_empty_without_blocking(tmp_path):
    import os

    fifo = tmp_path / "config.json"
    os.mkfifo(fifo)
    kind, err = _in_thread(lambda: model_from_hf_config(fifo), fifo)
    assert kind == "error" and isinstance(err, ConfigError)
    assert str(err) == f"{fifo}: is empty, expected a model's config.json"
    # a directory holding such a FIFO named config.json is read the same way
    with pytest.raises(ConfigError, match="is empty"):
        model_from_hf_config(tmp_path)


def test_a_pipe_with_a_writer_is_read(tmp_path):
    """``--model-config <(curl ...)`` and friends: a pipe is a legitimate way to pass the file."""
    import os
    import threading

    fifo = tmp_path / "config.json"
    os.mkfifo(fifo)
    source = (FIX / "falcon-7b.json").read_bytes()

    def write():
        with open(fifo, "wb") as fh:
            fh.write(source)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    kind, model = _in_thread(lambda: model_from_hf_config(fifo), fifo)
    writer.join(timeout=10)
    assert kind == "ok", model
    assert model.num_layers == model_from_hf_config(FIX / "falcon-7b.json").num_layers


def test_a_device_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="not a regular file or a pipe"):
        model_from_hf_config("/dev/zero")
