"""GPU and model catalogs: pydantic specs loaded from the YAML files in ``engine/data``.

Why data files: every spec and price must carry its ``source`` and ``as_of``
date so a user (or a reviewer) can check it, and a team can add a GPU or a
model without touching code. Why pydantic with ``extra="forbid"``: a typo in a
catalog field must fail loudly at load time, not silently read as a default.

The specs expose plain numbers as attributes (``gpu.memory_gib``,
``model.num_layers``) so the hot path reads floats, never provenance.
Provenance is kept beside them: ``GpuSpec.provenance`` maps each field to its
:class:`Provenance`; ``ModelSpec.provenance`` is the architecture's source and
``ModelSpec.params_provenance`` the published parameter count's.

Shipped catalogs are parsed with ``yaml.CSafeLoader`` when PyYAML has its C
extension (cold start) and cached (:func:`functools.cache`), so resolving ids
repeatedly costs a dict lookup.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from engine.errors import ConfigError, UnknownIdError

DATA_DIR = Path(__file__).resolve().parent / "data"
GPUS_FILE = DATA_DIR / "gpus.yaml"
MODELS_FILE = DATA_DIR / "models.yaml"

SIZE_CLASSES = ("7b", "13b", "30b", "70b", "175b", "1t")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")

_STRICT = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------- provenance
class Provenance(BaseModel):
    """Where a number comes from and when that source was read or published."""

    model_config = _STRICT
    source: str = Field(min_length=3)
    as_of: str

    @field_validator("as_of")
    @classmethod
    def _iso_date(cls, value: str) -> str:
        if not _DATE.match(value):
            raise ValueError(f"as_of must be an ISO date YYYY[-MM[-DD]], got {value!r}")
        return value


# --------------------------------------------------------------------------- GPUs
class Interconnect(BaseModel):
    """How GPUs of one replica talk. Bandwidth is per GPU, one direction."""

    model_config = _STRICT
    kind: Literal["nvlink", "pcie", "xgmi"]
    bandwidth_gb_per_s: float = Field(gt=0)
    latency_us: float = Field(gt=0)
    gpus_per_node: int = Field(ge=1, le=64)


class GpuSpec(BaseModel):
    """One GPU type. Compute rates are dense (no 2:4 sparsity)."""

    model_config = _STRICT
    id: str
    name: str
    aliases: tuple[str, ...] = ()          # other spellings --gpu accepts (unambiguous only)
    vendor: Literal["nvidia", "amd"]
    memory_gib: float = Field(gt=0)
    #: memory the driver actually exposes when it is notably below the marketed
    #: figure (A10G: 22888 MiB); None = use ``memory_gib``
    usable_memory_gib: float | None = Field(default=None, gt=0)
    memory_bandwidth_gb_per_s: float = Field(gt=0)
    bf16_dense_tflops: float = Field(gt=0)
    fp8_dense_tflops: float | None = Field(default=None, gt=0)
    int8_dense_tops: float | None = Field(default=None, gt=0)
    tdp_w: float = Field(gt=0)
    interconnect: Interconnect
    cloud_usd_per_gpu_hour: float = Field(gt=0)
    cloud_provider: str
    purchase_usd: float = Field(gt=0)
    notes: str = ""
    provenance: dict[str, Provenance]

    @property
    def capacity_gib(self) -> float:
        """Memory the engine plans against (usable if known, else marketed), GiB."""
        return self.usable_memory_gib if self.usable_memory_gib is not None else self.memory_gib


#: GPU fields that are numbers from a source and therefore need provenance
GPU_SOURCED_FIELDS = (
    "memory_gib",
    "usable_memory_gib",
    "memory_bandwidth_gb_per_s",
    "bf16_dense_tflops",
    "fp8_dense_tflops",
    "int8_dense_tops",
    "tdp_w",
    "interconnect",
    "cloud_usd_per_gpu_hour",
    "purchase_usd",
)


class _SourceRef(BaseModel):
    model_config = _STRICT
    source: str
    as_of: str


class RuntimeOverheadSpec(BaseModel):
    """Per-GPU runtime memory terms (see engine.memory.runtime_overhead), from gpus.yaml."""

    model_config = _STRICT
    cuda_context_gib: float = Field(ge=0)
    workspace_gib: float = Field(ge=0)
    collective_buffers_gib: float = Field(ge=0)
    activation_bytes_per_value: float = Field(gt=0)
    max_batched_tokens: int = Field(ge=1)
    max_sampled_sequences: int = Field(ge=1)
    headroom_fraction: float = Field(ge=0, lt=0.5)
    provenance: dict[str, Provenance]


# --------------------------------------------------------------------------- models
class MoeSpec(BaseModel):
    """Mixture-of-experts layout (Mixtral, DeepSeek-V3)."""

    model_config = _STRICT
    num_experts: int = Field(ge=1)                  # routed experts per MoE layer
    experts_per_token: int = Field(ge=1)
    expert_intermediate_size: int = Field(ge=1)
    shared_experts: int = Field(default=0, ge=0)    # always-active experts (DeepSeek)
    dense_layers: int = Field(default=0, ge=0)      # first k layers use a dense MLP (intermediate_size)
    router_bias: bool = False                       # per-expert score-correction bias (DeepSeek-V3)

    @model_validator(mode="after")
    def _topk(self) -> "MoeSpec":
        if self.experts_per_token > self.num_experts:
            raise ValueError("experts_per_token cannot exceed num_experts")
        return self


class MlaSpec(BaseModel):
    """Multi-head latent attention (DeepSeek-V2/V3): the KV cache holds a compressed latent."""

    model_config = _STRICT
    kv_lora_rank: int = Field(ge=1)
    qk_rope_head_dim: int = Field(ge=1)
    q_lora_rank: int | None = Field(default=None, ge=1)   # None = plain q projection
    qk_nope_head_dim: int = Field(ge=1)
    v_head_dim: int = Field(ge=1)


class ModelSpec(BaseModel):
    """A transformer architecture, as its config.json describes it."""

    model_config = _STRICT
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    generic: bool = False
    size_class: str | None = None           # '7b'...'1t', 'moe' or None (unknown user model)
    num_layers: int = Field(ge=1)
    hidden_size: int = Field(ge=1)
    intermediate_size: int = Field(ge=1)    # dense MLP width (MoE: the dense layers' width)
    num_attention_heads: int = Field(ge=1)
    num_kv_heads: int = Field(ge=1)
    head_dim: int = Field(ge=1)
    vocab_size: int = Field(ge=1)
    tie_word_embeddings: bool
    mlp_kind: Literal["gated", "standard"]  # gated = SwiGLU/GeGLU (3 matrices), standard = 2
    attention_bias: bool = False            # bias on q, k, v projections (Qwen2, GPT-3)
    attention_out_bias: bool = False        # bias on the output projection (GPT-3, Llama attention_bias=True)
    mlp_bias: bool = False
    norm_kind: Literal["rms", "layer"] = "rms"   # layer norm has a bias vector too
    norms_per_layer: int = Field(default=2, ge=0)  # Gemma-2 has 4 (pre/post around attention and MLP)
    learned_position_embeddings: int = Field(default=0, ge=0)  # rows of a learned position table (GPT-3: 2048)
    parallel_attention: bool = False        # attention and MLP read the same input (Falcon); no parameter effect
    max_context: int = Field(ge=1)
    sliding_window: int | None = Field(default=None, ge=1)
    sliding_window_layers: int = Field(default=0, ge=0)   # how many layers use the window
    moe: MoeSpec | None = None
    mla: MlaSpec | None = None
    published_params_b: float | None = Field(default=None, gt=0)
    published_params_exact: bool = False    # False = a rounded headline figure ("40B")
    published_active_params_b: float | None = Field(default=None, gt=0)
    provenance: Provenance
    params_provenance: Provenance | None = None
    notes: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> "ModelSpec":
        if self.num_attention_heads % self.num_kv_heads:
            raise ValueError(
                f"num_attention_heads ({self.num_attention_heads}) must be a multiple of "
                f"num_kv_heads ({self.num_kv_heads})"
            )
        if self.sliding_window_layers > self.num_layers:
            raise ValueError("sliding_window_layers cannot exceed num_layers")
        if self.sliding_window_layers and self.sliding_window is None:
            raise ValueError("sliding_window_layers > 0 needs a sliding_window")
        if self.moe and self.moe.dense_layers > self.num_layers:
            raise ValueError("moe.dense_layers cannot exceed num_layers")
        if self.size_class is not None and self.size_class not in (*SIZE_CLASSES, "moe"):
            raise ValueError(f"size_class must be one of {', '.join(SIZE_CLASSES)}, moe")
        return self


# --------------------------------------------------------------------------- loading
def _read_yaml(path: Path) -> Any:
    import yaml

    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as err:
        raise ConfigError(f"{path}: cannot read ({err.strerror or err})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - safe loader
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark
        where = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{where}: invalid YAML: {err.problem}") from None
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: invalid YAML: {err}") from None


def _expand(text: str, references: dict[str, str], path: Path, where: str) -> str:
    """``ref:key`` -> the full citation from the file's ``references`` block."""

    def sub(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in references:
            raise ConfigError(f"{path}: {where}: unknown reference 'ref:{key}'")
        return references[key]

    return re.sub(r"ref:([A-Za-z0-9_\-]+)", sub, text)


def _validation_message(err: ValidationError) -> str:
    parts = []
    for e in err.errors()[:3]:
        loc = ".".join(str(p) for p in e["loc"]) or "(entry)"
        parts.append(f"{loc}: {e['msg']}")
    return "; ".join(parts)


def _top(doc: Any, path: Path, key: str, extra_keys: tuple[str, ...] = ()) -> tuple[list[Any], dict[str, str]]:
    if not isinstance(doc, dict) or not isinstance(doc.get(key), list):
        raise ConfigError(f"{path}: expected a mapping with a '{key}:' list")
    refs = doc.get("references") or {}
    if not isinstance(refs, dict) or not all(isinstance(v, str) for v in refs.values()):
        raise ConfigError(f"{path}: 'references' must map short keys to citation strings")
    unknown = set(doc) - {key, "references", "schema_version", *extra_keys}
    if unknown:
        raise ConfigError(f"{path}: unknown top-level key(s): {', '.join(sorted(map(str, unknown)))}")
    return doc[key], refs


def _mapping(raw: Any, path: Path, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: {where}: expected a mapping of fields")
    return dict(raw)


def _entry_name(kind: str, index: int, raw: Any) -> str:
    return f"{kind}[{index}]" + (f" ({raw.get('id')})" if isinstance(raw, dict) and raw.get("id") else "")


def load_gpu_file(path: Path | str, *, document: Any = None) -> dict[str, GpuSpec]:
    """Parse and validate a GPU catalog file (uncached; :func:`load_gpus` caches the shipped one).

    Each entry holds the :class:`GpuSpec` fields plus a ``sources:`` block
    mapping field -> ``{source, as_of}`` (``_default`` covers unlisted fields);
    every sourced number must end up with provenance. ``document`` is the
    already-parsed file, when the caller has it.
    """
    path = Path(path)
    doc = _read_yaml(path) if document is None else document
    entries, refs = _top(doc, path, "gpus", ("runtime_overhead",))
    out: dict[str, GpuSpec] = {}
    for index, raw in enumerate(entries):
        where = _entry_name("gpus", index, raw)
        data = _mapping(raw, path, where)
        sources_raw = data.pop("sources", None)
        if not isinstance(sources_raw, dict):
            raise ConfigError(f"{path}: {where}: needs a 'sources:' block (field -> {{source, as_of}})")
        unknown_keys = set(sources_raw) - {"_default", *GPU_SOURCED_FIELDS}
        if unknown_keys:
            raise ConfigError(f"{path}: {where}: sources for unknown field(s): {', '.join(sorted(map(str, unknown_keys)))}")
        try:
            sources = {k: _SourceRef.model_validate(v) for k, v in sources_raw.items()}
            default = sources.get("_default")
            provenance: dict[str, Provenance] = {}
            for field in GPU_SOURCED_FIELDS:
                if data.get(field) is None:
                    continue
                ref = sources.get(field, default)
                if ref is None:
                    raise ConfigError(f"{path}: {where}: '{field}' has no source (add it under sources:)")
                provenance[field] = Provenance(source=_expand(ref.source, refs, path, where), as_of=ref.as_of)
            spec = GpuSpec.model_validate({**data, "provenance": provenance})
        except ValidationError as err:
            raise ConfigError(f"{path}: {where}: {_validation_message(err)}") from None
        key = spec.id.lower()
        if key in out:
            raise ConfigError(f"{path}: {where}: duplicate GPU id '{spec.id}'")
        out[key] = spec
    return out


_PUBLISHED_KEYS = {"billions", "active_billions", "exact", "source", "as_of"}


def load_model_file(path: Path | str) -> dict[str, ModelSpec]:
    """Parse and validate a model catalog file (uncached).

    Each entry holds the :class:`ModelSpec` architecture fields plus ``source``
    and ``as_of`` (the architecture's provenance) and optionally
    ``published_params: {billions, active_billions, exact, source, as_of}``.
    """
    path = Path(path)
    entries, refs = _top(_read_yaml(path), path, "models")
    out: dict[str, ModelSpec] = {}
    for index, raw in enumerate(entries):
        where = _entry_name("models", index, raw)
        data = _mapping(raw, path, where)
        source, as_of = data.pop("source", None), data.pop("as_of", None)
        if not isinstance(source, str) or as_of is None:
            raise ConfigError(f"{path}: {where}: needs 'source' and 'as_of' for the architecture")
        pub = data.pop("published_params", None)
        for reserved in ("provenance", "params_provenance", "published_params_b", "published_active_params_b",
                         "published_params_exact"):
            if reserved in data:
                raise ConfigError(f"{path}: {where}: '{reserved}' is derived; use published_params / source")
        try:
            data["provenance"] = Provenance(source=_expand(source, refs, path, where), as_of=str(as_of))
            if pub is not None:
                pub = _mapping(pub, path, f"{where}: published_params")
                extra = set(pub) - _PUBLISHED_KEYS
                if extra or "billions" not in pub or "source" not in pub or "as_of" not in pub:
                    raise ConfigError(
                        f"{path}: {where}: published_params needs billions, source, as_of "
                        f"(optional active_billions, exact){'; unknown: ' + ', '.join(sorted(map(str, extra))) if extra else ''}"
                    )
                data["published_params_b"] = pub["billions"]
                data["published_active_params_b"] = pub.get("active_billions")
                data["published_params_exact"] = pub.get("exact", False)
                data["params_provenance"] = Provenance(
                    source=_expand(str(pub["source"]), refs, path, where), as_of=str(pub["as_of"])
                )
            if data.get("head_dim") is None:
                hidden, heads = data.get("hidden_size"), data.get("num_attention_heads")
                if isinstance(hidden, int) and isinstance(heads, int) and heads > 0:
                    data["head_dim"] = hidden // heads
            spec = ModelSpec.model_validate(data)
        except ValidationError as err:
            raise ConfigError(f"{path}: {where}: {_validation_message(err)}") from None
        key = spec.id.lower()
        if key in out:
            raise ConfigError(f"{path}: {where}: duplicate model id '{spec.id}'")
        out[key] = spec
    return out


@functools.cache
def _shipped_gpu_document() -> Any:
    """gpus.yaml parsed once: both the GPU entries and the runtime-overhead block live in it."""
    return _read_yaml(GPUS_FILE)


@functools.cache
def load_gpus() -> dict[str, GpuSpec]:
    """The shipped GPU catalog, keyed by lower-case id, in file order. Cached."""
    return load_gpu_file(GPUS_FILE, document=_shipped_gpu_document())


@functools.cache
def load_runtime_overhead() -> RuntimeOverheadSpec:
    """The runtime-overhead assumptions shipped in gpus.yaml (``runtime_overhead:``). Cached."""
    path = GPUS_FILE
    doc = _shipped_gpu_document()
    raw = doc.get("runtime_overhead") if isinstance(doc, dict) else None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: missing 'runtime_overhead:' block")
    refs = doc.get("references") or {}
    raw = dict(raw)
    sources = raw.pop("sources", None) or {}
    try:
        provenance = {}
        for field in raw:
            ref = sources.get(field)
            if ref is None:
                raise ConfigError(f"{path}: runtime_overhead.{field} has no source")
            src = _SourceRef.model_validate(ref)
            provenance[field] = Provenance(source=_expand(src.source, refs, path, "runtime_overhead"), as_of=src.as_of)
        return RuntimeOverheadSpec(**raw, provenance=provenance)
    except ValidationError as err:
        raise ConfigError(f"{path}: runtime_overhead: {_validation_message(err)}") from None


@functools.cache
def load_models() -> dict[str, ModelSpec]:
    """The shipped model catalog, keyed by lower-case canonical id, in file order. Cached."""
    return load_model_file(MODELS_FILE)


# --------------------------------------------------------------------------- resolving ids
# Chat/instruct variants and published quantized checkpoints share the base model's
# architecture, so they resolve to it (the precision is chosen with --precision).
_VARIANT = re.compile(r"-(?:instruct|chat|it|fp8|awq|gptq|int4|int8)(?=-|$)")


def normalize_model_key(text: str) -> str:
    """Lower-case, trimmed, variant suffixes removed (``-Instruct``, ``-chat``, ``-it``, ``-FP8``, ``-AWQ``, ``-GPTQ-Int4``)."""
    key = text.strip().lower()
    return _VARIANT.sub("", key)


@functools.cache
def _model_index() -> dict[str, str]:
    """Every accepted spelling (id, org-less id, name, aliases; normalised) -> canonical key."""
    index: dict[str, str] = {}
    for key, spec in load_models().items():
        names = [spec.id, spec.name, *spec.aliases]
        if "/" in spec.id:
            names.append(spec.id.split("/", 1)[1])
        for name in names:
            for variant in (name.lower(), normalize_model_key(name)):
                index.setdefault(variant, key)
    return index


@functools.cache
def _gpu_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for key, spec in load_gpus().items():
        for name in (spec.id, *spec.aliases):
            index.setdefault(name.lower(), key)
    return index


def resolve_gpu(gpu_id: str) -> GpuSpec:
    """Case-insensitive GPU lookup by id or alias; unknown -> :class:`UnknownIdError` with the closest ids."""
    gpus = load_gpus()
    key = _gpu_index().get(str(gpu_id).strip().lower())
    if key is None:
        raise UnknownIdError("gpu", str(gpu_id), [g.id for g in gpus.values()])
    return gpus[key]


def resolve_model(model_id: str) -> ModelSpec:
    """Case-insensitive model lookup by HF id, short alias or generic class.

    ``meta-llama/Llama-3.1-70B-Instruct``, ``llama-3.1-70b`` and
    ``Llama-3.1-70B`` all give the same :class:`ModelSpec`.
    """
    given = str(model_id)
    index = _model_index()
    models = load_models()
    lowered = given.strip().lower()
    for candidate in (lowered, normalize_model_key(lowered)):
        if candidate in index:
            return models[index[candidate]]
        if "/" in candidate:
            bare = candidate.split("/", 1)[1]
            if bare in index:
                return models[index[bare]]
    known = [m.id for m in models.values()] + [a for m in models.values() for a in m.aliases]
    raise UnknownIdError("model", given, known)
