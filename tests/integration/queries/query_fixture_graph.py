"""A small hand-built graph with a planted hydra and its hard negatives, for the query library.

Written through the schema-generated MERGE statements (the same ones ingest uses), with
documentation IPs and example.com. What is planted:

- a hydra ring: banned head ``hb0`` and ``h1``..``h6`` behind proxy ``px-1`` (datacenter IPs
  203.0.113.10/.11, ASN 64500), one custom client fingerprint, one prompt template, mostly
  chain-of-thought elicitation, three virtual cards minted within 5 hours from BIN 555555;
  ``h5``/``h6`` regrow within 24 hours of ``hb0``'s ban; ``h1``..``h6`` pivot to ``m-new`` within
  6 hours of its release; detector output: flagged cluster ``cl-hydra`` in campaign ``camp-1``;
- hard negatives: a company (``c1``..``c4``) sharing one corporate card, a NAT IP and a stock SDK
  fingerprint; carrier-NAT users (``u1``..``u5``, ``u1`` banned, ``u2`` created right after on the
  same CGNAT IP); a researcher ``r1`` with a reasoning benchmark behind a commercial VPN.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from hydrascope.db import Graph
from hydrascope.schema import model as m
from hydrascope.schema.cypher import merge_nodes, merge_relationships

T0 = datetime(2026, 2, 1, tzinfo=UTC)
BAN = datetime(2026, 2, 10, tzinfo=UTC)
RELEASE = datetime(2026, 2, 15, tzinfo=UTC)
TAG = 1_770_000_000

HYDRA = [f"h{i}" for i in range(1, 7)]
HYDRA_ALL = ["hb0", *HYDRA]
CORP = [f"c{i}" for i in range(1, 5)]
CGNAT_USERS = [f"u{i}" for i in range(1, 6)]
ALL_ACCOUNTS = [*HYDRA_ALL, *CORP, *CGNAT_USERS, "r1"]

IP_DC1, IP_DC2, IP_NAT, IP_CGNAT, IP_VPN = (
    "203.0.113.10",
    "203.0.113.11",
    "198.51.100.5",
    "192.0.2.200",
    "192.0.2.77",
)


def _accounts() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    created = {
        "hb0": datetime(2026, 1, 20, tzinfo=UTC),
        "h1": T0,
        "h2": T0 + timedelta(hours=1),
        "h3": T0 + timedelta(hours=2),
        "h4": T0 + timedelta(hours=3),
        "h5": BAN + timedelta(hours=6),
        "h6": BAN + timedelta(hours=20),
    }
    for account, at in created.items():
        props: dict[str, Any] = {
            "created_at": at,
            "email": f"{account}@mailbox.example.com",
            "status": "active",
            "first_seen": at,
            "last_seen": datetime(2026, 2, 20, tzinfo=UTC),
            "requests": 1000,
            "risk_score": 0.9,
            "risk_reasons": ["shares virtual cards from one BIN with 5 accounts"],
        }
        if account == "hb0":
            props.update(status="banned", banned_at=BAN, ban_reason="distillation", risk_score=0.95)
        rows.append({"key": account, "props": props})
    for i, account in enumerate(CORP):
        at = datetime(2025, 6, 1, tzinfo=UTC) + timedelta(days=10 * i)
        rows.append(
            {
                "key": account,
                "props": {
                    "created_at": at,
                    "email": f"{account}@acme.example.com",
                    "org_id": "org-acme",
                    "status": "active",
                    "first_seen": at,
                    "requests": 400,
                    "risk_score": 0.1 if account in ("c1", "c2") else 0.0,
                },
            }
        )
    for i, account in enumerate(CGNAT_USERS):
        at = datetime(2025, 9, 1, tzinfo=UTC) + timedelta(days=15 * i)
        props = {"created_at": at, "email": f"{account}@mail.example.com", "status": "active", "requests": 20}
        if account == "u1":
            props.update(status="banned", banned_at=BAN, ban_reason="abuse")
        if account == "u2":
            props["created_at"] = BAN + timedelta(hours=5)
        rows.append({"key": account, "props": props})
    rows.append(
        {
            "key": "r1",
            "props": {
                "created_at": datetime(2025, 3, 1, tzinfo=UTC),
                "email": "r1@uni.example.com",
                "org_id": "org-uni",
                "status": "active",
                "requests": 600,
                "risk_score": 0.0,
            },
        }
    )
    return rows


def seed(graph: Graph) -> None:
    """Write the fixture graph (MERGE: running it twice changes nothing)."""
    p = {"update_tag": TAG}

    def nodes(node: m.NodeType, rows: list[dict[str, Any]]) -> None:
        props = tuple(sorted({k for row in rows for k in row.get("props", {})}))
        graph.write_rows(merge_nodes(node, props), [{"props": {}, **row} for row in rows], params=p)

    def rels(rel: m.RelType, rows: Sequence[tuple[str, Any, dict[str, Any]]]) -> None:
        props = tuple(sorted({k for _, _, extra in rows for k in extra}))
        graph.write_rows(
            merge_relationships(rel, props),
            [{"start": s, "end": e, "props": extra} for s, e, extra in rows],
            params=p,
        )

    nodes(m.ACCOUNT, _accounts())
    nodes(
        m.PAYMENT_INSTRUMENT,
        [
            {
                "key": "vc-0",
                "props": {
                    "kind": "virtual_card",
                    "bin": "555555",
                    "first_seen": datetime(2026, 1, 20, tzinfo=UTC),
                },
            },
            {"key": "vc-1", "props": {"kind": "virtual_card", "bin": "555555", "first_seen": T0}},
            {
                "key": "vc-2",
                "props": {"kind": "virtual_card", "bin": "555555", "first_seen": T0 + timedelta(hours=2)},
            },
            {
                "key": "vc-3",
                "props": {"kind": "virtual_card", "bin": "555555", "first_seen": T0 + timedelta(hours=5)},
            },
            {
                "key": "tok-corp",
                "props": {"kind": "card", "bin": "400000", "first_seen": datetime(2025, 6, 1, tzinfo=UTC)},
            },
            *({"key": f"tok-{u}", "props": {"kind": "card", "bin": "410000"}} for u in CGNAT_USERS),
            {"key": "tok-r1", "props": {"kind": "card", "bin": "420000"}},
        ],
    )
    nodes(
        m.IP,
        [
            {
                "key": IP_DC1,
                "props": {
                    "prefix": "203.0.113.0/24",
                    "country": "NL",
                    "is_datacenter": True,
                    "is_vpn": False,
                    "is_cgnat": False,
                },
            },
            {
                "key": IP_DC2,
                "props": {
                    "prefix": "203.0.113.0/24",
                    "country": "NL",
                    "is_datacenter": True,
                    "is_vpn": False,
                    "is_cgnat": False,
                },
            },
            {
                "key": IP_NAT,
                "props": {
                    "prefix": "198.51.100.0/24",
                    "country": "US",
                    "is_datacenter": False,
                    "is_vpn": False,
                    "is_cgnat": False,
                },
            },
            {
                "key": IP_CGNAT,
                "props": {
                    "prefix": "192.0.2.0/24",
                    "country": "US",
                    "is_datacenter": False,
                    "is_vpn": False,
                    "is_cgnat": True,
                },
            },
            {
                "key": IP_VPN,
                "props": {"prefix": "192.0.2.0/24", "is_datacenter": True, "is_vpn": True, "is_cgnat": False},
            },
        ],
    )
    nodes(
        m.ASN,
        [
            {"key": 64500, "props": {"as_org": "Example Hosting"}},
            {"key": 64501, "props": {"as_org": "Example ISP"}},
            {"key": 64502, "props": {"as_org": "Example Mobile"}},
        ],
    )
    nodes(m.PROXY_SERVICE, [{"key": "px-1", "props": {"name": "ExampleProxy", "kind": "reseller"}}])
    nodes(
        m.MODEL,
        [
            {"key": "m-old", "props": {"released_at": datetime(2025, 1, 1, tzinfo=UTC)}},
            {"key": "m-new", "props": {"released_at": RELEASE}},
        ],
    )
    nodes(
        m.CLUSTER,
        [
            {
                "key": "cl-hydra",
                "props": {
                    "score": 0.92,
                    "size": 7,
                    "flagged": True,
                    "lifecycle": "regrew",
                    "evidence": [
                        "3 virtual cards from BIN 555555 shared by 6 accounts",
                        "1 template shared by 7 accounts",
                    ],
                },
            },
            {
                "key": "cl-corp",
                "props": {"score": 0.15, "size": 2, "flagged": False, "evidence": ["shared corporate card"]},
            },
        ],
    )
    nodes(m.CAMPAIGN, [{"key": "camp-1", "props": {"name": "Campaign One", "score": 0.92, "accounts": 7}}])
    nodes(
        m.INGEST_RUN,
        [
            {
                "key": "run-1",
                "props": {
                    "status": "succeeded",
                    "started_at": datetime(2026, 2, 21, tzinfo=UTC),
                    "ended_at": datetime(2026, 2, 21, 0, 5, tzinfo=UTC),
                    "rows_read": 100,
                    "rows_loaded": 99,
                    "rows_rejected": 1,
                    "source": "/data/example",
                },
            }
        ],
    )

    cards = {
        "hb0": "vc-0",
        "h1": "vc-1",
        "h2": "vc-1",
        "h3": "vc-2",
        "h4": "vc-2",
        "h5": "vc-3",
        "h6": "vc-3",
    }
    rels(
        m.PAID_WITH,
        [(a, c, {}) for a, c in cards.items()]
        + [(c, "tok-corp", {}) for c in CORP]
        + [(u, f"tok-{u}", {}) for u in CGNAT_USERS]
        + [("r1", "tok-r1", {})],
    )
    connections: list[tuple[str, Any, dict[str, Any]]] = []
    for a in ("hb0", "h1", "h2", "h3"):
        connections.append((a, IP_DC1, {"requests": 1000}))
    connections.append(("h4", IP_DC2, {"requests": 1000}))
    for a in ("h5", "h6"):
        connections += [(a, IP_DC1, {"requests": 500}), (a, IP_DC2, {"requests": 500})]
    connections += [(c, IP_NAT, {"requests": 400}) for c in CORP]
    connections += [(u, IP_CGNAT, {"requests": 20}) for u in CGNAT_USERS]
    connections.append(("r1", IP_VPN, {"requests": 600}))
    rels(m.CONNECTED_FROM, connections)
    rels(m.IN_ASN, [(IP_DC1, 64500, {}), (IP_DC2, 64500, {}), (IP_NAT, 64501, {}), (IP_CGNAT, 64502, {})])
    rels(m.EGRESS_OF, [(IP_DC1, "px-1", {}), (IP_DC2, "px-1", {})])
    rels(
        m.USED_CLIENT,
        [(a, "fp-hydra", {"requests": 1000}) for a in HYDRA_ALL]
        + [(a, "fp-sdk-python", {"requests": 400}) for a in [*CORP, "r1"]],
    )
    rels(
        m.REGISTERED_WITH,
        [(a, "mailbox.example.com", {}) for a in HYDRA_ALL]
        + [(a, "acme.example.com", {}) for a in CORP]
        + [(a, "mail.example.com", {}) for a in CGNAT_USERS]
        + [("r1", "uni.example.com", {})],
    )
    rels(
        m.SENT,
        [(a, "tpl-hydra", {"requests": 1000}) for a in HYDRA_ALL]
        + [(c, f"tpl-{c}", {"requests": 400}) for c in CORP]
        + [("r1", "tpl-bench", {"requests": 600})],
    )
    asks: list[tuple[str, Any, dict[str, Any]]] = []
    for a in HYDRA_ALL:
        asks += [(a, "cot_elicitation", {"requests": 800}), (a, "reasoning", {"requests": 200})]
    for c in CORP:
        asks += [(c, cap, {"requests": 100}) for cap in ("coding", "general", "data_analysis", "vision")]
    asks += [(u, "general", {"requests": 20}) for u in CGNAT_USERS]
    asks += [("r1", "cot_elicitation", {"requests": 300}), ("r1", "reasoning", {"requests": 300})]
    rels(m.ASKED_FOR, asks)
    calls: list[tuple[str, Any, dict[str, Any]]] = []
    for a in HYDRA:
        calls.append((a, "m-old", {"requests": 500, "first_seen": T0}))
        calls.append((a, "m-new", {"requests": 500, "first_seen": RELEASE + timedelta(hours=6)}))
    calls.append(("hb0", "m-old", {"requests": 1000, "first_seen": T0}))
    calls.append(("c1", "m-new", {"requests": 100, "first_seen": RELEASE + timedelta(days=5)}))
    rels(m.CALLED, calls)
    rels(
        m.MEMBER_OF,
        [(a, "cl-hydra", {"score": 0.9}) for a in HYDRA_ALL]
        + [(c, "cl-corp", {"score": 0.1}) for c in ("c1", "c2")],
    )
    rels(m.PART_OF, [("cl-hydra", "camp-1", {})])


def graph_fingerprint(graph: Graph) -> tuple[int, int, int]:
    """Nodes, relationships and the sum of node property counts: changes if anything is written.
    The audit trail is left out: a console query, refused or run, is recorded there on purpose."""
    row = graph.read(
        "MATCH (n) WHERE NOT n:AuditEvent WITH count(n) AS nodes, sum(size(keys(n))) AS props "
        "RETURN nodes, props, COUNT { ()-[]->() } AS rels"
    )[0]
    return int(row["nodes"]), int(row["rels"]), int(row["props"])
