"""Build engine/data/api_prices.yaml: serverless per-token prices of open models, from LiteLLM's price file.

Why a script and a trimmed input in the repository: the prices are a dated snapshot
of a public, MIT-licensed file (BerriAI/litellm ``model_prices_and_context_window.json``),
and a reviewer must be able to regenerate the packaged catalog byte for byte from
what is committed (tests/engine/test_api_prices.py does). Only the rows the catalog
uses are kept (data-sources/litellm/<release>/open_model_prices.json); the full file
is ~3.5 MB of closed models, images and audio.

Usage (from the repository root, venv active):

    python scripts/build_api_prices.py                 # trimmed input -> engine/data/api_prices.yaml
    python scripts/build_api_prices.py --check         # exit 1 if the packaged file is stale
    python scripts/build_api_prices.py --trim FULL.json  # full LiteLLM file -> the trimmed input

A row is kept when its provider is one of PROVIDERS, its mode is ``chat``, it has
both token prices, and its model name resolves to a catalog model (engine.catalog,
after the spelling rules of :func:`catalog_id`); unresolved names (fine-tunes,
distills, newer releases the catalog lacks) are left out.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RELEASE = "v1.110.2"
SOURCE_DIR = ROOT / "data-sources" / "litellm" / RELEASE
TRIMMED = SOURCE_DIR / "open_model_prices.json"
PROVENANCE = SOURCE_DIR / "provenance.json"
OUTPUT = ROOT / "engine" / "data" / "api_prices.yaml"

#: LiteLLM provider key -> the provider name the catalog shows (Bedrock's two APIs are one service)
PROVIDERS = {
    "together_ai": "Together", "fireworks_ai": "Fireworks", "deepinfra": "DeepInfra", "groq": "Groq",
    "bedrock": "Bedrock", "bedrock_converse": "Bedrock", "cerebras": "Cerebras", "sambanova": "SambaNova",
    "nebius": "Nebius", "novita": "Novita", "hyperbolic": "Hyperbolic", "lambda_ai": "Lambda", "nscale": "nscale",
}
_KEPT_FIELDS = ("litellm_provider", "mode", "input_cost_per_token", "output_cost_per_token", "max_input_tokens")
_FAMILIES = re.compile(r"llama|qwen|gemma|mistral|mixtral|phi-?4|gpt-oss|deepseek", re.I)
#: Bedrock lists the same model per region and cross-region profile; the base id is the us-east-1 price
_BEDROCK_REGIONAL = re.compile(r"^(?:bedrock/[a-z0-9-]+/|(?:us|eu|apac|jp|au|ca|us-gov|global)\.)")
#: provider spellings the generic rules below cannot reach -> catalog id or alias
_SPELLINGS = {
    "llama4-scout-instruct-basic": "llama-4-scout", "llama4-maverick-instruct-basic": "llama-4-maverick",
    "llama4-scout-17b": "llama-4-scout", "llama4-maverick-17b": "llama-4-maverick",
    "deepseek-r1-671b": "deepseek-r1", "deepseek-r1-basic": "deepseek-r1", "deepseek.r1": "deepseek-r1",
    "deepseek.v3": "deepseek-v3", "llama-3.3-70b-versatile": "llama-3.3-70b", "llama-3.1-8b-instant": "llama-3.1-8b",
    "qwen-3-32b": "qwen3-32b", "mistral-nemo": "mistral-nemo", "qwen-2.5-72b": "qwen2.5-72b",
}
_SUFFIXES = re.compile(r"(?:-(?:turbo|basic|versatile|hf|fp8|v\d+:0|1:0))+$")   # Bedrock's -v1:0 is an API version


def catalog_id(litellm_key: str) -> str | None:
    """The catalog model a LiteLLM model key names, or None (a name the catalog does not hold)."""
    from engine.catalog import resolve_model
    from engine.errors import UnknownIdError

    raw = litellm_key.split("/")[-1].lower()
    name = re.sub(r"^(?:meta|openai|qwen|google|mistral)\.", "", raw)
    name = re.sub(r"^deepseek\.", "deepseek-", name)              # Bedrock: deepseek.r1-v1:0
    name = _SUFFIXES.sub("", name)
    name = re.sub(r"(?<=\d)p(?=\d)", ".", name)                 # Fireworks: llama-v3p3, qwen2p5
    name = re.sub(r"^llama-v(?=\d)", "llama-", name)
    name = re.sub(r"^llama(\d)-(\d)-", r"llama-\1.\2-", name)     # Bedrock: llama3-3-70b
    name = re.sub(r"^llama(\d)\.(\d)-", r"llama-\1.\2-", name)    # Lambda: llama3.3-70b
    for candidate in (raw, name, _SUFFIXES.sub("", name.replace("-instruct", "")), _SPELLINGS.get(name, "")):
        if not candidate:
            continue
        try:
            return resolve_model(_SPELLINGS.get(candidate, candidate)).id
        except UnknownIdError:
            continue
    return None


def trim(full: dict) -> dict:
    """The rows of the full LiteLLM file this script can use, with only the fields it reads."""
    out = {}
    for key, entry in sorted(full.items()):
        if not isinstance(entry, dict) or entry.get("litellm_provider") not in PROVIDERS:
            continue
        if entry.get("mode") != "chat" or not _FAMILIES.search(key):
            continue
        out[key] = {f: entry[f] for f in _KEPT_FIELDS if f in entry}
    return out


def _usd_per_million(per_token: float) -> float:
    return round(per_token * 1e6, 6)


def rows(trimmed: dict) -> list[dict]:
    """One row per (provider, LiteLLM model) that resolves to a catalog model, sorted."""
    from engine.catalog import resolve_model

    out = []
    for key, entry in trimmed.items():
        provider = entry["litellm_provider"]
        if provider.startswith("bedrock") and _BEDROCK_REGIONAL.match(key):
            continue
        price_in, price_out = entry.get("input_cost_per_token"), entry.get("output_cost_per_token")
        if not price_in or not price_out:
            continue
        model = catalog_id(key)
        if model is None:
            continue
        out.append({
            "provider": PROVIDERS[provider], "model": key, "catalog_model": model,
            "size_class": resolve_model(model).size_class,
            "usd_per_million_input": _usd_per_million(price_in),
            "usd_per_million_output": _usd_per_million(price_out),
            "max_input_tokens": entry.get("max_input_tokens"),
        })
    return sorted(out, key=lambda r: (r["catalog_model"].lower(), r["provider"], r["model"]))


def _scalar(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def render(trimmed: dict, provenance: dict) -> str:
    """The packaged YAML text (hand-written emitter: stable bytes without PyYAML's version quirks)."""
    source = (f"github BerriAI/litellm model_prices_and_context_window.json (MIT), as shipped in litellm "
              f"{provenance['release']} (PyPI wheel sha256 {provenance['wheel_sha256'][:12]}, file sha256 "
              f"{provenance['file_sha256'][:12]}); trimmed copy in data-sources/litellm/{provenance['release']}/")
    lines = [
        "# Serverless per-token API prices of open models. GENERATED by scripts/build_api_prices.py",
        "# from data-sources/litellm/; do not edit by hand (tests/engine/test_api_prices.py regenerates it).",
        "# usd_per_million_* = LiteLLM's per-token price x 1e6; catalog_model = the engine catalog id it serves.",
        "schema_version: 1",
        f"source: {_scalar(source)}",
        f"as_of: {_scalar(provenance['as_of'])}",
        "prices:",
    ]
    for row in rows(trimmed):
        first = True
        for field in ("provider", "model", "catalog_model", "size_class", "usd_per_million_input",
                      "usd_per_million_output", "max_input_tokens"):
            lines.append(f"{'- ' if first else '  '}{field}: {_scalar(row[field])}")
            first = False
    return "\n".join(lines) + "\n"


def build() -> str:
    return render(json.loads(TRIMMED.read_text(encoding="utf-8")), json.loads(PROVENANCE.read_text(encoding="utf-8")))


def main(argv: list[str]) -> int:
    if argv[:1] == ["--trim"] and len(argv) == 2:
        full = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
        TRIMMED.write_text(json.dumps(trim(full), indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {TRIMMED.relative_to(ROOT)}")
        return 0
    text = build()
    if argv == ["--check"]:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else None
        if current != text:
            print(f"{OUTPUT.relative_to(ROOT)} is stale: run python scripts/build_api_prices.py", file=sys.stderr)
            return 1
        print(f"{OUTPUT.relative_to(ROOT)} is current")
        return 0
    if argv:
        print(__doc__.split("Usage", 1)[1].split("A row", 1)[0].strip(), file=sys.stderr)
        return 2
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)} ({text.count(chr(10) + '- ')} prices)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
