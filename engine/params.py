"""Parameter counts derived from the architecture.

Why derive instead of trusting the headline number: memory and compute depend
on *which* parameters exist (a 16-bit embedding next to int4 layers, 2 of 8
experts active per token, a tied lm_head that is stored once), and headline
figures are rounded or wrong (the article's Mixtral "56B"; seed-consistency
C09). Every count here is exact arithmetic over the config's shapes; the test
suite checks each catalog model against its published size (within 1% where
an exact count is published).

Conventions:
- ``total`` counts every stored parameter once (a tied lm_head is not counted
  twice), matching Hugging Face's safetensors count.
- ``total`` is the text model the engine serves: a multimodal checkpoint's image
  encoder (Gemma-3 4B-27B, Llama-4) is ``vision_encoder`` and left out, so memory and
  speed are those of text-only serving; ``checkpoint_total`` adds it back (what the
  vendor publishes).
- ``active`` is what one token touches: ``total`` minus the routed experts it
  does not use. Embedding and lm_head rows count as active, as in the Mixtral
  paper's 12.9B and DeepSeek-V3's 37B.
- ``linear`` is the weight of every matrix multiply (attention projections,
  MLP and expert matrices) - what GPTQ/AWQ/FP8 quantize. Everything else
  (embeddings, lm_head, norms, biases, routers, learned positions) is
  ``total - linear`` and stays 16-bit under weight-only quantization.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.catalog import ModelSpec


@dataclass(frozen=True, slots=True)
class ParamCounts:
    total: int
    active: int                    # per token
    embedding: int                 # input embedding table
    lm_head: int                   # 0 when tied to the embedding
    position_embedding: int        # learned position table (GPT-3), else 0
    attention: int                 # all layers: projections + their biases
    mlp: int                       # all layers: dense MLPs + experts (routed and shared) + routers
    norms: int                     # all norm weights (and biases), incl. the final norm
    linear: int                    # matrix-multiply weights (quantizable), all layers
    per_layer_attention: int
    per_layer_mlp: int             # one dense MLP (MoE: the dense layers' MLP; 0 if none)
    per_expert: int                # one routed expert's matrices (0 for dense models)
    routed_experts: int            # all routed experts, all MoE layers
    shared_experts: int            # all shared experts, all MoE layers
    router: int                    # all router weights (+ correction biases)
    moe_layers: int
    dense_layers: int
    vision_encoder: int = 0        # image encoder + projector: in the checkpoint, not in ``total`` (text serving)

    @property
    def checkpoint_total(self) -> int:
        """Every parameter of the published checkpoint: the text model plus its image encoder."""
        return self.total + self.vision_encoder

    @property
    def non_embedding(self) -> int:
        """Parameters outside the embedding, lm_head and position tables."""
        return self.total - self.embedding - self.lm_head - self.position_embedding

    @property
    def total_b(self) -> float:
        return self.total / 1e9

    @property
    def active_b(self) -> float:
        return self.active / 1e9


def _mlp_params(hidden: int, inner: int, gated: bool, bias: bool) -> tuple[int, int]:
    """(matrix weights, bias) of one MLP: gated = gate/up/down (3 matrices), standard = up/down (2)."""
    matrices = (3 if gated else 2) * hidden * inner
    biases = ((2 * inner if gated else inner) + hidden) if bias else 0
    return matrices, biases


def _attention_params(m: ModelSpec) -> tuple[int, int, int]:
    """(matrix weights, biases, internal norm weights) of one attention block."""
    h = m.hidden_size
    if m.mla is not None:
        a = m.mla
        qk_head = a.qk_nope_head_dim + a.qk_rope_head_dim
        if a.q_lora_rank:
            q = h * a.q_lora_rank + a.q_lora_rank * m.num_attention_heads * qk_head
            norms = a.q_lora_rank
        else:
            q = h * m.num_attention_heads * qk_head
            norms = 0
        kv_a = h * (a.kv_lora_rank + a.qk_rope_head_dim)
        kv_b = a.kv_lora_rank * m.num_attention_heads * (a.qk_nope_head_dim + a.v_head_dim)
        o = m.num_attention_heads * a.v_head_dim * h
        norms += a.kv_lora_rank
        return q + kv_a + kv_b + o, 0, norms
    q_width = m.num_attention_heads * m.head_dim
    kv_width = m.num_kv_heads * m.head_dim
    matrices = h * q_width + 2 * h * kv_width + q_width * h
    biases = (q_width + 2 * kv_width if m.attention_bias else 0) + (h if m.attention_out_bias else 0)
    return matrices, biases, 0


_CACHE: dict[int, tuple[ModelSpec, ParamCounts]] = {}


def param_counts(model: ModelSpec) -> ParamCounts:
    """Exact parameter counts of ``model`` (cached per model object)."""
    hit = _CACHE.get(id(model))
    if hit is not None and hit[0] is model:
        return hit[1]
    counts = _compute(model)
    _CACHE[id(model)] = (model, counts)
    return counts


def _compute(m: ModelSpec) -> ParamCounts:
    h = m.hidden_size
    gated = m.mlp_kind == "gated"
    norm_size = h * (2 if m.norm_kind == "layer" else 1)

    attn_mat, attn_bias, attn_norms = _attention_params(m)
    sinks = m.num_attention_heads if m.attention_sinks else 0
    per_layer_attention = attn_mat + attn_bias + sinks
    qk_norms = 2 * m.head_dim if m.qk_norm else 0
    layer_norms = m.norms_per_layer * norm_size + attn_norms + qk_norms

    moe = m.moe
    moe_layers = (m.num_layers - moe.dense_layers) if moe else 0
    dense_layers = m.num_layers - moe_layers
    dense_mat, dense_bias = _mlp_params(h, m.intermediate_size, gated, m.mlp_bias)
    per_layer_mlp = dense_mat + dense_bias if dense_layers else 0

    per_expert = routed = shared = router = expert_mat_total = 0
    if moe:
        e_mat, e_bias = _mlp_params(h, moe.expert_intermediate_size, gated, m.mlp_bias)
        per_expert = e_mat + e_bias
        routed = moe_layers * moe.num_experts * per_expert
        shared = moe_layers * moe.shared_experts * per_expert
        router = moe_layers * (h * moe.num_experts + (moe.num_experts if moe.router_bias else 0))
        expert_mat_total = moe_layers * (moe.num_experts + moe.shared_experts) * e_mat

    embedding = m.vocab_size * h
    lm_head = 0 if m.tie_word_embeddings else m.vocab_size * h
    position = m.learned_position_embeddings * h
    attention = m.num_layers * per_layer_attention
    mlp = dense_layers * per_layer_mlp + routed + shared + router
    norms = m.num_layers * layer_norms + norm_size  # + final norm
    total = embedding + lm_head + position + attention + mlp + norms
    linear = m.num_layers * attn_mat + dense_layers * dense_mat + expert_mat_total

    active = total
    if moe:
        active -= moe_layers * (moe.num_experts - moe.experts_per_token) * per_expert

    return ParamCounts(
        total=total,
        active=active,
        embedding=embedding,
        lm_head=lm_head,
        position_embedding=position,
        attention=attention,
        mlp=mlp,
        norms=norms,
        linear=linear,
        per_layer_attention=per_layer_attention,
        per_layer_mlp=per_layer_mlp,
        per_expert=per_expert,
        routed_experts=routed,
        shared_experts=shared,
        router=router,
        moe_layers=moe_layers,
        dense_layers=dense_layers,
        vision_encoder=m.vision_encoder_params,
    )


def as_published(spec: ModelSpec, counts: ParamCounts) -> int:
    """The count to hold against ``spec.published_params_b``: what the counted file stores.

    That is the checkpoint (text model + image encoder), plus the tied lm_head a
    second time where the published checkpoint stores it twice (Qwen3-0.6B/1.7B on
    Hugging Face): memory and speed use ``total``, the comparison uses this.
    """
    return counts.checkpoint_total + (counts.embedding if spec.published_counts_tied_head_twice else 0)
