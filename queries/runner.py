"""Guard rails for running library and ad-hoc Cypher: read-only, bounded, parametrised.

The same functions serve the command line (``hydrascope query``) and the app, so a guard added
here protects both. Defence in depth, strongest last:

1. **Parameters only.** Values reach Cypher as driver parameters, never by string building, so a
   value that looks like Cypher is inert data.
2. **Lexical refusal** (ad-hoc only): clauses that write or reach outside the graph (``CREATE``,
   ``MERGE``, ``DELETE``, ``SET``, ``REMOVE``, ``FOREACH``, ``CALL { } IN TRANSACTIONS``,
   ``LOAD CSV``, schema and admin commands, several statements) are refused before anything is sent,
   with a message naming the clause. ``LOAD CSV`` is a *read* clause to the server, so this is the
   only guard against it reading local files or fetching URLs.
3. **EXPLAIN preview** (ad-hoc): the server plans the query without running it; a plan whose query
   type is not read-only is refused, and a plan whose estimated rows pass a threshold is refused
   (or warned about, below the hard threshold) before it can load the server.
4. **Read transaction with a timeout** (all queries): the server itself refuses any write inside
   it (``WriteRefused``) and kills the transaction when the timeout passes.
5. **Row limit**: library queries end in ``LIMIT $limit`` (checked by the loader); ad-hoc queries
   get ``LIMIT $limit`` appended when they do not bound their own output, and rows past the
   limit are dropped and reported as ``truncated``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hydrascope.db.graph import Graph
from hydrascope.errors import InputError, QueryError, WriteRefused
from queries.library import QuerySpec, SectionName

DEFAULT_LIMIT = 1_000
MAX_LIMIT = 100_000
DEFAULT_TIMEOUT = 30.0
MAX_TIMEOUT = 600.0
# EXPLAIN's estimated rows (the largest over the plan's operators): above WARN the user is told,
# above REFUSE an ad-hoc query runs only when forced.
WARN_ESTIMATED_ROWS = 1_000_000.0
REFUSE_ESTIMATED_ROWS = 100_000_000.0
# Operators that usually mean a missing label, a missing join or a whole-graph pass.
COSTLY_OPERATORS = (
    "AllNodesScan",
    "CartesianProduct",
    "UndirectedAllRelationshipsScan",
    "DirectedAllRelationshipsScan",
)


@dataclass(frozen=True)
class QueryResult:
    """Rows of one run; ``truncated`` says the row limit cut the result short."""

    columns: tuple[str, ...]
    rows: list[dict[str, Any]]
    truncated: bool
    limit: int
    cypher: str
    params: Mapping[str, Any]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class CostPreview:
    """What ``EXPLAIN`` says about a query before it runs."""

    query_type: str
    estimated_rows: float
    result_rows: float
    operators: tuple[str, ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def read_only(self) -> bool:
        return self.query_type == "r"

    @property
    def refused(self) -> bool:
        return self.estimated_rows > REFUSE_ESTIMATED_ROWS


# ------------------------------------------------------------------------------- lexical guard

_STRINGS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`", re.DOTALL)
_COMMENTS = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)
# Keyword as a clause: not a property (`n.set`), parameter (`$set`), label (`:Set`) or map key (`set:`).
_KW = r"(?<![\w.$:])({})(?![\w])(?!\s*:(?!:))"
_FORBIDDEN: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("CREATE", _KW.format("CREATE")),
        ("MERGE", _KW.format("MERGE")),
        ("DELETE", _KW.format("DELETE")),
        ("SET", _KW.format("SET")),
        ("REMOVE", _KW.format("REMOVE")),
        ("FOREACH", _KW.format("FOREACH")),
        ("DROP", _KW.format("DROP")),
        ("ALTER", _KW.format("ALTER")),
        ("RENAME", _KW.format("RENAME")),
        ("GRANT", _KW.format("GRANT")),
        ("DENY", _KW.format("DENY")),
        ("REVOKE", _KW.format("REVOKE")),
        ("TERMINATE", _KW.format("TERMINATE")),
        ("LOAD CSV", r"(?<![\w.$:])LOAD\s+CSV\b"),
        ("CALL { } IN TRANSACTIONS", r"\bIN\s+(?:\d+\s+|\$\w+\s+)?(?:CONCURRENT\s+)?TRANSACTIONS\b"),
        ("START/STOP DATABASE", r"(?<![\w.$:])(?:START|STOP)\s+DATABASE\b"),
        ("USE", r"^\s*USE\b"),
        (
            "a procedure that writes or reaches outside the graph",
            r"\bCALL\s+(?:dbms\.|db\.create|db\.index\.fulltext\.(?:create|drop)|tx\.|"
            r"apoc\.(?:create|merge|refactor|periodic|do|cypher|schema|trigger|load|import|export|"
            r"nodes\.delete|atomic|lock|systemdb)|gds\.[\w.]*\.(?:write|mutate|drop))",
        ),
    )
)


def _code_only(cypher: str) -> str:
    """The query with strings, quoted identifiers and comments blanked (so they cannot trip a rule)."""
    without_strings = _STRINGS.sub(
        lambda m: m.group(0)[0] + " " * (len(m.group(0)) - 2) + m.group(0)[-1], cypher
    )
    return _COMMENTS.sub(" ", without_strings)


def check_read_only_text(cypher: str) -> None:
    """Refuse, before sending anything, Cypher that writes, changes schema or reads outside the graph.

    A first line of defence that gives a clear message; the read transaction is the real guard.
    """
    code = _code_only(cypher).strip()
    if not code:
        raise InputError("the query is empty")
    body = code[:-1] if code.endswith(";") else code
    if ";" in body:
        raise InputError("one statement at a time: the console refuses several statements separated by ';'")
    if re.match(r"^\s*(PROFILE|EXPLAIN)\b", body, re.IGNORECASE):
        raise InputError("write the query without EXPLAIN/PROFILE; use `--explain` for a cost preview")
    for name, pattern in _FORBIDDEN:
        if pattern.search(body):
            raise WriteRefused(
                f"refused: {name} is not allowed here; this console is read-only "
                "(reads only: MATCH, OPTIONAL MATCH, WITH, UNWIND, RETURN, CALL subqueries, SHOW)"
            )


def _bounded(cypher: str) -> str:
    """Append ``LIMIT $limit`` when a single-part query that ends in RETURN does not bound itself."""
    code = _code_only(cypher)
    stripped = cypher.rstrip().rstrip(";").rstrip()
    code_stripped = code.rstrip().rstrip(";").rstrip()
    if re.search(r"\bUNION\b", code_stripped, re.IGNORECASE):
        return stripped
    if re.search(r"\bLIMIT\s+(?:\$\w+|\d+)\s*$", code_stripped, re.IGNORECASE):
        return stripped
    last_return = [m.end() for m in re.finditer(r"\bRETURN\b", code_stripped, re.IGNORECASE)]
    if not last_return:
        # Procedures, SHOW commands: no RETURN to bound; the rows are still cut in ``_run``.
        return stripped
    tail = code_stripped[last_return[-1] :]
    if tail.count("{") != tail.count("}") or tail.count("(") != tail.count(")"):
        return stripped
    return f"{stripped}\nLIMIT $limit"


# ------------------------------------------------------------------------------------ helpers


def _check_bounds(limit: int, timeout: float) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"the row limit must be between 1 and {MAX_LIMIT:,}, not {limit}")
    if not 0 < timeout <= MAX_TIMEOUT:
        raise InputError(f"the timeout must be between 0 and {MAX_TIMEOUT:.0f} seconds, not {timeout}")


def _run(
    graph: Graph, cypher: str, params: Mapping[str, Any], limit: int, timeout: float, keep_graph_values: bool
) -> QueryResult:
    # Ask for one row more than the limit: that row only says "there were more".
    run_params = {**params, "limit": limit + 1}
    if keep_graph_values:
        columns, values = graph.read_records(cypher, run_params, timeout=timeout)
        rows = [dict(zip(columns, row, strict=True)) for row in values]
    else:
        rows = graph.read(cypher, run_params, timeout=timeout)
        columns = list(rows[0]) if rows else []
    truncated = len(rows) > limit
    return QueryResult(
        columns=tuple(columns),
        rows=rows[:limit],
        truncated=truncated,
        limit=limit,
        cypher=cypher,
        params={**params, "limit": limit},
    )


def _timeout_hint(exc: QueryError, timeout: float) -> QueryError:
    text = str(exc)
    if "Timeout" in text or "timed out" in text or "TransactionTimedOut" in text or "Terminated" in text:
        return QueryError(
            f"the query ran longer than the {timeout:g} s timeout and was stopped; narrow it "
            "(labels, a starting key, a smaller hop count) or raise --timeout"
        )
    return exc


# ------------------------------------------------------------------------------------ public API


def run_query(
    graph: Graph,
    spec: QuerySpec,
    params: Mapping[str, Any] | None = None,
    section: SectionName = "table",
    limit: int = DEFAULT_LIMIT,
    timeout: float = DEFAULT_TIMEOUT,
) -> QueryResult:
    """Run one section of a library query in a read transaction.

    ``params`` may be strings from the command line or typed values from the app: they are
    validated and coerced to the header's types, defaults are filled in, and ``$limit`` is injected.
    The ``graph`` section keeps nodes, relationships and paths (for pyvis); the others return
    plain values.
    """
    _check_bounds(limit, timeout)
    bound = spec.bind(params or {})
    cypher = spec.section(section)
    try:
        return _run(graph, cypher, bound, limit, timeout, keep_graph_values=section == "graph")
    except WriteRefused:
        raise
    except QueryError as exc:
        raise _timeout_hint(exc, timeout) from exc


def suggest_values(graph: Graph, spec: QuerySpec, param: str, timeout: float = DEFAULT_TIMEOUT) -> list[Any]:
    """Values worth trying for a parameter (its header's suggestion query), for pickers and hints."""
    suggestion = spec.param(param).suggest
    if suggestion is None:
        return []
    rows = graph.read(suggestion, {"limit": DEFAULT_LIMIT}, timeout=timeout)
    return [row.get("value") for row in rows]


def preview_cost(graph: Graph, cypher: str, params: Mapping[str, Any] | None = None) -> CostPreview:
    """``EXPLAIN`` a query: its query type, estimated rows and plan operators, with warnings.

    Nothing runs; the plan's estimates come from the database's statistics, so they are a guide
    (exact on counts from the count store, rough after several joins).
    """
    summary = graph.explain(cypher.rstrip().rstrip(";"), {"limit": DEFAULT_LIMIT, **(params or {})})
    plan = summary.plan or {}
    operators: list[str] = []
    estimates: list[float] = []

    def walk(node: Mapping[str, Any]) -> None:
        operators.append(str(node.get("operatorType", "?")).split("@", 1)[0])
        estimate = (node.get("args") or {}).get("EstimatedRows")
        if isinstance(estimate, int | float):
            estimates.append(float(estimate))
        for child in node.get("children") or ():
            walk(child)

    if plan:
        walk(plan)
    root_rows = float((plan.get("args") or {}).get("EstimatedRows", 0.0)) if plan else 0.0
    largest = max(estimates, default=0.0)
    warnings: list[str] = []
    if largest > REFUSE_ESTIMATED_ROWS:
        warnings.append(
            f"estimated {largest:,.0f} rows at the widest step: above the {REFUSE_ESTIMATED_ROWS:,.0f} "
            "threshold, refused unless forced"
        )
    elif largest > WARN_ESTIMATED_ROWS:
        warnings.append(f"estimated {largest:,.0f} rows at the widest step: this may be slow")
    for costly in COSTLY_OPERATORS:
        if costly in operators:
            warnings.append(f"the plan uses {costly}: add a label or a starting key to narrow it")
    for status in getattr(summary, "gql_status_objects", None) or ():
        # Server warnings such as "the label does not exist" (usually a typo in the query).
        if getattr(status, "is_notification", False) and getattr(status, "raw_severity", None) == "WARNING":
            warnings.append(str(status.status_description))
    return CostPreview(
        query_type=str(summary.query_type or "?"),
        estimated_rows=largest,
        result_rows=root_rows,
        operators=tuple(operators),
        warnings=tuple(dict.fromkeys(warnings)),
    )


def run_adhoc(
    graph: Graph,
    cypher: str,
    params: Mapping[str, Any] | None = None,
    limit: int = DEFAULT_LIMIT,
    timeout: float = DEFAULT_TIMEOUT,
    force: bool = False,
    keep_graph_values: bool = False,
) -> QueryResult:
    """Run an analyst's own Cypher behind every guard rail (see the module docstring).

    Raises ``WriteRefused`` for writing or outside-the-graph Cypher (before anything runs when
    the text or the plan shows it, or from the server's read transaction), ``QueryError`` when the
    plan's estimated cost passes the hard threshold and ``force`` is false.
    """
    _check_bounds(limit, timeout)
    check_read_only_text(cypher)
    bounded = _bounded(cypher)
    values = dict(params or {})
    preview = preview_cost(graph, bounded, values)
    if not preview.read_only:
        raise WriteRefused(
            f"refused: the plan of this query is not read-only (query type {preview.query_type!r}); "
            "this console is read-only"
        )
    if preview.refused and not force:
        raise QueryError(
            f"refused: EXPLAIN estimates {preview.estimated_rows:,.0f} rows at the widest step "
            f"(threshold {REFUSE_ESTIMATED_ROWS:,.0f}); narrow the query or pass --force"
        )
    try:
        result = _run(graph, bounded, values, limit, timeout, keep_graph_values)
    except WriteRefused:
        raise
    except QueryError as exc:
        raise _timeout_hint(exc, timeout) from exc
    return QueryResult(
        columns=result.columns,
        rows=result.rows,
        truncated=result.truncated,
        limit=limit,
        cypher=bounded,
        params=result.params,
        warnings=preview.warnings,
    )


# ---------------------------------------------------------------------------------- rendering


def to_plain(value: Any) -> Any:
    """Graph and temporal values as JSON-ready data (duck-typed: only ``hydrascope.db`` imports neo4j)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "nodes") and hasattr(value, "relationships") and hasattr(value, "start_node"):
        return {
            "nodes": [to_plain(n) for n in value.nodes],
            "relationships": [to_plain(r) for r in value.relationships],
        }
    if hasattr(value, "labels") and hasattr(value, "element_id"):
        return {
            "labels": sorted(value.labels),
            "properties": {k: to_plain(v) for k, v in dict(value).items()},
        }
    if hasattr(value, "type") and hasattr(value, "start_node") and hasattr(value, "end_node"):
        return {
            "type": value.type,
            "start": value.start_node.element_id if value.start_node is not None else None,
            "end": value.end_node.element_id if value.end_node is not None else None,
            "properties": {k: to_plain(v) for k, v in dict(value).items()},
        }
    if hasattr(value, "iso_format"):
        return value.iso_format()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, Sequence | set | frozenset):
        return [to_plain(v) for v in value]
    return str(value)


def describe_value(value: Any) -> str:
    """A one-line rendering for table cells (paths drawn as ``(a)-[:R]->(b)`` chains)."""
    plain = value
    if hasattr(value, "nodes") and hasattr(value, "relationships") and hasattr(value, "start_node"):
        parts = [_node_label(value.nodes[0])]
        for rel, node in zip(value.relationships, value.nodes[1:], strict=True):
            forward = rel.start_node is not None and rel.start_node.element_id != node.element_id
            parts.append(f"-[:{rel.type}]->" if forward else f"<-[:{rel.type}]-")
            parts.append(_node_label(node))
        return "".join(parts)
    if hasattr(value, "labels") and hasattr(value, "element_id"):
        return _node_label(value)
    if hasattr(value, "to_native") and hasattr(value, "iso_format"):
        native = value.to_native()  # neo4j temporals print nanoseconds: seconds are enough to read
        if hasattr(native, "hour"):
            return str(native.isoformat(timespec="seconds"))
        if hasattr(native, "isoformat"):
            return str(native.isoformat())
    plain = to_plain(value)
    if isinstance(plain, list):
        return ", ".join(describe_value(v) for v in plain)
    if isinstance(plain, float):
        return f"{plain:.4g}"
    return "" if plain is None else str(plain)


def _node_label(node: Any) -> str:
    from hydrascope.schema.model import NODE_BY_LABEL

    for label in sorted(node.labels):
        node_type = NODE_BY_LABEL.get(label)
        if node_type is not None:
            return f"({label} {node.get(node_type.key)})"
    return f"({':'.join(sorted(node.labels))})"
