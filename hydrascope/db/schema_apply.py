"""Apply the schema's constraints and indexes to a database, idempotently."""

from __future__ import annotations

from hydrascope.db.graph import Graph
from hydrascope.schema.cypher import constraint_statements, index_statements


def apply_schema(graph: Graph) -> int:
    """Create every constraint and index (``IF NOT EXISTS``) and wait until they are online."""
    statements = constraint_statements() + index_statements()
    for statement in statements:
        graph.run_autocommit(statement)
    graph.run_autocommit("CALL db.awaitIndexes(300)")
    return len(statements)


def reset_graph(graph: Graph) -> int:
    """Delete every node and relationship in batches; constraints and indexes stay."""
    before = graph.count("MATCH (n) RETURN count(n) AS n")
    graph.run_autocommit("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
    return before
