"""Validation of the catalog files (gpus.yaml, models.yaml, a user's config.json) with pydantic.

Why pydantic with ``extra="forbid"``: a typo in a catalog field must fail
loudly at load time, not silently read as a default; every constraint (positive
bandwidth, heads divisible by KV heads, ISO dates) lives in one declarative place.

Why a module of its own: validation is needed only where data enters. The
shipped catalogs are validated when engine/data/compiled.json is built (and by
the tests); at run time the engine replays that snapshot into the plain
dataclasses of engine/specs.py without importing pydantic (cold start of
``sizewise estimate``; engine/snapshot.py). Everything here returns those
dataclasses, so callers never see a pydantic object.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from engine import specs
from engine.errors import ConfigError
from engine.specs import GPU_SOURCED_FIELDS, SIZE_CLASSES, SMALL_SIZE_CLASSES

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")

_STRICT = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------- provenance
class ProvenanceEntry(BaseModel):
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
class InterconnectEntry(BaseModel):
    """How GPUs of one replica talk. Bandwidth is per GPU, one direction."""

    model_config = _STRICT
    kind: Literal["nvlink", "pcie", "xgmi"]
    bandwidth_gb_per_s: float = Field(gt=0)
    latency_us: float = Field(gt=0)
    gpus_per_node: int = Field(ge=1, le=64)


class GpuEntry(BaseModel):
    """One GPU type. Compute rates are dense (no 2:4 sparsity)."""

    model_config = _STRICT
    id: str
    name: str
    aliases: tuple[str, ...] = ()          # other spellings --gpu accepts (unambiguous only)
    vendor: Literal["nvidia", "amd"]
    #: who the part is built for: the default pool is datacenter GPUs (engine/offer_specs.GPU_CLASSES)
    gpu_class: Literal["datacenter", "workstation", "consumer"] = Field(alias="class")
    memory_gib: float = Field(gt=0)
    #: memory the driver actually exposes when it is notably below the marketed
    #: figure (A10G: 22888 MiB); None = use ``memory_gib``
    usable_memory_gib: float | None = Field(default=None, gt=0)
    memory_bandwidth_gb_per_s: float = Field(gt=0)
    bf16_dense_tflops: float = Field(gt=0)
    fp8_dense_tflops: float | None = Field(default=None, gt=0)
    int8_dense_tops: float | None = Field(default=None, gt=0)
    tdp_w: float = Field(gt=0)
    interconnect: InterconnectEntry
    cloud_usd_per_gpu_hour: float = Field(gt=0)
    cloud_provider: str
    purchase_usd: float = Field(gt=0)
    notes: str = ""
    provenance: dict[str, ProvenanceEntry]

    @property
    def capacity_gib(self) -> float:
        """Memory the engine plans against (usable if known, else marketed), GiB."""
        return self.usable_memory_gib if self.usable_memory_gib is not None else self.memory_gib


class _SourceRef(BaseModel):
    model_config = _STRICT
    source: str
    as_of: str


class RuntimeOverheadEntry(BaseModel):
    """Per-GPU runtime memory terms (see engine.memory.runtime_overhead), from gpus.yaml."""

    model_config = _STRICT
    cuda_context_gib: float = Field(ge=0)
    workspace_gib: float = Field(ge=0)
    collective_buffers_gib: float = Field(ge=0)
    activation_bytes_per_value: float = Field(gt=0)
    max_batched_tokens: int = Field(ge=1)
    max_sampled_sequences: int = Field(ge=1)
    headroom_fraction: float = Field(ge=0, lt=0.5)
    provenance: dict[str, ProvenanceEntry]


# --------------------------------------------------------------------------- models
class MoeEntry(BaseModel):
    """Mixture-of-experts layout (Mixtral, DeepSeek-V3)."""

    model_config = _STRICT
    num_experts: int = Field(ge=1)                  # routed experts per MoE layer
    experts_per_token: int = Field(ge=1)
    expert_intermediate_size: int = Field(ge=1)
    shared_experts: int = Field(default=0, ge=0)    # always-active experts (DeepSeek)
    dense_layers: int = Field(default=0, ge=0)      # first k layers use a dense MLP (intermediate_size)
    router_bias: bool = False                       # per-expert score-correction bias (DeepSeek-V3)

    @model_validator(mode="after")
    def _topk(self) -> "MoeEntry":
        if self.experts_per_token > self.num_experts:
            raise ValueError("experts_per_token cannot exceed num_experts")
        return self


class MlaEntry(BaseModel):
    """Multi-head latent attention (DeepSeek-V2/V3): the KV cache holds a compressed latent."""

    model_config = _STRICT
    kv_lora_rank: int = Field(ge=1)
    qk_rope_head_dim: int = Field(ge=1)
    q_lora_rank: int | None = Field(default=None, ge=1)   # None = plain q projection
    qk_nope_head_dim: int = Field(ge=1)
    v_head_dim: int = Field(ge=1)


class ModelEntry(BaseModel):
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
    qk_norm: bool = False                   # RMSNorm weights on q and k per layer (Qwen3, Gemma-3)
    attention_sinks: bool = False           # one learned sink logit per head per layer (gpt-oss)
    max_context: int = Field(ge=1)
    sliding_window: int | None = Field(default=None, ge=1)
    sliding_window_layers: int = Field(default=0, ge=0)   # how many layers use the window
    local_attention: Literal["sliding", "chunked"] = "sliding"   # chunked: Llama-4 (same KV bound)
    moe: MoeEntry | None = None
    mla: MlaEntry | None = None
    vision_encoder_params: int = Field(default=0, ge=0)   # image encoder + projector; not served for text
    family: str = ""                        # model family ('Qwen3', 'Llama-3.1', 'generic')
    license: str = ""                       # licence name as the model card gives it
    #: the catalog id of the release that replaced it (Llama-2-70B -> Llama-3.3-70B): kept for the
    #: article comparison and for users who run it, but a size class is costed by it only when no
    #: current model of the class takes the workload (issue 11: the models a team would deploy today)
    superseded_by: str = ""
    checkpoint_precision: Literal["bf16", "fp8", "mxfp4"] = "bf16"   # the published weights' format
    published_params_b: float | None = Field(default=None, gt=0)
    published_params_exact: bool = False    # False = a rounded headline figure ("40B")
    published_active_params_b: float | None = Field(default=None, gt=0)
    published_active_excludes_embedding: bool = False  # the vendor's active count leaves out the input embedding
    #: the published count is of a checkpoint that stores the tied lm_head a second time (Qwen3-0.6B
    #: and 1.7B on Hugging Face): the model has ``total`` parameters, the file holds ``total + embedding``
    published_counts_tied_head_twice: bool = False
    provenance: ProvenanceEntry
    params_provenance: ProvenanceEntry | None = None
    notes: str = ""
    #: defaults engine/hf_config.py filled in for fields a config.json lacks, one phrase each
    #: (shown as warnings); always empty for catalog models, whose every field is written out
    assumed: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> "ModelEntry":
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
        classes = (*SMALL_SIZE_CLASSES, *SIZE_CLASSES, "moe")
        if self.size_class is not None and self.size_class not in classes:
            raise ValueError(f"size_class must be one of {', '.join(classes)}")
        return self


# --------------------------------------------------------------------------- loading
def read_yaml(path: Path) -> Any:
    import yaml

    try:
        text = path.read_bytes().decode("utf-8-sig")  # a byte-order mark is not part of the YAML
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


def load_gpu_file(path: Path | str, *, document: Any = None) -> dict[str, specs.GpuSpec]:
    """Parse and validate a GPU catalog file, keyed by lower-case id, in file order (uncached).

    Each entry holds the :class:`GpuEntry` fields plus a ``sources:`` block
    mapping field -> ``{source, as_of}`` (``_default`` covers unlisted fields);
    every sourced number must end up with provenance. ``document`` is the
    already-parsed file, when the caller has it.
    """
    path = Path(path)
    doc = read_yaml(path) if document is None else document
    entries, refs = _top(doc, path, "gpus", ("runtime_overhead",))
    out: dict[str, specs.GpuSpec] = {}
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
            provenance: dict[str, ProvenanceEntry] = {}
            for field in GPU_SOURCED_FIELDS:
                if data.get(field) is None:
                    continue
                ref = sources.get(field, default)
                if ref is None:
                    raise ConfigError(f"{path}: {where}: '{field}' has no source (add it under sources:)")
                provenance[field] = ProvenanceEntry(source=_expand(ref.source, refs, path, where), as_of=ref.as_of)
            spec = GpuEntry.model_validate({**data, "provenance": provenance})
        except ValidationError as err:
            raise ConfigError(f"{path}: {where}: {_validation_message(err)}") from None
        key = spec.id.lower()
        if key in out:
            raise ConfigError(f"{path}: {where}: duplicate GPU id '{spec.id}'")
        out[key] = specs.gpu_from_dict(spec.model_dump())
    return out


_PUBLISHED_KEYS = {"billions", "active_billions", "active_excludes_embedding", "counts_tied_head_twice", "exact",
                   "source", "as_of"}


def load_model_file(path: Path | str, *, document: Any = None) -> dict[str, specs.ModelSpec]:
    """Parse and validate a model catalog file, keyed by lower-case id, in file order (uncached).

    Each entry holds the :class:`ModelEntry` architecture fields plus ``source``
    and ``as_of`` (the architecture's provenance) and optionally
    ``published_params: {billions, active_billions, exact, source, as_of}``.
    """
    path = Path(path)
    entries, refs = _top(read_yaml(path) if document is None else document, path, "models")
    out: dict[str, specs.ModelSpec] = {}
    for index, raw in enumerate(entries):
        where = _entry_name("models", index, raw)
        data = _mapping(raw, path, where)
        source, as_of = data.pop("source", None), data.pop("as_of", None)
        if not isinstance(source, str) or as_of is None:
            raise ConfigError(f"{path}: {where}: needs 'source' and 'as_of' for the architecture")
        pub = data.pop("published_params", None)
        for reserved in ("provenance", "params_provenance", "published_params_b", "published_active_params_b",
                         "published_params_exact", "published_active_excludes_embedding",
                         "published_counts_tied_head_twice"):
            if reserved in data:
                raise ConfigError(f"{path}: {where}: '{reserved}' is derived; use published_params / source")
        if "assumed" in data:
            raise ConfigError(f"{path}: {where}: 'assumed' is only set by --model-config; "
                              "a catalog entry writes every field out")
        try:
            data["provenance"] = ProvenanceEntry(source=_expand(source, refs, path, where), as_of=str(as_of))
            if pub is not None:
                pub = _mapping(pub, path, f"{where}: published_params")
                extra = set(pub) - _PUBLISHED_KEYS
                if extra or "billions" not in pub or "source" not in pub or "as_of" not in pub:
                    raise ConfigError(
                        f"{path}: {where}: published_params needs billions, source, as_of "
                        f"(optional active_billions, active_excludes_embedding, counts_tied_head_twice, exact){'; unknown: ' + ', '.join(sorted(map(str, extra))) if extra else ''}"
                    )
                data["published_params_b"] = pub["billions"]
                data["published_active_params_b"] = pub.get("active_billions")
                data["published_params_exact"] = pub.get("exact", False)
                data["published_active_excludes_embedding"] = pub.get("active_excludes_embedding", False)
                data["published_counts_tied_head_twice"] = pub.get("counts_tied_head_twice", False)
                if data["published_counts_tied_head_twice"] is True and data.get("tie_word_embeddings") is not True:
                    raise ConfigError(f"{path}: {where}: published_params.counts_tied_head_twice needs "
                                      "tie_word_embeddings: true (only a tied head can be stored twice)")
                data["params_provenance"] = ProvenanceEntry(
                    source=_expand(str(pub["source"]), refs, path, where), as_of=str(pub["as_of"])
                )
            if data.get("head_dim") is None:
                hidden, heads = data.get("hidden_size"), data.get("num_attention_heads")
                if isinstance(hidden, int) and isinstance(heads, int) and heads > 0:
                    data["head_dim"] = hidden // heads
            spec = ModelEntry.model_validate(data)
        except ValidationError as err:
            raise ConfigError(f"{path}: {where}: {_validation_message(err)}") from None
        key = spec.id.lower()
        if key in out:
            raise ConfigError(f"{path}: {where}: duplicate model id '{spec.id}'")
        out[key] = specs.model_from_dict(spec.model_dump())
    for spec in out.values():
        if spec.superseded_by and spec.superseded_by.lower() not in out:
            raise ConfigError(f"{path}: {spec.id}: superseded_by '{spec.superseded_by}' is not a model id in this file")
    return out


def load_runtime_overhead_block(path: Path | str, *, document: Any = None) -> specs.RuntimeOverheadSpec:
    """The ``runtime_overhead:`` block of a GPU catalog file, validated, with a source per term."""
    path = Path(path)
    doc = read_yaml(path) if document is None else document
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
            provenance[field] = ProvenanceEntry(source=_expand(src.source, refs, path, "runtime_overhead"),
                                                as_of=src.as_of)
        entry = RuntimeOverheadEntry(**raw, provenance=provenance)
    except ValidationError as err:
        raise ConfigError(f"{path}: runtime_overhead: {_validation_message(err)}") from None
    return specs.runtime_overhead_from_dict(entry.model_dump())


def validate_model(data: dict[str, Any]) -> specs.ModelSpec:
    """One architecture from plain data (``moe``/``mla``/``provenance`` as dicts) -> a validated spec.

    Raises pydantic's ``ValidationError``; the caller knows the file and words the message.
    """
    return specs.model_from_dict(ModelEntry.model_validate(data).model_dump())

