"""One ban list: ``hydrascope export flagged`` and the app's Exports download are the same list.

Both read ``hydrascope.jobs.export.ban_list``; these tests hold them to it on the real test Neo4j:
the command's CSV and the CSV handed to the app's download button list the same accounts in the
same order, with and without the already banned, on the hand-built world and on the real
pipeline's tiny world; and a label set on the app's Triage page (an allowlisted cluster, a
false-positive account) leaves both lists at once, before any new detection run. Expected values
are read from the graph, never from the code under test.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_pages import ban_list_download, no_errors, open_page, submit, texts

from hydrascope.cli import cli
from hydrascope.db import Graph
from hydrascope.jobs.export import BAN_LIST_FIELDS, ban_list
from hydrascope.ui.exports import BAN_LIST_COLUMNS

pytestmark = pytest.mark.neo4j


def app_ids(monkeypatch: pytest.MonkeyPatch, include_banned: bool) -> list[str]:
    """Account ids of the app's ban list CSV, in order, exactly as handed to the download button."""
    rows, at = ban_list_download(monkeypatch, include_banned)
    ids = [r["account_id"] for r in rows]
    assert f"{len(ids):,} accounts" in texts(at)
    return ids


def cli_ids(tmp_path: Path, include_banned: bool) -> list[str]:
    """Account ids of ``hydrascope export flagged``'s CSV, in order."""
    out = tmp_path / f"flagged-{include_banned}.csv"
    args = ["export", "flagged", "--out", str(out)] + (["--include-banned"] if include_banned else [])
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    ids = [r["account_id"] for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))]
    assert f"{len(ids)} flagged accounts" in result.output
    return ids


def flagged_tier(graph: Graph, include_banned: bool) -> set[str]:
    """The rule written out in Cypher once more, as the test's oracle: flagged-tier members of
    flagged clusters, neither they nor their cluster cleared by an analyst."""
    rows = graph.read(
        "MATCH (c:Cluster)<-[:MEMBER_OF]-(a:Account) WHERE c.flagged AND a.risk_score > 0 "
        "AND NOT coalesce(c.triage_label, '') IN ['allowlisted', 'false_positive'] "
        "AND NOT coalesce(a.triage_label, '') IN ['allowlisted', 'false_positive'] "
        "AND ($banned OR coalesce(a.status, '') <> 'banned') RETURN DISTINCT a.account_id AS a",
        {"banned": include_banned},
    )
    return {r["a"] for r in rows}


def label(kind: str, key: str, value: str) -> None:
    """Set a triage label through the app's Triage page, as an analyst does."""
    if kind == "Cluster":
        at = open_page("triage")
        at.selectbox(key="triage_cluster").set_value(key).run()
        form, index = f"triage-cluster-{key}", 0
    else:
        at = open_page("triage", account=key)
        form, index = "triage-account", -1
    at.radio(key=f"{form}-label").set_value(value)
    at.text_input(key=f"{form}-by").set_value("dana")
    submit(at, index)
    no_errors(at)


@pytest.mark.parametrize("include_banned", [False, True])
def test_cli_and_app_list_the_same_accounts(
    world: Graph, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, include_banned: bool
) -> None:
    app, command = app_ids(monkeypatch, include_banned), cli_ids(tmp_path, include_banned)
    assert command == app
    assert len(app) == len(set(app))  # one row per account
    assert set(app) == flagged_tier(world, include_banned)
    # 60 flagged-tier members; 5 of them already banned
    assert len(app) == (60 if include_banned else 55)
    rows = ban_list(world, include_banned=include_banned)
    assert [r["account_id"] for r in rows] == app
    assert all(tuple(r) == BAN_LIST_FIELDS for r in rows)
    assert set(BAN_LIST_COLUMNS) <= set(BAN_LIST_FIELDS)  # the app's columns all come from it


def test_an_allowlist_or_false_positive_label_leaves_both_lists_at_once(
    world: Graph, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    before = set(app_ids(monkeypatch, include_banned=True))
    a2 = {
        r["a"]
        for r in world.read(
            "MATCH (:Cluster {cluster_id: 'cl-a2'})<-[:MEMBER_OF]-(a) RETURN a.account_id AS a"
        )
    }
    assert a2 and a2 <= before

    label("Cluster", "cl-a2", "allowlisted")
    for banned in (False, True):
        app, command = app_ids(monkeypatch, banned), cli_ids(tmp_path, banned)
        assert command == app
        assert not set(app) & a2
        assert set(app) == flagged_tier(world, banned)
    assert set(app_ids(monkeypatch, include_banned=True)) == before - a2

    label("Account", "a1-001", "false_positive")
    app, command = app_ids(monkeypatch, True), cli_ids(tmp_path, True)
    assert command == app
    assert set(app) == before - a2 - {"a1-001"}

    # ``confirmed`` does not clear: the account stays on both lists.
    label("Account", "a1-002", "confirmed")
    app, command = app_ids(monkeypatch, True), cli_ids(tmp_path, True)
    assert command == app and "a1-002" in app


@pytest.mark.parametrize("include_banned", [False, True])
def test_cli_and_app_agree_on_the_real_pipeline(
    tiny_world: Graph, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, include_banned: bool
) -> None:
    app, command = app_ids(monkeypatch, include_banned), cli_ids(tmp_path, include_banned)
    assert app, "the tiny world's ban list is empty"
    assert command == app
    assert set(app) == flagged_tier(tiny_world, include_banned)
    tier = {
        r["a"] for r in tiny_world.read("MATCH (a:Account {risk_tier: 'flagged'}) RETURN a.account_id AS a")
    }
    assert set(app) <= tier  # only the flagged tier is ever on the ban list
