"""Load a Hugging Face ``config.json`` from disk into a :class:`ModelSpec` (no network).

Why: a user's own model (a fine-tune, a private architecture) should be
sizable without adding it to the catalog. ``--model-config PATH`` reads the
file the model ships with; the field names differ by family, so each family's
names and defaults are mapped here:

- Llama / Mistral / Mixtral / Qwen2 / Qwen2-MoE / Qwen3 / Phi-3 / Gemma / Gemma-2 / Gemma-3:
  ``num_hidden_layers``, ``hidden_size``, ``intermediate_size``,
  ``num_attention_heads``, ``num_key_value_heads`` (default = heads: MHA),
  ``head_dim`` (default hidden / heads), ``vocab_size``, ``tie_word_embeddings``
  (default per family: true for Gemma, false for the others, as their config
  classes define it), ``max_position_embeddings``, ``sliding_window``.
- DeepSeek-V2/V3: MLA ranks, ``n_routed_experts``, ``n_shared_experts``,
  ``moe_intermediate_size``, ``first_k_dense_replace``.
- Falcon (``falcon``, ``RefinedWeb``, ``RefinedWebModel``): ``n_head_kv`` /
  ``num_kv_heads``, ``new_decoder_architecture``, ``multi_query``,
  ``ffn_hidden_size`` (default 4 x hidden), standard GELU MLP, LayerNorm.
- GPT-2 style: ``n_layer``, ``n_embd``, ``n_head``, ``n_inner``, ``n_positions``.

Anything unusable - a directory, socket or device, empty, not UTF-8 (a byte-order mark is
fine), not JSON, larger than 5 MB, a required field missing or not a positive
integer - is a :class:`ConfigError` naming the file and the field. A field
that is missing but has a default (context length, experts per token, KV
heads) or a ``model_type`` this module does not know is not an error, but the
guess is recorded as one phrase in ``ModelSpec.assumed`` for the caller to show.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from engine.catalog_schema import validate_model
from engine.specs import SIZE_CLASSES, ModelSpec
from engine.errors import ConfigError, shown
from engine.safefile import DIRECTORY, TooLarge, UnreadableFile, path_kind, read_user_file

MAX_CONFIG_BYTES = 5 * 1024 * 1024
#: sanity ceilings: a config beyond these is corrupt or hostile, not a model
_MAX_DIM = 10_000_000
_MAX_LAYERS = 100_000

_STANDARD_MLP = {"falcon", "refinedweb", "refinedwebmodel", "gpt2", "gpt_neox", "gptj", "opt", "bloom", "gpt_bigcode"}
_TIED_BY_DEFAULT = {"gemma", "gemma2", "gemma3", "gemma3_text", "falcon", "refinedweb", "refinedwebmodel", "gpt2"}
_FALCON = {"falcon", "refinedweb", "refinedwebmodel"}
#: families whose field names and defaults this module maps (DeepSeek: any model_type starting with "deepseek")
_KNOWN_FAMILIES = {"llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "phi3", "gemma",
                   "gemma2", "gemma3", "gemma3_text", "gpt2", *_FALCON}
#: read with a standard MLP, but their biases and LayerNorm biases are not mapped
_PARTLY_KNOWN = _STANDARD_MLP - _FALCON - {"gpt2"}
_DEFAULT_CONTEXT = 2048
_DEFAULT_EXPERTS_PER_TOKEN = 2


class _Fields:
    """Typed access to the config's fields; every error names the file and the field."""

    def __init__(self, data: dict[str, Any], path: Path):
        self.data = data
        self.path = path

    def has(self, *names: str) -> bool:
        return any(self.data.get(n) is not None for n in names)

    def int(self, *names: str, default: int | None = None, required: bool = True, ceiling: int = _MAX_DIM) -> int | None:
        for name in names:
            value = self.data.get(name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or (
                isinstance(value, float) and (not math.isfinite(value) or value != int(value))
            ):
                raise ConfigError(f"{self.path}: field '{name}' must be a positive integer, got {value!r}")
            value = int(value)
            if value < 1:
                raise ConfigError(f"{self.path}: field '{name}' must be a positive integer, got {value}")
            if value > ceiling:
                raise ConfigError(f"{self.path}: field '{name}' = {value} is implausibly large (limit {ceiling:,})")
            return value
        if default is not None or not required:
            return default
        alias = f" (or {', '.join(repr(n) for n in names[1:])})" if len(names) > 1 else ""
        raise ConfigError(f"{self.path}: missing required field '{names[0]}'{alias}")

    def bool(self, name: str, default: bool) -> bool:
        value = self.data.get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise ConfigError(f"{self.path}: field '{name}' must be true or false, got {value!r}")
        return value


def _read_bytes(path: Path) -> bytes:
    """The file's bytes (regular file or pipe; engine/safefile.py refuses what could hang)."""
    try:
        return read_user_file(path, MAX_CONFIG_BYTES)
    except TooLarge:
        raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES // (1024 * 1024)} MB; not a model config.json") from None
    except UnreadableFile as err:
        message = str(err)
        if message == "file not found":
            message = "no such file"
        elif message == "is a directory":
            message = "is a directory, expected a config.json file"
        raise ConfigError(f"{path}: {message}") from None


class _DuplicateKey(Exception):
    def __init__(self, key: str):
        self.key = key


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a dict, refusing a key given twice (json.loads would keep the last one silently).

    Why: ``"hidden_size"`` twice is a hand-edit gone wrong, and the estimate would
    quietly use whichever came last; YAML files refuse duplicates the same way
    (engine/yamlsafe.py).
    """
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _duplicate_message(path: Path, text: str, key: str) -> str:
    """``file:LINE: duplicate key 'k' (first defined at line L)``, like a duplicate YAML key.

    json.loads gives no positions to the hook, so the lines are those of the first
    two ``"k":`` in the text: exact unless the same key also appears in another
    object before the duplicate (then the lines may point at that one).
    """
    import re

    lines = [text.count("\n", 0, m.start()) + 1
             for m in re.finditer(re.escape(json.dumps(key)) + r"\s*:", text)][:2]
    if len(lines) < 2:  # the key was spelt with escapes: no line to point at
        return f"{path}: duplicate key '{shown(key)}' in a JSON object; remove one"
    return f"{path}:{lines[1]}: duplicate key '{shown(key)}' (first defined at line {lines[0]}); remove one"


def _config_file(path: Path) -> Path:
    """``path`` itself, or its ``config.json`` when it is a model directory; a bad path is a ConfigError."""
    try:
        kind = path_kind(path)
    except UnreadableFile as err:
        raise ConfigError(f"{path}: {err}") from None
    return path / "config.json" if kind == DIRECTORY else path


def _read(path: Path) -> dict[str, Any]:
    path = _config_file(path)
    raw = _read_bytes(path)
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES // (1024 * 1024)} MB; not a model config.json")
    if not raw.strip():
        raise ConfigError(f"{path}: is empty, expected a model's config.json")
    try:
        text = raw.decode("utf-8-sig")  # editors on Windows save JSON with a byte-order mark; json.loads refuses it
    except UnicodeDecodeError as err:
        raise ConfigError(f"{path}: not UTF-8 text (byte {err.start})") from None

    def no_constants(name: str) -> Any:
        raise ValueError(f"{name} is not allowed")

    try:
        data = json.loads(text, parse_constant=no_constants, object_pairs_hook=_no_duplicate_keys)
    except _DuplicateKey as dup:
        raise ConfigError(_duplicate_message(path, text, dup.key)) from None
    except json.JSONDecodeError as err:
        raise ConfigError(f"{path}:{err.lineno}: malformed JSON: {err.msg}") from None
    except (ValueError, RecursionError) as err:
        raise ConfigError(f"{path}: malformed JSON: {err}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a JSON object at the top level")
    # multimodal wrappers keep the language model under text_config
    text_config = data.get("text_config")
    if isinstance(text_config, dict) and "hidden_size" not in data:
        data = {**data, **text_config}
    return data


def model_from_hf_config(path: str | Path) -> ModelSpec:
    """A :class:`ModelSpec` built from a Hugging Face ``config.json`` (file or model directory)."""
    path = Path(path)
    data = _read(path)
    file = _config_file(path)
    f = _Fields(data, file)
    model_type = str(data.get("model_type") or "").lower()
    falcon = model_type in _FALCON
    deepseek = model_type.startswith("deepseek")
    # Why record these: a default for a missing field is a guess that can move the
    # answer a lot (context length caps the sequence, experts per token sets the
    # active parameters, KV heads the cache size 8x), so the user must see it.
    assumed: list[str] = _family_assumption(data.get("model_type"), model_type)

    layers = f.int("num_hidden_layers", "n_layer", "num_layers", ceiling=_MAX_LAYERS)
    hidden = f.int("hidden_size", "n_embd", "n_embed", "d_model")
    heads = f.int("num_attention_heads", "n_head")
    vocab = f.int("vocab_size")
    if falcon or model_type == "gpt2":
        inner = f.int("ffn_hidden_size", "intermediate_size", "n_inner", default=4 * hidden)
    else:
        inner = f.int("intermediate_size", "ffn_hidden_size", "n_inner")
    context_fields = ("max_position_embeddings", "n_positions", "seq_length", "max_seq_len")
    if not f.has(*context_fields):
        assumed.append(f"no max_position_embeddings; assumed {_DEFAULT_CONTEXT:,}")
    max_context = f.int(*context_fields, default=_DEFAULT_CONTEXT)

    # KV heads: MHA unless the family says otherwise
    if falcon:
        if f.bool("new_decoder_architecture", False):
            kv_heads = f.int("num_kv_heads", "n_head_kv", default=heads)
        elif f.bool("multi_query", True):
            kv_heads = 1
            if data.get("multi_query") is None:
                assumed.append("no multi_query; assumed true (one KV head, Falcon's default)")
        else:
            kv_heads = heads
        mha_guessed = bool(f.bool("new_decoder_architecture", False)) and not f.has("num_kv_heads", "n_head_kv")
    else:
        kv_heads = f.int("num_key_value_heads", "num_kv_heads", "n_head_kv", default=heads)
        mha_guessed = model_type not in _STANDARD_MLP and not f.has("num_key_value_heads", "num_kv_heads", "n_head_kv")
    head_dim = f.int("head_dim", default=hidden // heads if hidden >= heads else 1)

    tie_default = model_type in _TIED_BY_DEFAULT
    spec: dict[str, Any] = dict(
        num_layers=layers,
        hidden_size=hidden,
        intermediate_size=inner,
        num_attention_heads=heads,
        num_kv_heads=kv_heads,
        head_dim=head_dim,
        vocab_size=vocab,
        tie_word_embeddings=f.bool("tie_word_embeddings", tie_default),
        mlp_kind="standard" if model_type in _STANDARD_MLP else "gated",
        max_context=max_context,
    )

    # biases and norms by family
    if model_type in ("qwen2", "qwen2_moe"):
        spec["attention_bias"] = True
    elif model_type == "llama" or "attention_bias" in data:
        both = f.bool("attention_bias", False)
        spec["attention_bias"] = spec["attention_out_bias"] = both
    if "mlp_bias" in data:
        spec["mlp_bias"] = f.bool("mlp_bias", False)
    if model_type.startswith("gemma2") or model_type.startswith("gemma3"):
        spec["norms_per_layer"] = 4
    if model_type in ("qwen3", "qwen3_moe") or model_type.startswith("gemma3"):
        spec["qk_norm"] = True                          # q_norm / k_norm weights in every layer
    if falcon:
        bias = f.bool("bias", False)
        spec.update(attention_bias=bias, attention_out_bias=bias, mlp_bias=bias, norm_kind="layer")
        spec["parallel_attention"] = f.bool("parallel_attn", True)
        if f.bool("new_decoder_architecture", False):
            spec["norms_per_layer"] = f.int("num_ln_in_parallel_attn", default=2)
        else:
            spec["norms_per_layer"] = 1 if spec["parallel_attention"] else 2
    if model_type == "gpt2":
        spec.update(attention_bias=True, attention_out_bias=True, mlp_bias=True, norm_kind="layer")
        spec["learned_position_embeddings"] = max_context

    # sliding windows
    window = f.int("sliding_window", required=False) if data.get("sliding_window") is not None else None
    if window is not None and window < max_context:
        if model_type.startswith("gemma2"):
            windowed = math.ceil(layers / 2)          # even layers slide (layer 0 included)
        elif model_type.startswith("gemma3"):
            pattern = f.int("sliding_window_pattern", default=6)
            windowed = layers - layers // pattern
        elif model_type in ("qwen2", "qwen2_moe", "qwen3", "qwen3_moe"):
            windowed = 0
            if f.bool("use_sliding_window", False):
                windowed = max(0, layers - f.int("max_window_layers", default=layers))
        else:                                          # Mistral, Mixtral, Phi-3: every layer
            windowed = layers
        if windowed:
            spec.update(sliding_window=window, sliding_window_layers=windowed)

    # mixture of experts
    if deepseek:
        routed = f.int("n_routed_experts", required=False)
        if routed:
            spec["moe"] = dict(
                num_experts=routed,
                experts_per_token=f.int("num_experts_per_tok"),
                expert_intermediate_size=f.int("moe_intermediate_size"),
                shared_experts=f.int("n_shared_experts", default=0, required=False) or 0,
                dense_layers=min(layers, f.int("first_k_dense_replace", default=0, required=False) or 0),
                router_bias=str(data.get("topk_method", "")) == "noaux_tc",
            )
        kv_lora = f.int("kv_lora_rank", required=False)
        if kv_lora:
            nope = f.int("qk_nope_head_dim")
            rope = f.int("qk_rope_head_dim")
            spec["mla"] = dict(
                kv_lora_rank=kv_lora,
                qk_rope_head_dim=rope,
                q_lora_rank=f.int("q_lora_rank", required=False),
                qk_nope_head_dim=nope,
                v_head_dim=f.int("v_head_dim"),
            )
            spec["head_dim"] = nope + rope
            spec["num_kv_heads"] = heads
    elif f.has("num_local_experts", "num_experts"):
        experts = f.int("num_local_experts", "num_experts")
        expert_inner = f.int("moe_intermediate_size", default=inner)
        shared = 0
        shared_inner = f.int("shared_expert_intermediate_size", required=False)
        if shared_inner:  # Qwen-MoE: one wide shared expert = this many expert-sized ones
            shared = max(1, round(shared_inner / expert_inner))
        if not f.has("num_experts_per_tok", "num_experts_per_token"):
            assumed.append(f"no num_experts_per_tok; assumed {_DEFAULT_EXPERTS_PER_TOKEN}")
        spec["moe"] = dict(
            num_experts=experts,
            experts_per_token=f.int("num_experts_per_tok", "num_experts_per_token", default=_DEFAULT_EXPERTS_PER_TOKEN),
            expert_intermediate_size=expert_inner,
            shared_experts=shared,
        )

    if mha_guessed and "mla" not in spec:
        assumed.append(f"no num_key_value_heads; assumed {heads} (= num_attention_heads: full multi-head attention)")

    name = str(data.get("_name_or_path") or (file.parent.name if file.name == "config.json" else file.stem))
    try:
        as_of = _dt.datetime.fromtimestamp(file.stat().st_mtime, tz=_dt.timezone.utc).strftime("%Y-%m-%d")
    except OSError:
        as_of = "1970-01-01"
    try:
        model = validate_model(dict(
            id=name,
            name=name,
            generic=False,
            size_class=None,
            provenance={"source": f"config.json read from {file}", "as_of": as_of},
            notes=f"model_type {model_type or 'unknown'}; loaded with --model-config",
            assumed=tuple(assumed),
            **spec,
        ))
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "config"
        raise ConfigError(f"{file}: inconsistent config: {where}: {first['msg']}") from None
    return model.replace(size_class=nearest_size_class(model))


def _family_assumption(raw_type: Any, model_type: str) -> list[str]:
    """The phrase for a model_type this module does not map (empty for a known family)."""
    if model_type in _KNOWN_FAMILIES or model_type.startswith("deepseek"):
        return []
    if model_type in _PARTLY_KNOWN:
        return [f"model_type '{model_type}': biases and LayerNorm biases not read (parameter count slightly low)"]
    if not model_type:
        return ["no model_type; read as Llama-style (gated MLP, RMSNorm)"]
    return [f"model_type '{shown(str(raw_type), 40)}' is not a known family; read as Llama-style (gated MLP, RMSNorm)"]


def nearest_size_class(model: ModelSpec) -> str:
    """The generic class whose nominal size is nearest (log scale); 'moe' for mixture-of-experts."""
    from engine.params import param_counts

    if model.moe is not None:
        return "moe"
    nominal = {"7b": 7e9, "13b": 13e9, "30b": 30e9, "70b": 70e9, "175b": 175e9, "1t": 1e12}
    total = max(param_counts(model).total, 1)
    return min(SIZE_CLASSES, key=lambda c: abs(math.log(total / nominal[c])))
