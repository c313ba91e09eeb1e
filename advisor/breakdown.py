"""A candidate's breakdown for the Result screen: memory, throughput and cost, as ``sizewise estimate`` gives them.

Why through the estimate: the wizard must never show figures the command line
would not; so the breakdown is :func:`engine.estimate.estimate` run on the
candidate's configuration (the model the class is costed by, GPU, GPUs per
replica, precision: the generic shape of the class would give another model's figures) and
the team's workload, and it prints the equivalent ``sizewise estimate`` command.
The offer, instances and $/M tokens are the recommendation's own (the priced
offer is chosen by the search, which the estimate does not repeat). Plain data,
no Textual.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from advisor.report.format import plural

#: answers that are estimate options of the same meaning (answer id -> EstimateRequest field, CLI flag)
_WORKLOAD = (("input_tokens", "input_tokens", "--input-tokens"), ("output_tokens", "output_tokens", "--output-tokens"),
             ("requests_per_day", "requests_per_day", "--requests-per-day"),
             ("peak_to_average", "peak_to_average", "--peak-to-average"),
             ("ttft_target_s", "ttft_target_s", "--ttft-target"), ("tpot_target_ms", "tpot_target_ms", "--tpot-target"),
             ("serving_engine", "serving_engine", "--serving-engine"))


@dataclass(frozen=True)
class Breakdown:
    title: str
    command: str
    memory: tuple[str, ...]
    throughput: tuple[str, ...]
    cost: tuple[str, ...]


def _g(x: Any, nd: int = 2) -> str:
    return "-" if x is None else (f"{x:,.0f}" if isinstance(x, float) and abs(x) >= 1000 else f"{x:,.{nd}f}" if isinstance(x, float) else f"{x:,}")


def candidate_breakdown(candidate: Any, values: dict[str, Any]) -> Breakdown | None:
    """``candidate`` (advisor.recommendation.Candidate) with the validated answer ``values``; None when it does not fit."""
    if not candidate.fits or not candidate.gpu:
        return None
    from engine.estimate import estimate
    from engine.request import EstimateRequest

    # the costed model (Llama-3.1-8B for 7B), not the class: a 1-3B rung has no generic shape at all
    model = candidate.costed_model or candidate.model
    fields: dict[str, Any] = {"model": model, "gpu": candidate.gpu, "gpus": candidate.gpus_per_replica,
                              "precision": candidate.precision, "kv_precision": candidate.kv_precision,
                              "deployment": "owned" if values.get("deployment") == "owned" else "cloud"}
    flags = [f"--model {model}", f"--gpu {candidate.gpu}", f"--gpus {candidate.gpus_per_replica}",
             f"--precision {candidate.precision}"]
    if candidate.kv_precision:
        flags.append(f"--kv-precision {candidate.kv_precision}")
    if candidate.concurrency_per_replica:
        # the batch the search sized the fleet at: the estimate's own default (the most sequences that
        # meet latency) can differ, and then its replica count would not be the recommendation's
        fields["concurrency"] = candidate.concurrency_per_replica
        flags.append(f"--concurrency {candidate.concurrency_per_replica}")
    for qid, field, flag in _WORKLOAD:
        v = values.get(qid)
        if v is not None:
            fields[field] = int(v) if field.endswith("_tokens") else v
            flags.append(f"{flag} {v:g}" if isinstance(v, float) else f"{flag} {v}")
    if fields["deployment"] == "owned":
        flags.append("--deployment owned")
    e = estimate(EstimateRequest(**fields)).as_dict()
    m, p, c, d = e["memory"], e["performance"], e["cost"], e["deployment"]
    memory = (f"weights      {_g(m['weights_gb'])} GB", f"KV cache     {_g(m['kv_cache_gb'])} GB "
              f"({_g(m['kv_tokens_per_sequence'])} tokens/sequence)", f"overhead     {_g(m['overhead_gb'])} GB",
              f"total        {_g(m['total_gb'])} GB of {_g(m['capacity_gb'])} GB per replica")
    throughput = (f"prefill      {_g(p['prefill_s'], 3)} s (TTFT {_g(p['ttft_s'], 3)} s)",
                  f"decode       {_g(p['decode_step_ms'])} ms/step (TPOT {_g(p['tpot_ms'])} ms)",
                  f"concurrency  {p['concurrency']} of max {p['max_concurrency']} per replica",
                  f"output       {_g(p['output_tokens_per_s'], 1)} tokens/s per replica",
                  f"layout       {d['gpus_per_replica']} GPU(s)/replica, TP {d['tensor_parallel']} x PP {d['pipeline_parallel']}")
    cost = (f"offer        {candidate.hardware_label or candidate.gpu_name or candidate.gpu}",
            f"instances    {plural(candidate.replicas, 'replica')}, {candidate.total_gpus} GPUs used"
            + (f", {candidate.gpus_paid} paid" if candidate.gpus_paid else ""),
            f"$/M tokens   {_g(candidate.usd_per_million_output_tokens, 3)} output, "
            f"{_g(candidate.usd_per_million_total_tokens, 3)} total",
            f"monthly      ${_g(candidate.monthly_usd)} (estimate on the catalog price: ${_g(c['monthly_usd'])})")
    named = f" ({model})" if model.lower() != candidate.size.lower() else ""
    return Breakdown(title=f"{candidate.size.upper()}{named} on {candidate.gpu_name or candidate.gpu}",
                     command="sizewise estimate " + " ".join(flags), memory=memory, throughput=throughput, cost=cost)
