"""The 2024-2025 catalog entries (issue 11): present, counted right, resolvable, estimable.

Each published count is checked against the count derived from the entry's
config.json fields (engine/params.py), so a wrong field (tied embeddings, a
missing q/k norm, the vision tower) fails here, not in a report.
"""

from __future__ import annotations

import json

import pytest

from engine.catalog import load_models, resolve_model
from engine.params import as_published, param_counts

CURRENT = {
    "meta-llama/Llama-3.2-1B": "meta-llama/Llama-3.2-1B-Instruct",
    "meta-llama/Llama-3.2-3B": "meta-llama/Llama-3.2-3B-Instruct",
    "meta-llama/Llama-3.3-70B-Instruct": "llama-3.3-70b",
    "meta-llama/Llama-4-Scout-17B-16E": "meta-llama/Llama-4-Scout-17B-16E-Instruct",
    "meta-llama/Llama-4-Maverick-17B-128E": "meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8",
    "Qwen/Qwen3-0.6B": "Qwen/Qwen3-0.6B-Base",
    "Qwen/Qwen3-1.7B": "qwen3-1.7b",
    "Qwen/Qwen3-4B": "Qwen/Qwen3-4B-AWQ",
    "Qwen/Qwen3-8B": "Qwen/Qwen3-8B-Base",
    "Qwen/Qwen3-14B": "Qwen/Qwen3-14B-FP8",
    "Qwen/Qwen3-32B": "qwen3-32b",
    "Qwen/Qwen3-30B-A3B": "Qwen/Qwen3-30B-A3B-Base",
    "Qwen/Qwen3-235B-A22B": "Qwen/Qwen3-235B-A22B-FP8",
    "google/gemma-3-1b-it": "google/gemma-3-1b-pt",
    "google/gemma-3-4b-it": "gemma-3-4b",
    "google/gemma-3-12b-it": "google/gemma-3-12b-pt",
    "google/gemma-3-27b-it": "gemma-3-27b-it",
    "mistralai/Mistral-Small-24B-Base-2501": "mistralai/Mistral-Small-24B-Instruct-2501",
    "mistralai/Mistral-Nemo-Base-2407": "mistralai/Mistral-Nemo-Instruct-2407",
    "microsoft/phi-4": "phi-4",
    "openai/gpt-oss-20b": "gpt-oss-20b",
    "openai/gpt-oss-120b": "gpt-oss-120b",
    "deepseek-ai/DeepSeek-R1": "deepseek-ai/DeepSeek-R1-0528",
}


def _published_figures(value: float) -> int:
    """Significant figures of a published count as written (17 -> 2, 3.61 -> 3, 0.6 -> 1)."""
    return len(f"{value:g}".replace(".", "").lstrip("0"))


def test_every_current_model_is_in_the_catalog():
    ids = {m.id for m in load_models().values()}
    assert set(CURRENT) <= ids


@pytest.mark.parametrize("model_id", sorted(CURRENT))
def test_total_matches_the_published_checkpoint(model_id):
    # every new entry within 1% of its published total (the issue's bar): the Hugging Face
    # safetensors count where one exists, else the vendor's three-figure total (DeepSeek-R1 671B)
    m = resolve_model(model_id)
    derived = as_published(m, param_counts(m))
    assert derived / 1e9 == pytest.approx(m.published_params_b, rel=0.01)
    assert m.published_params_exact or _published_figures(m.published_params_b) >= 3


def test_a_checkpoint_that_stores_its_tied_head_twice_is_not_served_twice():
    # Qwen3-1.7B: the file holds 2,031,739,904 numbers, the model 1,720,574,976 (the card's "1.7B")
    m = resolve_model("Qwen/Qwen3-1.7B")
    pc = param_counts(m)
    assert m.tie_word_embeddings and m.published_counts_tied_head_twice
    assert pc.total == 1_720_574_976
    assert pc.total + pc.embedding == round(m.published_params_b * 1e9)


@pytest.mark.parametrize("model_id", sorted(k for k in CURRENT if resolve_model(k).moe is not None))
def test_active_matches_the_published_figure(model_id):
    # a count published to 3+ figures (gpt-oss 3.61B) within 1%; a two-figure headline
    # ("17B active", "3.3B activated") within 2%, the rounding of its last figure
    m = resolve_model(model_id)
    pc = param_counts(m)
    assert m.published_active_params_b is not None
    active = pc.active - (pc.embedding if m.published_active_excludes_embedding else 0)
    rel = 0.01 if _published_figures(m.published_active_params_b) >= 3 else 0.02
    assert active / 1e9 == pytest.approx(m.published_active_params_b, rel=rel)


@pytest.mark.parametrize("model_id,alias", sorted(CURRENT.items()))
def test_instruct_and_base_variants_resolve_to_one_architecture(model_id, alias):
    assert resolve_model(alias).id == model_id
    assert resolve_model(model_id.split("/", 1)[1]).id == model_id


def test_common_ids_from_the_issue_resolve():
    assert resolve_model("meta-llama/Llama-3.3-70B-Instruct").size_class == "70b"
    assert resolve_model("deepseek-ai/DeepSeek-R1").mla is not None


def test_every_current_entry_cites_its_config_and_licence():
    for model_id in CURRENT:
        m = resolve_model(model_id)
        assert m.license and m.family and m.max_context >= 16384, model_id
        assert m.provenance.source and m.params_provenance is not None, model_id


def _siglip_params(text_hidden: int, layers=27, hidden=1152, mlp=4304, patch=14, image=896) -> int:
    """Gemma-3's SigLIP image encoder + projector, from its vision_config (biased ViT layers)."""
    per_layer = 4 * (hidden * hidden + hidden) + 2 * hidden * mlp + mlp + hidden + 2 * 2 * hidden
    embeddings = 3 * patch * patch * hidden + hidden + (image // patch) ** 2 * hidden
    return layers * per_layer + embeddings + 2 * hidden + hidden * text_hidden + hidden


@pytest.mark.parametrize("model_id", ["google/gemma-3-4b-it", "google/gemma-3-12b-it", "google/gemma-3-27b-it"])
def test_gemma3_vision_encoder_follows_its_config(model_id):
    m = resolve_model(model_id)
    assert m.vision_encoder_params == _siglip_params(m.hidden_size)


def test_vision_encoder_is_not_served_for_text():
    m = resolve_model("gemma-3-27b")
    pc = param_counts(m)
    assert pc.total == param_counts(m.replace(vision_encoder_params=0)).total
    assert pc.checkpoint_total - pc.total == m.vision_encoder_params


def test_gemma3_five_local_layers_per_global_one():
    for model_id in ("google/gemma-3-1b-it", "google/gemma-3-4b-it", "google/gemma-3-12b-it", "google/gemma-3-27b-it"):
        m = resolve_model(model_id)
        assert m.sliding_window_layers == m.num_layers - m.num_layers // 6, model_id


def test_gpt_oss_alternates_windows_and_counts_its_sinks():
    m = resolve_model("gpt-oss-120b")
    assert m.sliding_window == 128 and m.sliding_window_layers * 2 == m.num_layers
    assert m.checkpoint_precision == "mxfp4"
    without = param_counts(m.replace(attention_sinks=False)).total
    assert param_counts(m).total - without == m.num_layers * m.num_attention_heads


def test_qk_norm_adds_two_head_widths_per_layer():
    m = resolve_model("qwen3-8b")
    assert param_counts(m).total - param_counts(m.replace(qk_norm=False)).total == m.num_layers * 2 * m.head_dim


def test_sliding_layers_bound_the_kv_cache():
    from engine.memory import kv_bytes

    m = resolve_model("gemma-3-27b")
    short, long_ = kv_bytes(m, "bf16", 1024, 1), kv_bytes(m, "bf16", 32768, 1)
    full_only = m.replace(sliding_window=None, sliding_window_layers=0)
    assert long_ < kv_bytes(full_only, "bf16", 32768, 1) / 4
    assert long_ / short < 32768 / 1024


@pytest.mark.parametrize("model_id,alias", sorted(CURRENT.items()))
def test_estimate_works_for_each_new_id_and_its_alias(model_id, alias, capsys):
    from advisor.cli import main

    for given in (model_id, alias):
        code = main(["estimate", "--model", given, "--gpu", "h100-sxm", "--format", "json"])
        out = capsys.readouterr().out
        assert code == 0, given
        assert json.loads(out)["model"]["id"] == model_id
