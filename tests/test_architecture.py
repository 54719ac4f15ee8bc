"""The package's shape: imports run one way, with no cycle and no private back door.

Every ``import`` and ``from ... import`` in ``backtest/`` is read with ``ast``: at module
level, inside functions (lazy imports) and under ``if TYPE_CHECKING:`` alike, since each is
a dependency of the module. Three rules (CONTRIBUTING.md's "Architecture" section says why):

1. no import cycle between modules;
2. no private name (``_x``) and no private module (``backtest/<pkg>/_x.py``) is imported
   from another subpackage (inside one subpackage is fine);
3. a module imports only from its own stage or an earlier one (``STAGES`` below).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "backtest"

# Each module's stage is its first component under backtest/ (a subpackage or a top-level
# module). A module may import from any stage at or below its own rank.
STAGES: dict[str, int] = {
    # foundation: no backtest imports but each other's
    "errors": 0,
    "defaults": 0,
    "checks": 0,
    "_json": 0,
    "_io": 0,
    "cache": 0,
    "files": 0,
    "project": 0,
    "threads": 0,
    "numbers": 0,
    "data": 1,
    "signals": 2,
    "events": 3,
    "stats": 4,
    # compose events + stats over grids / trades
    "sweep": 5,
    "strategy": 5,
    # renders results: reads stats, sweep and strategy objects, never computes
    "report": 6,
    # a claim stated as data: runs events + stats, renders through report
    "claims": 7,
    # finds and runs the study scripts (which compose everything above)
    "study_runner": 8,
    # timings of everything above
    "bench": 9,
    "cli": 10,
    # entry points above the CLI: `python -m backtest`, `python studies/<name>.py`
    "__main__": 11,
    "studies": 11,
}

# Known exceptions, each with the reason it is allowed and the issue that removes it.
ALLOWED: set[tuple[str, str]] = set()


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str) -> Iterator[tuple[str, str | None, int]]:
    """(imported module, imported name or None, line) of every import in module ``name``."""
    path = modules()[name]
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")[: len(name.split(".")) + is_package - node.level]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            for alias in node.names:
                yield target, alias.name, node.lineno


def resolve(target: str, name: str | None) -> str | None:
    """The backtest module an import loads (``from pkg import mod`` loads ``pkg.mod``)."""
    if name is not None and f"{target}.{name}" in modules():
        return f"{target}.{name}"
    return target if target in modules() else None


@cache
def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {name: set() for name in modules()}
    for name in modules():
        for target, imported, _ in imports(name):
            found = resolve(target, imported)
            if found is not None and found != name:
                edges[name].add(found)
    return edges


def stage_of(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def subpackage_of(name: str) -> str:
    """The subpackage a module lives in ("" for top-level modules of backtest/)."""
    parts = name.split(".")
    path = modules()[name]
    if len(parts) > 2 or (len(parts) == 2 and path.name == "__init__.py"):
        return parts[1]
    return ""


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return found


def test_the_cycle_finder_finds_cycles() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert cycles(edges) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_every_module_has_a_stage() -> None:
    unknown = sorted({stage_of(name) for name in modules()} - set(STAGES) - {"__init__"})
    assert unknown == [], f"give these modules a stage in tests/test_architecture.py: {unknown}"


def test_no_import_cycles() -> None:
    found = cycles(graph())
    assert found == [], "import cycles (lazy imports included):\n" + "\n".join(
        " <-> ".join(component) for component in found
    )


def test_no_private_name_or_module_is_imported_across_subpackages() -> None:
    leaks = []
    for name in modules():
        for target, imported, line in imports(name):
            found = resolve(target, imported)
            if found is None:
                continue
            source_package, target_package = subpackage_of(name), subpackage_of(found)
            if target_package == "" or source_package == target_package:
                # Top-level private modules (backtest/_io.py, backtest/_json.py) belong to the
                # whole package; a subpackage's private parts belong to it alone.
                continue
            private_module = any(part.startswith("_") and part != "__init__" for part in found.split(".")[1:])
            private_name = imported is not None and imported.startswith("_") and not imported.startswith("__")
            if private_module or private_name:
                leaks.append(f"{name}:{line} imports {target}{'.' + imported if imported else ''}")
    assert leaks == [], "private names or modules imported across subpackages:\n" + "\n".join(leaks)


def test_stages_import_only_earlier_stages() -> None:
    backwards = []
    for name, targets in graph().items():
        if name == "backtest":
            continue  # the package's lazy attributes (``bt.Claim``) reach the top on purpose
        rank = STAGES[stage_of(name)]
        for target in targets:
            if target == "backtest" or (name, target) in ALLOWED:
                continue
            if STAGES[stage_of(target)] > rank:
                backwards.append(f"{name} ({stage_of(name)}) imports {target} ({stage_of(target)})")
    assert backwards == [], "imports against the stage order:\n" + "\n".join(sorted(backwards))


def test_the_claim_report_renders_and_computes_nothing() -> None:
    """The claim report draws what the run computed (``ClaimResult.event_chart``,
    ``ClaimResult.event_paths``): nothing in ``backtest.report`` reaches the stages that
    compute lines, events or data."""
    computing = {"signals", "events", "data"}
    reaching = sorted(
        f"{name} imports {target}"
        for name, targets in graph().items()
        if stage_of(name) == "report"
        for target in targets
        if stage_of(target) in computing
    )
    assert reaching == []


@pytest.mark.parametrize("literal", ["20050101", "19850101"])
def test_the_default_seed_is_written_once(literal: str) -> None:
    holders = sorted(name for name, path in modules().items() if literal in path.read_text(encoding="utf-8"))
    assert holders in ([], ["backtest.defaults"]), f"seed literal {literal} outside backtest/defaults.py: {holders}"
