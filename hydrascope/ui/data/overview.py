"""The Overview page's reads: freshness (ingest runs, counts, last detection), campaigns, their
activity, model releases and the strongest evidence."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from hydrascope import triage
from hydrascope.db import Graph
from hydrascope.schema import model as m
from hydrascope.ui.data.common import TTL_SECONDS, fetch, to_frame


def read_freshness(graph: Graph) -> dict[str, Any]:
    """The latest ingest runs, node counts per label, and when detection last ran."""
    counts_cypher = "RETURN " + ", ".join(f"COUNT {{ (:{n.label}) }} AS {n.label}" for n in m.NODES)
    counts = fetch(graph, counts_cypher)[0]
    runs = fetch(
        graph,
        f"MATCH (r:{m.INGEST_RUN.label}) RETURN r {{.*}} AS run ORDER BY r.started_at DESC LIMIT 5",
    )
    detect = fetch(
        graph,
        f"MATCH (c:{m.CLUSTER.label}) RETURN max(c.last_detected_at) AS last_detected_at, "
        "count(c) AS clusters, sum(CASE WHEN c.flagged THEN 1 ELSE 0 END) AS flagged",
    )[0]
    return {"counts": counts, "runs": [r["run"] for r in runs], "detection": detect}


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def freshness(_graph: Graph) -> dict[str, Any]:
    """``read_freshness``, cached."""
    return read_freshness(_graph)


def read_campaigns(graph: Graph) -> pd.DataFrame:
    """Campaigns with their clusters, accounts, risk and evidence."""
    rows = fetch(
        graph,
        f"MATCH (p:{m.CAMPAIGN.label}) "
        f"OPTIONAL MATCH (c:{m.CLUSTER.label})-[:{m.PART_OF.type}]->(p) "
        "WITH p, count(c) AS clusters, sum(c.size) AS members, max(c.score) AS top, "
        "sum(CASE WHEN c.flagged THEN 1 ELSE 0 END) AS flagged_clusters "
        "RETURN p.campaign_id AS campaign_id, coalesce(p.name, p.campaign_id) AS campaign, "
        "coalesce(p.score, top) AS score, coalesce(p.accounts, members) AS accounts, clusters, "
        "flagged_clusters, p.evidence AS evidence ORDER BY score DESC",
    )
    return to_frame(
        rows, ["campaign_id", "campaign", "score", "accounts", "clusters", "flagged_clusters", "evidence"]
    )


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def campaigns(_graph: Graph) -> pd.DataFrame:
    """``read_campaigns``, cached."""
    return read_campaigns(_graph)


def read_campaign_activity(graph: Graph) -> pd.DataFrame:
    """Per campaign, requests on ``CALLED`` edges bucketed by their first and last day."""
    rows = fetch(
        graph,
        f"MATCH (p:{m.CAMPAIGN.label})<-[:{m.PART_OF.type}]-(:{m.CLUSTER.label})"
        f"<-[:{m.MEMBER_OF.type}]-(:{m.ACCOUNT.label})-[r:{m.CALLED.type}]->(:{m.MODEL.label}) "
        "WHERE r.first_seen IS NOT NULL "
        "WITH coalesce(p.name, p.campaign_id) AS series, date(r.first_seen) AS d0, "
        "date(coalesce(r.last_seen, r.first_seen)) AS d1, sum(r.requests) AS requests "
        "RETURN series, toString(d0) AS first_seen, toString(d1) AS last_seen, requests",
    )
    return to_frame(rows, ["series", "first_seen", "last_seen", "requests"])


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def campaign_activity(_graph: Graph) -> pd.DataFrame:
    """``read_campaign_activity``, cached."""
    return read_campaign_activity(_graph)


def read_model_releases(graph: Graph) -> pd.DataFrame:
    """Models with a release time (markers on activity charts)."""
    rows = fetch(
        graph,
        f"MATCH (x:{m.MODEL.label}) WHERE x.released_at IS NOT NULL "
        "RETURN x.name AS model, toString(x.released_at) AS released_at ORDER BY x.released_at",
    )
    return to_frame(rows, ["model", "released_at"])


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def model_releases(_graph: Graph) -> pd.DataFrame:
    """``read_model_releases``, cached."""
    return read_model_releases(_graph)


def read_top_evidence(graph: Graph, limit: int = 12) -> pd.DataFrame:
    """Evidence items of the riskiest flagged clusters that no analyst allowlisted."""
    rows = fetch(
        graph,
        f"MATCH (c:{m.CLUSTER.label}) WHERE c.flagged "
        "AND NOT coalesce(c.triage_label, '') IN $excluded "
        "WITH c ORDER BY c.score DESC LIMIT $limit "
        "UNWIND coalesce(c.evidence, []) AS evidence "
        "RETURN c.cluster_id AS cluster_id, c.score AS score, evidence",
        {"limit": limit, "excluded": list(triage.CLEARING)},
    )
    return to_frame(rows, ["cluster_id", "score", "evidence"])


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def top_evidence(_graph: Graph, limit: int = 12) -> pd.DataFrame:
    """``read_top_evidence``, cached."""
    return read_top_evidence(_graph, limit)
