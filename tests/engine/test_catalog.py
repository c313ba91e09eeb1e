"""Catalog files: schema, provenance on every number, required ids, id resolution, bad files."""

import textwrap

import pytest

from engine import catalog
from engine.catalog import (
    GPU_SOURCED_FIELDS,
    load_gpu_file,
    load_gpus,
    load_model_file,
    load_models,
    load_runtime_overhead,
    resolve_gpu,
    resolve_model,
)
from engine.errors import ConfigError, UnknownIdError

REQUIRED_GPUS = [
    "rtx-3080", "rtx-3090", "rtx-4090", "rtx-5090", "rtx-a6000", "l4", "a10g", "l40s",
    "a100-40gb", "a100-80gb", "h100-pcie", "h100-sxm", "h200", "b200", "mi300x",
]
GENERIC = ["7b", "13b", "30b", "70b", "175b", "1t"]
REAL_MODELS = [
    "meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-13b-hf", "meta-llama/Llama-2-70b-hf",
    "meta-llama/Llama-3.1-8B", "meta-llama/Llama-3.1-70B", "meta-llama/Llama-3.1-405B",
    "mistralai/Mistral-7B-v0.1", "mistralai/Mixtral-8x7B-v0.1", "mistralai/Mixtral-8x22B-v0.1",
    "Qwen/Qwen2.5-7B", "Qwen/Qwen2.5-14B", "Qwen/Qwen2.5-32B", "Qwen/Qwen2.5-72B",
    "google/gemma-2-9b", "google/gemma-2-27b",
    "microsoft/Phi-3-mini-4k-instruct", "microsoft/Phi-3-medium-4k-instruct",
    "deepseek-ai/DeepSeek-V3", "tiiuae/falcon-40b", "tiiuae/falcon-180B",
]


def test_every_required_gpu_is_present():
    gpus = load_gpus()
    assert set(REQUIRED_GPUS) <= set(gpus)


def test_every_gpu_number_has_a_source_and_date():
    for gpu in load_gpus().values():
        for field in GPU_SOURCED_FIELDS:
            if getattr(gpu, field) is not None:
                prov = gpu.provenance[field]
                assert prov.source and prov.as_of[:4].isdigit(), (gpu.id, field)
        assert gpu.cloud_provider


def test_gpu_spec_sanity():
    gpus = load_gpus()
    # Ampere has no FP8 tensor cores
    for gid in ("rtx-3080", "rtx-3090", "rtx-a6000", "a10g", "a100-40gb", "a100-80gb"):
        assert gpus[gid].fp8_dense_tflops is None
    # dense, not sparse: H100 SXM BF16 is 989, not 1979
    assert gpus["h100-sxm"].bf16_dense_tflops == 989
    assert gpus["a100-40gb"].memory_bandwidth_gb_per_s == 1555
    # the A10G's usable memory is what the driver reports
    assert gpus["a10g"].capacity_gib == pytest.approx(22888 / 1024)
    assert gpus["h100-sxm"].interconnect.kind == "nvlink"
    assert gpus["mi300x"].interconnect.kind == "xgmi"
    for gpu in gpus.values():
        if gpu.fp8_dense_tflops:
            assert gpu.fp8_dense_tflops >= gpu.bf16_dense_tflops
        assert gpu.interconnect.gpus_per_node in (4, 8)


def test_runtime_overhead_block_has_sources():
    r = load_runtime_overhead()
    assert 0 < r.headroom_fraction < 0.2
    assert set(r.provenance) >= {"cuda_context_gib", "workspace_gib", "collective_buffers_gib", "headroom_fraction"}


def test_every_required_model_is_present():
    ids = {m.id for m in load_models().values()}
    assert set(GENERIC) <= ids
    assert set(REAL_MODELS) <= ids


def test_models_have_provenance_and_classes():
    for m in load_models().values():
        assert m.provenance.source and m.provenance.as_of
        assert m.published_params_b and m.params_provenance is not None
        assert m.size_class in ("1b", "3b", "7b", "13b", "30b", "70b", "175b", "1t", "moe")
        assert m.family and m.license, m.id
        if m.generic:
            assert m.size_class == m.id and m.moe is None


def test_generic_70b_defaults_to_gqa():
    # seed-consistency C02: a generic 70B uses grouped-query attention
    assert resolve_model("70b").num_kv_heads < resolve_model("70b").num_attention_heads


@pytest.mark.parametrize(
    "given,expected",
    [
        ("meta-llama/Llama-3.1-70B-Instruct", "meta-llama/Llama-3.1-70B"),
        ("meta-llama/Meta-Llama-3.1-70B-Instruct", "meta-llama/Llama-3.1-70B"),
        ("llama-3.1-70b", "meta-llama/Llama-3.1-70B"),
        ("LLAMA-3.1-70B", "meta-llama/Llama-3.1-70B"),
        ("meta-llama/Llama-2-7b-chat-hf", "meta-llama/Llama-2-7b-hf"),
        ("Llama-2-70b-chat-hf", "meta-llama/Llama-2-70b-hf"),
        ("mixtral-8x7b", "mistralai/Mixtral-8x7B-v0.1"),
        ("mistralai/Mixtral-8x7B-Instruct-v0.1", "mistralai/Mixtral-8x7B-v0.1"),
        ("mistralai/Mixtral-8x22B-Instruct-v0.1", "mistralai/Mixtral-8x22B-v0.1"),
        ("qwen2.5-72b", "Qwen/Qwen2.5-72B"),
        ("Qwen/Qwen2.5-7B-Instruct", "Qwen/Qwen2.5-7B"),
        ("google/gemma-2-9b-it", "google/gemma-2-9b"),
        ("google/gemma-2-27b-it", "google/gemma-2-27b"),
        ("phi-3-mini", "microsoft/Phi-3-mini-4k-instruct"),
        ("deepseek-ai/DeepSeek-V3-Base", "deepseek-ai/DeepSeek-V3"),
        ("tiiuae/falcon-40b-instruct", "tiiuae/falcon-40b"),
        ("meta-llama/Meta-Llama-3.1-405B-Instruct-FP8", "meta-llama/Llama-3.1-405B"),
        ("Qwen/Qwen2.5-72B-Instruct-AWQ", "Qwen/Qwen2.5-72B"),
        ("Qwen/Qwen2.5-7B-Instruct-GPTQ-Int4", "Qwen/Qwen2.5-7B"),
        ("70B", "70b"),
        ("1T", "1t"),
    ],
)
def test_resolve_model_variants_and_aliases(given, expected):
    assert resolve_model(given).id == expected


def test_resolve_gpu_case_insensitive_and_aliases():
    assert resolve_gpu("H100-SXM").id == "h100-sxm"
    assert resolve_gpu(" a10g ").id == "a10g"
    assert resolve_gpu("4090").id == "rtx-4090"
    assert resolve_gpu("A6000").id == "rtx-a6000"
    assert resolve_gpu("h100-sxm5").id == "h100-sxm"


def test_gpu_aliases_are_unambiguous():
    seen = {}
    for gpu in load_gpus().values():
        for name in (gpu.id, *gpu.aliases):
            assert name.lower() not in seen, (name, seen.get(name.lower()))
            seen[name.lower()] = gpu.id
    # deliberately no alias for ambiguous names: 'h100' and 'a100' ask the user to choose
    assert "h100" not in seen and "a100" not in seen


def test_unknown_ids_suggest_close_matches():
    with pytest.raises(UnknownIdError) as err:
        resolve_gpu("h100")
    assert "h100-sxm" in err.value.suggestions
    with pytest.raises(UnknownIdError) as err:
        resolve_model("llama-3.1-80b")
    assert "unknown model 'llama-3.1-80b'" in str(err.value)
    assert err.value.suggestions


def test_suggestions_name_each_model_once_in_its_canonical_spelling():
    # 'llama3.1-8b' and 'llama-3.1-8b' are two spellings of one model: suggested once, as its id
    with pytest.raises(UnknownIdError) as err:
        resolve_model("llama3.1-8")
    assert err.value.suggestions[0] == "meta-llama/Llama-3.1-8B"
    assert len(set(err.value.suggestions)) == len(err.value.suggestions)
    with pytest.raises(UnknownIdError) as err:
        resolve_model("DeepSeek-V2")
    assert err.value.suggestions == ["deepseek-ai/DeepSeek-V3", "deepseek-ai/DeepSeek-R1"]
    assert "DeepSeek-V3-Base" not in str(err.value)
    known = {m.id for m in load_models().values()}
    for given in ("llama-3.1-80b", "mixtral", "qwen", "meta-llama/Llama-3.1-80B-Instruct"):
        with pytest.raises(UnknownIdError) as err:
            resolve_model(given)
        assert err.value.suggestions and set(err.value.suggestions) <= known, given
    with pytest.raises(UnknownIdError) as err:
        resolve_gpu("h100")
    assert err.value.suggestions[:2] == ["h100-sxm", "h100-pcie"]


def test_nothing_close_still_names_known_ids():
    with pytest.raises(UnknownIdError) as err:
        resolve_model("foo")
    msg = str(err.value)
    assert msg.startswith("unknown model 'foo'; known models include 7b, 13b, 30b, 70b, 175b, 1t, ")
    assert msg.endswith("(see `sizewise catalog models`)")
    assert "meta-llama/" in msg and "mistralai/" in msg  # a few real models, not only the classes
    with pytest.raises(UnknownIdError) as err:
        resolve_gpu("foo")
    assert "known gpus include rtx-3080" in str(err.value) and "h100-sxm" in str(err.value)


def test_keeps_the_did_you_mean_format():
    with pytest.raises(UnknownIdError) as err:
        resolve_gpu("h100-sxn")
    assert str(err.value).startswith("unknown gpu 'h100-sxn'; did you mean h100-sxm")
    assert str(err.value).endswith("? (see `sizewise catalog gpus`)")


def test_echoed_input_is_truncated_and_escaped():
    import time

    start = time.perf_counter()
    with pytest.raises(UnknownIdError) as err:
        resolve_model("x" * 100_000)
    assert time.perf_counter() - start < 2
    msg = str(err.value)
    assert "unknown model '" + "x" * 60 + "...'" in msg and len(msg) < 400
    with pytest.raises(UnknownIdError) as err:
        resolve_gpu("h1\x1b[31m00\nnext")
    msg = str(err.value)
    assert "\x1b" not in msg and "\n" not in msg
    assert "'h1\\x1b[31m00\\nnext'" in msg
    assert err.value.given == "h1\x1b[31m00\nnext"  # the raw value stays available to code


def test_catalog_entry_cannot_claim_assumptions(tmp_path):
    text = """
    models:
    - id: m
      name: M
      num_layers: 2
      hidden_size: 64
      intermediate_size: 128
      num_attention_heads: 8
      num_kv_heads: 8
      vocab_size: 100
      tie_word_embeddings: false
      mlp_kind: gated
      max_context: 128
      assumed: [something]
      source: somewhere
      as_of: "2024"
    """
    with pytest.raises(ConfigError, match="'assumed' is only set by --model-config"):
        load_model_file(_write(tmp_path, text))


def test_an_untied_model_cannot_claim_its_head_is_stored_twice(tmp_path):
    text = """
    models:
    - id: m
      name: M
      num_layers: 2
      hidden_size: 64
      intermediate_size: 128
      num_attention_heads: 8
      num_kv_heads: 8
      vocab_size: 100
      tie_word_embeddings: false
      mlp_kind: gated
      max_context: 128
      source: somewhere
      as_of: "2024"
      published_params: {billions: 0.001, counts_tied_head_twice: true, source: a card, as_of: "2024"}
    """
    with pytest.raises(ConfigError, match="counts_tied_head_twice needs tie_word_embeddings: true"):
        load_model_file(_write(tmp_path, text))
    tied = text.replace("tie_word_embeddings: false", "tie_word_embeddings: true")
    assert load_model_file(_write(tmp_path, tied))["m"].published_counts_tied_head_twice is True


def test_catalogs_are_cached():
    assert load_gpus() is load_gpus()
    assert load_models() is load_models()


# ---------------------------------------------------------------- bad files
def _write(tmp_path, text):
    p = tmp_path / "cat.yaml"
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


GOOD_GPU = """
gpus:
- id: x1
  name: X
  vendor: nvidia
  class: datacenter
  memory_gib: 10
  memory_bandwidth_gb_per_s: 100
  bf16_dense_tflops: 10
  tdp_w: 100
  interconnect: {kind: pcie, bandwidth_gb_per_s: 32, latency_us: 10, gpus_per_node: 4}
  cloud_usd_per_gpu_hour: 1
  cloud_provider: p
  purchase_usd: 100
  sources:
    _default: {source: somewhere, as_of: "2024-01"}
"""


def test_minimal_gpu_file_loads(tmp_path):
    gpus = load_gpu_file(_write(tmp_path, GOOD_GPU))
    assert gpus["x1"].provenance["purchase_usd"].source == "somewhere"


def test_unknown_field_is_rejected(tmp_path):
    text = GOOD_GPU.replace("  tdp_w: 100", "  tdp_w: 100\n  tdp_watts: 100")
    with pytest.raises(ConfigError, match="tdp_watts"):
        load_gpu_file(_write(tmp_path, text))


def test_missing_source_is_rejected(tmp_path):
    text = GOOD_GPU.replace('    _default: {source: somewhere, as_of: "2024-01"}', '    tdp_w: {source: a, as_of: "2024"}')
    with pytest.raises(ConfigError, match="has no source"):
        load_gpu_file(_write(tmp_path, text))


def test_bad_date_is_rejected(tmp_path):
    with pytest.raises(ConfigError, match="as_of"):
        load_gpu_file(_write(tmp_path, GOOD_GPU.replace('"2024-01"', "yesterday")))


def test_invalid_yaml_names_file_and_line(tmp_path):
    p = _write(tmp_path, "gpus:\n- id: [unclosed\n")
    with pytest.raises(ConfigError) as err:
        load_gpu_file(p)
    assert str(p) in str(err.value) and ":" in str(err.value)


def test_non_utf8_is_rejected(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_bytes(b"gpus: [\xff\xfe]")
    with pytest.raises(ConfigError, match="UTF-8"):
        load_gpu_file(p)


def test_utf8_bom_is_accepted(tmp_path):
    p = tmp_path / "bom.yaml"
    p.write_bytes(b"\xef\xbb\xbf" + textwrap.dedent(GOOD_GPU).encode("utf-8"))
    assert list(load_gpu_file(p)) == ["x1"]


def test_negative_number_is_rejected(tmp_path):
    with pytest.raises(ConfigError, match="memory_gib"):
        load_gpu_file(_write(tmp_path, GOOD_GPU.replace("memory_gib: 10", "memory_gib: -10")))


def test_model_heads_must_divide(tmp_path):
    text = """
    models:
    - id: m
      name: M
      num_layers: 2
      hidden_size: 64
      intermediate_size: 128
      num_attention_heads: 8
      num_kv_heads: 3
      vocab_size: 100
      tie_word_embeddings: false
      mlp_kind: gated
      max_context: 128
      source: somewhere
      as_of: "2024"
    """
    with pytest.raises(ConfigError, match="num_kv_heads"):
        load_model_file(_write(tmp_path, text))


def test_data_dir_is_inside_the_package():
    # a non-editable install ships engine/data with the package
    assert catalog.DATA_DIR.parent.name == "engine"
    assert (catalog.DATA_DIR / "gpus.yaml").is_file()
