"""The ``Recommendation``: everything a report (Markdown, JSON, the wizard's screen) shows.

Why one pydantic model: the Markdown report, the JSON output and the wizard's
result screen must never disagree, so all three render this one object, and
the JSON output *is* this object (``model_dump(mode="json")`` with sorted
keys). Its JSON Schema is published via ``sizewise schema --report``.

Stable fields (other tools read them; never rename or remove):
``recommendation.start_size``, ``recommendation.test_ladder``,
``recommendation.mandatory_optimizations``, ``recommendation.candidates[].size``,
``.gpu``, ``.gpus_per_replica``, ``.replicas``, ``.precision``, ``.monthly_usd``,
``.usd_per_million_output_tokens``, ``recommendation.warnings[].id``,
``recommendation.rules_hash``. The document's top-level key for the verdict
is ``recommendation``; the other top-level keys are the supporting sections.

Numbers are rounded by the pipeline before they get here (dollars to cents,
times to microseconds), so JSON output is byte-identical across runs.
Units are in the names (``_usd``, ``_gb``, ``_s``, ``_ms``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SizeClass = Literal["1b", "3b", "7b", "13b", "30b", "70b", "175b", "1t"]
OptimizationId = Literal["quantization", "distillation", "moe"]
Deployment = Literal["cloud", "owned"]

SCHEMA_VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class Band(_Model):
    """A low/high range around a point estimate (from the calibration error)."""

    low: float
    high: float


class AnswerRow(_Model):
    """One answer as used: the user's value or the rulebook default."""

    id: str
    prompt: str = ""
    value: str                        # as displayed (choices by id, numbers as given)
    origin: Literal["given", "default", "derived"] = "given"
    label: str = ""                   # for product readers: the choice's label from the question, numbers with their unit


class Volume(_Model):
    """Step 3 arithmetic: what the tiers were computed from (both bases shown, C16)."""

    requests_per_day: float
    input_tokens_per_request: float
    output_tokens_per_request: float
    input_tokens_per_day: float
    output_tokens_per_day: float
    total_tokens_per_day: float
    tier: str | None = None
    basis: str | None = None          # 'total' | 'output' as declared by the rules
    tier_on_other_basis: str | None = None
    other_basis: str | None = None


class Offer(_Model):
    """What a team orders for a candidate: the instance type (or owned server) from engine/data/offers.yaml.

    ``instances`` x ``gpus_per_instance`` is what is paid for (whole instances); ``pricing`` is
    ``on_demand`` | ``committed_1y`` | ``committed_3y`` | ``spot`` | ``owned``;
    ``usd_per_instance_hour`` is None for owned servers (costed by amortisation).
    """

    provider: str
    instance_type: str
    gpus_per_instance: int
    instances: int
    usd_per_instance_hour: float | None
    pricing: str
    region: str
    source: str
    as_of: str


class CostBlock(_Model):
    """Cost of one candidate deployment under one way of paying for it."""

    mode: Deployment
    monthly_usd: float
    annual_usd: float
    usd_per_million_output_tokens: float
    usd_per_million_total_tokens: float
    band: Band                        # monthly_usd low/high
    #: the offer this cost is priced on (None = the GPU catalog's per-GPU price)
    offer: Offer | None = None


class Alternative(_Model):
    """Another catalog model of a size class whose window holds the workload (issue 11)."""

    model: str
    monthly_usd: float | None = None   # the deployment mode's cost; None = not priced (see note)
    note: str = ""
    #: why it is not the costed model, for tools: priced (cost more), no_fit (nothing meets memory and
    #: latency), same_architecture (a twin, shown at its price), dominated (another model has no more
    #: weights, active parameters or KV per token), superseded (a newer release of the class takes it)
    status: Literal["priced", "no_fit", "same_architecture", "dominated", "superseded"] = "priced"


class Candidate(_Model):
    """The cheapest deployment found for one size class (or why there is none)."""

    size: str
    model: str                        # the generic class id ('13b')
    real_models: list[str] = Field(default_factory=list)  # catalog models of that class whose window holds the workload
    #: the catalog model this class's cost is for (the cheapest qualifying one); None = none qualifies
    costed_model: str | None = None
    #: set when the class has no real model and its generic shape was costed ("no 1T-class model ...")
    costed_label: str = ""
    #: the other qualifying models of the class, with their cost
    alternatives: list[Alternative] = Field(default_factory=list)
    #: why this larger class costs less than a smaller one (its costed model's architecture)
    cheaper_reason: str | None = None
    fits: bool
    gpu: str | None = None
    gpu_name: str | None = None
    gpus_per_replica: int | None = None
    replicas: int | None = None
    total_gpus: int | None = None
    regime: str | None = None
    regime_reason: str | None = None
    precision: str | None = None
    kv_precision: str | None = None
    concurrency_per_replica: int | None = None
    ttft_s: float | None = None
    tpot_ms: float | None = None
    meets_latency: bool | None = None
    # the deployment mode the user chose (answers.deployment)
    monthly_usd: float | None = None
    annual_usd: float | None = None
    usd_per_million_output_tokens: float | None = None
    usd_per_million_total_tokens: float | None = None
    band: Band | None = None
    #: why this estimate extrapolates beyond the engine's calibration points (empty = inside them)
    calibration_gaps: list[str] = Field(default_factory=list)
    cloud: CostBlock | None = None
    owned: CostBlock | None = None
    cost_multiple_vs_start: float | None = None   # monthly cost / the recommended size's
    is_start: bool = False            # the rules' starting size (== recommended unless your scores chose another)
    note: str = ""
    #: when ``fits`` is false: 'memory' (no configuration holds it) or 'latency' (some fit, none meets the targets)
    no_fit_reason: Literal["memory", "latency", "context"] | None = None
    #: the offer the deployment mode's cost is priced on (issue 10); None = the GPU catalog's per-GPU price
    offer: Offer | None = None
    #: the offer in words: "3 x AWS p5.48xlarge (8 x H100 SXM), on-demand"
    hardware_label: str | None = None
    #: GPUs paid for (whole instances) vs ``total_gpus`` used
    gpus_paid: int | None = None
    #: replicas beyond what the demand needs, kept so one can fail (answers.availability)
    replicas_for_availability: int = 0
    #: the precision as the silicon runs it, when that differs from ``precision`` ("fp8 weights, bf16 compute")
    precision_label: str | None = None
    #: what the hardware makes the report say: pipeline stages across instances, ESTIMATE prices, spares
    hardware_notes: list[str] = Field(default_factory=list)


class WarningItem(_Model):
    """One of the article's costly mistakes that applies to these answers."""

    id: str
    title: str
    message: str
    rule: str = ""                    # file:line of the rule that raised it


class TestStep(_Model):
    order: int
    size: str
    examples_min: int
    examples_max: int
    action: str


class TestPlan(_Model):
    ladder: list[str]
    sample_size_min: int
    sample_size_max: int
    stop_rule: str
    steps: list[TestStep]
    #: why a rung the rules offered is not on the ladder (a 1-3B rung that saves nothing over 7B here)
    notes: list[str] = []


class LatencyTargets(_Model):
    latency: str                      # 'interactive' | 'batch'
    ttft_target_s: float | None = None
    tpot_target_ms: float | None = None


class Decision(_Model):
    """The verdict (the document's ``recommendation`` key)."""

    summary: str                      # the one-paragraph answer
    headline: str = ""                # its first sentence: what to deploy, on what, for how much
    why: str = ""                     # why that size (the rest of the summary's reasoning)
    risks: list[str] = Field(default_factory=list)   # the executive summary's top risks, most important first
    next_step: str = ""               # the test plan's first rung, as an instruction
    start_size: str
    recommended_size: str             # start size, or the smallest size meeting the user's eval target
    deployment: Deployment
    test_ladder: list[str]
    mandatory_optimizations: list[OptimizationId]
    considered_optimizations: list[OptimizationId] = Field(default_factory=list)
    volume_tier: str | None = None
    latency: LatencyTargets
    candidates: list[Candidate]
    warnings: list[WarningItem]
    rules_hash: str
    budget_usd_per_month: float | None = None   # the user's, if given
    within_budget: bool | None = None           # recommended deployment's monthly cost <= budget
    allowed_gpus: list[str] | None = None       # hardware restriction the search respected (None = whole catalog)


class QuantizationSaving(_Model):
    size: str
    gpu: str | None
    from_precision: str
    to_precision: str
    monthly_usd_before: float
    monthly_usd_after: float
    monthly_saving_usd: float
    quality_loss_prior_pct: Band      # the article's prior (INT8 ~1%, INT4 ~2-3%)
    note: str = ""


class Distillation(_Model):
    teacher_size: str
    student_size: str
    upfront_usd: float
    upfront_basis: str
    monthly_usd_before: float
    monthly_usd_after: float
    monthly_saving_usd: float
    payback_months: float | None      # None when there is no saving
    note: str = ""


class MoeAlternative(_Model):
    model: str
    total_params_b: float
    active_params_b: float
    memory_floor_gb: float            # all experts resident: weights at the chosen precision
    precision: str
    gpu: str | None = None
    gpus_per_replica: int | None = None
    replicas: int | None = None
    monthly_usd: float | None = None
    compared_to_size: str
    compared_monthly_usd: float | None = None
    note: str = ""


class Optimizations(_Model):
    quantization: list[QuantizationSaving] = Field(default_factory=list)
    distillation: Distillation | None = None
    moe: MoeAlternative | None = None
    #: why an optimization was not costed (optimization id -> reason), so the report never guesses
    not_costed: dict[str, str] = Field(default_factory=dict)


class InflectionPoint(_Model):
    id: str
    name: str
    crossed: bool
    detail: str


class Crossover(_Model):
    """Training / fine-tune cost against inference spend (article C08)."""

    training_usd: float
    training_basis: str
    inference_usd_per_day: float
    crossover_days: float | None
    inference_to_training_x_per_year: float | None
    note: str = ""


class SensitivityRow(_Model):
    scenario: str
    volume_factor: float
    context_factor: float
    size: str
    gpu: str | None
    gpus_per_replica: int | None
    replicas: int | None
    precision: str | None
    monthly_usd: float | None
    changes: bool
    what_changes: str


class EvalScore(_Model):
    size: str
    correct: int
    examples: int
    accuracy: float
    ci_low: float
    ci_high: float
    meets_target: bool
    confirmed: bool
    examples_to_confirm: int | None = None
    #: the size's self-hosted cost per request, and per accepted answer (per request / accuracy)
    usd_per_request: float | None = None
    usd_per_accepted_answer: float | None = None


class EvalComparison(_Model):
    smaller: str
    larger: str
    gain_points: float
    separable: bool
    examples_needed: int | None = None
    test: str = "two-proportion z-test"  # or McNemar's paired test, when both sizes have per-example results


class Evaluations(_Model):
    target_accuracy: float
    confidence: float
    scores: list[EvalScore]
    comparisons: list[EvalComparison]
    chosen_size: str | None
    notes: list[str]


class QualityStep(_Model):
    """One step up the ladder: quality gained (prior or measured) vs cost multiple (computed)."""

    from_size: str
    to_size: str
    article_gain_pct: Band | None = None         # the article's generic prior, never a prediction
    article_cost_multiple: Band | None = None
    computed_cost_multiple: float | None = None
    measured_gain_points: float | None = None    # the user's own scores, when both sizes measured
    #: why ``computed_cost_multiple`` is below 1.0 (the larger class's costed model fits the workload better)
    cost_note: str = ""
    #: "computed only": the article publishes no prior for this step (below 7B, or a skipped rung)
    basis: Literal["article prior", "your evaluation", "computed only"]


class ArticleFigure(_Model):
    """The article's figure beside the computed one, with the reason they differ."""

    topic: str
    article: str
    computed: str
    ratio: float | None = None        # computed / article midpoint, when both are numbers
    reason: str
    check: str = ""                   # seed-consistency entry, e.g. 'C03'


class Assumption(_Model):
    name: str
    value: str
    source: str
    as_of: str


class TraceRow(_Model):
    """One decision table's outcome, with the rule location (file:line)."""

    table: str
    rule: str
    location: str
    matched: bool
    detail: str = ""


class ApiRow(_Model):
    """One serverless API's price for a model of the recommended class, and this workload's bill there."""

    provider: str
    model: str
    usd_per_million_input: float
    usd_per_million_output: float
    monthly_usd: float
    source: str
    as_of: str


class Recommendation(_Model):
    """The whole report document. JSON output = ``model_dump(mode="json")``, keys sorted."""

    schema_version: int = SCHEMA_VERSION
    title: str
    generated_on: str                 # YYYY-MM-DD, injectable; the only date in the document
    answers: list[AnswerRow]
    volume: Volume
    recommendation: Decision
    test_plan: TestPlan
    optimizations: Optimizations
    inflection_points: list[InflectionPoint] = Field(default_factory=list)
    crossover: Crossover | None = None
    sensitivity: list[SensitivityRow] = Field(default_factory=list)
    evaluations: Evaluations | None = None
    quality_steps: list[QualityStep] = Field(default_factory=list)
    article_comparison: list[ArticleFigure] = Field(default_factory=list)
    assumptions: list[Assumption] = Field(default_factory=list)
    trace: list[TraceRow] = Field(default_factory=list)
    #: the same workload on the cheapest APIs serving a model of the recommended class (issue 13)
    api_comparison: list[ApiRow] = Field(default_factory=list)
    api_break_even_tokens_per_day: float | None = None
    api_conclusion: str | None = None
    #: the rules allow an API at this volume (rules/step3_volume.yaml api_alternative) and one is cheaper
    api_recommended: bool = False
    #: buy or rent, as a conclusion (owned vs rented monthly, the break-even utilisation and the payback)
    buy_vs_rent: str | None = None
    buy_vs_rent_break_even_utilisation: float | None = None
    buy_vs_rent_payback_months: float | None = None
    notes: list[str] = Field(default_factory=list)   # what the pipeline assumed or could not do
    #: the model the team planned (answers.planned_model), priced as itself on the same workload, hardware
    #: pool and latency targets; ``size`` is its catalog size class, ``model`` its resolved id. None = none named
    planned_model: Candidate | None = None
    #: that comparison in one sentence (the executive summary's "Your planned model")
    planned_model_conclusion: str | None = None
    #: which evidence decided the starting size (the rules' ``size_basis``: measured, both_steps, step1, step2)
    size_basis: str | None = None

    # convenience accessors (not serialised)
    @property
    def start_size(self) -> str:
        return self.recommendation.start_size

    @property
    def candidates(self) -> list[Candidate]:
        return self.recommendation.candidates

    def candidate(self, size: str) -> Candidate | None:
        return next((c for c in self.recommendation.candidates if c.size == size), None)
