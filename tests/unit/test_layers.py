"""The dependency direction of the README, checked on the source: no import cycle between the
project's packages, and nothing below the command line imports it.

Every import counts, function-level ones included: a lazy import hides a cycle from Python's
loader, not from a reader who has to change either side.
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("hydrascope", "ingest", "queries")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def _unit(module: str) -> str:
    """The unit of layering: ``hydrascope.db``, ``hydrascope.config``, ``ingest.run`` ..."""
    return ".".join(module.split(".")[:2])


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets = {_unit(t) for t in _imports(path) if t in modules}
        graph.setdefault(_unit(module), set()).update(targets - {_unit(module)})
    return graph


def test_no_import_cycle_between_the_projects_packages() -> None:
    try:
        tuple(TopologicalSorter(_graph()).static_order())
    except CycleError as exc:
        raise AssertionError(f"import cycle: {' -> '.join(exc.args[1])}") from None


def test_config_is_a_leaf_and_does_not_reach_the_database_layer() -> None:
    assert _graph()["hydrascope.config"] <= {"hydrascope.errors"}


def test_nothing_below_the_command_line_imports_it() -> None:
    """``ingest`` sits below ``hydrascope.cli`` (the CLI runs ingest); ``python -m ingest`` goes
    through the installed entry point instead of importing upward."""
    graph = _graph()
    importers = {unit for unit, targets in graph.items() if "hydrascope.cli" in targets}
    assert importers <= {"hydrascope.__main__"}, importers


def test_the_triage_policy_is_a_leaf() -> None:
    """``hydrascope.triage`` is read by detection, the schema, the ban list and the app: it must
    import none of them (or any project module)."""
    assert _graph()["hydrascope.triage"] == set()
