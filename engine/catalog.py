"""GPU and model catalogs: load the shipped ones, resolve ids and aliases.

Why data files: every spec and price must carry its ``source`` and ``as_of``
date so a user (or a reviewer) can check it, and a team can add a GPU or a
model without touching code. The files (engine/data/gpus.yaml, models.yaml)
are validated by the pydantic models of engine/catalog_schema.py.

Why this module imports neither pydantic nor PyYAML: the specs are the plain
frozen dataclasses of engine/specs.py, and the shipped catalogs are replayed
from the validated snapshot engine/data/compiled.json whenever it matches the
YAML bytes (engine/snapshot.py); only when it does not (a catalog edited in
place) are the YAML files parsed and validated here and now. Both routes give
equal specs (tests/engine/test_snapshot.py). This keeps ``sizewise estimate``'s
cold start small.

The specs expose plain numbers as attributes (``gpu.memory_gib``,
``model.num_layers``) so the hot path reads floats, never provenance.
Provenance is kept beside them: ``GpuSpec.provenance`` maps each field to its
:class:`Provenance`; ``ModelSpec.provenance`` is the architecture's source and
``ModelSpec.params_provenance`` the published parameter count's. Loads are
cached (:func:`functools.cache`), so resolving ids repeatedly costs a dict lookup.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from engine import snapshot
from engine.errors import UnknownIdError
from engine.specs import (  # noqa: F401 - re-exported: the catalog's types
    GPU_SOURCED_FIELDS, SIZE_CLASSES, GpuSpec, Interconnect, MlaSpec, ModelSpec, MoeSpec, Provenance,
    RuntimeOverheadSpec, gpu_from_dict, model_from_dict, runtime_overhead_from_dict,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
GPUS_FILE = DATA_DIR / "gpus.yaml"
MODELS_FILE = DATA_DIR / "models.yaml"


def __getattr__(name: str) -> Any:
    """``load_gpu_file`` / ``load_model_file`` validate any catalog file; they need pydantic, so load it on use."""
    if name in ("load_gpu_file", "load_model_file"):
        from engine import catalog_schema

        return getattr(catalog_schema, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --------------------------------------------------------------------------- loading the shipped catalogs
@functools.cache
def _shipped_gpu_document() -> Any:
    """gpus.yaml parsed once (the snapshot was stale): both the GPU entries and the runtime-overhead block live in it."""
    from engine.catalog_schema import read_yaml

    return read_yaml(GPUS_FILE)


@functools.cache
def load_gpus() -> dict[str, GpuSpec]:
    """The shipped GPU catalog, keyed by lower-case id, in file order. Cached."""
    compiled = snapshot.section(GPUS_FILE.name)
    if compiled is not None:
        return {g.id.lower(): g for g in map(gpu_from_dict, compiled["gpus"])}
    from engine.catalog_schema import load_gpu_file

    return load_gpu_file(GPUS_FILE, document=_shipped_gpu_document())


@functools.cache
def load_runtime_overhead() -> RuntimeOverheadSpec:
    """The runtime-overhead assumptions shipped in gpus.yaml (``runtime_overhead:``). Cached."""
    compiled = snapshot.section(GPUS_FILE.name)
    if compiled is not None:
        return runtime_overhead_from_dict(compiled["runtime_overhead"])
    from engine.catalog_schema import load_runtime_overhead_block

    return load_runtime_overhead_block(GPUS_FILE, document=_shipped_gpu_document())


@functools.cache
def load_models() -> dict[str, ModelSpec]:
    """The shipped model catalog, keyed by lower-case canonical id, in file order. Cached."""
    compiled = snapshot.section(MODELS_FILE.name)
    if compiled is not None:
        return {m.id.lower(): m for m in map(model_from_dict, compiled["models"])}
    from engine.catalog_schema import load_model_file

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
    """Every accepted spelling (id, name, aliases, each also without its org; normalised) -> canonical key."""
    index: dict[str, str] = {}
    for key, spec in load_models().items():
        names = [spec.id, spec.name, *spec.aliases]
        names += [name.split("/", 1)[1] for name in names if "/" in name]   # the org prefix is optional
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
    index = _gpu_index()
    key = index.get(str(gpu_id).strip().lower())
    if key is None:
        canonical = {spelling: gpus[k].id for spelling, k in index.items()}
        raise UnknownIdError("gpu", str(gpu_id), list(index), canonical=canonical)
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
    forms = []
    for candidate in (lowered, normalize_model_key(lowered)):
        forms.append(candidate)
        if candidate in index:
            return models[index[candidate]]
        if "/" in candidate:
            bare = candidate.split("/", 1)[1]
            forms.append(bare)
            if bare in index:
                return models[index[bare]]
    canonical = {spelling: models[key].id for spelling, key in index.items()}
    raise UnknownIdError("model", given, list(index), canonical=canonical, match=forms,
                         examples=_example_models(models))


def _example_models(models: dict[str, ModelSpec], per_org: int = 1, orgs: int = 5) -> list[str]:
    """What an unknown-model message names when nothing is close: every generic class, then
    the first model of each of the first few organisations (variety, not five Llamas)."""
    examples = [m.id for m in models.values() if m.generic]
    seen: dict[str, int] = {}
    for m in models.values():
        org = m.id.split("/", 1)[0] if "/" in m.id else ""
        if m.generic or not org or seen.get(org, 0) >= per_org or (org not in seen and len(seen) >= orgs):
            continue
        seen[org] = seen.get(org, 0) + 1
        examples.append(m.id)
    return examples
