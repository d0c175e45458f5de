"""Watches on the real graph: each kind matches what it should, a match alerts once, an alert
opens a case or adds to the open one, the outbox gets it, a viewer cannot save one, and a watch
that cannot be evaluated is reported while the others go on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hydrascope.db import Graph
from hydrascope.errors import InputError, PermissionRefused
from hydrascope.workflow import audit, cases, watches
from hydrascope.workflow.identity import Analyst

ALICE = Analyst("alice", "analyst")
VIEWER = Analyst("victor", "viewer")


@pytest.fixture(autouse=True)
def _outbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HYDRASCOPE_ALERT_OUTBOX", str(tmp_path / "alerts.jsonl"))
    monkeypatch.delenv("HYDRASCOPE_ALERT_WEBHOOK", raising=False)
    return tmp_path / "alerts.jsonl"


def _account(
    graph: Graph,
    account_id: str,
    day: int,
    *,
    banned: bool = False,
    card: str = "",
    device: str = "",
    ip: str = "",
) -> None:
    graph.write(
        "CREATE (a:Account {account_id: $id, status: $status, "
        "created_at: datetime('2026-01-01T00:00:00Z') + duration({days: $day})}) "
        "FOREACH (_ IN CASE WHEN $card = '' THEN [] ELSE [1] END | "
        "  MERGE (p:PaymentInstrument {instrument_id: $card}) CREATE (a)-[:PAID_WITH]->(p)) "
        "FOREACH (_ IN CASE WHEN $device = '' THEN [] ELSE [1] END | "
        "  MERGE (f:ClientFingerprint {fingerprint: $device}) CREATE (a)-[:USED_CLIENT]->(f)) "
        "FOREACH (_ IN CASE WHEN $ip = '' THEN [] ELSE [1] END | "
        "  MERGE (i:IP {ip: $ip}) CREATE (a)-[:CONNECTED_FROM]->(i))",
        {
            "id": account_id,
            "day": day,
            "status": "banned" if banned else "active",
            "card": card,
            "device": device,
            "ip": ip,
        },
    )


def test_new_accounts_on_a_banned_card_or_device_alert_once_and_fill_one_open_case(
    graph: Graph, _outbox: Path
) -> None:
    _account(graph, "bad-1", 0, banned=True, card="card-1", device="fp-1", ip="198.51.100.1")
    _account(graph, "old-1", 2, card="card-1")  # there when the watch is saved: its baseline
    for i in range(25):  # a popular client build: no evidence
        _account(graph, f"crowd-{i}", 1, device="fp-popular")
    _account(graph, "bad-2", 0, banned=True, device="fp-popular")
    watch_id = watches.save_watch(graph, ALICE, "born_on_banned", name="regrowth")

    _account(graph, "new-1", 5, card="card-1")
    _account(graph, "new-ip", 5, ip="198.51.100.1")  # the banned account's IP only: a proxy's customer
    _account(graph, "new-crowd", 5, device="fp-popular")
    first = watches.evaluate_watches(graph)
    (alert,) = first.alerts
    assert alert.accounts == ("new-1",) and alert.title == "regrowth: 1 new match"
    assert (
        "born on the infrastructure of 1 banned or confirmed accounts (PaymentInstrument card-1)"
        in alert.matches[0]
    )
    assert cases.case_accounts(graph, alert.case_id) == ["new-1"]
    assert watches.evaluate_watches(graph).alerts == ()  # the same match: no second alert

    _account(graph, "new-2", 6, device="fp-1")
    (second,) = watches.evaluate_watches(graph).alerts
    assert second.case_id == alert.case_id  # the watch's case is still open: it grows
    assert cases.case_accounts(graph, alert.case_id) == ["new-1", "new-2"]

    cases.update_case(graph, ALICE, alert.case_id, status="closed")
    _account(graph, "new-3", 7, card="card-1")
    (third,) = watches.evaluate_watches(graph).alerts
    assert third.case_id != alert.case_id and cases.case_accounts(graph, third.case_id) == ["new-3"]

    sent = [json.loads(line) for line in _outbox.read_text().splitlines()]
    assert [s["accounts"] for s in sent] == [["new-1"], ["new-2"], ["new-3"]]
    assert {s["watch_id"] for s in sent} == {watch_id}
    trail = audit.read_events(graph, action="alert")
    assert len(trail) == 3 and set(trail["analyst"]) == {"hydrascope scheduler"}
    listed = watches.read_alerts(graph, "alice")
    assert listed["unread"].all() and watches.unread_count(graph, "alice") == 3
    assert watches.mark_read(graph, ALICE, listed["alert_id"].tolist()[:2]) == 2
    assert watches.unread_count(graph, "alice") == 1 and watches.unread_count(graph, "bob") == 3
    with pytest.raises(PermissionRefused):
        watches.mark_read(graph, VIEWER, listed["alert_id"].tolist())


def test_campaign_query_and_growth_watches(graph: Graph) -> None:
    graph.write(
        "CREATE (k:Cluster {cluster_id: 'cl-1', size: 10, flagged: true, lifecycle: 'born', "
        "detect_run: 'd1'})"
        "-[:PART_OF]->(:Campaign {campaign_id: 'cp-1'}) "
        "WITH k UNWIND range(1, 10) AS i "
        "CREATE (:Account {account_id: 'm-' + i, risk_score: 0.9, status: 'active'})-[:MEMBER_OF]->(k)"
    )
    campaign = watches.save_watch(graph, ALICE, "campaign", target="cp-1")
    query = watches.save_watch(graph, ALICE, "query", target="account_top_risk", params={"min_score": 0.8})
    growth = watches.save_watch(graph, ALICE, "cluster_growth", growth_pct=40)
    assert watches.evaluate_watches(graph).alerts == ()  # nothing new since the baselines

    graph.write(
        "MATCH (k:Cluster {cluster_id: 'cl-1'}) SET k.size = 13 WITH k UNWIND range(11, 13) AS i "
        "CREATE (:Account {account_id: 'm-' + i, risk_score: 0.95, status: 'active'})-[:MEMBER_OF]->(k)"
    )
    by_watch = {a.watch_id: a for a in watches.evaluate_watches(graph).alerts}
    assert set(by_watch) == {campaign, query}  # 30% is below the 40% growth
    assert by_watch[campaign].accounts == by_watch[query].accounts == ("m-11", "m-12", "m-13")

    graph.write("MATCH (k:Cluster {cluster_id: 'cl-1'}) SET k.size = 14")
    (grew,) = watches.evaluate_watches(graph).alerts  # 10 -> 14: past 40% of the size saved
    assert grew.watch_id == growth and grew.matches == ("cl-1 grew from 10 to 14 accounts",)
    graph.write("MATCH (k:Cluster {cluster_id: 'cl-1'}) SET k.size = 16")
    assert watches.evaluate_watches(graph).alerts == ()  # 14 -> 16 is under 40% of 14
    graph.write("MATCH (k:Cluster {cluster_id: 'cl-1'}) SET k.lifecycle = 'regrew', k.detect_run = 'd2'")
    (regrew,) = watches.evaluate_watches(graph).alerts
    assert regrew.matches == ("cl-1 regrew: 16 accounts (run d2)",) and len(regrew.accounts) == 13
    assert watches.evaluate_watches(graph).alerts == ()  # the same regrowth: once


def test_a_viewer_cannot_save_a_watch_and_a_broken_watch_does_not_stop_the_others(graph: Graph) -> None:
    with pytest.raises(PermissionRefused):
        watches.save_watch(graph, VIEWER, "born_on_banned")
    (refusal,) = audit.read_events(graph).to_dict("records")
    assert refusal["outcome"] == audit.REFUSED and refusal["analyst"] == "victor"
    assert graph.count("MATCH (w:Watch) RETURN count(w)") == 0
    with pytest.raises(InputError, match="campaign id"):
        watches.save_watch(graph, ALICE, "campaign")
    with pytest.raises(InputError):
        watches.save_watch(graph, ALICE, "query", target="no_such_query")

    broken = watches.save_watch(graph, ALICE, "query", target="account_top_risk")
    graph.write("MATCH (w:Watch {watch_id: $id}) SET w.target = 'a_query_since_removed'", {"id": broken})
    watches.save_watch(graph, ALICE, "born_on_banned", name="regrowth")
    _account(graph, "bad", 0, banned=True, card="c")
    _account(graph, "new", 3, card="c")
    result = watches.evaluate_watches(graph)
    assert [a.accounts for a in result.alerts] == [("new",)]
    assert len(result.failed) == 1 and broken in result.failed[0]
    assert "1 could not be evaluated" in result.describe()
    watches.set_active(graph, ALICE, broken, False)
    assert watches.evaluate_watches(graph).failed == ()
