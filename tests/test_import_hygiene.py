"""Only advisor/tui/ may import Textual; heavy modules load only where needed.

Each check runs in a fresh interpreter (a subprocess) and inspects
``sys.modules`` after the import, so a Textual import hidden three modules
deep is caught, and test order cannot mask it.
"""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEADLESS_PACKAGES = ("engine", "advisor.rulebook", "advisor.pipeline", "advisor.report", "advisor.commands")
HEADLESS_MODULES = ("advisor.answers", "advisor.cli_answers", "advisor.session", "advisor.drafts",
                    "advisor.recommendation", "advisor.fileio", "advisor.cli")


def headless_modules() -> list[str]:
    names = [m for m in HEADLESS_MODULES if (ROOT / (m.replace(".", "/") + ".py")).exists()]
    for pkg in HEADLESS_PACKAGES:
        path = ROOT / pkg.replace(".", "/")
        if path.is_dir():
            names.append(pkg)
            names += [f"{pkg}.{m.name}" for m in pkgutil.iter_modules([str(path)])]
    return sorted(names)


def loaded_after(modules: list[str]) -> dict[str, list[str]]:
    """Import each module in its own interpreter; return what heavy modules each pulled in."""
    code = (
        "import importlib, json, sys\n"
        "for name in sys.argv[1].split(','):\n"
        "    importlib.import_module(name)\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'plotext', 'textual_plotext'})\n"
        "print(json.dumps(heavy))\n"
    )
    out = {}
    for name in modules:
        proc = subprocess.run([sys.executable, "-c", code, name], capture_output=True, text=True, cwd=ROOT, timeout=60)
        assert proc.returncode == 0, f"importing {name} failed:\n{proc.stderr}"
        out[name] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


def test_headless_modules_never_import_textual():
    modules = headless_modules()
    assert "advisor.session" in modules and "advisor.commands.wizard" in modules
    together = ",".join(modules)
    if loaded_after([together])[together]:  # something leaked: find which module, one by one
        offenders = {name: heavy for name, heavy in loaded_after(modules).items() if heavy}
        assert offenders == {}


@pytest.mark.parametrize("name", ["advisor.tui.app"])
def test_wizard_app_defers_plotext_to_the_result_screen(name):
    assert loaded_after([name]) == {name: ["textual"]}


def test_result_screen_does_load_the_chart():
    # the deferral is real: the module that draws the chart still imports
    assert loaded_after(["advisor.tui.widgets.cost_chart"])["advisor.tui.widgets.cost_chart"] == [
        "plotext", "textual", "textual_plotext"
    ]


ESTIMATE_PATH = (
    "import json, sys\n"
    "from advisor.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'pydantic_core', 'yaml', 'textual', 'rich'})\n"
    "print(json.dumps({'code': code, 'heavy': heavy}), file=sys.stderr)\n"
)


@pytest.mark.parametrize("argv", [
    ["estimate", "--model", "70b", "--gpu", "h100-sxm", "--format", "json"],
    ["estimate", "--model", "mixtral-8x7b", "--gpu", "l40s", "--precision", "int4", "--requests-per-day", "2M",
     "--format", "json"],
    ["estimate", "--model", "llama-9b", "--gpu", "h100-sxm", "--format", "json"],  # an error path too
])
def test_estimate_json_imports_no_pydantic_yaml_rich_or_textual(argv):
    """Cold start (issue 2: well under 0.4 s): the catalogs replay the compiled snapshot instead."""
    proc = subprocess.run([sys.executable, "-c", ESTIMATE_PATH, *argv], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    assert report["heavy"] == [], report
    assert report["code"] in (0, 2)
    if report["code"] == 0:
        assert json.loads(proc.stdout)["deployment"]["total_gpus"] >= 1


def test_estimate_table_adds_only_rich():
    argv = ["estimate", "--model", "7b", "--gpu", "a100-80gb"]
    proc = subprocess.run([sys.executable, "-c", ESTIMATE_PATH, *argv], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert json.loads(proc.stderr.strip().splitlines()[-1]) == {"code": 0, "heavy": ["rich"]}
    assert "GPUs per replica" in proc.stdout


def imported_modules(path: Path) -> set[str]:
    """Every module a source file imports, at any depth of the file (static: no import is run)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            out |= {f"{node.module}.{a.name}" for a in node.names}  # from pkg import module
    return out


def test_report_modules_import_no_engine_module():
    """advisor/report/ renders a finished Recommendation: every engine figure is computed by the pipeline."""
    files = sorted((ROOT / "advisor" / "report").rglob("*.py"))
    assert len(files) >= 3
    offenders = {f.name: sorted(m for m in imported_modules(f) if m == "engine" or m.startswith("engine."))
                 for f in files}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_pipeline_stages_import_only_the_stages_before_them():
    """The declared order (advisor.pipeline.STAGES) is the dependency order: no stage reaches forward."""
    from advisor.pipeline import ENTRIES, STAGES

    pkg = ROOT / "advisor" / "pipeline"
    on_disk = {m.name for m in pkgutil.iter_modules([str(pkg)])}
    assert on_disk == set(STAGES) | set(ENTRIES), "every pipeline module is a declared stage or entry"
    backwards = {}
    for i, stage in enumerate(STAGES):
        used = {m.split(".")[2] for m in imported_modules(pkg / f"{stage}.py")
                if m.startswith("advisor.pipeline.") and m.split(".")[2] in on_disk}
        later = used - set(STAGES[:i])
        if later:
            backwards[stage] = sorted(later)
    assert backwards == {}
