"""The ad-hoc console, checked by role and recorded: one door for the app and the command line.

An analyst's own Cypher runs through ``queries.run_adhoc`` (read-only by text, plan and server,
bounded, previewed). Whoever runs it, from the app's Queries page or ``hydrascope query --cypher``,
must hold the ``console`` permission, and the query (run, refused by the runner, or failed) goes
into the audit trail with its text and parameters: what an analyst looked at before a ban is part
of the record.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hydrascope.db import Graph
from hydrascope.errors import HydrascopeError
from hydrascope.workflow import audit
from hydrascope.workflow.identity import Action, Analyst
from queries.runner import QueryResult, run_adhoc


def run_recorded(
    graph: Graph,
    who: Analyst,
    cypher: str,
    params: Mapping[str, Any],
    *,
    limit: int,
    timeout: float,
    force: bool = False,
    keep_graph_values: bool = False,
    door: str = "app",
) -> QueryResult:
    """Run ``cypher`` for ``who`` if their role may; record it either way."""
    detail = {"cypher": cypher, "params": dict(params), "limit": limit, "from": door}
    audit.authorise(graph, who, Action.CONSOLE, "console", "", detail)
    try:
        result = run_adhoc(
            graph,
            cypher,
            params,
            limit=limit,
            timeout=timeout,
            force=force,
            keep_graph_values=keep_graph_values,
        )
    except HydrascopeError as exc:
        audit.record(
            graph, who, Action.CONSOLE.value, "console", "", {**detail, "error": str(exc)}, audit.FAILED
        )
        raise
    audit.record(
        graph,
        who,
        Action.CONSOLE.value,
        "console",
        "",
        {**detail, "rows": len(result.rows), "truncated": result.truncated},
    )
    return result
