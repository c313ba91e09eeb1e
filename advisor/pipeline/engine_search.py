"""The candidate search's adapter over the engine (``engine.sweep.sweep``), with the engine facts the stages need.

Why an adapter: the pipeline (advisor/pipeline/) needs, per size, every
deployment that fits with *both* its cloud and its owned cost, its memory
footprint and its calibration band, plus a few engine facts (parameter counts,
weight bytes, distillation cost, the assumptions with their sources). The
engine's fast ``sweep`` prices one deployment mode; this module runs it once
and derives the other mode and the band from the same fleet, so the candidate
chosen for "owned" and the one for "cloud" come from one consistent search.

Batch workloads have no latency target: the engine is given targets no
deployment can miss, so it runs at the largest batch the KV cache allows.
"""

from __future__ import annotations


#: precisions the search considers (fp16 = bf16 in size and speed; fp32 is never cheaper)
SEARCH_PRECISIONS = ("bf16", "fp8", "int8", "int4")
#: "no latency limit" for batch work (seconds, milliseconds)
_NO_LIMIT_TTFT_S = 1e9
_NO_LIMIT_TPOT_MS = 1e12


class Config:
    """One deployment that fits, with both ways of paying for it.

    A thin view over the engine's ``Candidate`` (no copying: the sweep returns
    hundreds per size). The band and the memory footprint are computed on first
    use only (the pipeline needs them for a handful of chosen configurations).
    """

    __slots__ = ("_c", "owned_monthly_usd", "meets_latency", "_ctx", "_details", "cloud_fit", "owned_fit",
                 "replicas_added")

    def __init__(self, cand, owned_monthly_usd: float, meets_latency: bool, ctx, cloud_fit=None, owned_fit=None,
                 replicas_added: int = 0):
        self._c = cand
        self.owned_monthly_usd = owned_monthly_usd
        self.meets_latency = meets_latency
        self._ctx = ctx  # (spec, gpu_by_id, demand, band, tokens per month in/out, lazy details fn)
        self._details = None
        #: engine.offer_fit.OfferFit of the rented / owned offer this fleet is priced on (None = per-GPU catalog price)
        self.cloud_fit = cloud_fit
        self.owned_fit = owned_fit
        #: replicas added to the fleet the demand needs, for availability (advisor/pipeline/hardware.py)
        self.replicas_added = replicas_added

    def fit(self, mode: str):
        """The offer the fleet is priced on in ``mode`` (``cloud`` | ``owned``), or None."""
        return self.owned_fit if mode == "owned" else self.cloud_fit

    # engine figures
    model = property(lambda self: self._c.model_id)
    gpu = property(lambda self: self._c.gpu_id)
    precision = property(lambda self: self._c.precision)
    kv_precision = property(lambda self: self._c.kv_precision)
    gpus_per_replica = property(lambda self: self._c.gpus_per_replica)
    regime = property(lambda self: self._c.regime)
    replicas = property(lambda self: self._c.replicas)
    total_gpus = property(lambda self: self._c.total_gpus)
    concurrency = property(lambda self: self._c.concurrency)
    ttft_s = property(lambda self: self._c.ttft_s)
    tpot_ms = property(lambda self: self._c.tpot_ms)
    cloud_monthly_usd = property(lambda self: self._c.monthly_usd)
    fleet_utilisation = property(lambda self: self._c.fleet_utilisation)
    weights_gb = property(lambda self: self._c.weights_gb)
    gpu_name = property(lambda self: self._ctx["gpus"][self._c.gpu_id].name)
    output_tokens_per_month = property(lambda self: self._ctx["out_month"])
    input_tokens_per_month = property(lambda self: self._ctx["in_month"])

    def monthly(self, mode: str) -> float:
        return self.owned_monthly_usd if mode == "owned" else self._c.monthly_usd

    def _d(self) -> dict:
        if self._details is None:
            self._details = self._ctx["details"](self)
        return self._details

    @property
    def band_low_x(self) -> float:
        """Monthly cost multiplier at the optimistic end of the calibration band."""
        return self._d()["band_low_x"]

    @property
    def band_high_x(self) -> float:
        """... and at the pessimistic end."""
        return self._d()["band_high_x"]

    @property
    def memory_gb(self) -> float:
        """Weights + KV of the sequences in flight + runtime, one replica (GB)."""
        return self._d()["memory_gb"]

    @property
    def regime_reason(self) -> str:
        return self._d()["regime_reason"]

    @property
    def calibration_gaps(self) -> list[str]:
        """Why this estimate extrapolates beyond the calibration points (empty = inside them)."""
        return self._d()["calibration_gaps"]


class EngineSearch:
    """Search adapter; ``overrides`` is an ``engine.overrides.Overrides`` (prices, utilisation, power)."""

    def __init__(self, overrides=None):
        from engine.defaults import load_assumptions

        self.overrides = overrides
        self._known_gpus: dict = {}
        self.base_assumptions = load_assumptions()
        self.prices: dict = {}
        self.purchase: dict = {}
        if overrides is not None:
            from engine.catalog import load_gpus

            self.base_assumptions = overrides.apply(self.base_assumptions)
            self.prices = dict(overrides.usd_per_gpu_hour)
            self.purchase = dict(overrides.purchase_usd)
            overrides.check_gpu_ids(sorted(load_gpus()))

    # ------------------------------------------------------------------ search
    def assumptions_for(self, peak_to_average: float | None):
        a = self.base_assumptions
        if peak_to_average is not None and (self.overrides is None or self.overrides.peak_to_average is None):
            a = a.replace(peak_to_average=float(peak_to_average))
            a.sources["peak_to_average"] = "your answer (peak_to_average)"
        return a

    def search(self, model: str, *, requests_per_day, input_tokens, output_tokens, peak_to_average,
               ttft_target_s, tpot_target_ms, gpus, precisions, deployment, serving_engine=None,
               hardware=None) -> list[Config]:
        """Every fitting configuration of ``model``; ``hardware`` (an advisor.pipeline.hardware.HardwarePool)
        prices each on the cheapest offer that holds it and drops those no offer holds (None = per-GPU prices)."""
        from engine.catalog import load_gpus, resolve_gpu, resolve_model
        from engine.sweep import sweep

        a = self.assumptions_for(peak_to_average)
        batch = ttft_target_s is None and tpot_target_ms is None
        gpu_specs = [g if not isinstance(g, str) else resolve_gpu(g) for g in gpus] if gpus else list(load_gpus().values())
        for g in gpu_specs:  # a team's own GpuSpec (not in the catalog) stays resolvable for the assumptions table
            self._known_gpus.setdefault(g.id, g)
        spec = resolve_model(model)
        cands = sweep(
            [spec],
            gpu_specs,
            list(precisions or SEARCH_PRECISIONS),
            requests_per_day=requests_per_day,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            deployment="cloud",
            ttft_target_s=_NO_LIMIT_TTFT_S if batch else ttft_target_s,
            tpot_target_ms=_NO_LIMIT_TPOT_MS if batch else tpot_target_ms,
            assumptions=a,
            prices=self.prices,
            purchase=self.purchase,
            serving_engine=serving_engine,
        )
        return self._wrap(cands, spec, {g.id: g for g in gpu_specs}, a, requests_per_day, input_tokens, output_tokens, batch,
                          serving_engine, hardware)

    def rescaled(self, configs: list[Config], volume: float) -> list[Config]:
        """The same configurations at ``volume`` x the demand, without re-running the engine.

        Exact: a replica's throughput and latency do not depend on how many
        requests arrive per day; only the fleet does (replicas = ceil(peak /
        usable capacity), utilisation, hence cloud and owned cost). This is the
        arithmetic of ``engine.evaluate.evaluate_config`` (engine/fleet.py,
        engine/cost.py) applied to each configuration's replica throughput;
        a test checks it against a fresh search.
        """
        from engine.fleet import Demand, size_fleet

        if not configs:
            return []
        ctx = configs[0]._ctx
        a = ctx["a"]
        rpd = ctx["requests_per_day"] * volume
        demand = Demand(rpd, ctx["input_tokens"], ctx["output_tokens"], a.peak_to_average, a.target_utilisation)
        cands = []
        for cfg in configs:
            c = cfg._c
            fl = size_fleet(demand, c.output_tokens_per_s, c.gpus_per_replica)
            total = fl.replicas * c.gpus_per_replica
            monthly = total * c.usd_per_gpu_hour * a.hours_per_month
            out_m, in_m = fl.output_tokens_per_month, fl.input_tokens_per_month
            cands.append(c._replace(
                replicas=fl.replicas, total_gpus=total, monthly_usd=monthly, annual_usd=monthly * 12.0,
                usd_per_million_output_tokens=monthly / out_m * 1e6 if out_m > 0 else float("inf"),
                usd_per_million_total_tokens=monthly / (out_m + in_m) * 1e6 if out_m > 0 else float("inf"),
                fleet_utilisation=fl.fleet_utilisation,
            ))
        return self._wrap(cands, ctx["spec"], ctx["gpus"], a, rpd, ctx["input_tokens"], ctx["output_tokens"], ctx["batch"],
                          ctx["serving_engine"], ctx["hardware"])

    def _wrap(self, cands, spec, gpu_by_id, a, requests_per_day, input_tokens, output_tokens, batch,
              serving_engine=None, hardware=None) -> list[Config]:
        from engine import cost as costm
        from engine.calibration import load_calibration, model_coverage_gaps
        from engine.layout import layout_for
        from engine.fleet import DAYS_PER_MONTH, Demand, size_fleet
        from engine.memory import kv_bytes

        band = load_calibration(serving_engine).band
        demand = Demand(requests_per_day, input_tokens, output_tokens, a.peak_to_average, a.target_utilisation)
        days = DAYS_PER_MONTH
        out_month = requests_per_day * days * output_tokens
        in_month = requests_per_day * days * input_tokens
        owned_fixed: dict[str, tuple] = {}

        def details(c: Config) -> dict:
            gpu = gpu_by_id[c.gpu]
            tps = c._c.output_tokens_per_s
            floor = hardware.min_replicas if hardware is not None else 1  # the availability spare stays in the band
            reps_fast = max(floor, size_fleet(demand, tps * band.ratio_p90, c.gpus_per_replica).replicas)
            reps_slow = max(floor, size_fleet(demand, tps * band.ratio_p10, c.gpus_per_replica).replicas)
            lay = layout_for(spec, gpu, c.precision, c.kv_precision, c.gpus_per_replica)
            kv = kv_bytes(spec, c.kv_precision, input_tokens + output_tokens, c.concurrency)
            return {
                "band_low_x": reps_fast / c.replicas,
                "band_high_x": reps_slow / c.replicas,
                "memory_gb": c.weights_gb + (kv + lay.overhead_bytes_per_gpu * c.gpus_per_replica) / 1e9,
                "regime_reason": lay.regime_reason,
                "calibration_gaps": model_coverage_gaps(
                    spec, gpu_id=c.gpu, precision=c.precision, kv_precision=c.kv_precision, tp=c._c.tp, pp=c._c.pp,
                    tokens_per_sequence=input_tokens + output_tokens, serving_engine=serving_engine),
            }

        ctx = {
            "gpus": gpu_by_id, "out_month": out_month, "in_month": in_month, "details": details, "spec": spec, "a": a,
            "requests_per_day": requests_per_day, "input_tokens": input_tokens, "output_tokens": output_tokens,
            "batch": batch, "serving_engine": serving_engine, "hardware": hardware,
        }
        out = []
        for c in cands:
            fits = None
            if hardware is not None:
                from advisor.pipeline.hardware import priced

                fits = priced(hardware, c, gpu_by_id[c.gpu_id], a, self.prices, self.purchase)
                if fits is None:
                    continue
                c = fits[0]
            fo = owned_fixed.get(c.gpu_id)
            if fo is None:
                gpu = gpu_by_id[c.gpu_id]
                purchase = self.purchase.get(gpu.id, gpu.purchase_usd)
                fixed = purchase / (a.amortisation_years * 12.0) + a.hosting_usd_per_gpu_month
                power_full = costm.power_monthly_usd(gpu.tdp_w, 1.0, a.host_power_factor, a.pue, a.usd_per_kwh, a.hours_per_month)
                fo = owned_fixed[c.gpu_id] = (fixed, power_full)
            # owned = amortisation + hosting + power at the fleet's utilisation (engine/cost.py's formula, linear in u)
            owned = c.total_gpus * (fo[0] + fo[1] * c.fleet_utilisation)
            if fits is None:
                out.append(Config(c, owned, True if batch else c.meets_latency, ctx))
                continue
            _, cloud_fit, owned_fit, added = fits
            out.append(Config(c, owned_fit.monthly_usd if owned_fit else owned, True if batch else c.meets_latency, ctx,
                              cloud_fit, owned_fit, added))
        return out

    # ------------------------------------------------------------------ engine facts
    def model_info(self, model: str) -> dict:
        from engine.catalog import resolve_model
        from engine.params import param_counts

        spec = resolve_model(model)
        pc = param_counts(spec)
        return {"id": spec.id, "total_params_b": pc.total / 1e9, "active_params_b": pc.active / 1e9}

    def weights_gb(self, model: str, precision: str) -> float:
        from engine.catalog import resolve_model
        from engine.memory import weight_bytes

        return weight_bytes(resolve_model(model), precision) / 1e9

    def fits_single(self, model: str, gpu_id: str, precision: str) -> tuple[float, float, bool] | None:
        """(weights GB, GPU capacity GB, whether the weights alone fit one GPU)."""
        from engine.catalog import resolve_gpu
        from engine.units import GIB

        need = self.weights_gb(model, precision)
        gpu = resolve_gpu(gpu_id)
        have = gpu.capacity_gib * GIB / 1e9
        return need, have, need < have

    def distillation_upfront_usd(self, student: str) -> tuple[float, str]:
        """One-off cost of distilling/fine-tuning a ``student``: 6·N·D compute + the article's non-compute lines.

        Compute: 6 x params x tokens on A100-80GB at the calibrated MFU and its catalog
        price; tokens, data work, experimentation multiple and infrastructure come
        from advisor/pipeline/data/distillation.yaml (sourced there).
        """
        from engine.calibration import load_calibration
        from engine.catalog import resolve_gpu
        from engine.optimizations import training_cost, training_total_usd

        d = _distillation_defaults()
        info = self.model_info(student)
        gpu = resolve_gpu(d["gpu"])
        price = self.prices.get(gpu.id, gpu.cloud_usd_per_gpu_hour)
        mfu = load_calibration().efficiency.mfu
        tc = training_cost(info["total_params_b"] * 1e9, d["tokens"], gpu.bf16_dense_tflops * 1e12, mfu, price)
        total = training_total_usd(tc.compute_usd, d["data_usd"], d["experimentation_x"], d["infrastructure_usd"])
        basis = (
            f"{tc.gpu_hours:,.0f} {gpu.name} GPU-hours for {d['tokens'] / 1e9:g}B tokens (6·N·D at {mfu:.0%} MFU, "
            f"${price:.2f}/h) x {1 + d['experimentation_x']:g} with experiments, + ${d['data_usd']:,.0f} data work "
            f"+ ${d['infrastructure_usd']:,.0f} infrastructure"
        )
        return total, basis

    # ------------------------------------------------------------------ assumptions
    def assumption_rows(self, *, peak_to_average: float | None, serving_engine: str | None = None):
        from advisor.recommendation import Assumption

        a = self.assumptions_for(peak_to_average)
        fmt = {
            "target_utilisation": lambda v: f"{v:.0%} of a replica's capacity at peak",
            "peak_to_average": lambda v: f"{v:g}x",
            "prefix_cache_hit_rate": lambda v: f"{v:.0%}",
            "hours_per_month": lambda v: f"{v:g} h",
            "amortisation_years": lambda v: f"{v:g} years",
            "usd_per_kwh": lambda v: f"${v:.2f}/kWh",
            "pue": lambda v: f"{v:g}",
            "host_power_factor": lambda v: f"{v:g}x GPU board power",
            "hosting_usd_per_gpu_month": lambda v: f"${v:,.0f} per GPU-month",
        }
        rows = []
        for name, f in fmt.items():
            src = a.sources.get(name, "")
            mine = src == "user override" or src.startswith("your answer")
            rows.append(Assumption(name=name, value=f(getattr(a, name)), source=src, as_of="" if mine else a.as_of))
        from engine.calibration import load_calibration

        cal = load_calibration(serving_engine)
        rows.append(
            Assumption(
                name=f"serving engine {cal.profile}: efficiency (MFU / MBU)",
                value=f"{cal.efficiency.mfu:.0%} / {cal.efficiency.mbu:.0%}; band {cal.band.ratio_p10:.2f}-{cal.band.ratio_p90:.2f}x measured/predicted",
                source=cal.source,
                as_of=cal.as_of,
            )
        )
        d = _distillation_defaults()
        rows.append(
            Assumption(
                name="distillation / fine-tune",
                value=f"{d['tokens'] / 1e9:g}B tokens on {d['gpu']}, data ${d['data_usd']:,.0f}, experiments x{d['experimentation_x']:g}, infrastructure ${d['infrastructure_usd']:,.0f}",
                source=d["source"],
                as_of=d["as_of"],
            )
        )
        return rows

    def gpu_price_rows(self, gpu_ids):
        from advisor.recommendation import Assumption
        from engine.catalog import resolve_gpu

        rows = []
        for gid in gpu_ids:
            g = self._known_gpus.get(gid) or resolve_gpu(gid)
            cp = g.provenance.get("cloud_usd_per_gpu_hour")
            pp = g.provenance.get("purchase_usd")
            price = self.prices.get(gid)
            rows.append(
                Assumption(
                    name=f"{g.name} cloud price",
                    value=f"${price if price is not None else g.cloud_usd_per_gpu_hour:.2f} per GPU-hour",
                    source="your overrides file" if price is not None else (cp.source if cp else ""),
                    as_of="" if price is not None else (cp.as_of if cp else ""),
                )
            )
            buy = self.purchase.get(gid)
            rows.append(
                Assumption(
                    name=f"{g.name} purchase price",
                    value=f"${buy if buy is not None else g.purchase_usd:,.0f} per GPU",
                    source="your overrides file" if buy is not None else (pp.source if pp else ""),
                    as_of="" if buy is not None else (pp.as_of if pp else ""),
                )
            )
            tp = g.provenance.get("tdp_w")
            rows.append(Assumption(name=f"{g.name} power", value=f"{g.tdp_w:g} W board power", source=tp.source if tp else "", as_of=tp.as_of if tp else ""))
        return rows


def _distillation_defaults() -> dict:
    import yaml
    from importlib import resources

    global _DISTILL
    if _DISTILL is None:
        text = resources.files("advisor.pipeline").joinpath("data/distillation.yaml").read_text(encoding="utf-8")
        raw = yaml.safe_load(text)
        _DISTILL = {k: (v["value"] if isinstance(v, dict) and "value" in v else v) for k, v in raw.items()}
        _DISTILL["tokens"] = float(_DISTILL["tokens"])
    return _DISTILL


_DISTILL: dict | None = None
