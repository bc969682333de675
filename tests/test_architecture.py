"""The package's shape, read from its source: imports run downward, names stay private.

Every ``import`` in ``src/portfolio`` is read with ``ast`` (nothing is imported), and:

- an import goes only to a lower layer (``LAYERS``, lowest first) or within its own unit;
- no cycle between units, and none between modules (an import inside a function
  counts: it hides a cycle, it does not remove it);
- no ``_private`` name of another module is imported (or read as ``module._name``);
- no import sits inside a function unless ``LAZY_IMPORTS`` says why;
- every package's ``__init__`` declares ``__all__``;
- no module is over 600 lines, no function over 80.

Each allowance names its reason; one that no longer applies fails too, so the lists
only shrink.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = "portfolio"

LAYERS: tuple[tuple[str, ...], ...] = (
    # Leaves: plain names and values, importing nothing of ours (``portfolio`` is the
    # root ``__init__``: the version).
    ("portfolio", "names", "errors", "security_rules", "registry", "sketch"),
    ("config", "period"),  # settings and the report period
    ("cloud",),  # boto3 sessions and AWS helpers over the settings
    ("store",),  # the store seam and its backends; records (with sketches) it keeps
    ("telemetry",),  # what the service measures, written into the store
    ("costs",),  # prices and the cost estimate
    ("infra",),  # the synthesized templates, their cost and ledger
    ("sources",),  # report sources: the store, logs, AWS
    ("checks",),  # the checklists over snapshots collected from a target
    ("report",),  # the monthly report: built from sources and checks, rendered
    ("simulate", "scheduled"),  # the demo's months; the scheduled ops jobs
    ("api",),  # the HTTP service (and its Lambda handler, which runs the ops jobs)
    ("cli",),  # the command line: every command over everything below
    ("__main__",),
)
"""Units, lowest first: a unit imports only units of a lower row, and itself."""

LAZY_IMPORTS: dict[str, str] = {
    "portfolio.api.lambda_app:read_secret": (
        "boto3 loads only when the function reads its secrets, not for a request"
    ),
    "portfolio.api.lambda_app:run_restore_step": (
        "the restore steps and boto3 stay off the API's Lambda cold path; loaded for a"
        " step of the monthly state machine only"
    ),
    "portfolio.api.lambda_app:run_ops_job": (
        "the ops jobs (checks, the report, boto3) stay off the API's Lambda cold path;"
        " tests/api/test_lambda_cold_path.py"
    ),
    "portfolio.checks.aws_weekly:week_endpoints": (
        "the ALB log reader brings numpy and DuckDB; every `portfolio check` imports this"
        " module to register its collector"
    ),
    "portfolio.sources.duck:connect": (
        "DuckDB loads when a log is read, not when a source or check that can read one is imported"
    ),
    "portfolio.sources.alb_logs:scan_alb": "DuckDB's error classes, as for sources.duck",
    "portfolio.sources.cloudfront_logs:_load": (
        "DuckDB's error classes, as for sources.duck (the local source imports this module)"
    ),
    "portfolio.sources.logfiles:s3_client": "boto3 only for s3:// paths, not local files",
    "portfolio.sources.logfiles:_list_s3": "botocore's errors, as for s3_client",
    "portfolio.sources.logfiles:_download": "botocore's errors, as for s3_client",
    "portfolio.store:_open_backend": (
        "plug-in loading: the backend the settings name (DynamoDB's brings boto3)"
    ),
    "portfolio.cli.main:_aws_failure": (
        "boto3 only when a command failed reaching AWS; `--version` and help stay quick"
    ),
    "portfolio.cli.main:_root": "`portfolio --version` answers before the commands' imports",
    "portfolio.cli.serve:_run_server": (
        "plug-in loading: the HTTP server asked for (granian or uvicorn)"
    ),
    "portfolio.cli.serve:_start_site_prober": "the site prober only when --site-probe is on",
    "portfolio.cli.store:init": "boto3 only for `store init --backend dynamodb`",
    "portfolio.cli.report:generate": "the price table only when a report is generated",
    "portfolio.cli.report:demo": "the simulator and the CDK helpers only for `portfolio demo`",
    "portfolio.cli.report:_simulate_months": "the simulator only for `portfolio demo`",
    "portfolio.cli.report:_synthesized_shape": "the CDK assembly reader only for a report",
}
"""``module:function`` -> why its imports wait for a call."""

MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
LONG: dict[str, str] = {}
"""A module (path) or function (path:name) allowed over the limit, and why."""

NO_ALL: dict[str, str] = {}
"""Packages allowed without ``__all__`` for now, and why."""


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    is_package: bool

    @property
    def unit(self) -> str:
        parts = self.name.split(".")
        return parts[1] if len(parts) > 1 else parts[0]

    @property
    def tree(self) -> ast.Module:
        return _parse(self.path)


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    line: int
    target: str  # the module imported from (or imported)
    names: tuple[str, ...]  # names taken from it (empty for ``import x``)
    function: str | None  # the enclosing function, if any
    type_only: bool  # under ``if TYPE_CHECKING:``


@cache
def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@cache
def modules() -> dict[str, Module]:
    found = {}
    for path in sorted((SRC / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        name = ".".join(parts)
        found[name] = Module(name, path, is_package)
    return found


def _unit(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _absolute(module: Module, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.name.split(".")
    if not module.is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _walk(
    node: ast.AST, function: str | None, type_only: bool
) -> Iterator[tuple[ast.AST, str | None, bool]]:
    for child in ast.iter_child_nodes(node):
        yield child, function, type_only
        inner = function
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) and function is None:
            inner = child.name
        guarded = type_only or (
            isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test)
        )
        yield from _walk(child, inner, guarded)


@cache
def imports() -> tuple[Import, ...]:
    """Every import of ours, each target resolved to a module (``from pkg import mod``)."""
    known = modules()
    found = []
    for module in known.values():
        for node, function, type_only in _walk(module.tree, None, False):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == PACKAGE or function is not None:
                        found.append(
                            Import(module.name, node.lineno, alias.name, (), function, type_only)
                        )
            elif isinstance(node, ast.ImportFrom):
                target = _absolute(module, node)
                ours = target.split(".")[0] == PACKAGE
                if not ours:
                    if function is not None:
                        found.append(
                            Import(module.name, node.lineno, target, (), function, type_only)
                        )
                    continue
                names = tuple(a.name for a in node.names)
                submodules = [n for n in names if f"{target}.{n}" in known]
                others = tuple(n for n in names if n not in submodules)
                for name in submodules:
                    found.append(
                        Import(
                            module.name, node.lineno, f"{target}.{name}", (), function, type_only
                        )
                    )
                if others or not submodules:
                    found.append(
                        Import(module.name, node.lineno, target, others, function, type_only)
                    )
    return tuple(found)


def _ours(imp: Import) -> bool:
    return imp.target.split(".")[0] == PACKAGE


def _layer_of() -> dict[str, int]:
    return {unit: row for row, units in enumerate(LAYERS) for unit in units}


def test_every_unit_has_a_layer() -> None:
    units = {m.unit for m in modules().values()}
    layered = set(_layer_of())
    assert units - layered == set(), "a new package or top-level module needs a row in LAYERS"
    assert layered - units == set(), "LAYERS names a unit that no longer exists"


def test_imports_only_run_downward() -> None:
    layer = _layer_of()
    upward = [
        f"{imp.module}:{imp.line} imports {imp.target} "
        f"({_unit(imp.module)} is row {layer[_unit(imp.module)]}, "
        f"{_unit(imp.target)} row {layer[_unit(imp.target)]})"
        for imp in imports()
        if _ours(imp)
        and _unit(imp.target) != _unit(imp.module)
        and layer[_unit(imp.target)] >= layer[_unit(imp.module)]
    ]
    assert upward == []


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_cycle_between_units_or_modules() -> None:
    """Type-only imports (under TYPE_CHECKING) are left out: they never run."""
    units: dict[str, set[str]] = {}
    mods: dict[str, set[str]] = {}
    for imp in imports():
        if not _ours(imp) or imp.type_only:
            continue
        if _unit(imp.target) != _unit(imp.module):
            units.setdefault(_unit(imp.module), set()).add(_unit(imp.target))
        if imp.target != imp.module:
            mods.setdefault(imp.module, set()).add(imp.target)
    assert _cycles(units) == []
    assert _cycles(mods) == []


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_no_private_name_is_imported_from_another_module() -> None:
    taken = [
        f"{imp.module}:{imp.line} imports {name} from {imp.target}"
        for imp in imports()
        if _ours(imp) and imp.target != imp.module
        for name in imp.names
        if _private(name)
    ]
    read = []
    known = modules()
    for module in known.values():
        bound: dict[str, str] = {}  # local name -> one of our modules
        for node in ast.walk(module.tree):
            if isinstance(node, ast.ImportFrom):
                target = _absolute(module, node)
                for alias in node.names:
                    if f"{target}.{alias.name}" in known:
                        bound[alias.asname or alias.name] = f"{target}.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname and alias.name in known:
                        bound[alias.asname] = alias.name
        for node in ast.walk(module.tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in bound
                and bound[node.value.id] != module.name
                and _private(node.attr)
            ):
                read.append(f"{module.name}:{node.lineno} reads {node.value.id}.{node.attr}")
    assert taken == []
    assert read == []


def test_imports_inside_functions_are_the_allowed_lazy_ones() -> None:
    inside = {f"{imp.module}:{imp.function}" for imp in imports() if imp.function is not None}
    unexplained = sorted(
        f"{imp.module}:{imp.line} in {imp.function}() imports {imp.target}"
        for imp in imports()
        if imp.function is not None and f"{imp.module}:{imp.function}" not in LAZY_IMPORTS
    )
    assert unexplained == [], "import at the top, or add the function to LAZY_IMPORTS with why"
    assert sorted(set(LAZY_IMPORTS) - inside) == [], "stale LAZY_IMPORTS entries"
    assert all(reason.strip() for reason in LAZY_IMPORTS.values())


def test_every_package_declares_its_public_names() -> None:
    missing = [m.name for m in modules().values() if m.is_package and _declared(m) is None]
    assert sorted(set(missing) - set(NO_ALL)) == []
    assert sorted(set(NO_ALL) - set(missing)) == [], "stale NO_ALL entries"


def _declared(module: Module) -> list[str] | None:
    for node in module.tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return [ast.literal_eval(e) for e in node.value.elts]
    return None


def test_other_packages_reach_a_package_only_through_its_public_modules() -> None:
    """A module another package imports is named in its package's ``__all__``: the face."""
    known = modules()
    outside = []
    for imp in imports():
        if not _ours(imp):
            continue
        parts = imp.target.split(".")
        for depth in range(2, len(parts)):
            package = ".".join(parts[:depth])
            if imp.module == package or imp.module.startswith(package + "."):
                continue  # inside the package
            face = _declared(known[package])
            if face is not None and parts[depth] not in face:
                outside.append(f"{imp.module}:{imp.line} imports {imp.target}")
    assert outside == [], "add the module to its package's __all__, or import what it offers"


def _too_long() -> set[str]:
    over = set()
    for module in modules().values():
        path = module.path.relative_to(SRC).as_posix()
        if len(module.path.read_text(encoding="utf-8").splitlines()) > MAX_MODULE_LINES:
            over.add(path)
        for node in ast.walk(module.tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                assert node.end_lineno is not None
                if node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES:
                    over.add(f"{path}:{node.name}")
    return over


def test_no_module_over_600_lines_and_no_function_over_80() -> None:
    over = _too_long()
    assert sorted(over - set(LONG)) == [], "split it: move code into a new, well-named module"
    assert sorted(set(LONG) - over) == [], "stale LONG entries: remove them"


@pytest.mark.parametrize(
    ("edges", "expected"),
    [
        ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
        ({"a": {"b"}, "b": set()}, []),
    ],
)
def test_the_cycle_finder_finds_cycles(
    edges: dict[str, set[str]], expected: list[list[str]]
) -> None:
    assert _cycles(edges) == expected


def test_the_readmes_layer_picture_is_the_layers_here() -> None:
    """README's "Layers" block lists the same units, row by row, highest first."""
    readme = (SRC.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("### Layers", 1)[1].split("```", 2)[1]
    rows = []
    for line in block.strip("\n").splitlines():
        if not line or line.startswith(" "):
            continue  # a description's continuation
        units = line.split("    ")[0].split("|")
        rows.append(tuple(u.strip() for u in units))
    expected = [row for row in reversed(LAYERS) if row not in (("__main__",),)]
    expected = [tuple(u for u in row if u != PACKAGE) for row in expected]
    assert rows == expected
