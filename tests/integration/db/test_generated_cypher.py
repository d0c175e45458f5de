"""Every statement the schema generates is valid Cypher on the real server, and does what it says."""

from __future__ import annotations

import pytest

from hydrascope.db import Graph
from hydrascope.schema import cypher
from hydrascope.schema.model import ACCOUNT, ASN, CLUSTER, NODES, PAID_WITH, RELATIONSHIPS

pytestmark = pytest.mark.neo4j


@pytest.mark.parametrize("merge_end", [True, False])
def test_every_generated_statement_plans(graph: Graph, merge_end: bool) -> None:
    statements = [cypher.merge_nodes(n) for n in NODES]
    statements += [cypher.merge_relationships(r, merge_end=merge_end) for r in RELATIONSHIPS]
    for statement in statements:
        graph.explain(statement, {"rows": [], "update_tag": 1})


def test_merge_is_idempotent_and_keeps_provenance(graph: Graph) -> None:
    rows = [
        {"key": "acct_1", "props": {"status": "active"}},
        {"key": "acct_2", "props": {"status": "banned"}},
    ]
    graph.write_rows(cypher.merge_nodes(ACCOUNT, ("status",)), rows, params={"update_tag": 100})
    graph.write_rows(cypher.merge_nodes(ACCOUNT, ("status",)), rows, params={"update_tag": 200})
    got = graph.read(
        "MATCH (a:Account) RETURN a.account_id AS id, a.firstseen AS f, a.lastupdated AS l ORDER BY id"
    )
    assert [(r["id"], r["f"], r["l"]) for r in got] == [("acct_1", 100, 200), ("acct_2", 100, 200)]


def test_relationship_merge_without_end_creation_skips_unknown_ends(graph: Graph) -> None:
    graph.write("CREATE (:PaymentInstrument {instrument_id: 'pm_1'})")
    statement = cypher.merge_relationships(PAID_WITH, ("first_seen",), merge_end=False)
    rows = [
        {"start": "acct_1", "end": "pm_1", "props": {}},
        {"start": "acct_1", "end": "pm_missing", "props": {}},
    ]
    graph.write_rows(statement, rows, params={"update_tag": 1})
    edges = graph.read("MATCH (a)-[:PAID_WITH]->(p) RETURN a.account_id AS a, p.instrument_id AS p")
    assert edges == [{"a": "acct_1", "p": "pm_1"}]
    assert graph.count("MATCH (p:PaymentInstrument) RETURN count(p)") == 1


def test_every_cleanup_statement_plans(graph: Graph) -> None:
    statements = [cypher.stale_nodes(n) for n in NODES]
    statements += [cypher.stale_nodes(n, orphans_only=True) for n in NODES]
    statements += [cypher.stale_relationships(r) for r in RELATIONSHIPS]
    activity = [r for r in RELATIONSHIPS if "last_seen" in r.property_names]
    statements += [cypher.aged_relationships(r) for r in activity]
    statements += [cypher.count_aged_relationships(r) for r in activity]
    statements.append(cypher.retire_stale_nodes(CLUSTER, ("triage_label",), ("flagged", "size")))
    assert len(activity) >= 5
    for statement in statements:
        graph.explain(statement, {"update_tag": 1, "cutoff": None, "retired": {}})


def test_cleanup_keeps_what_the_run_touched_and_what_is_in_use(graph: Graph) -> None:
    graph.write(
        "CREATE (:ASN {asn: 1, lastupdated: 1}), (:ASN {asn: 2, lastupdated: 2}), "
        "(:IP {ip: '10.0.0.1'})-[:IN_ASN {lastupdated: 1}]->(:ASN {asn: 3, lastupdated: 1}), "
        "(:Cluster {cluster_id: 'c1', lastupdated: 1, flagged: true, size: 4}), "
        "(:Cluster {cluster_id: 'c2', lastupdated: 1, flagged: true, size: 4, triage_label: 'confirmed'})"
    )
    deleted = graph.run_autocommit(
        cypher.stale_nodes(ASN, orphans_only=True), {"update_tag": 2}
    ).nodes_deleted
    assert deleted == 1  # asn 1: stale and unused; 2 was touched, 3 is in use
    assert graph.count("MATCH (n:ASN) RETURN count(n)") == 2
    graph.run_autocommit(cypher.stale_nodes(CLUSTER, kept_if=("triage_label",)), {"update_tag": 2})
    graph.write(
        cypher.retire_stale_nodes(CLUSTER, ("triage_label",), ("flagged", "size")),
        {"update_tag": 2, "retired": {"flagged": False, "size": 0}},
    )
    rows = graph.read("MATCH (c:Cluster) RETURN c.cluster_id AS id, c.flagged AS f, c.size AS s")
    assert rows == [{"id": "c2", "f": False, "s": 0}]
