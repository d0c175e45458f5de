"""A small hand-built investigation world, written through the schema's generated statements.

Used by the app tests while the simulator, ingest and detection are being built (and kept as the
fast fixture afterwards): one campaign of two flagged hydra clusters behind a reseller proxy that
pivot to a new model after its release, an honest company on one corporate card (a hard negative,
clustered but not flagged), honest CGNAT users sharing a carrier address, an ingest run with
rejected rows. Documentation IP ranges and example.com only.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from hydrascope.db import Graph
from hydrascope.schema import model as m
from hydrascope.schema.cypher import merge_nodes, merge_relationships

TAG = 1_767_225_600
T0 = datetime(2026, 1, 5, tzinfo=UTC)
RELEASE = datetime(2026, 2, 10, 12, tzinfo=UTC)

HYDRA_A1 = [f"a1-{i:03d}" for i in range(40)]
HYDRA_A2 = [f"a2-{i:03d}" for i in range(20)]
CORP = [f"corp-{i:03d}" for i in range(30)]
CGNAT_USERS = [f"user-{i:03d}" for i in range(25)]
EGRESS = [f"203.0.113.{i}" for i in range(1, 9)]
CGNAT_IP = "100.64.1.1"


class _Batch:
    """Rows per statement, written in one go at the end."""

    def __init__(self) -> None:
        self.nodes: dict[m.NodeType, dict[Any, dict[str, Any]]] = defaultdict(dict)
        self.rels: dict[m.RelType, list[dict[str, Any]]] = defaultdict(list)

    def node(self, node: m.NodeType, key: Any, **props: Any) -> None:
        self.nodes[node].setdefault(key, {}).update(props)

    def rel(self, rel: m.RelType, start: Any, end: Any, **props: Any) -> None:
        self.rels[rel].append({"start": start, "end": end, "props": props})

    def write(self, graph: Graph) -> None:
        for node, by_key in self.nodes.items():
            props = tuple(sorted({p for r in by_key.values() for p in r}))
            graph.write_rows(
                merge_nodes(node, props),
                [{"key": k, "props": v} for k, v in by_key.items()],
                params={"update_tag": TAG},
            )
        for rel, rows in self.rels.items():
            props = tuple(sorted({p for r in rows for p in r["props"]}))
            graph.write_rows(merge_relationships(rel, props), rows, params={"update_tag": TAG})


def _activity(requests: int, start: datetime, end: datetime) -> dict[str, Any]:
    return {
        "requests": requests,
        "first_seen": start,
        "last_seen": end,
        "input_tokens": requests * 900,
        "output_tokens": requests * 2400,
    }


def seed_world(graph: Graph) -> None:
    """Write the world. Idempotent (MERGE), but tests start from an empty graph anyway."""
    b = _Batch()
    b.node(m.MODEL, "claude-classic", released_at=datetime(2025, 10, 1, tzinfo=UTC))
    b.node(m.MODEL, "claude-next", released_at=RELEASE)
    b.node(m.PROXY_SERVICE, "ps-relay", name="RelayHub", kind="reseller")
    b.node(m.ASN, 64500, as_org="Example Cloud")
    b.node(m.ASN, 64501, as_org="Example Carrier")
    b.node(m.ASN, 64502, as_org="Example Corp ISP")
    for ip in EGRESS:
        b.node(
            m.IP,
            ip,
            version=4,
            prefix="203.0.113.0/24",
            country="NL",
            is_datacenter=True,
            is_vpn=False,
            is_cgnat=False,
        )
        b.rel(m.EGRESS_OF, ip, "ps-relay")
        b.rel(m.IN_ASN, ip, 64500)
    for i in range(10, 14):
        ip = f"198.51.100.{i}"
        b.node(
            m.IP,
            ip,
            version=4,
            prefix="198.51.100.0/24",
            country="US",
            is_datacenter=True,
            is_vpn=False,
            is_cgnat=False,
        )
        b.rel(m.IN_ASN, ip, 64500)
    b.node(
        m.IP,
        CGNAT_IP,
        version=4,
        prefix="100.64.1.0/24",
        country="DE",
        is_datacenter=False,
        is_vpn=False,
        is_cgnat=True,
    )
    b.rel(m.IN_ASN, CGNAT_IP, 64501)
    for ip in ("192.0.2.10", "192.0.2.11"):
        b.node(
            m.IP,
            ip,
            version=4,
            prefix="192.0.2.0/24",
            country="FR",
            is_datacenter=False,
            is_vpn=False,
            is_cgnat=False,
        )
        b.rel(m.IN_ASN, ip, 64502)

    def account(
        aid: str,
        email: str,
        status: str = "active",
        risk: float = 0.0,
        reasons: tuple[str, ...] = (),
        created: datetime = T0,
        **extra: Any,
    ) -> None:
        b.node(
            m.ACCOUNT,
            aid,
            email=email,
            status=status,
            risk_score=risk,
            risk_reasons=list(reasons),
            created_at=created,
            first_seen=created,
            last_seen=created + timedelta(days=50),
            requests=extra.pop("requests", 0),
            tier="build",
            **extra,
        )
        b.rel(m.REGISTERED_WITH, aid, email.split("@", 1)[1])

    # Campaign: two hydra clusters behind the reseller, pivoting to the new model after release.
    for n, aid in enumerate(HYDRA_A1):
        banned = n % 8 == 0
        created = T0 + timedelta(hours=3 * n)
        extra = {"banned_at": T0 + timedelta(days=20), "ban_reason": "distillation"} if banned else {}
        account(
            aid,
            f"{aid}@mailbox.example.com",
            "banned" if banned else "active",
            0.9,
            (
                f"shares prepaid card tok-a1-{n % 8} with 4 other members",
                "100% of traffic via RelayHub egress",
            ),
            created,
            requests=2600,
            **extra,
        )
        b.rel(m.PAID_WITH, aid, f"tok-a1-{n % 8}", first_seen=created)
        for ip in (EGRESS[n % 8], EGRESS[(n + 3) % 8]):
            b.rel(
                m.CONNECTED_FROM, aid, ip, **_activity(1000, created, created + timedelta(days=50)), logins=2
            )
        b.rel(
            m.USED_CLIENT,
            aid,
            "fp-hydra-1",
            **_activity(2000, created, created + timedelta(days=50)),
            logins=2,
        )
        b.rel(m.SENT, aid, "tpl-cot-rubric", **_activity(1800, created, created + timedelta(days=50)))
        b.rel(m.CALLED, aid, "claude-classic", **_activity(1200, created, RELEASE))
        b.rel(
            m.CALLED,
            aid,
            "claude-next",
            **_activity(1400, RELEASE + timedelta(hours=6), RELEASE + timedelta(days=18)),
        )
        b.rel(m.MEMBER_OF, aid, "cl-a1", score=0.9 - n / 1000, reasons=["card shared with 4 members"])
    for n, aid in enumerate(HYDRA_A2):
        created = T0 + timedelta(days=10, hours=5 * n)
        account(
            aid,
            f"{aid}@mailbox.example.com",
            "active",
            0.8,
            ("synchronised with 19 accounts",),
            created,
            requests=900,
        )
        b.rel(m.PAID_WITH, aid, f"tok-a2-{n % 4}", first_seen=created)
        b.rel(
            m.CONNECTED_FROM,
            aid,
            f"198.51.100.{10 + n % 4}",
            **_activity(800, created, created + timedelta(days=40)),
        )
        if n % 5 == 0:
            b.rel(m.CONNECTED_FROM, aid, EGRESS[7], **_activity(100, created, created + timedelta(days=40)))
        b.rel(m.USED_CLIENT, aid, "fp-hydra-2", **_activity(900, created, created + timedelta(days=40)))
        b.rel(m.CALLED, aid, "claude-classic", **_activity(900, created, created + timedelta(days=40)))
        b.rel(m.MEMBER_OF, aid, "cl-a2", score=0.8, reasons=["synchronised with 19 accounts"])
    # Three hydra accounts also come through the carrier's CGNAT address (camouflage).
    for aid in HYDRA_A1[:3]:
        b.rel(m.CONNECTED_FROM, aid, CGNAT_IP, **_activity(50, T0, T0 + timedelta(days=5)))
    for n in range(8):
        b.node(m.PAYMENT_INSTRUMENT, f"tok-a1-{n}", kind="prepaid", bin="411111", issuer_country="LT")
    for n in range(4):
        b.node(m.PAYMENT_INSTRUMENT, f"tok-a2-{n}", kind="virtual_card", bin="522222", issuer_country="LT")
    b.node(m.CLIENT_FINGERPRINT, "fp-hydra-1")
    b.node(m.CLIENT_FINGERPRINT, "fp-hydra-2")
    b.node(m.PROMPT_TEMPLATE, "tpl-cot-rubric")

    # Hard negative: one company, one corporate card, two NAT egress IPs.
    b.node(m.PAYMENT_INSTRUMENT, "tok-corp", kind="card", bin="433333", issuer_country="FR")
    for n, aid in enumerate(CORP):
        account(
            aid,
            f"employee{n}@corp.example.com",
            "active",
            0.1,
            (),
            T0 - timedelta(days=100),
            org_id="org-corp",
            requests=300,
        )
        b.rel(m.PAID_WITH, aid, "tok-corp", first_seen=T0 - timedelta(days=100))
        b.rel(m.CONNECTED_FROM, aid, f"192.0.2.{10 + n % 2}", **_activity(300, T0, T0 + timedelta(days=50)))
        b.rel(m.CALLED, aid, "claude-classic", **_activity(300, T0, T0 + timedelta(days=50)))
        b.rel(m.MEMBER_OF, aid, "cl-corp", score=0.1, reasons=["shares a corporate card"])
    # Honest carrier users on one CGNAT address, unclustered.
    for n, aid in enumerate(CGNAT_USERS):
        account(aid, f"person{n}@example.com", "active", 0.0, (), T0 - timedelta(days=300), requests=40)
        b.rel(m.CONNECTED_FROM, aid, CGNAT_IP, **_activity(40, T0, T0 + timedelta(days=30)))
        b.rel(m.PAID_WITH, aid, f"tok-user-{n}", first_seen=T0 - timedelta(days=300))
        b.node(m.PAYMENT_INSTRUMENT, f"tok-user-{n}", kind="card", bin="444444", issuer_country="DE")

    now = datetime(2026, 3, 1, tzinfo=UTC)
    b.node(
        m.CLUSTER,
        "cl-a1",
        score=0.93,
        size=len(HYDRA_A1),
        flagged=True,
        lifecycle="regrew",
        evidence=[
            "40 accounts on 8 prepaid cards (5 accounts per card)",
            "96% of requests through RelayHub egress (8 IPs, AS64500)",
            "54% of traffic moved to claude-next within 6 h of its release",
            "one client fingerprint on 40 accounts; chain-of-thought elicitation share 0.81",
        ],
        signals='{"shared_infra": 0.91, "synchrony": 0.77, "release_pivot": 0.54, "cot_share": 0.81}',
        first_detected_at=now - timedelta(days=20),
        last_detected_at=now,
        detect_run="detect-1",
    )
    b.node(
        m.CLUSTER,
        "cl-a2",
        score=0.81,
        size=len(HYDRA_A2),
        flagged=True,
        lifecycle="born",
        evidence=["20 accounts on 4 virtual cards", "synchronised hourly activity across 19 accounts"],
        signals='{"shared_infra": 0.7, "synchrony": 0.88}',
        first_detected_at=now,
        last_detected_at=now,
        detect_run="detect-1",
    )
    b.node(
        m.CLUSTER,
        "cl-corp",
        score=0.31,
        size=len(CORP),
        flagged=False,
        lifecycle="stable",
        evidence=["30 accounts on one corporate card (one organisation)"],
        signals='{"shared_infra": 0.3, "synchrony": 0.05}',
        first_detected_at=now - timedelta(days=40),
        last_detected_at=now,
        detect_run="detect-1",
    )
    b.node(
        m.CAMPAIGN,
        "camp-atlas",
        name="Operation Atlas",
        score=0.93,
        accounts=60,
        evidence=["clusters share RelayHub egress 203.0.113.8", "same prompt templates"],
    )
    b.rel(m.PART_OF, "cl-a1", "camp-atlas")
    b.rel(m.PART_OF, "cl-a2", "camp-atlas")
    b.node(
        m.INGEST_RUN,
        "run-1",
        started_at=now - timedelta(hours=2),
        ended_at=now - timedelta(hours=1),
        status="succeeded",
        source="/data/bundle",
        update_tag=TAG,
        rows_read=12000,
        rows_loaded=11997,
        rows_rejected=3,
        tables='{"accounts": {"read": 115, "loaded": 114, "rejected": 1}, '
        '"requests": {"read": 11885, "loaded": 11883, "rejected": 2}}',
        rejects_file="/data/rejects.jsonl",
    )
    b.write(graph)
