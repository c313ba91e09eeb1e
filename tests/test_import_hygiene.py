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
SESSION_MODULES = ("advisor.session", "advisor.session_backend", "advisor.result_view", "advisor.session_cache")
HEADLESS_MODULES = ("advisor.answers", "advisor.cli_answers", *SESSION_MODULES, "advisor.drafts",
                    "advisor.recommendation", "advisor.fileio", "advisor.cli")
#: top-level names of the terminal UI stack: only advisor/tui/ may import them
TUI_PACKAGES = {"textual", "plotext", "textual_plotext"}


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
    assert set(SESSION_MODULES) <= set(modules) and "advisor.commands.wizard" in modules
    together = ",".join(modules)
    if loaded_after([together])[together]:  # something leaked: find which module, one by one
        offenders = {name: heavy for name, heavy in loaded_after(modules).items() if heavy}
        assert offenders == {}


def imported_top_levels(path: Path) -> set[str]:
    """Every top-level package a module's source imports, at any depth (lazy imports included)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_only_advisor_tui_imports_textual_in_any_module():
    """Static: a Textual import inside a function that no import-time check runs is caught too."""
    tui = ROOT / "advisor" / "tui"
    sources = sorted(p for pkg in ("advisor", "engine") for p in (ROOT / pkg).rglob("*.py"))
    outside = [p for p in sources if tui not in p.parents]
    assert any(p.name == "session_cache.py" for p in outside) and len(outside) < len(sources)
    offenders = {str(p.relative_to(ROOT)): sorted(imported_top_levels(p) & TUI_PACKAGES) for p in outside}
    assert {path: heavy for path, heavy in offenders.items() if heavy} == {}


def test_the_static_scan_sees_lazy_textual_imports(tmp_path):
    # the oracle can fail: a function-level import is found, and a mere mention is not
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from textual.app import App\n    import plotext as p\n"
                      "textual = 'the word alone'\n")
    assert imported_top_levels(module) & TUI_PACKAGES == {"textual", "plotext"}


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
    """Every module a source file imports, at top level or inside functions (absolute names)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the file's package
                package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-node.level])
                names.add(f"{package}.{node.module}" if node.module else package)
            elif node.module:
                names.add(node.module)
                names |= {f"{node.module}.{a.name}" for a in node.names}  # from pkg import module
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None))
              in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)):
            names.add(node.args[0].value)
    return names


def test_engine_imports_nothing_from_advisor():
    """engine/ is the library under the product: a static scan of every engine module, lazy imports included."""
    files = sorted((ROOT / "engine").rglob("*.py"))
    scanned = {p.relative_to(ROOT).as_posix(): imported_modules(p) for p in files}
    assert "engine.request" in scanned["engine/estimate.py"]  # the scan sees real imports
    offenders = {path: sorted(n for n in names if n == "advisor" or n.startswith("advisor."))
                 for path, names in scanned.items()}
    assert {path: names for path, names in offenders.items() if names} == {}


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
