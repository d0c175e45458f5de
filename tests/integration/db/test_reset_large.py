"""Issue #12, finding 8: ``hydrascope db reset --yes`` empties a graph of heavy accounts.

The old reset DETACH DELETEd 10,000 nodes per transaction, each with all its relationships: a
batch holding accounts of 20k edges each exceeded the server's transaction memory
(``MemoryPoolOutOfMemoryError``). Measured on the test server (1 GiB heap, so
``dbms.memory.transaction.total.max`` 716.8 MiB): 20 such accounts (400k edges) still passed, 50
(one million edges) failed. The graph below scales the 50 with the server's limit.
"""

from __future__ import annotations

import math
import os
import re

import pytest

from hydrascope.cli import main
from hydrascope.db import Graph

pytestmark = [
    pytest.mark.neo4j,
    pytest.mark.slow,
    pytest.mark.skipif(bool(os.environ.get("NEO4J_URI")), reason="`db reset` manages only the local server"),
]
EDGES_PER_ACCOUNT = 20_000
ACCOUNTS_AT_716_MIB = 50  # one million edges: the old reset failed there (see the module docstring)
_UNITS = {"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}


def _transaction_limit(graph: Graph) -> int:
    """The server-wide transaction memory limit in bytes (0: none)."""
    rows = graph.read(
        "SHOW SETTINGS YIELD name, value WHERE name = 'dbms.memory.transaction.total.max' RETURN value"
    )
    match = re.fullmatch(r"([\d.]+)\s*([KMGT]?i?B)", str(rows[0]["value"]) if rows else "")
    return int(float(match.group(1)) * _UNITS[match.group(2)]) if match else 0


def test_reset_empties_a_graph_of_accounts_with_20k_edges_each(graph: Graph, capsys) -> None:
    limit = _transaction_limit(graph)
    accounts = max(ACCOUNTS_AT_716_MIB, math.ceil(ACCOUNTS_AT_716_MIB * limit / (716.8 * (1 << 20))))
    graph.run_autocommit(
        "UNWIND range(1, $n) AS i CALL (i) { CREATE (:Account {account_id: 'heavy-' + i}) } "
        "IN TRANSACTIONS OF 10000 ROWS",
        {"n": accounts},
    )
    graph.run_autocommit(
        "UNWIND range(1, $n) AS i CALL (i) { CREATE (:PromptTemplate {template: 'tpl-' + i}) } "
        "IN TRANSACTIONS OF 10000 ROWS",
        {"n": EDGES_PER_ACCOUNT},
    )
    graph.run_autocommit(
        "MATCH (a:Account) CALL (a) { MATCH (t:PromptTemplate) "
        "CREATE (a)-[:SENT {requests: 1, first_seen: datetime(), last_seen: datetime()}]->(t) } "
        "IN TRANSACTIONS OF 5 ROWS"
    )
    heaviest = graph.count("MATCH (a:Account) RETURN max(COUNT { (a)-[:SENT]->() }) AS n")
    assert heaviest == EDGES_PER_ACCOUNT
    nodes = accounts + EDGES_PER_ACCOUNT
    assert graph.count("MATCH ()-[r:SENT]->() RETURN count(r) AS n") == accounts * EDGES_PER_ACCOUNT

    with pytest.raises(SystemExit) as exited:
        main(["db", "reset", "--yes"])
        raise SystemExit(0)
    captured = capsys.readouterr()
    assert exited.value.code in (0, None), captured.err
    assert f"deleted {nodes:,} nodes" in captured.out
    assert graph.count("MATCH (n) RETURN count(n) AS n") == 0
    assert graph.count("MATCH ()-[r]->() RETURN count(r) AS n") == 0
