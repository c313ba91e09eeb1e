"""The ``sizewise estimate`` request: what it accepts, what is refused, and the defaults that fill it in.

Why its own module: the bounds, the accepted choices and the workload defaults
change for reasons of their own (a new flag, a new default, a clearer refusal),
and the CLI (advisor/commands/estimate.py) checks its flags against the same
:data:`BOUNDS` before building an :class:`EstimateRequest`. :func:`resolve_request`
turns a checked request into a :class:`ResolvedRequest` - every default applied
and its source named - which the estimate (engine/estimate.py) and its JSON
(engine/estimate_json.py) read.
"""

from __future__ import annotations

import dataclasses
import math
import re

from engine.catalog import GpuSpec, ModelSpec, load_gpus, resolve_gpu, resolve_model
from engine.defaults import Assumptions, load_assumptions
from engine.errors import InputError
from engine.sharding import MAX_GPUS_PER_REPLICA  # the largest replica the engine plans: one definition

PRECISIONS: tuple[str, ...] = ("fp32", "bf16", "fp16", "fp8", "int8", "int4")

#: Inputs outside these are refused as absurd, by the CLI (naming the flag) and again by
#: EstimateRequest (naming the field), always with :func:`check_bound`'s wording. Why these
#: values: docs/architecture.md ("Input bounds").
MAX_REQUESTS_PER_DAY = 1e11      # ~40x ChatGPT's ~2.5e9 daily prompts (mid-2025): nobody sizes beyond that
MIN_REQUESTS_PER_DAY = 0.01      # one request every 100 days; below that the cost per token is meaningless
MAX_TOKENS_PER_DAY = 1e15        # 1e11 requests of 10K tokens
MIN_TOKENS_PER_DAY = 1.0
MAX_TOKENS_PER_REQUEST = 10_000_000
MAX_CONCURRENCY = 1_000_000

#: field -> (flag, lowest, highest, how a bound reads: "{}" is the number) of every bounded number of a
#: request (both ends allowed)
BOUNDS: dict[str, tuple[str, float, float, str]] = {
    "gpus": ("--gpus", 1, MAX_GPUS_PER_REPLICA, "{} GPUs per replica"),
    "input_tokens": ("--input-tokens", 1, MAX_TOKENS_PER_REQUEST, "{} tokens per request"),
    "output_tokens": ("--output-tokens", 1, MAX_TOKENS_PER_REQUEST, "{} tokens per request"),
    "concurrency": ("--concurrency", 1, MAX_CONCURRENCY, "{} sequences per replica"),
    "requests_per_day": ("--requests-per-day", MIN_REQUESTS_PER_DAY, MAX_REQUESTS_PER_DAY, "{} requests per day"),
    "tokens_per_day": ("--tokens-per-day", MIN_TOKENS_PER_DAY, MAX_TOKENS_PER_DAY, "{} tokens per day"),
    "peak_to_average": ("--peak-to-average", 1, 100, "{}"),
    "utilisation": ("--utilisation", 0.01, 1, "{}"),
    "prefix_cache_hit_rate": ("--prefix-cache-hit-rate", 0, 0.99, "{}"),
    "usd_per_gpu_hour": ("--usd-per-gpu-hour", 0.01, 1000, "${} per GPU-hour"),
    "ttft_target_s": ("--ttft-target", 0.01, 3600, "{} s"),
    "tpot_target_ms": ("--tpot-target", 0.1, 60_000, "{} ms"),
}


def _bound_text(x: float) -> str:
    """1e11 -> '1e11', 1024 -> '1,024', 0.01 -> '0.01' (how a bound reads in a message)."""
    if abs(x) >= 1e6:
        exp = int(math.floor(math.log10(abs(x))))
        return f"{x / 10**exp:g}e{exp}"
    return f"{x:,.0f}" if x == int(x) else f"{x:g}"


def check_bound(field: str, value: float, *, label: str | None = None, shown: str | None = None) -> None:
    """Refuse ``value`` if it is outside ``BOUNDS[field]``, with the one wording every absurd input gets.

    ``label`` is the flag (CLI) or the field name (EstimateRequest); ``shown`` the text the user typed.
    Example: ``--requests-per-day: 1e30 is too large (the supported maximum is 1e11 requests per day)``.
    """
    flag, lo, hi, reads = BOUNDS[field]
    if lo <= value <= hi:
        return
    which, end, bound = ("small", "minimum", lo) if value < lo else ("large", "maximum", hi)
    text = shown if shown is not None else f"{value:g}"
    raise InputError(f"{label or flag}: {text} is too {which} (the supported {end} is "
                     f"{reads.format(_bound_text(bound))})")

#: Workload defaults when the user gives none: the article's 2K-token prompts and
#: ~300-token answers (seed-consistency C03 shows why 20-30-token answers mislead).
DEFAULT_INPUT_TOKENS = 2000
DEFAULT_OUTPUT_TOKENS = 300


def default_kv_precision(precision: str) -> str:
    """fp8 weights come with an fp8 KV cache (the TensorRT-LLM/vLLM FP8 recipe); otherwise fp16."""
    return "fp8" if precision == "fp8" else "fp16"


_REQUEST_CHOICES = {
    "precision": PRECISIONS,
    "kv_precision": ("fp16", "bf16", "fp8", "int8"),
    "int8_mode": ("weight-only", "w8a8"),
    "deployment": ("cloud", "owned"),
}
#: the optional numbers of a request, checked against BOUNDS
_REQUEST_NUMBERS = ("gpus", "input_tokens", "output_tokens", "requests_per_day", "tokens_per_day", "peak_to_average",
                    "utilisation", "prefix_cache_hit_rate", "usd_per_gpu_hour", "ttft_target_s", "tpot_target_ms")
_INT_FIELDS = {"gpus", "input_tokens", "output_tokens"}


@dataclasses.dataclass(frozen=True, kw_only=True)
class EstimateRequest:
    """Everything ``sizewise estimate`` accepts (numbers already parsed).

    Checked on construction: a bad field raises :class:`InputError` naming it.
    A plain dataclass rather than a pydantic model so that the command's cold
    start does not pay for importing pydantic (docs/architecture.md).
    ``input_tokens`` / ``output_tokens`` left as None mean the defaults
    (DEFAULT_INPUT_TOKENS / DEFAULT_OUTPUT_TOKENS, the input shrunk to fit a real model's
    context window), and the estimate says so. ``precision`` None means the precision a
    quantised checkpoint id names (``-AWQ`` -> int4), else bf16 (:func:`resolve_precision`).
    Numbers outside :data:`BOUNDS` are refused (:func:`check_bound`).
    """

    model: str | None = None
    model_config_path: str | None = None
    gpu: str
    gpus: int | None = None
    precision: str | None = None  # None: the precision a quantised model id names, else bf16
    kv_precision: str | None = None
    int8_mode: str = "weight-only"
    input_tokens: int | None = None
    output_tokens: int | None = None
    concurrency: int | str | None = None
    requests_per_day: float | None = None
    tokens_per_day: float | None = None
    peak_to_average: float | None = None
    utilisation: float | None = None
    prefix_cache_hit_rate: float | None = None
    deployment: str = "cloud"
    usd_per_gpu_hour: float | None = None
    ttft_target_s: float | None = None
    tpot_target_ms: float | None = None
    overrides_path: str | None = None
    serving_engine: str | None = None  # calibration profile (engine.calibration.serving_engines); None = vllm

    def __post_init__(self) -> None:
        if (self.model is None) == (self.model_config_path is None):
            raise InputError("give exactly one of model or model_config_path")
        for name in ("model", "model_config_path", "gpu", "overrides_path", "serving_engine"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise InputError(f"{name}: expected text, got {type(value).__name__}")
        for name, allowed in _REQUEST_CHOICES.items():
            value = getattr(self, name)
            if value is not None and value not in allowed:
                raise InputError(f"{name}: must be one of {', '.join(allowed)}, got {value!r}")
        for name in _REQUEST_NUMBERS:
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or (
                    name in _INT_FIELDS and not isinstance(value, int)):
                raise InputError(f"{name}: expected {'a whole number' if name in _INT_FIELDS else 'a number'}, "
                                 f"got {value!r}")
            if not math.isfinite(value):
                raise InputError(f"{name}: must be a finite number, got {value!r}")
            check_bound(name, value, label=name)
        if self.requests_per_day is not None and self.tokens_per_day is not None:
            raise InputError("give requests_per_day or tokens_per_day, not both")
        c = self.concurrency
        if c is not None and c != "max":
            if isinstance(c, bool) or not isinstance(c, int):
                raise InputError(f"concurrency: must be 'max' or a whole number, got {c!r}")
            check_bound("concurrency", c, label="concurrency")


def _load_model(req: EstimateRequest) -> ModelSpec:
    if req.model_config_path is not None:
        from engine.hf_config import model_from_hf_config

        return model_from_hf_config(req.model_config_path)
    return resolve_model(req.model)


_ID_PRECISION = re.compile(r"-(int8|int4|awq|gptq|fp8)(?=-|$)", re.IGNORECASE)


def precision_from_model_id(model_id: str | None) -> str | None:
    """The weight precision a published quantised checkpoint's id names (``...-AWQ`` -> int4), or None.

    Why: such ids resolve to the base architecture (engine/catalog.py), but estimating
    ``Qwen2.5-7B-Instruct-AWQ`` at bf16 would count four times its weight bytes.
    ``-Int8`` wins over ``-GPTQ`` (``...-GPTQ-Int8`` is 8-bit); AWQ/GPTQ alone are 4-bit.
    """
    if not model_id:
        return None
    tags = {tag.lower() for tag in _ID_PRECISION.findall(model_id)}
    if "int8" in tags:
        return "int8"
    if tags & {"int4", "awq", "gptq"}:
        return "int4"
    return "fp8" if "fp8" in tags else None


def resolve_precision(given: str | None, model_id: str | None) -> tuple[str, str, str | None]:
    """(precision, its source for ``assumptions``, the precision the id names or None).

    The user's ``--precision`` wins; otherwise the id's; otherwise bf16 (the documented default).
    """
    named = precision_from_model_id(model_id)
    if given is not None:
        return given, "user", named
    if named is not None:
        return named, f"from the model id ({model_id!r} is a {named} checkpoint)", named
    return "bf16", "sizewise default (bf16)", named


def _context_assumed(model: ModelSpec) -> str | None:
    """The ``assumed`` entry of a --model-config load that concerns the context window, if any."""
    for entry in getattr(model, "assumed", ()) or ():
        if "max_position_embeddings" in entry or "context" in entry.lower():
            return entry
    return None


def _workload_tokens(req: EstimateRequest, model: ModelSpec, warnings: list[str]) -> tuple[float, float, str, str]:
    """(input tokens, output tokens, their sources) after the context-window rule.

    Explicit token counts beyond a real model's context window are an error. The defaults
    (2,000 + 300) are the article's workload, not the user's: when neither count was given
    and they exceed the window (Falcon-40B's 2,048), the input shrinks to fit (output stays
    300 unless the window is under 600 tokens; then the default's 13% output share) and a
    warning says what was assumed. Generic classes only warn (their window is nominal).
    """
    s_src = "user" if req.input_tokens is not None else "sizewise default (the article's 2K-token prompts)"
    g_src = "user" if req.output_tokens is not None else "sizewise default (~300-token answers; seed-consistency C03)"
    s = float(req.input_tokens if req.input_tokens is not None else DEFAULT_INPUT_TOKENS)
    g = float(req.output_tokens if req.output_tokens is not None else DEFAULT_OUTPUT_TOKENS)
    ctx = model.max_context
    if s + g <= ctx:
        return s, g, s_src, g_src
    if model.generic:
        warnings.append(f"input + output = {int(s + g):,} tokens exceeds the model's context window of {ctx:,}")
        return s, g, s_src, g_src
    assumed = _context_assumed(model)
    assumed_note = f" (an assumed window: config.json: {assumed})" if assumed else ""
    if req.input_tokens is None and req.output_tokens is None and ctx >= 2:
        default_total = DEFAULT_INPUT_TOKENS + DEFAULT_OUTPUT_TOKENS
        if ctx >= 2 * DEFAULT_OUTPUT_TOKENS:
            g = float(DEFAULT_OUTPUT_TOKENS)
        else:
            g = float(max(1, round(ctx * DEFAULT_OUTPUT_TOKENS / default_total)))
            g_src = (f"sizewise default shrunk to fit {model.name}'s {ctx:,}-token context window "
                     f"(the default's {DEFAULT_OUTPUT_TOKENS / default_total:.0%} output share)")
        s = float(ctx - g)
        s_src = (f"sizewise default shrunk to fit {model.name}'s {ctx:,}-token context window "
                 f"(context - {int(g):,} output tokens)")
        warnings.append(f"the default workload ({DEFAULT_INPUT_TOKENS:,} input + {DEFAULT_OUTPUT_TOKENS:,} output tokens) "
                        f"exceeds {model.name}'s context window of {ctx:,} tokens{assumed_note}; assumed {int(s):,} "
                        f"input + {int(g):,} output tokens (set --input-tokens / --output-tokens to choose)")
        return s, g, s_src, g_src
    raise InputError(f"--input-tokens + --output-tokens = {int(s + g):,} exceeds {model.name}'s context window "
                     f"of {ctx:,} tokens{assumed_note}")


@dataclasses.dataclass(frozen=True)
class ResolvedRequest:
    """A request with every default applied, and where each value came from.

    ``warnings`` is the estimate's list of warnings so far (the estimate appends its own).
    """

    req: EstimateRequest
    assumptions: Assumptions           # assumptions.yaml, then --overrides, then the request's own numbers
    model: ModelSpec
    gpu: GpuSpec
    precision: str
    precision_source: str
    kv_precision: str
    input_tokens: float
    output_tokens: float
    input_source: str
    output_source: str
    requests_per_day: float | None     # given, or converted from tokens per day; None without a demand
    usd_per_gpu_hour: float | None     # the user's price for this GPU (flag, else --overrides), None: the catalog's
    purchases: dict[str, float]        # --overrides purchase prices per GPU id
    warnings: list[str]


def resolve_request(req: EstimateRequest) -> ResolvedRequest:
    """Load what ``req`` names (overrides, model, GPU) and fill in every default, in the order errors surface."""
    a = load_assumptions()
    prices: dict[str, float] = {}
    purchases: dict[str, float] = {}
    warnings: list[str] = []
    if req.overrides_path:
        from engine.overrides import load_overrides

        ov = load_overrides(req.overrides_path)
        ov.check_gpu_ids([g.id for g in load_gpus().values()])
        a = ov.apply(a)
        prices, purchases = dict(ov.usd_per_gpu_hour), dict(ov.purchase_usd)
    changes: dict[str, float] = {}
    if req.peak_to_average is not None:
        changes["peak_to_average"] = req.peak_to_average
    if req.utilisation is not None:
        changes["target_utilisation"] = req.utilisation
    if req.prefix_cache_hit_rate is not None:
        changes["prefix_cache_hit_rate"] = req.prefix_cache_hit_rate
    if changes:
        a = a.replace(**changes)

    model = _load_model(req)
    gpu = resolve_gpu(req.gpu)
    # what a --model-config loader had to assume (getattr: older ModelSpecs have no ``assumed``)
    for entry in getattr(model, "assumed", ()) or ():
        warnings.append(f"config.json: {entry}")
    prec, prec_source, id_prec = resolve_precision(req.precision, req.model)
    if id_prec is not None and req.precision is not None and req.precision != id_prec:
        warnings.append(f"the model id {req.model!r} names {id_prec} weights, but --precision {req.precision} was "
                        f"given: estimated at {req.precision}")
    if req.int8_mode == "w8a8" and prec != "int8":
        warnings.append(f"--int8-kernels w8a8 applies to --precision int8 only; ignored at {prec}")
    kvp = req.kv_precision or default_kv_precision(prec)
    s, g, s_source, g_source = _workload_tokens(req, model, warnings)

    requests = req.requests_per_day
    if req.tokens_per_day is not None:
        requests = req.tokens_per_day / (s + g)
        if not MIN_REQUESTS_PER_DAY <= requests <= MAX_REQUESTS_PER_DAY:
            lo_hi = "small" if requests < MIN_REQUESTS_PER_DAY else "large"
            bound = MIN_REQUESTS_PER_DAY if requests < MIN_REQUESTS_PER_DAY else MAX_REQUESTS_PER_DAY
            raise InputError(f"--tokens-per-day: {req.tokens_per_day:g} is too {lo_hi} (it gives {requests:.3g} requests "
                             f"per day of {int(s + g):,} tokens; the supported "
                             f"{'minimum' if lo_hi == 'small' else 'maximum'} is {_bound_text(bound)} requests per day)")
    price = prices.get(gpu.id, req.usd_per_gpu_hour)
    if req.usd_per_gpu_hour is not None:
        price = req.usd_per_gpu_hour
    return ResolvedRequest(req, a, model, gpu, prec, prec_source, kvp, s, g, s_source, g_source, requests, price,
                           purchases, warnings)
