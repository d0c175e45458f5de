"""The cluster explorer's reads: the cluster list, one cluster's summary, members, network,
skeleton (big clusters, aggregated on the server) and activity."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from hydrascope.db import Graph
from hydrascope.schema import model as m
from hydrascope.ui.data.common import (
    DEFAULT_INFRA_RELS,
    KEYS,
    TTL_SECONDS,
    account_projection,
    fetch,
    to_frame,
)


def read_clusters(graph: Graph, flagged_only: bool = False, limit: int = 500) -> pd.DataFrame:
    """Clusters by score, with their campaign, triage label and first evidence items."""
    rows = fetch(
        graph,
        f"MATCH (c:{m.CLUSTER.label}) WHERE NOT $flagged_only OR c.flagged "
        f"OPTIONAL MATCH (c)-[:{m.PART_OF.type}]->(p:{m.CAMPAIGN.label}) "
        "RETURN c.cluster_id AS cluster_id, c.score AS score, "
        f"coalesce(c.size, COUNT {{ (c)<-[:{m.MEMBER_OF.type}]-() }}) AS size, "
        "coalesce(c.flagged, false) AS flagged, c.lifecycle AS lifecycle, c.triage_label AS triage_label, "
        "p.campaign_id AS campaign_id, coalesce(p.name, p.campaign_id) AS campaign, "
        "c.evidence AS evidence, c.last_detected_at AS last_detected_at "
        "ORDER BY c.score DESC, c.cluster_id LIMIT $limit",
        {"flagged_only": flagged_only, "limit": limit},
    )
    return to_frame(
        rows,
        [
            "cluster_id",
            "score",
            "size",
            "flagged",
            "lifecycle",
            "triage_label",
            "campaign_id",
            "campaign",
            "evidence",
            "last_detected_at",
        ],
    )


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def clusters(_graph: Graph, flagged_only: bool = False, limit: int = 500) -> pd.DataFrame:
    """``read_clusters``, cached."""
    return read_clusters(_graph, flagged_only, limit)


def read_cluster_summary(graph: Graph, cluster_id: str) -> dict[str, Any] | None:
    """A cluster's properties, its campaign, and member counts."""
    rows = fetch(
        graph,
        f"MATCH (c:{m.CLUSTER.label} {{cluster_id: $cid}}) "
        f"OPTIONAL MATCH (c)-[:{m.PART_OF.type}]->(p:{m.CAMPAIGN.label}) "
        "RETURN c {.*} AS cluster, p {.*} AS campaign, "
        f"COUNT {{ (c)<-[:{m.MEMBER_OF.type}]-() }} AS members, "
        f"COUNT {{ (c)<-[:{m.MEMBER_OF.type}]-(a:{m.ACCOUNT.label}) WHERE a.status = 'banned' }} AS banned",
        {"cid": cluster_id},
    )
    return rows[0] if rows else None


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def cluster_summary(_graph: Graph, cluster_id: str) -> dict[str, Any] | None:
    """``read_cluster_summary``, cached."""
    return read_cluster_summary(_graph, cluster_id)


def read_cluster_members(graph: Graph, cluster_id: str, limit: int = 5000) -> pd.DataFrame:
    """Member accounts, riskiest first, with their own evidence."""
    rows = fetch(
        graph,
        f"MATCH (:{m.CLUSTER.label} {{cluster_id: $cid}})<-[r:{m.MEMBER_OF.type}]-(a:{m.ACCOUNT.label}) "
        "RETURN a.account_id AS account_id, a.email AS email, a.status AS status, "
        "r.score AS member_score, a.risk_score AS risk_score, "
        "coalesce(r.reasons, a.risk_reasons) AS reasons, "
        "a.requests AS requests, toString(a.created_at) AS created_at, toString(a.first_seen) AS first_seen, "
        "toString(a.last_seen) AS last_seen, a.triage_label AS triage_label "
        "ORDER BY r.score DESC, a.account_id LIMIT $limit",
        {"cid": cluster_id, "limit": limit},
    )
    frame = to_frame(
        rows,
        [
            "account_id",
            "email",
            "status",
            "member_score",
            "risk_score",
            "reasons",
            "requests",
            "created_at",
            "first_seen",
            "last_seen",
            "triage_label",
        ],
    )
    # Times travel as strings (see ``account_projection``) and become UTC timestamps here, vectorised.
    for col in ("created_at", "first_seen", "last_seen"):
        frame[col] = pd.to_datetime(frame[col], utc=True, format="ISO8601")
    return frame


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def cluster_members(_graph: Graph, cluster_id: str, limit: int = 5000) -> pd.DataFrame:
    """``read_cluster_members``, cached."""
    return read_cluster_members(_graph, cluster_id, limit)


# Which cohort an account belongs to: the network of its busiest IP (CGNAT space as one cohort).
_COHORT_EXPR = (
    f"CALL (a) {{ OPTIONAL MATCH (a)-[c:{m.CONNECTED_FROM.type}]->(ip:{m.IP.label}) "
    "WITH ip, c ORDER BY coalesce(c.requests, 0) DESC, ip.ip LIMIT 1 "
    "RETURN CASE WHEN ip IS NULL THEN 'no IP' WHEN ip.is_cgnat THEN 'CGNAT 100.64.0.0/10' "
    "ELSE coalesce(ip.prefix, ip.ip) END AS cohort } "
)
_COHORT_FILTER = "WITH a, r " + _COHORT_EXPR + "WITH a, r, cohort WHERE cohort = $cohort "


def read_cluster_network(
    graph: Graph,
    cluster_id: str,
    rel_types: tuple[str, ...] = DEFAULT_INFRA_RELS,
    limit: int = 2000,
    cohort: str | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Member accounts (riskiest ``limit``, optionally one cohort) and their infrastructure.

    Returns ``{"nodes": [...], "edges": [...]}`` rows for ``graphviews.build_view``. Infrastructure
    nodes carry ``accounts_total``: how many accounts in the whole graph use them, which is what
    tells a proxy egress IP (a few dozen) from a carrier's CGNAT address (thousands).
    """
    members = fetch(
        graph,
        f"MATCH (:{m.CLUSTER.label} {{cluster_id: $cid}})<-[r:{m.MEMBER_OF.type}]-(a:{m.ACCOUNT.label}) "
        + (_COHORT_FILTER if cohort is not None else "")
        + f"WITH a, r ORDER BY r.score DESC, a.account_id LIMIT $limit "
        f"RETURN a.account_id AS key, {account_projection('a')} AS props",
        {"cid": cluster_id, "limit": limit, "cohort": cohort},
    )
    ids = [r["key"] for r in members]
    # One row per infrastructure node (its properties and account count read once, not once per
    # member using it: a proxy IP shared by 500 members used to come back 500 times).
    infra = fetch(
        graph,
        f"UNWIND $ids AS id MATCH (a:{m.ACCOUNT.label} {{account_id: id}})-[r]->(x) WHERE type(r) IN $types "
        "WITH x, collect([id, type(r)]) AS links "
        "RETURN head(labels(x)) AS kind, x[$keys[head(labels(x))]] AS key, properties(x) AS props, "
        f"COUNT {{ (x)<-[]-(:{m.ACCOUNT.label}) }} AS accounts_total, links",
        {"ids": ids, "types": list(rel_types), "keys": KEYS},
    )
    ip_keys = sorted({r["key"] for r in infra if r["kind"] == m.IP.label})
    ip_links = fetch(
        graph,
        f"UNWIND $ips AS ip MATCH (i:{m.IP.label} {{ip: ip}})-[r:{m.IN_ASN.type}|{m.EGRESS_OF.type}]->(y) "
        "RETURN ip, type(r) AS type, head(labels(y)) AS kind, y[$keys[head(labels(y))]] AS key, "
        "properties(y) AS props",
        {"ips": ip_keys, "keys": KEYS},
    )
    nodes = [{"kind": m.ACCOUNT.label, "key": r["key"], "props": r["props"]} for r in members]
    edges = []
    for r in infra:
        nodes.append(
            {
                "kind": r["kind"],
                "key": r["key"],
                "props": {**r["props"], "accounts_total": r["accounts_total"]},
            }
        )
        edges += [
            {
                "source_kind": m.ACCOUNT.label,
                "source_key": account_id,
                "type": rel_type,
                "target_kind": r["kind"],
                "target_key": r["key"],
            }
            for account_id, rel_type in r["links"]
        ]
    for r in ip_links:
        nodes.append({"kind": r["kind"], "key": r["key"], "props": r["props"]})
        edges.append(
            {
                "source_kind": m.IP.label,
                "source_key": r["ip"],
                "type": r["type"],
                "target_kind": r["kind"],
                "target_key": r["key"],
            }
        )
    return {"nodes": nodes, "edges": edges}


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def cluster_network(
    _graph: Graph,
    cluster_id: str,
    rel_types: tuple[str, ...] = DEFAULT_INFRA_RELS,
    limit: int = 2000,
    cohort: str | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """``read_cluster_network``, cached."""
    return read_cluster_network(_graph, cluster_id, rel_types, limit, cohort)


def read_cluster_skeleton(
    graph: Graph, cluster_id: str, rel_types: tuple[str, ...] = DEFAULT_INFRA_RELS, per_cohort: int = 12
) -> dict[str, list[dict[str, Any]]]:
    """Server-side aggregation of a big cluster: account cohorts and the infrastructure they share.

    Members are grouped by the network of their busiest IP; for each cohort the server counts how
    many of its accounts use each infrastructure node and keeps the ``per_cohort`` most used (plus
    the proxy services behind the IPs). A 20,000-account cluster comes back as a few hundred rows.
    """
    # One pass: each member's cohort is computed once (it costs a look at the member's IPs), then
    # per cohort its counts and its most used infrastructure.
    rows = fetch(
        graph,
        f"MATCH (:{m.CLUSTER.label} {{cluster_id: $cid}})<-[r:{m.MEMBER_OF.type}]-(a:{m.ACCOUNT.label}) "
        + _COHORT_EXPR
        + "WITH cohort, collect(a) AS accts, count(a) AS accounts, "
        "sum(CASE WHEN a.status = 'banned' THEN 1 ELSE 0 END) AS banned, "
        "avg(coalesce(r.score, a.risk_score, 0.0)) AS mean_score "
        "CALL (accts) { UNWIND accts AS a MATCH (a)-[rel]->(x) WHERE type(rel) IN $types "
        "WITH x, count(DISTINCT a) AS accounts ORDER BY accounts DESC LIMIT $per_cohort "
        f"OPTIONAL MATCH (x)-[:{m.EGRESS_OF.type}]->(ps:{m.PROXY_SERVICE.label}) "
        "RETURN collect({kind: head(labels(x)), key: x[$keys[head(labels(x))]], props: properties(x), "
        "accounts: accounts, proxy_id: ps.service_id, proxy_name: ps.name}) AS top } "
        "RETURN cohort, accounts, banned, mean_score, top ORDER BY accounts DESC",
        {"cid": cluster_id, "types": list(rel_types), "per_cohort": per_cohort, "keys": KEYS},
    )
    cohorts = [{k: row[k] for k in ("cohort", "accounts", "banned", "mean_score")} for row in rows]
    out_links: list[dict[str, Any]] = []
    for row in rows:
        for t in row["top"]:
            out_links.append(
                {"cohort": row["cohort"], **{k: t[k] for k in ("kind", "key", "props", "accounts")}}
            )
            if t.get("proxy_id"):
                out_links.append(
                    {
                        "cohort": row["cohort"],
                        "kind": m.PROXY_SERVICE.label,
                        "key": t["proxy_id"],
                        "props": {"name": t.get("proxy_name")},
                        "accounts": t["accounts"],
                    }
                )
    return {"cohorts": cohorts, "links": out_links}


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def cluster_skeleton(
    _graph: Graph, cluster_id: str, rel_types: tuple[str, ...] = DEFAULT_INFRA_RELS, per_cohort: int = 12
) -> dict[str, list[dict[str, Any]]]:
    """``read_cluster_skeleton``, cached."""
    return read_cluster_skeleton(_graph, cluster_id, rel_types, per_cohort)


def read_cluster_activity(graph: Graph, cluster_id: str) -> dict[str, pd.DataFrame]:
    """A cluster's timeline inputs: requests per model (by edge days), sign-ups and bans per day
    (``events``: ``created, banned, n`` — how many members were created and banned on those days)."""
    calls = fetch(
        graph,
        f"MATCH (:{m.CLUSTER.label} {{cluster_id: $cid}})<-[:{m.MEMBER_OF.type}]-(:{m.ACCOUNT.label})"
        f"-[r:{m.CALLED.type}]->(x:{m.MODEL.label}) WHERE r.first_seen IS NOT NULL "
        "WITH x.name AS series, date(r.first_seen) AS d0, date(coalesce(r.last_seen, r.first_seen)) AS d1, "
        "sum(r.requests) AS requests "
        "RETURN series, toString(d0) AS first_seen, toString(d1) AS last_seen, requests",
        {"cid": cluster_id},
    )
    events = fetch(
        graph,
        f"MATCH (:{m.CLUSTER.label} {{cluster_id: $cid}})<-[:{m.MEMBER_OF.type}]-(a:{m.ACCOUNT.label}) "
        "RETURN toString(date(a.created_at)) AS created, toString(date(a.banned_at)) AS banned, "
        "count(*) AS n",  # per (creation day, ban day): a few hundred rows, not one per member
        {"cid": cluster_id},
    )
    ev = to_frame(events, ["created", "banned", "n"])
    return {"calls": to_frame(calls, ["series", "first_seen", "last_seen", "requests"]), "events": ev}


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def cluster_activity(_graph: Graph, cluster_id: str) -> dict[str, pd.DataFrame]:
    """``read_cluster_activity``, cached."""
    return read_cluster_activity(_graph, cluster_id)
