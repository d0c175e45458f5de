"""Exports: the ban list CSV, GraphML/JSON of a view, the STIX bundle without personal data."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pandas as pd
import pytest
import stix2

from hydrascope.ui import exports
from hydrascope.ui import graphviews as gv


def intel() -> exports.ClusterIntel:
    return exports.ClusterIntel(
        cluster_id="cl-1",
        score=0.93,
        size=40,
        evidence=["account acc-17 (bob@example.com) shares card tok-9 with 4 members", "96% via RelayHub"],
        campaign_name="Operation Atlas",
        campaign_id="camp-1",
        indicators=(
            exports.InfraIndicator(
                "203.0.113.5",
                12,
                500,
                64500,
                "Example Cloud",
                "RelayHub",
                True,
                datetime(2026, 1, 1, tzinfo=UTC),
                datetime(2026, 2, 1, tzinfo=UTC),
            ),
            exports.InfraIndicator("203.0.113.6", 9, 300, 64500, "Example Cloud", "RelayHub", True),
            exports.InfraIndicator("2001:db8::1", 3, 10, None),
        ),
    )


def test_stix_bundle_is_valid_and_carries_the_infrastructure() -> None:
    text = exports.stix_bundle(intel(), forbidden=["acc-17", "tok-9"])
    bundle = stix2.parse(text, allow_custom=False)
    by_type: dict[str, list] = {}
    for obj in bundle.objects:
        by_type.setdefault(obj.type, []).append(obj)
    assert {o.value for o in by_type["ipv4-addr"]} == {"203.0.113.5", "203.0.113.6"}
    assert [o.value for o in by_type["ipv6-addr"]] == ["2001:db8::1"]
    assert [o.number for o in by_type["autonomous-system"]] == [64500]
    assert [o.name for o in by_type["infrastructure"]] == ["RelayHub"]
    assert by_type["campaign"][0].name == "Operation Atlas"
    assert sorted(o.pattern for o in by_type["indicator"]) == [
        "[ipv4-addr:value = '203.0.113.5']",
        "[ipv4-addr:value = '203.0.113.6']",
        "[ipv6-addr:value = '2001:db8::1']",
    ]
    kinds = sorted(r.relationship_type for r in by_type["relationship"])
    assert kinds.count("indicates") == 3 and kinds.count("consists-of") == 2 and "uses" in kinds
    assert all(stix2.TLP_AMBER.id in o.object_marking_refs for o in by_type["indicator"])


def test_stix_bundle_has_no_personal_data() -> None:
    bundle = exports.stix_bundle(intel(), forbidden=["acc-17", "tok-9"])
    # STIX ids are random UUIDs, which can contain short hex-like strings: check what is left.
    text = re.sub(r"--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "--", bundle)
    assert "acc-17" not in text and "tok-9" not in text
    assert "@" not in text.replace("@type", "")
    assert "bob" not in text


def test_stix_bundle_refuses_when_a_forbidden_token_cannot_be_scrubbed() -> None:
    bad = exports.ClusterIntel("cl-1", 0.5, 2, [], indicators=(exports.InfraIndicator("203.0.113.9", 2),))
    with pytest.raises(ValueError, match="personal data"):
        exports.stix_bundle(bad, forbidden=["203.0.113.9"])


def test_ban_list_csv_has_one_row_per_account_with_evidence() -> None:
    frame = pd.DataFrame(
        [
            {
                "account_id": "a1",
                "email": "a1@example.com",
                "status": "active",
                "cluster_id": "cl-1",
                "campaign": "Atlas",
                "cluster_score": 0.9,
                "account_score": 0.8,
                "reasons": ["shares card with 4", "proxy egress"],
                "cluster_evidence": ["40 accounts on 8 cards"],
            },
        ]
    )
    text = exports.ban_list_csv(frame)
    back = pd.read_csv(io.StringIO(text))
    assert list(back.columns) == list(exports.BAN_LIST_COLUMNS)
    assert back.loc[0, "reasons"] == "shares card with 4 | proxy egress"
    assert back.loc[0, "cluster_evidence"] == "40 accounts on 8 cards"


def test_ban_list_csv_neutralises_formula_cells_and_keeps_numbers() -> None:
    """CSV injection (OWASP): text cells starting with = + - @ tab or CR get a leading quote."""
    frame = pd.DataFrame(
        [
            {
                "account_id": "=1+2",
                "email": '=HYPERLINK("http://127.0.0.1:9/_beacon","open")',
                "status": "@SUM(A1)",
                "cluster_id": "-cl",
                "campaign": "+camp",
                "cluster_score": -0.25,
                "account_score": -1,
                "reasons": ["\tcmd", "ok"],
                "cluster_evidence": ["\rline"],
            },
        ]
    )
    (row,) = csv.DictReader(io.StringIO(exports.ban_list_csv(frame), newline=""))
    assert row["account_id"] == "'=1+2"
    assert row["email"] == '\'=HYPERLINK("http://127.0.0.1:9/_beacon","open")'
    assert (row["status"], row["cluster_id"], row["campaign"]) == ("'@SUM(A1)", "'-cl", "'+camp")
    assert row["reasons"] == "'\tcmd | ok" and row["cluster_evidence"] == "'\rline"
    assert (row["cluster_score"], row["account_score"]) == ("-0.25", "-1")  # real numbers untouched


def _view() -> gv.GraphView:
    nodes = [
        {
            "kind": "Account",
            "key": "a1",
            "props": {"risk_reasons": ["x", "y"], "created_at": datetime(2026, 1, 1)},
        },
        {"kind": "IP", "key": "203.0.113.1", "props": {"is_datacenter": True}},
    ]
    edges = [
        {
            "source_kind": "Account",
            "source_key": "a1",
            "type": "CONNECTED_FROM",
            "target_kind": "IP",
            "target_key": "203.0.113.1",
        }
    ]
    return gv.layout(gv.build_view(nodes, edges, "test view"))


NS = {"g": "http://graphml.graphdrawing.org/xmlns"}


def _graphml_nodes(root: ET.Element) -> dict[str, dict[str, str]]:
    """GraphML node id → {attribute name: text}, resolving the writer's key ids."""
    names = {k.get("id"): k.get("attr.name") for k in root.findall("g:key", NS)}
    return {
        n.get("id", ""): {names[d.get("key")]: d.text or "" for d in n.findall("g:data", NS)}
        for n in root.findall(".//g:node", NS)
    }


def test_graphml_parses_and_keeps_nodes_edges_and_properties() -> None:
    # Written by igraph now: GraphML node ids are igraph's n0, n1 … (they used to be the view ids,
    # "Account:a1"); the view id is the node's view_id attribute, and edges join the same nodes.
    root = ET.fromstring(exports.view_to_graphml(_view()))
    nodes = _graphml_nodes(root)
    by_view_id = {attrs["view_id"]: node_id for node_id, attrs in nodes.items()}
    assert set(by_view_id) == {"Account:a1", "IP:203.0.113.1"}
    assert set(nodes) == {"n0", "n1"}
    (edge,) = root.findall(".//g:edge", NS)
    assert (edge.get("source"), edge.get("target")) == (
        by_view_id["Account:a1"],
        by_view_id["IP:203.0.113.1"],
    )
    texts = [d.text for d in root.findall(".//g:data", NS)]
    assert "x;y" in texts and "CONNECTED_FROM" in texts
    account = nodes[by_view_id["Account:a1"]]
    assert account["kind"] == "Account" and account["created_at"].startswith("2026-01-01")
    assert nodes[by_view_id["IP:203.0.113.1"]]["is_datacenter"] == "True"


def test_graphml_keeps_outsider_values_as_data() -> None:
    """Markup, entity declarations and characters XML cannot hold, in a key and in properties,
    come back as the same text (no element, no entity, no broken file)."""
    hostile = ']]><!DOCTYPE x [<!ENTITY e "boom">]><node id="evil">&e;'
    nodes = [
        {
            "kind": "Account",
            "key": hostile,
            "props": {"email": "<b>x</b>@example.com", "note": "a\x01b\x1fc\td"},
        },
        {"kind": "IP", "key": "203.0.113.1", "props": {}},
    ]
    edges = [
        {
            "source_kind": "Account",
            "source_key": hostile,
            "type": "CONNECTED_FROM",
            "target_kind": "IP",
            "target_key": "203.0.113.1",
        }
    ]
    text = exports.view_to_graphml(gv.layout(gv.build_view(nodes, edges, "hostile")))
    assert "<!DOCTYPE" not in text and 'id="evil"' not in text
    root = ET.fromstring(text)  # well-formed XML
    assert len(root.findall(".//g:node", NS)) == 2 and len(root.findall(".//g:edge", NS)) == 1
    (account,) = [a for a in _graphml_nodes(root).values() if a["kind"] == "Account"]
    assert account["key"] == hostile and account["view_id"] == f"Account:{hostile}"
    assert account["email"] == "<b>x</b>@example.com"
    assert account["note"] == "a\ufffdb\ufffdc\td"  # control characters shown, never dropped silently


def test_json_round_trips() -> None:
    doc = json.loads(exports.view_to_json(_view()))
    assert doc["title"] == "test view"
    assert {n["id"] for n in doc["nodes"]} == {"Account:a1", "IP:203.0.113.1"}
    assert doc["nodes"][0]["properties"]["created_at"].startswith("2026-01-01")
    assert doc["edges"] == [
        {"source": "Account:a1", "target": "IP:203.0.113.1", "type": "CONNECTED_FROM", "weight": 1}
    ]
