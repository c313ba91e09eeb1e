"""The compiled snapshot (engine/data/compiled.json) is current, faithful, and never served stale.

Why these tests matter: the engine replays the snapshot instead of parsing and
validating the YAML catalogs (cold start of ``sizewise estimate``). If the
snapshot drifted from the YAML, or the runtime dataclasses from the pydantic
schema, users would silently get other numbers than the files say.
"""

from __future__ import annotations

import dataclasses
import shutil

import pytest
import yaml

from engine import catalog, catalog_schema, snapshot, specs
from engine.article import _check_article
from engine.calibration import _parse_profiles
from engine.defaults import _parse_assumptions


def test_snapshot_file_is_current():
    expected = snapshot.render(snapshot.build())
    assert snapshot.SNAPSHOT_FILE.read_text(encoding="utf-8") == expected, (
        "engine/data/compiled.json is stale: run `python -m engine.snapshot` and commit it")


def test_check_mode_reports_current(capsys):
    assert snapshot.main(["--check"]) == 0
    assert "is current" in capsys.readouterr().out


def test_every_packaged_file_is_served_from_the_snapshot():
    for name in snapshot.SOURCES:
        assert snapshot.section(name) is not None, name


def test_replayed_catalogs_equal_the_validated_yaml():
    assert catalog.load_gpus() == catalog_schema.load_gpu_file(catalog.GPUS_FILE)
    assert catalog.load_models() == catalog_schema.load_model_file(catalog.MODELS_FILE)
    assert catalog.load_runtime_overhead() == catalog_schema.load_runtime_overhead_block(catalog.GPUS_FILE)
    assert list(catalog.load_gpus()) == [g.id.lower() for g in catalog_schema.load_gpu_file(catalog.GPUS_FILE).values()]


@pytest.mark.parametrize("name, parse", [
    ("assumptions.yaml", _parse_assumptions),
    ("efficiency.yaml", _parse_profiles),
    ("article.yaml", _check_article),
])
def test_replayed_documents_parse_like_the_yaml(name, parse):
    raw = yaml.safe_load((snapshot.DATA_DIR / name).read_text(encoding="utf-8"))
    assert parse(snapshot.section(name)) == parse(raw)


PAIRS = [
    (catalog_schema.ProvenanceEntry, specs.Provenance),
    (catalog_schema.InterconnectEntry, specs.Interconnect),
    (catalog_schema.GpuEntry, specs.GpuSpec),
    (catalog_schema.RuntimeOverheadEntry, specs.RuntimeOverheadSpec),
    (catalog_schema.MoeEntry, specs.MoeSpec),
    (catalog_schema.MlaEntry, specs.MlaSpec),
    (catalog_schema.ModelEntry, specs.ModelSpec),
]


@pytest.mark.parametrize("schema, runtime", PAIRS, ids=[r.__name__ for _, r in PAIRS])
def test_runtime_types_mirror_the_schema(schema, runtime):
    fields = {f.name: f for f in dataclasses.fields(runtime)}
    assert list(fields) == list(schema.model_fields)
    for name, info in schema.model_fields.items():
        f = fields[name]
        if info.is_required():
            assert f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING, name
        else:
            assert f.default == info.default, name


@pytest.fixture
def private_data(tmp_path, monkeypatch):
    """A copy of engine/data the snapshot module reads instead of the real one (caches cleared)."""
    data = tmp_path / "data"
    shutil.copytree(snapshot.DATA_DIR, data)
    monkeypatch.setattr(snapshot, "DATA_DIR", data)
    monkeypatch.setattr(snapshot, "SNAPSHOT_FILE", data / "compiled.json")
    snapshot._snapshot.cache_clear()
    yield data
    snapshot._snapshot.cache_clear()


def test_an_edited_yaml_is_never_served_from_the_snapshot(private_data):
    gpus = private_data / "gpus.yaml"
    gpus.write_text(gpus.read_text(encoding="utf-8").replace("989", "990", 1), encoding="utf-8")
    assert snapshot.section("gpus.yaml") is None
    assert snapshot.section("models.yaml") is not None  # only the edited file falls back


@pytest.mark.parametrize("content", [b"", b"{not json", b'{"format": 999, "files": {}}', b"[1, 2]"])
def test_a_broken_snapshot_is_ignored(private_data, content):
    (private_data / "compiled.json").write_bytes(content)
    assert snapshot.section("gpus.yaml") is None


def test_a_missing_snapshot_is_ignored(private_data):
    (private_data / "compiled.json").unlink()
    assert snapshot.section("models.yaml") is None


def test_without_a_snapshot_the_catalogs_come_from_the_yaml(monkeypatch):
    """The fallback route (snapshot stale) gives the same specs as the snapshot route."""
    replayed = (catalog.load_gpus(), catalog.load_models(), catalog.load_runtime_overhead())
    monkeypatch.setattr(snapshot, "section", lambda name: None)
    for cached in (catalog.load_gpus, catalog.load_models, catalog.load_runtime_overhead):
        cached.cache_clear()
    try:
        assert (catalog.load_gpus(), catalog.load_models(), catalog.load_runtime_overhead()) == replayed
    finally:
        for cached in (catalog.load_gpus, catalog.load_models, catalog.load_runtime_overhead):
            cached.cache_clear()


def test_snapshot_build_refuses_an_invalid_catalog(private_data, monkeypatch):
    monkeypatch.setattr(snapshot, "DATA_DIR", private_data)
    gpus = private_data / "gpus.yaml"
    gpus.write_text(gpus.read_text(encoding="utf-8").replace("tdp_w: 700", "tdp_w: -700", 1), encoding="utf-8")
    assert snapshot.main(["--check"]) == 2


def test_replayed_offers_equal_the_validated_yaml():
    from engine import offers, offers_schema

    assert list(offers.load_offers()) == offers_schema.load_offer_file(offers.OFFERS_FILE)


def test_offer_runtime_type_mirrors_the_schema():
    from engine.offer_specs import Offer
    from engine.offers_schema import OfferEntry

    assert [f.name for f in dataclasses.fields(Offer)] == list(OfferEntry.model_fields)
