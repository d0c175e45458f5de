"""Cases, triage decisions and the audit trail on the real graph, with roles enforced."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hydrascope.db import Graph
from hydrascope.errors import InputError, PermissionRefused
from hydrascope.workflow import audit, cases, decisions
from hydrascope.workflow.identity import Analyst

ALICE = Analyst("alice", "analyst")
VIEWER = Analyst("victor", "viewer")


@pytest.fixture
def two_clusters(graph: Graph) -> Graph:
    graph.write(
        "CREATE (:IngestRun {run_id: 'ingest-1', started_at: datetime('2026-11-30T00:00:00Z')}), "
        "(:IngestRun {run_id: 'ingest-2', started_at: datetime('2026-12-01T00:00:00Z')}) "
        "WITH 1 AS x "
        "UNWIND [['c-hot', 0.9, 3], ['c-mild', 0.4, 2]] AS c "
        "CREATE (k:Cluster {cluster_id: c[0], score: c[1], evidence: ['shared card 4 accounts'], "
        "detect_run: 'detect-7', last_detected_at: datetime()}) "
        "WITH k, c UNWIND range(1, c[2]) AS i "
        "CREATE (:Account {account_id: c[0] + '-a' + i, risk_score: c[1], status: 'active'})"
        "-[:MEMBER_OF]->(k)"
    )
    graph.write("CREATE (:IP {ip: '203.0.113.9'})")
    return graph


def test_a_cluster_case_keeps_its_evidence_links_its_members_and_sorts_by_risk(two_clusters: Graph) -> None:
    mild = cases.open_case(two_clusters, ALICE, "cluster", "c-mild")
    hot = cases.open_case(two_clusters, ALICE, "cluster", "c-hot", priority=1, note="card ring")
    queue = cases.read_queue(two_clusters)
    assert queue["case_id"].tolist() == [hot, mild]
    assert queue["accounts"].tolist() == [3, 2] and set(queue["status"]) == {"open"}
    case = cases.read_case(two_clusters, hot)
    assert case is not None
    assert case["props"]["evidence"] == ["shared card 4 accounts"] and case["clusters"] == ["c-hot"]
    assert case["accounts"]["account_id"].tolist() == ["c-hot-a1", "c-hot-a2", "c-hot-a3"]
    assert case["props"]["notes"][0].endswith("alice: card ring")


def test_a_selection_case_links_accounts_and_ips_and_needs_something(two_clusters: Graph) -> None:
    cid = cases.open_case(two_clusters, ALICE, "selection", accounts=["c-mild-a1"], ips=["203.0.113.9"])
    case = cases.read_case(two_clusters, cid)
    assert case is not None and case["ips"] == ["203.0.113.9"]
    assert case["accounts"]["account_id"].tolist() == ["c-mild-a1"] and case["props"]["risk"] == 0.4
    with pytest.raises(InputError, match="at least one"):
        cases.open_case(two_clusters, ALICE, "selection")


def test_a_bulk_decision_labels_every_member_and_the_trail_holds_every_step(two_clusters: Graph) -> None:
    cid = cases.open_case(two_clusters, ALICE, "cluster", "c-hot")
    cases.update_case(two_clusters, ALICE, cid, status="in_review", assignee="alice")
    assert cases.read_queue(two_clusters, status="in_review", assignee="alice")["case_id"].tolist() == [cid]
    assert cases.read_queue(two_clusters, status="open").empty
    labelled = cases.decide(two_clusters, ALICE, cid, "confirmed", "same card, same prompts")
    assert labelled == 3
    rows = two_clusters.read(
        "MATCH (a:Account)-[:MEMBER_OF]->(:Cluster {cluster_id: 'c-hot'}) "
        "RETURN a.triage_label AS label, a.triage_by AS by, a.triage_note AS note"
    )
    assert rows == [{"label": "confirmed", "by": "alice", "note": "same card, same prompts"}] * 3
    assert cases.read_queue(two_clusters)["status"].tolist() == ["actioned"]

    trail = audit.read_events(two_clusters).iloc[::-1]  # oldest first
    assert trail["action"].tolist() == ["case_open", "case_update", "label", "case_update"]
    assert set(trail["analyst"]) == {"alice"} and set(trail["outcome"]) == {"done"}
    # each entry names the runs the graph held: the latest ingest and detection
    assert set(trail["ingest_run"]) == {"ingest-2"} and set(trail["detect_run"]) == {"detect-7"}
    label = json.loads(trail[trail["action"] == "label"]["detail"].iloc[0])
    assert label["keys"] == ["c-hot-a1", "c-hot-a2", "c-hot-a3"] and label["case_id"] == cid


def test_a_viewer_cannot_open_decide_or_label_and_each_attempt_is_recorded(two_clusters: Graph) -> None:
    cid = cases.open_case(two_clusters, ALICE, "cluster", "c-mild")
    with pytest.raises(PermissionRefused, match="viewer"):
        cases.open_case(two_clusters, VIEWER, "cluster", "c-hot")
    with pytest.raises(PermissionRefused):
        cases.decide(two_clusters, VIEWER, cid, "false_positive", "looks fine")
    with pytest.raises(PermissionRefused):
        decisions.label_nodes(two_clusters, VIEWER, "Cluster", ["c-hot"], "allowlisted", "")
    assert two_clusters.count("MATCH (n) WHERE n.triage_label IS NOT NULL RETURN count(n)") == 0
    assert two_clusters.count("MATCH (c:Case) RETURN count(c)") == 1
    refused = audit.read_events(two_clusters, analyst="victor")
    assert sorted(refused["action"]) == ["case", "label", "label"] and set(refused["outcome"]) == {"refused"}


def test_the_trail_filters_by_time_analyst_and_action(two_clusters: Graph) -> None:
    audit.record(two_clusters, ALICE, "export", "ban_list", "", {"rows": 5})
    audit.record(two_clusters, Analyst("bob", "admin"), "console", "", "", {"cypher": "RETURN 1"})
    assert audit.read_events(two_clusters, analyst="bob")["action"].tolist() == ["console"]
    assert audit.read_events(two_clusters, action="export")["analyst"].tolist() == ["alice"]
    from datetime import UTC, datetime, timedelta

    assert audit.read_events(two_clusters, since=datetime.now(UTC) + timedelta(hours=1)).empty
    assert len(audit.read_events(two_clusters, since=datetime.now(UTC) - timedelta(hours=1))) == 2


def test_nothing_in_the_code_updates_or_deletes_an_audit_event() -> None:
    # Append-only by construction: the only Cypher naming AuditEvent creates it or reads it.
    root = Path(__file__).resolve().parents[3]
    for path in [*(root / "hydrascope").rglob("*.py"), *(root / "ingest").rglob("*.py"), root / "app.py"]:
        text = path.read_text(encoding="utf-8")
        if "AUDIT_EVENT" in text or "AuditEvent" in text:
            assert path.name in {"audit.py", "model.py", "docs.py", "__init__.py"}, path
