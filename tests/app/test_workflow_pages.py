"""The analyst's workflow in the app: a case opened for a cluster and decided in bulk, the ban
list and the audit trail after it, and a viewer refused (and recorded) at every door."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_pages import ban_list_download, frames, no_errors, open_page, read, submit

from hydrascope.db import Graph
from hydrascope.workflow import audit, cases
from hydrascope.workflow.identity import Analyst

pytestmark = pytest.mark.neo4j


@pytest.fixture
def viewer_roles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    roles = tmp_path / "roles.toml"
    roles.write_text('default = "viewer"\n[analysts]\ndana = "admin"\n', encoding="utf-8")
    monkeypatch.setenv("HYDRASCOPE_ROLES", str(roles))


def test_a_case_opened_for_a_cluster_and_confirmed_in_bulk_reaches_the_ban_list_and_the_trail(
    world: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page("cases")
    no_errors(at)
    at.text_input(key="analyst").set_value("dana")
    at.radio(key="case_source").set_value("cluster")
    at.selectbox(key="case_cluster").set_value("cl-a2")
    at.text_area(key="case_note").set_value("virtual cards")
    at = at.button(key="case_open").click().run()
    no_errors(at)
    (case_id,) = cases.read_queue(world)["case_id"]
    assert "Opened " + case_id in read(at.success[0].value)
    members = set(cases.case_accounts(world, case_id))
    assert len(members) == world.count(
        "MATCH (:Account)-[:MEMBER_OF]->(:Cluster {cluster_id: 'cl-a2'}) RETURN count(*)"
    )
    assert all(m in frames(at) for m in members)  # the members table is drawn

    at.text_area(key=f"case-decide-note-{case_id}").set_value("checked cards and prompts")
    at.radio(key=f"case-decide-label-{case_id}").set_value("confirmed")
    at = submit(at, index=1)
    no_errors(at)
    labels = world.read(
        "MATCH (:Case {case_id: $id})-[:CONCERNS_ACCOUNT]->(a) "
        "RETURN DISTINCT a.triage_label AS l, a.triage_by AS by",
        {"id": case_id},
    )
    assert labels == [{"l": "confirmed", "by": "dana"}]
    assert cases.read_queue(world)["status"].tolist() == ["actioned"]
    banned, _ = ban_list_download(monkeypatch, include_banned=True)
    assert members <= {row["account_id"] for row in banned}

    trail = audit.read_events(world).iloc[::-1]
    assert trail["action"].tolist() == ["case_open", "label", "case_update"]
    assert set(trail["analyst"]) == {"dana"} and set(trail["detect_run"]) == {"detect-1"}
    page = open_page("audit")
    no_errors(page)
    assert "case_open" in frames(page) and "dana" in frames(page)


def test_a_bulk_decision_needs_a_note(world: Graph) -> None:
    case_id = cases.open_case(world, Analyst("dana", "admin"), "cluster", "cl-a1")
    at = open_page("cases")
    at = submit(at, index=1)
    assert "needs a note" in at.error[0].value
    assert world.count("MATCH (a:Account) WHERE a.triage_label IS NOT NULL RETURN count(a)") == 0
    assert case_id in cases.read_queue(world, status="open")["case_id"].tolist()


def test_a_viewer_is_refused_at_every_door_and_each_attempt_is_recorded(
    world: Graph, viewer_roles: None
) -> None:
    triage = open_page("triage")
    triage.text_input(key="triage-cluster-cl-a1-by").set_value("victor")
    triage = submit(triage)
    assert "a viewer may not label" in triage.error[0].value

    exports = open_page("exports")
    exports.text_input(key="analyst").set_value("victor").run()
    assert not exports.get("download_button") or all(
        b.proto.label != "Download ban list (CSV)" for b in exports.get("download_button")
    )
    exports = exports.button(key="dl-bans").click().run()
    assert "may not export ban list" in exports.error[0].value

    console = open_page("queries")
    console.text_input(key="analyst").set_value("victor")
    console.text_area(key="adhoc_cypher").set_value("MATCH (a:Account) RETURN a.account_id LIMIT 1")
    console = console.button(key="adhoc_run").click().run()
    assert "may not console" in console.error[0].value

    assert world.count("MATCH (n) WHERE n.triage_label IS NOT NULL RETURN count(n)") == 0
    refused = audit.read_events(world, analyst="victor")
    assert sorted(refused["action"]) == ["console", "export_ban_list", "label"]
    assert set(refused["outcome"]) == {"refused"} and set(refused["role"]) == {"viewer"}
