"""The app on the real pipeline: the simulator's ``tiny`` world, ingested and detected.

What ``test_pages.py`` checks on a hand-built world is checked here on what the simulator, ingest
and detection actually produce: every page runs, a flagged cluster's drawing, evidence and member
table show its real members, a real account and a library query, an allowlist label that the next
detection run respects, and the ban list. Expected values are read from the graph, never typed in.
The allowlist test changes the graph, so it runs last (``conftest.pytest_collection_modifyitems``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import streamlit as st
from test_pages import PAGES, ban_list_download, drawings, frames, no_errors, open_page, read, submit, texts

from hydrascope.db import Graph
from hydrascope.jobs.detect import run_detection

pytestmark = pytest.mark.neo4j


@pytest.fixture(autouse=True)
def fresh_caches(tiny_world: Graph) -> Iterator[None]:
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def flagged_clusters(graph: Graph) -> list[dict[str, Any]]:
    return graph.read(
        "MATCH (c:Cluster) WHERE c.flagged "
        "RETURN c.cluster_id AS id, c.evidence AS evidence, COUNT { (c)<-[:MEMBER_OF]-() } AS size "
        "ORDER BY size DESC, id"
    )


def members(graph: Graph, cluster_id: str) -> set[str]:
    rows = graph.read(
        "MATCH (:Cluster {cluster_id: $c})<-[:MEMBER_OF]-(a:Account) RETURN a.account_id AS a",
        {"c": cluster_id},
    )
    return {r["a"] for r in rows}


def test_the_pipeline_flagged_something(tiny_world: Graph) -> None:
    flagged = flagged_clusters(tiny_world)
    assert flagged, "detection flagged no cluster in the tiny world"
    assert all(c["evidence"] for c in flagged)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_the_real_world(tiny_world: Graph, page: str) -> None:
    at = open_page(page)
    no_errors(at)
    assert at.title[0].value


def test_overview_counts_match_the_graph(tiny_world: Graph) -> None:
    at = open_page("overview")
    no_errors(at)
    metrics = {m.label: m.value for m in at.metric}
    total = tiny_world.count("MATCH (c:Cluster) RETURN count(c)")
    flagged = len(flagged_clusters(tiny_world))
    assert metrics["Flagged clusters"] == f"{flagged} of {total}"
    assert metrics["Accounts"] == f"{tiny_world.count('MATCH (a:Account) RETURN count(a)'):,}"


def test_a_real_flagged_cluster_shows_its_real_members(tiny_world: Graph) -> None:
    top = flagged_clusters(tiny_world)[0]
    cid, expected = top["id"], members(tiny_world, top["id"])
    at = open_page("clusters")
    at.selectbox(key="cluster_pick").set_value(cid).run()
    no_errors(at)
    shown = texts(at)
    assert all(item in shown for item in top["evidence"])  # the detector's evidence, verbatim
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Accounts"] == f"{len(expected):,}"
    # The drawing: every member is a node or inside a counted group node; nothing else is an account.
    view = at.session_state["current_view"]
    hidden = {i for ids in view.groups.values() for i in ids}
    drawn = {n.key for n in view.nodes if n.kind == "Account"}
    grouped = {i.split(":", 1)[1] for i in hidden if i.startswith("Account:")}
    assert drawn | grouped == expected
    html = drawings(at)[0]
    assert all(f'"id": "Account:{a}"' in html for a in drawn)
    # Infrastructure drawn is infrastructure the members really use.
    infra = tiny_world.read(
        "MATCH (:Cluster {cluster_id: $c})<-[:MEMBER_OF]-(:Account)-[:PAID_WITH|USED_CLIENT]->(x) "
        "RETURN DISTINCT head(labels(x)) + ':' + coalesce(x.instrument_id, x.fingerprint) AS id",
        {"c": cid},
    )
    drawn_ids = {n.id for n in view.nodes} | hidden
    infra_ids = {r["id"] for r in infra}
    assert {
        i for i in drawn_ids if i.split(":")[0] in ("PaymentInstrument", "ClientFingerprint")
    } <= infra_ids
    # Member table: exactly the members.
    table = next(df.value for df in at.dataframe if "account_id" in df.value.columns)
    assert set(table["account_id"]) == expected


def test_the_skeleton_of_a_real_cluster_accounts_for_every_member(tiny_world: Graph) -> None:
    top = flagged_clusters(tiny_world)[0]
    at = open_page("clusters", cluster=top["id"])
    at.radio(key=f"mode-{top['id']}").set_value("skeleton").run()
    no_errors(at)
    view = at.session_state["current_view"]
    cohorts = [n for n in view.nodes if n.kind == "Cohort"]
    assert cohorts and sum(n.count for n in cohorts) == len(members(tiny_world, top["id"]))
    # Drill into the biggest cohort: its accounts are drawn one by one, all members of the cluster.
    biggest = max(cohorts, key=lambda n: n.count)
    at.selectbox(key=f"cohort-{top['id']}").set_value(biggest.key).run()
    no_errors(at)
    drilled = at.session_state["current_view"]
    hidden = {i for ids in drilled.groups.values() for i in ids if i.startswith("Account:")}
    accounts = {n.key for n in drilled.nodes if n.kind == "Account"} | {i.split(":", 1)[1] for i in hidden}
    assert len(accounts) == biggest.count and accounts <= members(tiny_world, top["id"])


def test_look_up_a_real_account(tiny_world: Graph) -> None:
    cid = flagged_clusters(tiny_world)[0]["id"]
    row = tiny_world.read(
        "MATCH (c:Cluster {cluster_id: $c})<-[r:MEMBER_OF]-(a:Account)-[:PAID_WITH]->(p:PaymentInstrument) "
        "RETURN a.account_id AS a, p.instrument_id AS p ORDER BY r.score DESC, a.account_id LIMIT 1",
        {"c": cid},
    )[0]
    at = open_page("lookup")
    at.text_input(key="lookup_q").set_value(f"acct:{row['a']}").run()
    no_errors(at)
    assert f"Account {row['a']}" in texts(at)
    assert cid in frames(at)  # its cluster
    assert row["p"] in drawings(at)[0]  # its card in the ego network


def test_run_a_library_query_on_the_real_world(tiny_world: Graph) -> None:
    shared = tiny_world.read(
        "MATCH (p:PaymentInstrument)<-[:PAID_WITH]-(a:Account) WITH p, count(a) AS n WHERE n >= 2 "
        "RETURN p.instrument_id AS p ORDER BY p"
    )
    assert shared
    at = open_page("queries", query="payment_shared_instruments")
    no_errors(at)
    submit(at)
    no_errors(at)
    table = next(df.value for df in at.dataframe if "instrument_id" in df.value.columns)
    assert set(table["instrument_id"]) == {r["p"] for r in shared}
    assert drawings(at)


def ban_list_ids(monkeypatch: pytest.MonkeyPatch, include_banned: bool) -> set[str]:
    """Account ids of the ban list CSV exactly as handed to the download button."""
    rows, at = ban_list_download(monkeypatch, include_banned)
    ids = {r["account_id"] for r in rows}
    assert re.search(rf"\b{len(ids):,} accounts", texts(at))
    return ids


def expected_ban_list(graph: Graph, include_banned: bool) -> set[str]:
    rows = graph.read(
        "MATCH (c:Cluster)<-[:MEMBER_OF]-(a:Account) WHERE c.flagged "
        "AND NOT coalesce(c.triage_label, '') IN ['allowlisted', 'false_positive'] "
        "AND NOT coalesce(a.triage_label, '') IN ['allowlisted', 'false_positive'] "
        "AND ($banned OR coalesce(a.status, '') <> 'banned') RETURN DISTINCT a.account_id AS a",
        {"banned": include_banned},
    )
    return {r["a"] for r in rows}


def test_export_the_ban_list(tiny_world: Graph, monkeypatch: pytest.MonkeyPatch) -> None:
    everyone = ban_list_ids(monkeypatch, include_banned=True)
    flagged_members = set().union(*(members(tiny_world, c["id"]) for c in flagged_clusters(tiny_world)))
    assert everyone == flagged_members  # nothing triaged yet
    assert ban_list_ids(monkeypatch, include_banned=False) == expected_ban_list(tiny_world, False)


@pytest.mark.changes_tiny_world
def test_allowlist_a_real_cluster_then_detection_does_not_flag_it(
    tiny_world: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Last: it changes the graph (a label, a second detection run)."""
    flagged = flagged_clusters(tiny_world)
    cid = flagged[-1]["id"]
    at = open_page("triage")
    at.selectbox(key="triage_cluster").set_value(cid).run()
    form = f"triage-cluster-{cid}"
    at.radio(key=f"{form}-label").set_value("allowlisted")
    at.text_area(key=f"{form}-note").set_value("checked: a partner's evaluation harness")
    at.text_input(key=f"{form}-by").set_value("dana")
    submit(at)
    no_errors(at)
    assert any(f"{cid}: allowlisted" in read(s.value) for s in at.success)
    before = members(tiny_world, cid)

    run_detection(tiny_world)
    st.cache_data.clear()
    after = tiny_world.read(
        "MATCH (c:Cluster {cluster_id: $c}) RETURN c.flagged AS flagged, c.triage_label AS label, "
        "c.evidence AS evidence",
        {"c": cid},
    )
    assert after, f"cluster {cid} vanished after re-detection"
    assert after[0]["label"] == "allowlisted"
    assert not after[0]["flagged"]
    assert "allowlisted by an analyst: not flagged" in after[0]["evidence"]
    assert cid not in {c["id"] for c in flagged_clusters(tiny_world)}
    # The other flagged clusters stay flagged, and the ban list leaves the allowlisted one out.
    assert {c["id"] for c in flagged[:-1]} <= {c["id"] for c in flagged_clusters(tiny_world)}
    ids = ban_list_ids(monkeypatch, include_banned=True)
    assert ids == expected_ban_list(tiny_world, True)
    assert not ids & (
        before - set().union(*(members(tiny_world, c["id"]) for c in flagged_clusters(tiny_world)))
    )
