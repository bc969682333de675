"""The report package stays walkable: small modules, short functions, public faces.

No module in src/portfolio/report over 600 lines, no function over 80; every package in
it has an ``__init__`` with ``__all__``; no module imports another's private (_) name.
(The repository-wide limits have their own test; this one is the report's.)
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import portfolio.report

ROOT = Path(portfolio.report.__file__).parent
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
MODULES = sorted(ROOT.rglob("*.py"))


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT.parent))


def test_the_package_is_found() -> None:
    assert len(MODULES) > 40
    assert (ROOT / "build" / "compute.py") in MODULES


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_module_over_600_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{_name(path)} has {lines} lines"


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_function_over_80_lines(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines, line {node.lineno})"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == [], f"{_name(path)}: {long}"


PACKAGES = sorted(p for p in [ROOT, *ROOT.rglob("*")] if p.is_dir() and p.name != "__pycache__")


@pytest.mark.parametrize("package", PACKAGES, ids=_name)
def test_every_package_shows_its_public_names(package: Path) -> None:
    init = package / "__init__.py"
    assert init.exists(), f"{_name(package)} has no __init__.py"
    tree = ast.parse(init.read_text(encoding="utf-8"))
    declared = [
        node
        for node in tree.body
        if isinstance(node, ast.Assign | ast.AnnAssign)
        and any(
            isinstance(t, ast.Name) and t.id == "__all__"
            for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
        )
    ]
    assert declared, f"{_name(init)} has no __all__"


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_private_name_is_imported_from_another_module(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    private = [
        f"{node.module}.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("portfolio")
        for alias in node.names
        if alias.name.startswith("_")
    ]
    assert private == [], f"{_name(path)} imports {private}"
