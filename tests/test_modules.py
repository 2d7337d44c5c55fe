"""The package's layout: every module imports on its own, and no two modules import each other.

Imports inside functions count: a cycle hidden in a function-level import (as ``checks`` and
``pipeline`` once had) still ties the two modules into one.
"""

from __future__ import annotations

import ast
import graphlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "workflow" / "surveypaper"


def module_names() -> list[str]:
    names = []
    for path in sorted(PKG.rglob("*.py")):
        parts = path.relative_to(PKG.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


def module_path(name: str) -> Path:
    rel = Path(*name.split(".")[1:])
    return PKG / rel / "__init__.py" if (PKG / rel).is_dir() else PKG / rel.with_suffix(".py")


def imports_of(name: str, known: set[str]) -> set[str]:
    """The package's modules that ``name`` imports, anywhere in it (module level or in a function)."""
    path = module_path(name)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.add(target)
            found |= {f"{target}.{alias.name}" for alias in node.names}  # `from . import pipeline`
    return {m for m in found if m in known and m != name and m != "surveypaper"}


def import_graph() -> dict[str, set[str]]:
    known = set(module_names())
    return {name: imports_of(name, known) for name in known}


def test_the_graph_sees_function_level_imports():
    graph = import_graph()
    # pipeline imports checks inside check_templates only: the graph must still see it
    assert "surveypaper.checks" in graph["surveypaper.pipeline"]
    assert "surveypaper.project" in graph["surveypaper.checks"]


def test_no_import_cycle():
    try:
        order = list(graphlib.TopologicalSorter(import_graph()).static_order())
    except graphlib.CycleError as exc:
        pytest.fail(f"import cycle between the package's modules: {' -> '.join(exc.args[1])}")
    assert set(order) == set(module_names())


def test_a_cycle_is_found(tmp_path):
    """The check above can fail: two modules importing each other in functions form a cycle."""
    graph = import_graph()
    graph["surveypaper.project"] = graph["surveypaper.project"] | {"surveypaper.checks"}
    with pytest.raises(graphlib.CycleError):
        list(graphlib.TopologicalSorter(graph).static_order())


@pytest.mark.parametrize("name", module_names())
def test_each_module_imports_alone(name):
    result = subprocess.run([sys.executable, "-c", f"import {name}"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]


#: Modules the Snakemake process imports (parsing the Snakefile, or in the light steps' run: blocks).
LIGHT = [
    "surveypaper.compat_snakemake",
    "surveypaper.locks",
    "surveypaper.steps",
    "surveypaper.warm",
    "surveypaper.pipeline",
    "surveypaper.project",
    "surveypaper.charts",
    "surveypaper.checks",
    "surveypaper.templating",
    "surveypaper.context",
    "surveypaper.document",
    "surveypaper.markdown_html",
    "surveypaper.publish",
    "surveypaper.numerals",
    "surveypaper.rounds",
    "surveypaper.ingest",
    "surveypaper.opendata",
]


def test_modules_of_the_snakemake_process_import_nothing_heavy():
    """pandas, WeasyPrint and matplotlib belong to the step processes started ahead, never to these."""
    script = (
        "import importlib, sys\n"
        f"for name in {LIGHT!r}:\n"
        "    importlib.import_module(name)\n"
        "    heavy = sorted(m for m in ('pandas', 'weasyprint', 'matplotlib') if m in sys.modules)\n"
        "    assert not heavy, f'{name} imports {heavy}'\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]


def test_architecture_lists_every_module():
    text = (PKG.parents[1] / "docs" / "architecture.md").read_text(encoding="utf-8")
    modules = [n for n in module_names() if n.count(".") == 1 and module_path(n).name != "__init__.py"]
    missing = [n for n in modules if f"`{n.rpartition('.')[2]}`" not in text]
    assert not missing, f"docs/architecture.md does not list {missing}"


def test_a_long_module_says_why():
    """About 500 lines at most, or the module's docstring says why it is longer ("about N lines")."""
    for name in module_names():
        path = module_path(name)
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > 550:
            doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
            assert re.search(r"about \d+ lines", doc), f"{name}: {lines} lines, and its docstring does not say why"
