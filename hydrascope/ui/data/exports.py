"""The Exports page's reads: the ban list (``hydrascope.jobs.export.ban_list``, the list
``hydrascope export flagged`` writes) and a cluster's shareable infrastructure (STIX)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from hydrascope.db import Graph
from hydrascope.jobs.export import ban_list
from hydrascope.schema import model as m
from hydrascope.ui.data.clusters import read_cluster_summary
from hydrascope.ui.data.common import KEYS, TTL_SECONDS, fetch, native, to_frame
from hydrascope.ui.exports import BAN_LIST_COLUMNS


def read_ban_candidates(
    graph: Graph, cluster_id: str | None = None, include_banned: bool = False
) -> pd.DataFrame:
    """The ban list (``hydrascope.jobs.export.ban_list``, the one ``hydrascope export flagged``
    writes) of every flagged cluster or of one, as a frame of ``BAN_LIST_COLUMNS``.

    ``set_triage_label`` clears the cache of ``ban_candidates``, so a label takes effect at once.
    """
    rows = ban_list(graph, include_banned=include_banned, cluster_id=cluster_id)
    return to_frame([native(r) for r in rows], BAN_LIST_COLUMNS)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def ban_candidates(
    _graph: Graph, cluster_id: str | None = None, include_banned: bool = False
) -> pd.DataFrame:
    """``read_ban_candidates``, cached."""
    return read_ban_candidates(_graph, cluster_id, include_banned)


def read_cluster_intel(graph: Graph, cluster_id: str, min_accounts: int = 2) -> dict[str, Any]:
    """A cluster's shareable infrastructure: IPs used by several members or by a proxy service.

    CGNAT and commercial-VPN addresses are left out: honest users share them, and a partner lab
    blocking them would hurt those users. ``forbidden`` lists what must not leave: account ids,
    emails, payment tokens and client fingerprints of the members.
    """
    summary = read_cluster_summary(graph, cluster_id)
    if summary is None:
        return {}
    ips = fetch(
        graph,
        f"MATCH (:{m.CLUSTER.label} {{cluster_id: $cid}})<-[:{m.MEMBER_OF.type}]-(a:{m.ACCOUNT.label})"
        f"-[r:{m.CONNECTED_FROM.type}]->(ip:{m.IP.label}) "
        "WHERE NOT coalesce(ip.is_cgnat, false) AND NOT coalesce(ip.is_vpn, false) "
        "WITH ip, count(DISTINCT a) AS accounts, sum(r.requests) AS requests, "
        "min(r.first_seen) AS first_seen, max(r.last_seen) AS last_seen "
        f"OPTIONAL MATCH (ip)-[:{m.EGRESS_OF.type}]->(ps:{m.PROXY_SERVICE.label}) "
        "WITH ip, accounts, requests, first_seen, last_seen, ps WHERE accounts >= $min OR ps IS NOT NULL "
        f"OPTIONAL MATCH (ip)-[:{m.IN_ASN.type}]->(asn:{m.ASN.label}) "
        "RETURN ip.ip AS ip, accounts, requests, asn.asn AS asn, asn.as_org AS as_org, "
        "coalesce(ps.name, ps.service_id) AS proxy_service, ip.is_datacenter AS is_datacenter, "
        "first_seen, last_seen ORDER BY accounts DESC, ip.ip LIMIT 1000",
        {"cid": cluster_id, "min": min_accounts},
    )
    forbidden = fetch(
        graph,
        f"MATCH (:{m.CLUSTER.label} {{cluster_id: $cid}})<-[:{m.MEMBER_OF.type}]-(a:{m.ACCOUNT.label}) "
        f"OPTIONAL MATCH (a)-[:{m.PAID_WITH.type}|{m.USED_CLIENT.type}]->(x) "
        "WITH a, collect(x[$keys[head(labels(x))]]) AS xs "
        "RETURN collect(a.account_id) + collect(a.email) "
        "+ reduce(s = [], l IN collect(xs) | s + l) AS tokens",
        {"cid": cluster_id, "keys": KEYS},
    )
    campaign = summary.get("campaign") or {}
    cluster = summary["cluster"]
    return {
        "summary": {
            "cluster_id": cluster_id,
            "score": cluster.get("score"),
            "size": cluster.get("size") or summary["members"],
            "evidence": cluster.get("evidence") or [],
            "campaign_name": campaign.get("name") or campaign.get("campaign_id"),
            "campaign_id": campaign.get("campaign_id"),
        },
        "ips": ips,
        "forbidden": [str(t) for t in (forbidden[0]["tokens"] if forbidden else []) if t],
    }


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def cluster_intel(_graph: Graph, cluster_id: str, min_accounts: int = 2) -> dict[str, Any]:
    """``read_cluster_intel``, cached."""
    return read_cluster_intel(_graph, cluster_id, min_accounts)
