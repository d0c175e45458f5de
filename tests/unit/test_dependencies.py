"""What the shipped code imports is what ``pyproject.toml`` declares, and a fresh clone installs
the versions that were tested (``constraints.txt``, which ``make install`` passes to pip)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions, version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ("hydrascope", "ingest", "queries", "app.py")
OWN = {"hydrascope", "ingest", "queries"}


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert match, requirement
    return _normalise(match.group(0))


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _imported_top_level_modules() -> set[str]:
    modules: set[str] = set()
    for entry in SHIPPED:
        path = ROOT / entry
        for source in [path] if path.is_file() else path.rglob("*.py"):
            for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    modules |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    modules.add(node.module.split(".")[0])
    return {m for m in modules if m not in sys.stdlib_module_names and m not in OWN}


def test_every_third_party_import_is_a_declared_dependency() -> None:
    declared = {_requirement_name(r) for r in _project()["dependencies"]}
    providers = packages_distributions()
    undeclared = {
        module: providers.get(module)
        for module in _imported_top_level_modules()
        if not {_normalise(d) for d in providers.get(module, [])} & declared
    }
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"


def test_every_dependency_has_an_upper_bound() -> None:
    """Upper bounds (next major, or next minor below 1.0) stop a resolver from pairing, say,
    a numba with a numpy it does not support."""
    project = _project()
    requirements = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    unbounded = [r for r in requirements if "<" not in r.split("#")[0] and "==" not in r]
    assert not unbounded


def _constraints() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, pinned = line.partition("==")
            assert pinned, f"constraints.txt pins exact versions, not {line!r}"
            pins[_normalise(name)] = pinned
    return pins


def test_constraints_pin_every_declared_dependency() -> None:
    project = _project()
    requirements = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    pins = _constraints()
    assert {_requirement_name(r) for r in requirements} <= set(pins)


def test_the_environment_is_the_one_the_constraints_describe() -> None:
    """``make install`` installs with ``-c constraints.txt``: what runs is what was pinned
    (rerun ``make install`` after changing the pins; ``make lock`` re-pins from the venv)."""
    project = _project()
    names = {
        _requirement_name(r) for r in [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    }
    pins = _constraints()
    drifted = {name: (version(name), pins[name]) for name in names if version(name) != pins[name]}
    assert not drifted, f"installed != pinned: {drifted}"
