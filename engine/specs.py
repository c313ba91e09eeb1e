"""The catalog's runtime types: frozen dataclasses the engine computes on.

Why plain dataclasses and not the pydantic models that validate the catalog
files (engine/catalog_schema.py): importing pydantic and building its model
classes costs about 0.2 s, which alone would spend most of the cold-start
budget of ``sizewise estimate``. Validation happens where data enters
(catalog files, ``--model-config``, ``--overrides``); once a spec is valid, the
engine only reads numbers, and a dataclass does that at no import cost.

The fields, their order and their defaults mirror the pydantic models exactly
(tests/engine/test_snapshot.py checks it), so a spec built from a validated
entry and one replayed from the compiled snapshot (engine/snapshot.py) are
equal. ``replace`` returns a modified copy, as ``dataclasses.replace`` does.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

_FROZEN = {"frozen": True, "kw_only": True, "slots": True}

#: the article's generic size classes, smallest first
SIZE_CLASSES = ("7b", "13b", "30b", "70b", "175b", "1t")

#: classes below the article's ladder for real 0.5-4B models (no generic shape; the
#: search decides whether to offer them as a rung below 7b)
SMALL_SIZE_CLASSES = ("1b", "3b")

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


@dataclass(**_FROZEN)
class Provenance:
    """Where a number comes from and when that source was read or published."""

    source: str
    as_of: str


@dataclass(**_FROZEN)
class Interconnect:
    """How GPUs of one replica talk. Bandwidth is per GPU, one direction."""

    kind: str                  # nvlink | pcie | xgmi
    bandwidth_gb_per_s: float
    latency_us: float
    gpus_per_node: int


@dataclass(**_FROZEN)
class GpuSpec:
    """One GPU type. Compute rates are dense (no 2:4 sparsity)."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    vendor: str
    gpu_class: str                           # datacenter | workstation | consumer (``class:`` in gpus.yaml)
    memory_gib: float
    usable_memory_gib: float | None = None   # what the driver exposes when notably below the marketed figure
    memory_bandwidth_gb_per_s: float
    bf16_dense_tflops: float
    fp8_dense_tflops: float | None = None
    int8_dense_tops: float | None = None
    tdp_w: float
    interconnect: Interconnect
    cloud_usd_per_gpu_hour: float
    cloud_provider: str
    purchase_usd: float
    notes: str = ""
    provenance: dict[str, Provenance]

    @property
    def capacity_gib(self) -> float:
        """Memory the engine plans against (usable if known, else marketed), GiB."""
        return self.usable_memory_gib if self.usable_memory_gib is not None else self.memory_gib

    def replace(self, **changes: Any) -> "GpuSpec":
        return dataclasses.replace(self, **changes)


@dataclass(**_FROZEN)
class RuntimeOverheadSpec:
    """Per-GPU runtime memory terms (see engine.memory.runtime_overhead), from gpus.yaml."""

    cuda_context_gib: float
    workspace_gib: float
    collective_buffers_gib: float
    activation_bytes_per_value: float
    max_batched_tokens: int
    max_sampled_sequences: int
    headroom_fraction: float
    provenance: dict[str, Provenance]


@dataclass(**_FROZEN)
class MoeSpec:
    """Mixture-of-experts layout (Mixtral, DeepSeek-V3)."""

    num_experts: int                   # routed experts per MoE layer
    experts_per_token: int
    expert_intermediate_size: int
    shared_experts: int = 0            # always-active experts (DeepSeek)
    dense_layers: int = 0              # first k layers use a dense MLP (intermediate_size)
    router_bias: bool = False          # per-expert score-correction bias (DeepSeek-V3)


@dataclass(**_FROZEN)
class MlaSpec:
    """Multi-head latent attention (DeepSeek-V2/V3): the KV cache holds a compressed latent."""

    kv_lora_rank: int
    qk_rope_head_dim: int
    q_lora_rank: int | None = None     # None = plain q projection
    qk_nope_head_dim: int
    v_head_dim: int


@dataclass(**_FROZEN)
class ModelSpec:
    """A transformer architecture, as its config.json describes it."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    generic: bool = False
    size_class: str | None = None           # '7b'...'1t', 'moe' or None (unknown user model)
    num_layers: int
    hidden_size: int
    intermediate_size: int                  # dense MLP width (MoE: the dense layers' width)
    num_attention_heads: int
    num_kv_heads: int
    head_dim: int
    vocab_size: int
    tie_word_embeddings: bool
    mlp_kind: str                           # gated = SwiGLU/GeGLU (3 matrices), standard = 2
    attention_bias: bool = False            # bias on q, k, v projections (Qwen2, GPT-3)
    attention_out_bias: bool = False        # bias on the output projection
    mlp_bias: bool = False
    norm_kind: str = "rms"                  # rms | layer (layer norm has a bias vector too)
    norms_per_layer: int = 2                # Gemma-2 has 4
    learned_position_embeddings: int = 0    # rows of a learned position table (GPT-3: 2048)
    parallel_attention: bool = False        # attention and MLP read the same input (Falcon)
    qk_norm: bool = False                   # RMSNorm weights on q and k per layer (Qwen3, Gemma-3)
    attention_sinks: bool = False           # one learned sink logit per head per layer (gpt-oss)
    max_context: int
    sliding_window: int | None = None
    sliding_window_layers: int = 0          # how many layers use the window
    local_attention: str = "sliding"        # sliding | chunked (Llama-4: same KV bound, chunk-aligned)
    moe: MoeSpec | None = None
    mla: MlaSpec | None = None
    vision_encoder_params: int = 0          # image encoder + projector in the checkpoint; not served for text
    family: str = ""                        # model family ('Qwen3', 'Llama-3.1', 'generic')
    license: str = ""                       # licence name as the model card gives it
    superseded_by: str = ""                 # the catalog id of the release that replaced it ('' = current)
    checkpoint_precision: str = "bf16"      # the published weights' format (bf16 | fp8 | mxfp4)
    published_params_b: float | None = None
    published_params_exact: bool = False    # False = a rounded headline figure ("40B")
    published_active_params_b: float | None = None
    published_active_excludes_embedding: bool = False  # the vendor's active count leaves out the input embedding
    published_counts_tied_head_twice: bool = False     # the published checkpoint stores the tied lm_head again
    provenance: Provenance
    params_provenance: Provenance | None = None
    notes: str = ""
    assumed: tuple[str, ...] = ()           # defaults filled in for fields a --model-config file lacks, one phrase each

    def replace(self, **changes: Any) -> "ModelSpec":
        return dataclasses.replace(self, **changes)


# --------------------------------------------------------------------------- from plain data
# Both producers hand over plain dicts: the validated pydantic entries
# (``model_dump()``) and the compiled snapshot (JSON). These rebuild the nested types.
def _prov(d: dict[str, Any] | None) -> Provenance | None:
    return None if d is None else Provenance(source=d["source"], as_of=d["as_of"])


def gpu_from_dict(d: dict[str, Any]) -> GpuSpec:
    d = dict(d)
    d["aliases"] = tuple(d.get("aliases", ()))
    d["interconnect"] = Interconnect(**d["interconnect"])
    d["provenance"] = {k: _prov(v) for k, v in d["provenance"].items()}
    return GpuSpec(**d)


def runtime_overhead_from_dict(d: dict[str, Any]) -> RuntimeOverheadSpec:
    d = dict(d)
    d["provenance"] = {k: _prov(v) for k, v in d["provenance"].items()}
    return RuntimeOverheadSpec(**d)


def model_from_dict(d: dict[str, Any]) -> ModelSpec:
    d = dict(d)
    d["aliases"] = tuple(d.get("aliases", ()))
    d["assumed"] = tuple(d.get("assumed", ()))
    if d.get("moe") is not None:
        d["moe"] = MoeSpec(**d["moe"])
    if d.get("mla") is not None:
        d["mla"] = MlaSpec(**d["mla"])
    d["provenance"] = _prov(d["provenance"])
    d["params_provenance"] = _prov(d.get("params_provenance"))
    return ModelSpec(**d)


def to_dict(spec: Any) -> dict[str, Any]:
    """A spec as nested plain data (tuples kept; ``json.dumps`` writes them as lists)."""
    return dataclasses.asdict(spec)
