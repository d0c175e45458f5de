"""The app's read layer keeps its shape: reads only, one write in ``data/labels.py``, and every
cached function a thin wrapper of a pure ``read_*`` function taking a ``Graph``.

Checked on the source (``ast``), without a database: a new write slipped into a page or a read
module, or a cached function with its Cypher inside (untestable without Streamlit), fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[3] / "hydrascope" / "ui"
WRITES = {"write", "write_rows", "write_count", "run_autocommit"}


def _calls(tree: ast.AST) -> list[str]:
    return [
        n.func.attr for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
    ]


def test_the_app_writes_to_the_graph_only_through_the_workflow() -> None:
    # Labels, cases, watches and the audit trail are hydrascope.workflow's (checked by role, recorded):
    # no module of the app calls a graph write itself.
    writers = {
        str(p.relative_to(UI)): sorted(WRITES & set(_calls(ast.parse(p.read_text()))))
        for p in UI.rglob("*.py")
    }
    assert {p: w for p, w in writers.items() if w} == {}
    workflow = UI.parent / "workflow"
    assert {p.name for p in workflow.glob("*.py") if WRITES & set(_calls(ast.parse(p.read_text())))} == {
        "audit.py",
        "cases.py",
        "decisions.py",
        "watches.py",
    }


def _cached(fn: ast.FunctionDef) -> bool:
    return any("cache_data" in ast.unparse(d) for d in fn.decorator_list)


def test_every_cached_read_wraps_a_pure_read_taking_a_graph() -> None:
    modules = sorted((UI / "data").glob("*.py"))
    assert {p.stem for p in modules} >= {"overview", "clusters", "lookup", "exports", "labels", "common"}
    wrapped = 0
    for path in modules:
        tree = ast.parse(path.read_text())
        funcs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
        for name, fn in funcs.items():
            if not _cached(fn):
                continue
            wrapped += 1
            pure = funcs.get(f"read_{name}")
            assert pure is not None and not _cached(pure), f"{path.name}: {name} wraps no read_{name}"
            assert pure.args.args[0].arg == "graph"
            assert ast.unparse(pure.args.args[0].annotation or ast.Name("?")) == "Graph"
            # thin: a docstring and one return of the pure function
            body = [s for s in fn.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
            assert len(body) == 1 and isinstance(body[0], ast.Return), f"{path.name}: {name} is not thin"
            call = body[0].value
            assert isinstance(call, ast.Call) and ast.unparse(call.func) == f"read_{name}"
    assert wrapped >= 15
