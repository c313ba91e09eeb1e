"""Memory: weights per precision, KV cache per token, runtime overhead per GPU.

Why each term is separate: a GPU fits a model when weights + KV cache for the
required concurrency + runtime overhead fit in its capacity, and each of those
moves with a different input (precision, context x concurrency, GPU count).
One "x1.2-1.4" factor (the article's quick rule) hides which one is the
problem, so the engine computes each term and keeps the article's rule only as
a labelled reference (:func:`article_quick_rule_gb`).

All results are bytes (floats), decimal ``_gb`` only in names that say so.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.catalog import GpuSpec, ModelSpec, load_runtime_overhead
from engine.errors import InputError
from engine.params import param_counts
from engine.units import GB, GIB

#: bytes per parameter of the stored weights (bf16 and fp16 are the same size)
PRECISION_BYTES: dict[str, float] = {"fp32": 4.0, "bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0, "int4": 0.5}
#: bytes per cached key/value element
KV_PRECISION_BYTES: dict[str, float] = {"fp16": 2.0, "bf16": 2.0, "fp8": 1.0, "int8": 1.0}

#: GPTQ/AWQ weight-only quantization: one fp16 scale and one zero point per
#: group of this many input weights (the common ``group_size=128``).
QUANT_GROUP_SIZE = 128
_SCALE_BYTES = 2.0                                  # fp16 scale per group
_ZERO_BYTES = {"int4": 0.5, "int8": 1.0}            # zero point packed at the weight's width


def _check_precision(precision: str) -> float:
    try:
        return PRECISION_BYTES[precision]
    except KeyError:
        raise InputError(f"precision: unknown '{precision}' (choose {', '.join(PRECISION_BYTES)})") from None


def _check_kv_precision(kv_precision: str) -> float:
    try:
        return KV_PRECISION_BYTES[kv_precision]
    except KeyError:
        raise InputError(
            f"kv-precision: unknown '{kv_precision}' (choose {', '.join(KV_PRECISION_BYTES)})"
        ) from None


# --------------------------------------------------------------------------- weights
def weight_bytes(model: ModelSpec, precision: str) -> float:
    """Bytes of the stored weights at ``precision``.

    - ``fp32`` / ``bf16`` / ``fp16``: every parameter at that width.
    - ``fp8``: matrix weights at 1 byte; embeddings, lm_head, norms, biases and
      routers stay 16-bit (as vLLM/TensorRT-LLM FP8 checkpoints do). Per-tensor or
      per-channel scales are < 0.01% and ignored. (Meta's Llama-3.1-405B-FP8 also
      keeps attention in bf16, so its checkpoint is ~19% larger than this.)
    - ``int8`` / ``int4``: weight-only GPTQ/AWQ with group size 128: each group
      of 128 weights carries an fp16 scale and a zero point, i.e. +0.156 bits per
      weight at int4 (4.16 bits) and +0.19 at int8; embeddings, lm_head and the
      other non-matrix parameters stay 16-bit.
    """
    width = _check_precision(precision)
    pc = param_counts(model)
    if precision in ("fp32", "bf16", "fp16"):
        return pc.total * width
    other = pc.total - pc.linear
    if precision == "fp8":
        return pc.linear * width + other * 2.0
    groups = pc.linear / QUANT_GROUP_SIZE
    return pc.linear * width + groups * (_SCALE_BYTES + _ZERO_BYTES[precision]) + other * 2.0


# --------------------------------------------------------------------------- KV cache
def kv_bytes_per_token_per_layer(model: ModelSpec, kv_precision: str) -> float:
    """Bytes one token adds to one layer's cache.

    - MHA / GQA / MQA: K and V, each ``num_kv_heads x head_dim`` wide
      (MHA is the case ``num_kv_heads == num_attention_heads``, MQA ``== 1``).
    - MLA (DeepSeek): the compressed latent ``kv_lora_rank`` plus the decoupled
      RoPE key ``qk_rope_head_dim``, once (not per head, not separate K and V).
    """
    width = _check_kv_precision(kv_precision)
    if model.mla is not None:
        return (model.mla.kv_lora_rank + model.mla.qk_rope_head_dim) * width
    return 2 * model.num_kv_heads * model.head_dim * width


def kv_bytes_per_token(model: ModelSpec, kv_precision: str) -> float:
    """Bytes one token adds to the cache across all layers, before any sliding-window cap.

    Exact per token as long as the sequence is no longer than the sliding window
    (if any); :func:`kv_bytes` applies the cap for longer sequences.
    """
    return model.num_layers * kv_bytes_per_token_per_layer(model, kv_precision)


def kv_bytes(model: ModelSpec, kv_precision: str, tokens_per_seq: float, sequences: float) -> float:
    """KV cache bytes for ``sequences`` concurrent sequences of ``tokens_per_seq`` tokens each.

    Layers with a sliding window (Mistral-7B all 32, Gemma-2 every other layer,
    Phi-3) keep at most ``sliding_window`` tokens.
    """
    if tokens_per_seq < 0 or sequences < 0:
        raise InputError("tokens per sequence and sequences must not be negative")
    per_layer = kv_bytes_per_token_per_layer(model, kv_precision)
    windowed = model.sliding_window_layers
    full = model.num_layers - windowed
    tokens_windowed = min(tokens_per_seq, model.sliding_window) if windowed else 0.0
    return sequences * per_layer * (full * tokens_per_seq + windowed * tokens_windowed)


# --------------------------------------------------------------------------- runtime overhead
@dataclass(frozen=True, slots=True)
class Overhead:
    """Runtime memory per GPU besides weights and KV cache, bytes (see gpus.yaml runtime_overhead)."""

    cuda_context_bytes: float      # CUDA context + loaded kernels
    workspace_bytes: float         # cuBLAS/attention workspaces, CUDA-graph pool
    activation_bytes: float        # peak activations of one forward pass + fp32 logits
    collective_bytes: float        # NCCL / all-reduce buffers (0 on one GPU)

    @property
    def total_bytes(self) -> float:
        return self.cuda_context_bytes + self.workspace_bytes + self.activation_bytes + self.collective_bytes


def activation_values_per_token(model: ModelSpec, tp: int = 1) -> float:
    """Activation values alive per token at the peak of one layer, per GPU.

    Residual stream + normalised input (2 x hidden, replicated on every TP rank)
    plus the widest sharded intermediate: the q/k/v projection output or the
    MLP's up(/gate) output (MoE: the experts a token visits, incl. shared ones).
    """
    m = model
    if m.mla is not None:
        qkv = m.num_attention_heads * (m.mla.qk_nope_head_dim + m.mla.qk_rope_head_dim + m.mla.v_head_dim)
    else:
        qkv = (m.num_attention_heads + 2 * m.num_kv_heads) * m.head_dim
    inner = m.intermediate_size if (m.moe is None or m.moe.dense_layers) else 0
    if m.moe is not None:
        inner = max(inner, (m.moe.experts_per_token + m.moe.shared_experts) * m.moe.expert_intermediate_size)
    mlp = (2 if m.mlp_kind == "gated" else 1) * inner
    return 2 * m.hidden_size + max(qkv, mlp) / tp


def runtime_overhead(
    model: ModelSpec,
    gpu: GpuSpec,
    gpus_per_replica: int,
    tp: int | None = None,
    *,
    max_batched_tokens: int | None = None,
    sequences: int | None = None,
) -> Overhead:
    """Per-GPU runtime overhead for ``model`` served by ``gpus_per_replica`` GPUs (``tp`` of them tensor-parallel).

    Terms (values in gpus.yaml ``runtime_overhead``, each with its source):
    CUDA context; workspace; activations = max_batched_tokens x
    :func:`activation_values_per_token` x 2 bytes + fp32 logits for up to
    ``max_sampled_sequences`` sequences (the full vocabulary, gathered on each
    rank); collective buffers only when the replica spans >= 2 GPUs.
    ``gpu`` is accepted so per-GPU terms can be added without changing callers.
    """
    del gpu  # same terms for every GPU type today
    r = load_runtime_overhead()
    tp = tp or gpus_per_replica
    tokens = max_batched_tokens if max_batched_tokens is not None else r.max_batched_tokens
    seqs = min(sequences, r.max_sampled_sequences) if sequences is not None else r.max_sampled_sequences
    activation = tokens * activation_values_per_token(model, tp) * r.activation_bytes_per_value
    logits = seqs * model.vocab_size * 4.0
    return Overhead(
        cuda_context_bytes=r.cuda_context_gib * GIB,
        workspace_bytes=r.workspace_gib * GIB,
        activation_bytes=activation + logits,
        collective_bytes=r.collective_buffers_gib * GIB if gpus_per_replica >= 2 else 0.0,
    )


# --------------------------------------------------------------------------- the article's references
#: the article's "practical memory" multiplier range (seed-facts memory.formula.practical_gb)
ARTICLE_OVERHEAD_FACTOR = (1.2, 1.4)
#: the article's bytes per parameter (fp8 is not in the article; 1 byte by the same logic)
ARTICLE_BYTES_PER_PARAM: dict[str, float] = {"fp32": 4, "fp16": 2, "bf16": 2, "fp8": 1, "int8": 1, "int4": 0.5}


def article_quick_rule_gb(params_b: float, precision: str) -> tuple[float, float]:
    """ARTICLE REFERENCE, not an engine estimate: params x bytes x [1.2, 1.4], in decimal GB.

    The article's "practical memory" rule (weights plus 20-40% for framework,
    buffers and a minimal 2-4K-token KV cache). Shown beside the engine's
    itemised figure; seed-consistency C17 confirms the article applies it
    consistently, C19 that it is decimal GB.
    """
    try:
        width = ARTICLE_BYTES_PER_PARAM[precision]
    except KeyError:
        raise InputError(f"precision: unknown '{precision}'") from None
    base = params_b * 1e9 * width / GB
    return base * ARTICLE_OVERHEAD_FACTOR[0], base * ARTICLE_OVERHEAD_FACTOR[1]


def article_kv_formula_bytes(
    num_layers: int, hidden_size: int, context_tokens: float, batch_size: float = 1, bytes_per_value: float = 2
) -> float:
    """ARTICLE REFERENCE: 2 x layers x hidden x context x batch x bytes (assumes full MHA, no GQA).

    Right for MHA models (Llama-2-7B/13B, GPT-3); 8x too high for Llama-2-70B,
    which has 8 KV heads (seed-consistency C02). Shown only as "article formula".
    """
    return 2 * num_layers * hidden_size * context_tokens * batch_size * bytes_per_value
