"""Check Cypher text against the graph model: labels, relationship types and property names.

Why: renaming a property in ``hydrascope.schema.model`` must break a test, not a page or a job
silently. The analyst library (``queries/*.cypher``) and every Cypher string in the Python code
(``python_cypher``) are checked with the same ``model_violations``.

How the Python strings are found: each module is parsed (``ast``); a string expression (a literal,
an f-string, or a ``+`` chain of them) whose text contains a Cypher clause keyword is a Cypher
string. An f-string's ``{...}`` parts are evaluated in the imported module's namespace when they
name only module-level constants (``{m.ACCOUNT.label}``, ``{ident(SENT.type)}``,
``{_secs('a.created_at')}``), which gives the very text sent to the server; a part that depends on
a runtime value (a generator's parameter, a request's field) becomes ``$_``, a placeholder that
names nothing, so it can hide a name from the check but never invent one. Two kinds of locals are
known: a loop variable over a constant sequence (one text per value) and a local assigned a
string expression. A conditional part contributes both branches. Docstrings are prose, not
Cypher, and are skipped.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hydrascope.schema.model import ACTIVITY, LOGIN_ACTIVITY, NODE_BY_LABEL, NODES, REL_BY_TYPE, RELATIONSHIPS

# Temporal and duration accessors are properties too, but of values, not of the model.
VALUE_ACCESSORS = frozenset(
    {"seconds", "epochSeconds", "epochMillis", "year", "month", "day", "hour", "hours", "days"}
)
ALL_PROPS = frozenset(
    {p for n in NODES for p in n.property_names}
    | {p for r in RELATIONSHIPS for p in r.property_names}
    | {p.name for p in (*ACTIVITY, *LOGIN_ACTIVITY)}
)
PLACEHOLDER = "$_"
# helpers whose call in an interpolation is evaluated: they only check or format a name
CONSTANT_CALLS = frozenset({"ident", "_ident", "_secs", "join"})
# a clause keyword, upper case as the project writes Cypher: what makes a string Cypher
_CLAUSE = re.compile(r"\b(MATCH|MERGE|UNWIND|RETURN|DETACH DELETE|CREATE (CONSTRAINT|INDEX))\b")
# a node pattern: ``(x:Label``, ``(x)``, ``()`` or ``(x {``
_PATTERN = re.compile(r"\(\s*\w*\s*(:|\)|\{)")
# variables that hold values (maps, lists, aggregates), not nodes or relationships
_VALUE_VARS = re.compile(r"\bUNWIND\b.*?\bAS\s+([A-Za-z_]\w*)|\bAS\s+([A-Za-z_]\w*)", re.S)


def model_violations(cypher: str) -> list[str]:
    """Labels, relationship types and properties in ``cypher`` that the model does not declare.

    A property read on a variable bound to a label or type must be one of its properties; on an
    unbound variable, one of any label's or type's; variables bound by ``UNWIND ... AS x`` or
    ``... AS x`` hold values (the rows a writer sends, aggregates) and are not checked."""
    code = re.sub(r"'[^']*'|//[^\n]*", "''", cypher)
    # procedure names (``CALL db.index.fulltext.queryNodes(``) are namespaces, not properties
    code = re.sub(r"\bCALL\s+[A-Za-z_][\w.]*\s*\(", "CALL (", code)
    problems: list[str] = []
    bound: dict[str, set[str]] = {}
    for var, label in re.findall(r"\(\s*(\w*)\s*:\s*([A-Za-z_]\w*)", code):
        if label not in NODE_BY_LABEL:
            problems.append(f"label {label}")
        elif var:
            bound.setdefault(var, set()).update(NODE_BY_LABEL[label].property_names)
    for var, types in re.findall(r"\[\s*(\w*)\s*:\s*([A-Z_|]+)", code):
        for rel_type in types.split("|"):
            if rel_type not in REL_BY_TYPE:
                problems.append(f"relationship type {rel_type}")
            elif var:
                bound.setdefault(var, set()).update(REL_BY_TYPE[rel_type].property_names)
    for label, key in re.findall(r"\(\s*\w*\s*:\s*([A-Za-z_]\w*)\s*\{\s*(\w+)\s*:", code):
        if label in NODE_BY_LABEL and key not in NODE_BY_LABEL[label].property_names:
            problems.append(f"{label}.{key}")
    values = {a or b for a, b in _VALUE_VARS.findall(code)} - set(bound)
    # map projections: ``a {.account_id, .email, created: ...}`` reads a's properties too
    for var, body in re.findall(r"(?<![\w$.:])([A-Za-z_]\w*)\s*\{([^{}]*)\}", code):
        if var in bound:
            for prop in re.findall(r"(?:^|,)\s*\.([A-Za-z_]\w*)", body):
                if prop != "*" and prop not in bound[var]:
                    problems.append(f"{var}.{prop}")
    for var, prop in re.findall(r"(?<![\w$.])([A-Za-z_]\w*)\.([A-Za-z_]\w*)\b(?!\s*\()", code):
        if var in values:
            continue
        allowed = bound.get(var, ALL_PROPS) | VALUE_ACCESSORS
        if prop not in allowed:
            problems.append(f"{var}.{prop}")
    return problems


@dataclass(frozen=True)
class CypherString:
    """One Cypher string of the Python code: where it is and its text as rendered."""

    path: Path
    line: int
    text: str


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _namespace(path: Path, root: Path) -> dict[str, Any] | None:
    """The imported module's globals, or None (a script, a ``__main__``, or a module that cannot
    be imported here): then every interpolation is a placeholder. Only package modules are
    imported: importing a script or ``__main__`` would run it."""
    if path.name == "__main__.py" or not (path.parent / "__init__.py").exists():
        return None
    try:
        return vars(importlib.import_module(_module_name(path, root)))
    except Exception:  # any import failure only weakens the check, never breaks it
        return None


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _eval(node: ast.expr, scope: dict[str, Any]) -> Any:
    """Evaluate one expression of our own source, only after ``_Renderer._evaluable`` accepted
    it (known constants and the pure helpers of ``CONSTANT_CALLS``)."""
    return eval(compile(ast.Expression(node), "<cypher>", "eval"), scope)


class _Renderer:
    """Renders string expressions to text, evaluating constant interpolations in ``namespace``.

    Within a function, two kinds of local names are known too: a loop variable over a constant
    sequence (``for node in (m.CLUSTER, m.ACCOUNT)``: one text per value) and a local assigned a
    string expression (``also = "n.email" if ... else "n.name"``: its texts, joined)."""

    def __init__(self, namespace: dict[str, Any] | None) -> None:
        self.namespace = namespace
        self.loops: dict[str, list[Any]] = {}
        self.strings: dict[str, list[str]] = {}

    def _evaluable(self, node: ast.expr, scope: dict[str, Any]) -> bool:
        """Known names only, and calls only of the pure Cypher helpers (``CONSTANT_CALLS``):
        evaluating anything else could run code with effects, or with a local's meaning."""
        if self.namespace is None:
            return False
        names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        local = any(isinstance(n, ast.Lambda | ast.comprehension | ast.NamedExpr) for n in ast.walk(node))
        calls = [n.func for n in ast.walk(node) if isinstance(n, ast.Call)]
        pure = all(
            (f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else "")
            in CONSTANT_CALLS
            for f in calls
        )
        return pure and not local and all(n in scope or hasattr(builtins, n) for n in names)

    def value(self, node: ast.expr, binding: dict[str, Any]) -> str:
        """The text of an interpolated expression, or the placeholder."""
        if isinstance(node, ast.Name) and node.id in self.strings and node.id not in binding:
            return " ".join(self.strings[node.id])
        scope = {**(self.namespace or {}), **binding}
        if self._evaluable(node, scope):
            try:
                result = _eval(node, scope)
            except Exception:  # not evaluable here: a placeholder
                return PLACEHOLDER
            return str(result)
        return PLACEHOLDER

    def texts(self, node: ast.expr) -> list[str] | None:
        """The texts a string expression can take, one per value of the loop variables it uses
        (None: not a string expression)."""
        used = sorted({n.id for n in ast.walk(node) if isinstance(n, ast.Name)} & set(self.loops))
        bindings = [
            dict(zip(used, combo, strict=True)) for combo in itertools.product(*(self.loops[u] for u in used))
        ]
        out: list[str] = []
        for binding in bindings or [{}]:
            texts = self._texts(node, binding)
            if texts is None:
                return None
            out.extend(texts)
        return out

    def _texts(self, node: ast.expr, binding: dict[str, Any]) -> list[str] | None:
        if isinstance(node, ast.Constant):
            return [node.value] if isinstance(node.value, str) else None
        if isinstance(node, ast.JoinedStr):
            out = ""
            for part in node.values:
                if isinstance(part, ast.Constant):
                    out += str(part.value)
                elif isinstance(part, ast.FormattedValue):
                    out += self.value(part.value, binding)
            return [out]
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self._texts(node.left, binding), self._texts(node.right, binding)
            if left is None and right is None:
                return None
            left = left if left is not None else [self.value(node.left, binding)]
            right = right if right is not None else [self.value(node.right, binding)]
            # one text with every branch: names are what is checked, not one executable query
            return [" ".join(left) + " ".join(right)]
        if isinstance(node, ast.IfExp):
            body, orelse = self._texts(node.body, binding), self._texts(node.orelse, binding)
            if body is None and orelse is None:
                return None
            return [*(body or []), *(orelse or [])]
        return None

    def learn(self, scope: ast.AST) -> None:
        """Collect the loop variables and string locals of one function (or the module)."""
        self.loops, self.strings = {}, {}
        for node in ast.walk(scope):
            target, iterable = None, None
            if isinstance(node, ast.For | ast.comprehension):
                target, iterable = node.target, node.iter
            if isinstance(target, ast.Name) and iterable is not None:
                scope_vars = self.namespace or {}
                if self._evaluable(iterable, scope_vars):
                    try:
                        values = list(_eval(iterable, dict(scope_vars)))
                    except Exception:  # not a constant sequence: unknown
                        continue
                    self.loops[target.id] = values
        for node in ast.walk(scope):
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
            ):
                texts = self.texts(node.value)
                if texts is not None:
                    self.strings[node.targets[0].id] = texts


def is_cypher(text: str) -> bool:
    """A clause keyword and a node pattern: Cypher, not prose that mentions MERGE."""
    return bool(_CLAUSE.search(text) and _PATTERN.search(text))


def _scopes(tree: ast.Module) -> list[ast.AST]:
    """The module's functions (outermost first) and then the module itself, each to be rendered
    with its own locals; a function's strings are not visited again as the module's."""
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    return [*functions, tree]


def cypher_strings(path: Path, root: Path) -> Iterator[CypherString]:
    """Every Cypher string of one Python file: the outermost string expressions containing one
    (line numbers from the source), then the module's string constants as imported (line 0;
    a constant written as a literal is checked twice, harmlessly)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skip = _docstrings(tree)
    renderer = _Renderer(_namespace(path, root))
    done: set[int] = set()
    for scope in _scopes(tree):
        renderer.learn(scope)
        for node in ast.walk(scope):  # parents before children: an outer expression claims its parts
            if id(node) in done or id(node) in skip or not isinstance(node, ast.expr):
                continue
            texts = renderer.texts(node)
            if texts is None:
                continue
            done.update(id(n) for n in ast.walk(node))
            for text in texts:
                if is_cypher(text):
                    yield CypherString(path, node.lineno, text)
    # module constants built by calls (``ACCOUNTS_QUERY = _node_query(...)``): their final text
    for name, value in (renderer.namespace or {}).items():
        if isinstance(value, str) and not name.startswith("__") and is_cypher(value):
            yield CypherString(path, 0, value)


def python_files(root: Path, folders: Iterable[str]) -> list[Path]:
    """The project's Python files under ``folders`` (files or folders relative to ``root``)."""
    out: list[Path] = []
    for name in folders:
        target = root / name
        out.extend([target] if target.is_file() else sorted(target.rglob("*.py")))
    return out


def python_cypher(root: Path, folders: Iterable[str]) -> list[CypherString]:
    """Every Cypher string of the Python code under ``folders``."""
    return [c for path in python_files(root, folders) for c in cypher_strings(path, root)]
