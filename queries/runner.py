"""Guard rails for running library and ad-hoc Cypher: read-only, bounded, parametrised.

The same functions serve the command line (``hydrascope query``) and the app, so a guard added
here protects both. Defence in depth, each layer enough on its own for what it covers, the
server's last (docs/queries.md, "The console's guarantees", has the table):

1. **Parameters only.** Values reach Cypher as driver parameters, never by string building, so a
   value that looks like Cypher is inert data.
2. **Lexical refusal** (ad-hoc only): the query is tokenised in one pass (``queries.lexer``:
   strings, quoted names and both comment kinds together, so none can hide a clause), then
   clauses that write, administer or reach outside the graph (``CREATE``, ``MERGE``, ``DELETE``,
   ``SET``, ``REMOVE``, ``FOREACH``, ``CALL { } IN TRANSACTIONS``, ``LOAD CSV``, ``SHOW``,
   ``TERMINATE``, ``USE``, schema and admin commands, several statements) and procedures off
   ``ALLOWED_PROCEDURES`` are refused before anything is sent, with a message naming them.
3. **Plan check** (ad-hoc): ``EXPLAIN`` plans the query without running it, and the whole plan
   tree is checked (``plan_refusal``): a ``LoadCSV``, ``Show*`` or ``Terminate*`` operator, a
   writing operator, a procedure off the allowlist, or a query type other than read-only is
   refused. The plan is what the server would run, so no spelling of the text gets past it.
4. **Cost preview** (ad-hoc): a plan whose estimated rows pass a threshold is refused (or warned
   about, below the hard threshold); a plan with a cartesian product is estimated again with its
   limits lifted, because a ``LIMIT`` shrinks the estimates, not the work of building a product.
5. **Read transaction with a timeout** (all queries): the server itself refuses any write inside
   it (``WriteRefused``) and kills the transaction when the timeout passes. It runs once, not
   retried: a query the server cannot answer would otherwise be re-sent for half a minute.
6. **The server's configuration** (outside this module): ``LOAD CSV`` is a *read* to Neo4j, so the
   local server is started with file URLs off, an empty import directory and an IP block list
   covering every address (``neo4j-local``); ``queries.server_guard`` checks a server for it
   (``hydrascope db status``).
7. **Bounded output**: library queries end in ``LIMIT $limit`` (checked by the loader); ad-hoc
   queries get ``LIMIT $limit`` appended when they do not bound their own output, and rows past
   the limit are dropped and reported as ``truncated``. Results nested deeper than
   ``MAX_RESULT_DEPTH`` are refused with a message; table cells are shortened to
   ``MAX_CELL_CHARS``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from hydrascope.db.graph import Graph
from hydrascope.errors import InputError, QueryError, WriteRefused
from queries.lexer import Token, tokenize
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
# Plan operators that mean the query is not a pure read of this graph, refused whatever the text
# said: LOAD CSV reads files and URLs; SHOW / TERMINATE commands see or stop other sessions and
# read the server's configuration; the rest write.
REFUSED_OPERATORS = {"LoadCSV": "LOAD CSV (it reads files and URLs)"}
REFUSED_OPERATOR_PREFIXES = (
    "Show",
    "Terminate",
    "Create",
    "Merge",
    "Delete",
    "DetachDelete",
    "Set",
    "Remove",
    "Foreach",
    "Transaction",
    "LockingMerge",
)
# Nesting of lists and maps the console renders; deeper results get a clear refusal (Python's own
# recursion limit would otherwise end the run with a traceback).
MAX_RESULT_DEPTH = 64
# Characters a table cell shows (CLI table, app); the JSON output keeps whole values.
MAX_CELL_CHARS = 2_000


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
    # Why the plan is refused whatever the cost (LOAD CSV, SHOW/TERMINATE, a write, a procedure
    # outside the allowlist); ``None`` for a pure read.
    refusal: str | None = None

    @property
    def read_only(self) -> bool:
        return self.query_type == "r"

    @property
    def refused(self) -> bool:
        return self.estimated_rows > REFUSE_ESTIMATED_ROWS


# ------------------------------------------------------------------------------- lexical guard

# Keywords refused wherever they are used as keywords (not as a property, label, map key or
# quoted name), with the name the refusal gives.
_REFUSED_WORDS: dict[str, str] = {
    **{w: w for w in ("CREATE", "MERGE", "DELETE", "DETACH", "SET", "REMOVE", "FOREACH", "INSERT")},
    **{w: w for w in ("DROP", "ALTER", "RENAME", "GRANT", "DENY", "REVOKE", "ENABLE")},
    **{w: w for w in ("DEALLOCATE", "REALLOCATE", "USE")},
    "LOAD": "LOAD CSV (it reads files and URLs)",
    "SHOW": "SHOW (other sessions' transactions, the server's settings, users and procedures)",
    "TERMINATE": "TERMINATE (it stops other sessions' transactions)",
    "TRANSACTIONS": "CALL { } IN TRANSACTIONS",
    "EXPLAIN": "EXPLAIN/PROFILE (use --explain for a cost preview)",
    "PROFILE": "EXPLAIN/PROFILE (use --explain for a cost preview)",
}
# Procedures the console may call: read-only views of this graph's own schema and indexes. Every
# other procedure is refused, among them dbms.listConfig (the server's configuration),
# dbms.listConnections / dbms.killConnection(s) (other sessions), tx.setMetaData, db.create.*,
# db.clearQueryCaches and db.stats.* (administration). Compared case-insensitively.
ALLOWED_PROCEDURES = tuple(
    sorted(
        (
            "db.labels",
            "db.relationshipTypes",
            "db.propertyKeys",
            "db.schema.visualization",
            "db.schema.nodeTypeProperties",
            "db.schema.relTypeProperties",
            "db.index.fulltext.queryNodes",
            "db.index.fulltext.queryRelationships",
            "db.index.vector.queryNodes",
            "db.index.vector.queryRelationships",
            "db.ping",
        ),
        key=str.lower,
    )
)
_ALLOWED_LOWER = frozenset(name.lower() for name in ALLOWED_PROCEDURES)
_READS_ONLY = "reads only: MATCH, OPTIONAL MATCH, WITH, UNWIND, RETURN, CALL subqueries, schema procedures"


def _refusal(name: str) -> WriteRefused:
    return WriteRefused(f"refused: {name} is not allowed here; this console is read-only ({_READS_ONLY})")


def _is_keyword(tokens: Sequence[Token], i: int) -> bool:
    """Whether the word at ``i`` is used as a keyword: not ``n.set``, ``:Set`` or ``{set: 1}``."""
    before = tokens[i - 1].text if i > 0 else ""
    after = tokens[i + 1].text if i + 1 < len(tokens) else ""
    return before not in (".", ":") and after != ":"


def _procedure_name(tokens: Sequence[Token], i: int) -> str | None:
    """The dotted name after ``CALL`` at ``i`` (``None`` for a ``CALL { }`` or ``CALL ( )`` subquery)."""
    parts: list[str] = []
    j = i + 1
    while j < len(tokens) and tokens[j].kind in ("word", "name"):
        parts.append(tokens[j].text if tokens[j].kind == "word" else tokens[j].value)
        if j + 1 < len(tokens) and tokens[j + 1].text == ".":
            j += 2
            continue
        break
    return ".".join(parts) if parts else None


def check_read_only_text(cypher: str) -> None:
    """Refuse, before sending anything, Cypher that writes, administers or reads outside the graph.

    Works on the tokens of one left-to-right pass (``queries.lexer``), so no comment, string or
    quoted name can hide a clause. A first line of defence with a clear message; the plan check,
    the read transaction and the server's configuration stand behind it.
    """
    tokens = tokenize(cypher)
    if tokens and tokens[-1].text == ";":
        tokens = tokens[:-1]
    if not tokens:
        raise InputError("the query is empty")
    if any(t.text == ";" for t in tokens):
        raise InputError("one statement at a time: the console refuses several statements separated by ';'")
    for i, token in enumerate(tokens):
        if token.kind != "word" or not _is_keyword(tokens, i):
            continue
        if token.value in _REFUSED_WORDS:
            raise _refusal(_REFUSED_WORDS[token.value])
        if token.value in ("START", "STOP") and i + 1 < len(tokens) and tokens[i + 1].is_word("DATABASE"):
            raise _refusal("START/STOP DATABASE")
        if token.value == "CALL":
            procedure = _procedure_name(tokens, i)
            if procedure is not None and procedure.lower() not in _ALLOWED_LOWER:
                raise _refusal(f"the procedure {procedure} (only {', '.join(ALLOWED_PROCEDURES)})")


def _statement(cypher: str, tokens: Sequence[Token]) -> tuple[str, list[Token]]:
    """The statement without a final ``;`` and without trailing comments, and its tokens."""
    body = list(tokens[:-1] if tokens and tokens[-1].text == ";" else tokens)
    return (cypher[: body[-1].end] if body else ""), body


def _bounded(cypher: str) -> str:
    """Append ``LIMIT $limit`` when a query ending in a top-level RETURN does not bound itself."""
    stripped, tokens = _statement(cypher, tokenize(cypher))
    depth, last_return = 0, None
    for i, token in enumerate(tokens):
        if token.text in ("(", "{", "["):
            depth += 1
        elif token.text in (")", "}", "]"):
            depth -= 1
        elif depth == 0 and token.kind == "word" and _is_keyword(tokens, i):
            if token.value == "UNION":
                return stripped
            if token.value == "RETURN":
                last_return = i
    if last_return is None or depth != 0:
        # Procedures: no RETURN to bound; the rows are still cut in ``_run``.
        return stripped
    if any(t.is_word("LIMIT") for t in tokens[last_return:]):
        return stripped
    return f"{stripped}\nLIMIT $limit"


# A LIMIT this large never cuts: the plan then shows what each step would produce in full.
_UNCUT = "1000000000000"


def _limits_lifted(cypher: str) -> str:
    """The query with every ``LIMIT n`` / ``LIMIT $p`` made too large to cut (only ever EXPLAINed).

    The planner scales every estimate under a LIMIT down to what the limit lets through, which
    hides the cost of a join that must be built before the first row comes out (a cartesian
    product with ``LIMIT 1`` estimates 1 row).
    """
    tokens = tokenize(cypher)
    out, pos = [], 0
    for before, token in pairwise(tokens):
        if before.is_word("LIMIT") and token.kind in ("number", "param"):
            out += [cypher[pos : token.start], _UNCUT]
            pos = token.end
    return "".join(out) + cypher[pos:]


# ------------------------------------------------------------------------------------ helpers


def _check_bounds(limit: int, timeout: float) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"the row limit must be between 1 and {MAX_LIMIT:,}, not {limit}")
    if not 0 < timeout <= MAX_TIMEOUT:
        raise InputError(f"the timeout must be between 0 and {MAX_TIMEOUT:.0f} seconds, not {timeout}")


def _too_deep(values: Any, limit: int = MAX_RESULT_DEPTH) -> bool:
    """Whether lists and maps nest deeper than ``limit`` anywhere in ``values`` (no recursion)."""
    stack: list[tuple[Any, int]] = [(values, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(value, Mapping):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list | tuple | set | frozenset):
            stack.extend((v, depth + 1) for v in value)
    return False


def _too_deep_error() -> QueryError:
    return QueryError(
        f"the result nests lists or maps more than {MAX_RESULT_DEPTH} levels deep, more than the "
        "console shows; return a flatter value (size(), a slice, or the values you need)"
    )


def _run(
    graph: Graph, cypher: str, params: Mapping[str, Any], limit: int, timeout: float, keep_graph_values: bool
) -> QueryResult:
    # Ask for one row more than the limit: that row only says "there were more".
    run_params = {**params, "limit": limit + 1}
    try:
        if keep_graph_values:
            columns, values = graph.read_records(cypher, run_params, timeout=timeout, retry=False)
            rows = [dict(zip(columns, row, strict=True)) for row in values]
        else:
            rows = graph.read(cypher, run_params, timeout=timeout, retry=False)
            columns = list(rows[0]) if rows else []
    except RecursionError:
        # The driver converts nested values recursively: thousands of levels overflow it.
        raise _too_deep_error() from None
    if _too_deep([list(row.values()) for row in rows], MAX_RESULT_DEPTH + 1):
        raise _too_deep_error()
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


def _plan_operators(plan: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """Every operator of the plan tree (name without ``@database``, and its arguments)."""
    found: list[tuple[str, Mapping[str, Any]]] = []
    stack = [plan] if plan else []
    while stack:
        node = stack.pop()
        found.append((str(node.get("operatorType", "?")).split("@", 1)[0], node.get("args") or {}))
        stack.extend(reversed(node.get("children") or ()))
    return found


def _largest_estimate(operators: Sequence[tuple[str, Mapping[str, Any]]]) -> float:
    estimates = [a.get("EstimatedRows") for _, a in operators]
    return max((float(e) for e in estimates if isinstance(e, int | float)), default=0.0)


def plan_refusal(operators: Sequence[tuple[str, Mapping[str, Any]]], query_type: str) -> str | None:
    """Why a plan is not a pure read of this graph (``None`` when it is one).

    The plan is what the server will run, whatever the text looked like: the whole tree is checked
    for ``LoadCSV``, ``Show*`` / ``Terminate*`` commands, writing operators and procedures outside
    ``ALLOWED_PROCEDURES``, and the query type must be ``r`` (read only).
    """
    for name, args in operators:
        if name in REFUSED_OPERATORS:
            return f"{REFUSED_OPERATORS[name]}: the plan holds a {name} step"
        if name.startswith(REFUSED_OPERATOR_PREFIXES):
            return f"the plan holds a {name} step (administration, other sessions or a write)"
        if "ProcedureCall" in name:
            procedure = str(args.get("Details", "")).split("(", 1)[0].strip()
            if procedure.lower() not in _ALLOWED_LOWER:
                return f"the plan calls the procedure {procedure or '(unnamed)'}, not on the allowlist"
    if query_type != "r":
        return f"the plan of this query is not read-only (query type {query_type!r})"
    return None


def preview_cost(graph: Graph, cypher: str, params: Mapping[str, Any] | None = None) -> CostPreview:
    """``EXPLAIN`` a query: its query type, estimated rows and plan operators, with warnings.

    Nothing runs; the plan's estimates come from the database's statistics, so they are a guide
    (exact on counts from the count store, rough after several joins). A plan holding a cartesian
    product is planned a second time with its limits lifted (``_limits_lifted``), and the larger
    estimate counts: a ``LIMIT`` shrinks the estimates under it, not the work of building the
    product.
    """
    values = {"limit": DEFAULT_LIMIT, **(params or {})}
    cypher, _ = _statement(cypher, tokenize(cypher))
    summary = graph.explain(cypher, values)
    plan = summary.plan or {}
    steps = _plan_operators(plan)
    operators = [name for name, _ in steps]
    query_type = str(summary.query_type or "?")
    root_rows = float((plan.get("args") or {}).get("EstimatedRows", 0.0)) if plan else 0.0
    largest = _largest_estimate(steps)
    warnings: list[str] = []
    if "CartesianProduct" in operators:
        uncut = _largest_estimate(_plan_operators(graph.explain(_limits_lifted(cypher), values).plan or {}))
        if uncut > largest:
            warnings.append(
                f"the cartesian product builds about {uncut:,.0f} rows whatever the LIMIT "
                f"(the plan under the limit shows {largest:,.0f})"
            )
            largest = uncut
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
        query_type=query_type,
        estimated_rows=largest,
        result_rows=root_rows,
        operators=tuple(operators),
        warnings=tuple(dict.fromkeys(warnings)),
        refusal=plan_refusal(steps, query_type),
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
    if preview.refusal is not None:
        raise WriteRefused(f"refused: {preview.refusal}; this console is read-only ({_READS_ONLY})")
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


def describe_value(value: Any, max_chars: int | None = MAX_CELL_CHARS) -> str:
    """A one-line rendering for table cells (paths drawn as ``(a)-[:R]->(b)`` chains).

    About ``max_chars`` characters at most (``None``: the whole value), saying how much was left
    out, so that one huge string or list cannot flood a table; a long list stops being rendered
    once the budget is spent instead of being joined in full first.
    """
    if isinstance(value, list | tuple):
        parts: list[str] = []
        used = 0
        for item in value:
            if max_chars is not None and used >= max_chars:
                parts.append(f"… ({len(value):,} items in all)")
                break
            parts.append(describe_value(item, None if max_chars is None else max_chars - used))
            used += len(parts[-1]) + 2
        return ", ".join(parts)
    text = _describe_one(value)
    if max_chars is not None and len(text) > max_chars:
        return f"{text[: max(max_chars, 1)]}… ({len(text):,} characters in all)"
    return text


def _describe_one(value: Any) -> str:
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
        return describe_value(plain, None)
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
