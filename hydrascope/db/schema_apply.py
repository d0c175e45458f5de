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


RESET_BATCH = 10_000


def reset_graph(graph: Graph, batch: int = RESET_BATCH) -> int:
    """Delete every node and relationship, in bounded transactions; constraints and indexes stay.

    Relationships go first, ``batch`` per transaction, then the (by then unconnected) nodes. Why
    not ``DETACH DELETE`` nodes in batches: a batch of nodes carries all their relationships, and
    a few accounts with tens of thousands of edges each made one transaction exceed the server's
    transaction memory limit (``MemoryPoolOutOfMemoryError``); a batch of relationships is bounded
    whatever the degrees. Returns how many nodes there were.
    """
    before = graph.count("MATCH (n) RETURN count(n) AS n")
    graph.run_autocommit(
        "MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF $batch ROWS", {"batch": batch}
    )
    # DETACH: a relationship written meanwhile by someone else must not make the reset fail.
    graph.run_autocommit(
        "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF $batch ROWS", {"batch": batch}
    )
    return before
