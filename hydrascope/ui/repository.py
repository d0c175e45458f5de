"""All the app's Cypher, in one place, cached with a TTL.

Every read goes through ``Graph.read`` (a read transaction with a timeout, so the server refuses
any write) and is cached with ``st.cache_data(ttl=...)``: a page rerun on every click must not
hit the database again for data that changes once per ingest or detection run. The graph is
passed as ``_graph`` (not hashed: one driver per process) and results are plain Python values and
DataFrames. Labels, keys and relationship types come from ``hydrascope.schema.model``; every value
is a parameter.

The only write is ``set_triage_label`` (an analyst's label on a cluster or an account); it clears
the read caches so the next render shows it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd
import streamlit as st

from hydrascope import triage
from hydrascope.db import Graph
from hydrascope.jobs.export import ban_list
from hydrascope.schema import model as m
from hydrascope.ui.search import SEARCHABLE, SearchRequest, rank

TTL_SECONDS = 120
READ_TIMEOUT = 20.0

# Relationship types that make up a cluster's infrastructure, as drawn by the explorer.
INFRA_RELS: tuple[str, ...] = (
    m.PAID_WITH.type,
    m.CONNECTED_FROM.type,
    m.USED_CLIENT.type,
    m.SENT.type,
    m.REGISTERED_WITH.type,
)
DEFAULT_INFRA_RELS: tuple[str, ...] = (m.PAID_WITH.type, m.CONNECTED_FROM.type, m.USED_CLIENT.type)
# Keys of every label, so Cypher can read a node's key with ``x[$keys[head(labels(x))]]``.
KEYS: dict[str, str] = {n.label: n.key for n in m.NODES}
# Account properties worth showing in a drawing (never the 2,160-item active_hours list). Times
# come back as ISO strings: the driver builds a zoned DateTime slowly (four per account cost
# ~0.25 s for 1,000 accounts, a third of the explorer's first render), and drawings only print them.
_ACCOUNT_TIMES = ("created_at", "banned_at", "first_seen", "last_seen")


def account_projection(var: str) -> str:
    """A map projection of account ``var`` for drawings: the useful properties, times as strings."""
    times = ", ".join(f"{t}: toString({var}.{t})" for t in _ACCOUNT_TIMES)
    return (
        f"{var} {{.account_id, .email, .status, .risk_score, .risk_reasons, .triage_label, .requests, "
        f".org_id, .tier, {times}}}"
    )


def native(value: Any) -> Any:
    """Driver temporal values → Python datetimes (recursively), so pandas and JSON understand them."""
    if hasattr(value, "to_native"):
        return value.to_native()
    if isinstance(value, dict):
        return {k: native(v) for k, v in value.items()}
    if isinstance(value, list):
        return [native(v) for v in value]
    return value


def _rows(graph: Graph, cypher: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    return [native(r) for r in graph.read(cypher, params, timeout=READ_TIMEOUT)]


def _frame(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(columns))


# ------------------------------------------------------------------------------------ overview


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def freshness(_graph: Graph) -> dict[str, Any]:
    """The latest ingest runs, node counts per label, and when detection last ran."""
    counts_cypher = "RETURN " + ", ".join(f"COUNT {{ (:{n.label}) }} AS {n.label}" for n in m.NODES)
    counts = _rows(_graph, counts_cypher)[0]
    runs = _rows(
        _graph,
        f"MATCH (r:{m.INGEST_RUN.label}) RETURN r {{.*}} AS run ORDER BY r.started_at DESC LIMIT 5",
    )
    detect = _rows(
        _graph,
        f"MATCH (c:{m.CLUSTER.label}) RETURN max(c.last_detected_at) AS last_detected_at, "
        "count(c) AS clusters, sum(CASE WHEN c.flagged THEN 1 ELSE 0 END) AS flagged",
    )[0]
    return {"counts": counts, "runs": [r["run"] for r in runs], "detection": detect}


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def clusters(_graph: Graph, flagged_only: bool = False, limit: int = 500) -> pd.DataFrame:
    """Clusters by score, with their campaign, triage label and first evidence items."""
    rows = _rows(
        _graph,
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
    return _frame(
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
def campaigns(_graph: Graph) -> pd.DataFrame:
    """Campaigns with their clusters, accounts, risk and evidence."""
    rows = _rows(
        _graph,
        f"MATCH (p:{m.CAMPAIGN.label}) "
        f"OPTIONAL MATCH (c:{m.CLUSTER.label})-[:{m.PART_OF.type}]->(p) "
        "WITH p, count(c) AS clusters, sum(c.size) AS members, max(c.score) AS top, "
        "sum(CASE WHEN c.flagged THEN 1 ELSE 0 END) AS flagged_clusters "
        "RETURN p.campaign_id AS campaign_id, coalesce(p.name, p.campaign_id) AS campaign, "
        "coalesce(p.score, top) AS score, coalesce(p.accounts, members) AS accounts, clusters, "
        "flagged_clusters, p.evidence AS evidence ORDER BY score DESC",
    )
    return _frame(
        rows, ["campaign_id", "campaign", "score", "accounts", "clusters", "flagged_clusters", "evidence"]
    )


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def campaign_activity(_graph: Graph) -> pd.DataFrame:
    """Per campaign, requests on ``CALLED`` edges bucketed by their first and last day."""
    rows = _rows(
        _graph,
        f"MATCH (p:{m.CAMPAIGN.label})<-[:{m.PART_OF.type}]-(:{m.CLUSTER.label})"
        f"<-[:{m.MEMBER_OF.type}]-(:{m.ACCOUNT.label})-[r:{m.CALLED.type}]->(:{m.MODEL.label}) "
        "WHERE r.first_seen IS NOT NULL "
        "WITH coalesce(p.name, p.campaign_id) AS series, date(r.first_seen) AS d0, "
        "date(coalesce(r.last_seen, r.first_seen)) AS d1, sum(r.requests) AS requests "
        "RETURN series, toString(d0) AS first_seen, toString(d1) AS last_seen, requests",
    )
    return _frame(rows, ["series", "first_seen", "last_seen", "requests"])


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def model_releases(_graph: Graph) -> pd.DataFrame:
    """Models with a release time (markers on activity charts)."""
    rows = _rows(
        _graph,
        f"MATCH (x:{m.MODEL.label}) WHERE x.released_at IS NOT NULL "
        "RETURN x.name AS model, toString(x.released_at) AS released_at ORDER BY x.released_at",
    )
    return _frame(rows, ["model", "released_at"])


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def top_evidence(_graph: Graph, limit: int = 12) -> pd.DataFrame:
    """Evidence items of the riskiest flagged clusters that no analyst allowlisted."""
    rows = _rows(
        _graph,
        f"MATCH (c:{m.CLUSTER.label}) WHERE c.flagged "
        "AND NOT coalesce(c.triage_label, '') IN $excluded "
        "WITH c ORDER BY c.score DESC LIMIT $limit "
        "UNWIND coalesce(c.evidence, []) AS evidence "
        "RETURN c.cluster_id AS cluster_id, c.score AS score, evidence",
        {"limit": limit, "excluded": list(triage.CLEARING)},
    )
    return _frame(rows, ["cluster_id", "score", "evidence"])


# ------------------------------------------------------------------------------------- clusters


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def cluster_summary(_graph: Graph, cluster_id: str) -> dict[str, Any] | None:
    """A cluster's properties, its campaign, and member counts."""
    rows = _rows(
        _graph,
        f"MATCH (c:{m.CLUSTER.label} {{cluster_id: $cid}}) "
        f"OPTIONAL MATCH (c)-[:{m.PART_OF.type}]->(p:{m.CAMPAIGN.label}) "
        "RETURN c {.*} AS cluster, p {.*} AS campaign, "
        f"COUNT {{ (c)<-[:{m.MEMBER_OF.type}]-() }} AS members, "
        f"COUNT {{ (c)<-[:{m.MEMBER_OF.type}]-(a:{m.ACCOUNT.label}) WHERE a.status = 'banned' }} AS banned",
        {"cid": cluster_id},
    )
    return rows[0] if rows else None


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def cluster_members(_graph: Graph, cluster_id: str, limit: int = 5000) -> pd.DataFrame:
    """Member accounts, riskiest first, with their own evidence."""
    rows = _rows(
        _graph,
        f"MATCH (:{m.CLUSTER.label} {{cluster_id: $cid}})<-[r:{m.MEMBER_OF.type}]-(a:{m.ACCOUNT.label}) "
        "RETURN a.account_id AS account_id, a.email AS email, a.status AS status, "
        "r.score AS member_score, a.risk_score AS risk_score, "
        "coalesce(r.reasons, a.risk_reasons) AS reasons, "
        "a.requests AS requests, toString(a.created_at) AS created_at, toString(a.first_seen) AS first_seen, "
        "toString(a.last_seen) AS last_seen, a.triage_label AS triage_label "
        "ORDER BY r.score DESC, a.account_id LIMIT $limit",
        {"cid": cluster_id, "limit": limit},
    )
    frame = _frame(
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


def _node_props_expr(var: str) -> str:
    return f"CASE WHEN {var}:{m.ACCOUNT.label} THEN {account_projection(var)} ELSE properties({var}) END"


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def cluster_network(
    _graph: Graph,
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
    members = _rows(
        _graph,
        f"MATCH (:{m.CLUSTER.label} {{cluster_id: $cid}})<-[r:{m.MEMBER_OF.type}]-(a:{m.ACCOUNT.label}) "
        + (_COHORT_FILTER if cohort is not None else "")
        + f"WITH a, r ORDER BY r.score DESC, a.account_id LIMIT $limit "
        f"RETURN a.account_id AS key, {account_projection('a')} AS props",
        {"cid": cluster_id, "limit": limit, "cohort": cohort},
    )
    ids = [r["key"] for r in members]
    # One row per infrastructure node (its properties and account count read once, not once per
    # member using it: a proxy IP shared by 500 members used to come back 500 times).
    infra = _rows(
        _graph,
        f"UNWIND $ids AS id MATCH (a:{m.ACCOUNT.label} {{account_id: id}})-[r]->(x) WHERE type(r) IN $types "
        "WITH x, collect([id, type(r)]) AS links "
        "RETURN head(labels(x)) AS kind, x[$keys[head(labels(x))]] AS key, properties(x) AS props, "
        f"COUNT {{ (x)<-[]-(:{m.ACCOUNT.label}) }} AS accounts_total, links",
        {"ids": ids, "types": list(rel_types), "keys": KEYS},
    )
    ip_keys = sorted({r["key"] for r in infra if r["kind"] == m.IP.label})
    ip_links = _rows(
        _graph,
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


# Which cohort an account belongs to: the network of its busiest IP (CGNAT space as one cohort).
_COHORT_EXPR = (
    f"CALL (a) {{ OPTIONAL MATCH (a)-[c:{m.CONNECTED_FROM.type}]->(ip:{m.IP.label}) "
    "WITH ip, c ORDER BY coalesce(c.requests, 0) DESC, ip.ip LIMIT 1 "
    "RETURN CASE WHEN ip IS NULL THEN 'no IP' WHEN ip.is_cgnat THEN 'CGNAT 100.64.0.0/10' "
    "ELSE coalesce(ip.prefix, ip.ip) END AS cohort } "
)
_COHORT_FILTER = "WITH a, r " + _COHORT_EXPR + "WITH a, r, cohort WHERE cohort = $cohort "


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def cluster_skeleton(
    _graph: Graph, cluster_id: str, rel_types: tuple[str, ...] = DEFAULT_INFRA_RELS, per_cohort: int = 12
) -> dict[str, list[dict[str, Any]]]:
    """Server-side aggregation of a big cluster: account cohorts and the infrastructure they share.

    Members are grouped by the network of their busiest IP; for each cohort the server counts how
    many of its accounts use each infrastructure node and keeps the ``per_cohort`` most used (plus
    the proxy services behind the IPs). A 20,000-account cluster comes back as a few hundred rows.
    """
    # One pass: each member's cohort is computed once (it costs a look at the member's IPs), then
    # per cohort its counts and its most used infrastructure.
    rows = _rows(
        _graph,
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
def cluster_activity(_graph: Graph, cluster_id: str) -> dict[str, pd.DataFrame]:
    """A cluster's timeline inputs: requests per model (by edge days), sign-ups and bans per day
    (``events``: ``created, banned, n`` — how many members were created and banned on those days)."""
    calls = _rows(
        _graph,
        f"MATCH (:{m.CLUSTER.label} {{cluster_id: $cid}})<-[:{m.MEMBER_OF.type}]-(:{m.ACCOUNT.label})"
        f"-[r:{m.CALLED.type}]->(x:{m.MODEL.label}) WHERE r.first_seen IS NOT NULL "
        "WITH x.name AS series, date(r.first_seen) AS d0, date(coalesce(r.last_seen, r.first_seen)) AS d1, "
        "sum(r.requests) AS requests "
        "RETURN series, toString(d0) AS first_seen, toString(d1) AS last_seen, requests",
        {"cid": cluster_id},
    )
    events = _rows(
        _graph,
        f"MATCH (:{m.CLUSTER.label} {{cluster_id: $cid}})<-[:{m.MEMBER_OF.type}]-(a:{m.ACCOUNT.label}) "
        "RETURN toString(date(a.created_at)) AS created, toString(date(a.banned_at)) AS banned, "
        "count(*) AS n",  # per (creation day, ban day): a few hundred rows, not one per member
        {"cid": cluster_id},
    )
    ev = _frame(events, ["created", "banned", "n"])
    return {"calls": _frame(calls, ["series", "first_seen", "last_seen", "requests"]), "events": ev}


# --------------------------------------------------------------------------------------- lookup


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def search(_graph: Graph, request: SearchRequest, per_kind: int = 25) -> list[dict[str, Any]]:
    """Nodes whose key (or an account's email) contains the term; near keys when nothing does."""
    if not request.term:
        return []
    found: list[dict[str, Any]] = []
    for kind in request.kinds:
        node = SEARCHABLE[kind]
        key = f"toString(n.{node.key})"
        also = (
            "n.email"
            if node is m.ACCOUNT
            else ("n.name" if node in (m.PROXY_SERVICE, m.CAMPAIGN) else "null")
        )
        found += _rows(
            _graph,
            f"MATCH (n:{node.label}) WHERE toLower({key}) CONTAINS $term "
            f"OR toLower(coalesce({also}, '')) CONTAINS $term "
            f"RETURN '{node.label}' AS kind, {key} AS key, {also} AS also LIMIT $limit",
            {"term": request.term, "limit": per_kind},
        )
    if not found and len(request.term) >= 3:
        # Fuzzy fallback: candidates that share the first characters, ranked by similarity.
        for kind in request.kinds:
            node = SEARCHABLE[kind]
            key = f"toString(n.{node.key})"
            found += _rows(
                _graph,
                f"MATCH (n:{node.label}) WHERE toLower({key}) STARTS WITH $stem "
                f"RETURN '{node.label}' AS kind, {key} AS key, null AS also LIMIT 200",
                {"stem": request.term[:3]},
            )
    return rank(request.term, found)


def _match_node(kind: str) -> str:
    node = m.NODE_BY_LABEL[kind]
    return f"MATCH (n:{node.label} {{{node.key}: $key}}) "


def typed_key(kind: str, key: str) -> Any:
    """A key typed as the model declares it (ASN numbers are integers)."""
    return int(key) if m.NODE_BY_LABEL[kind].key_type == "integer" else key


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def node_detail(_graph: Graph, kind: str, key: str) -> dict[str, Any] | None:
    """A node's properties, its relationships counted by type and direction, and its clusters."""
    rows = _rows(
        _graph,
        _match_node(kind) + "RETURN properties(n) AS props, "
        "COLLECT { MATCH (n)-[r]-(x) RETURN {type: type(r), direction: CASE WHEN startNode(r) = n "
        "THEN 'out' ELSE 'in' END, kind: head(labels(x))} AS rel } AS rels, "
        f"COLLECT {{ MATCH (n)-[mo:{m.MEMBER_OF.type}]->(c:{m.CLUSTER.label}) "
        "RETURN {cluster_id: c.cluster_id, score: c.score, member_score: mo.score, flagged: c.flagged} } "
        "AS clusters",
        {"key": typed_key(kind, key)},
    )
    if not rows:
        return None
    r = rows[0]
    props = {k: v for k, v in r["props"].items() if k != "active_hours"}
    rels = pd.DataFrame(r["rels"], columns=["type", "direction", "kind"])
    counts = (
        rels.value_counts().rename("count").reset_index().sort_values("count", ascending=False)
        if not rels.empty
        else pd.DataFrame(columns=["type", "direction", "kind", "count"])
    )
    return {"kind": kind, "key": key, "props": props, "rel_counts": counts, "clusters": r["clusters"]}


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def ego_network(
    _graph: Graph, seeds: tuple[tuple[str, str], ...], rel_types: tuple[str, ...], per_type: int = 40
) -> dict[str, list[dict[str, Any]]]:
    """Neighbours of the seed nodes over the chosen relationship types (``per_type`` each, busiest first)."""
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    for kind, key in seeds:
        rows = _rows(
            _graph,
            _match_node(kind)
            + "RETURN n[$keys[head(labels(n))]] AS seed_key, "
            + _node_props_expr("n")
            + " AS seed_props, COLLECT { MATCH (n)-[r]-(x) WHERE type(r) IN $types "
            "WITH r, x ORDER BY coalesce(r.requests, 0) DESC "
            "WITH type(r) AS t, collect({r: r, x: x})[..$per_type] AS items UNWIND items AS it "
            "WITH t, it.r AS rel, it.x AS nb "
            "RETURN {type: t, out: startNode(rel) = n, kind: head(labels(nb)), "
            "key: nb[$keys[head(labels(nb))]], props: " + _node_props_expr("nb") + "} } AS nb",
            {"key": typed_key(kind, key), "types": list(rel_types), "per_type": per_type, "keys": KEYS},
        )
        if not rows:
            continue
        nodes.append({"kind": kind, "key": rows[0]["seed_key"], "props": rows[0]["seed_props"]})
        for nb in rows[0]["nb"]:
            nodes.append({"kind": nb["kind"], "key": nb["key"], "props": nb["props"]})
            a = (kind, rows[0]["seed_key"])
            b = (nb["kind"], nb["key"])
            src, dst = (a, b) if nb["out"] else (b, a)
            edges.append(
                {
                    "source_kind": src[0],
                    "source_key": src[1],
                    "type": nb["type"],
                    "target_kind": dst[0],
                    "target_key": dst[1],
                }
            )
    return {"nodes": nodes, "edges": edges}


# --------------------------------------------------------------------------------------- triage


def set_triage_label(graph: Graph, kind: str, key: str, label: str | None, note: str, analyst: str) -> bool:
    """THE app's only write: set (or clear, with ``label=None``) an analyst's label on a cluster or account.

    Stored as ``triage_label``, ``triage_note``, ``triage_by``, ``triage_at`` on the node, where the
    next detection run reads it (an allowlisted cluster is not flagged again). Returns whether the
    node exists. Clears the read caches so every page shows the new label.
    """
    if kind not in (m.CLUSTER.label, m.ACCOUNT.label):
        raise ValueError(f"only clusters and accounts are triaged, not {kind}")
    if label is not None and label not in m.TRIAGE_LABELS:
        raise ValueError(f"unknown triage label {label!r}; expected one of {m.TRIAGE_LABELS}")
    if label is not None and not analyst.strip():
        raise ValueError("the analyst's name is required")
    node = m.NODE_BY_LABEL[kind]
    if label is None:
        cypher = (
            f"MATCH (n:{node.label} {{{node.key}: $key}}) "
            "REMOVE n.triage_label, n.triage_note, n.triage_by, n.triage_at RETURN count(n) AS n"
        )
    else:
        cypher = (
            f"MATCH (n:{node.label} {{{node.key}: $key}}) "
            "SET n.triage_label = $label, n.triage_note = $note, n.triage_by = $by, n.triage_at = datetime() "
            "RETURN count(n) AS n"
        )
    graph.write(cypher, {"key": key, "label": label, "note": note.strip(), "by": analyst.strip()})
    st.cache_data.clear()
    return exists(graph, kind, key)


def exists(graph: Graph, kind: str, key: str) -> bool:
    """Whether a node with this key exists (uncached: used right after a write)."""
    return bool(graph.read(_match_node(kind) + "RETURN count(n) AS n", {"key": typed_key(kind, key)})[0]["n"])


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def triaged(_graph: Graph, limit: int = 200) -> pd.DataFrame:
    """Labels analysts set, newest first."""
    parts = [
        f"MATCH (n:{node.label}) WHERE n.triage_label IS NOT NULL "
        f"RETURN '{node.label}' AS kind, n.{node.key} AS key, n.triage_label AS label, "
        "n.triage_note AS note, "
        "n.triage_by AS analyst, n.triage_at AS at"
        for node in (m.CLUSTER, m.ACCOUNT)
    ]
    rows = _rows(
        _graph,
        "CALL () { " + " UNION ALL ".join(parts) + " } RETURN * ORDER BY at DESC LIMIT $limit",
        {"limit": limit},
    )
    return _frame(rows, ["kind", "key", "label", "note", "analyst", "at"])


# -------------------------------------------------------------------------------------- exports


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def ban_candidates(
    _graph: Graph, cluster_id: str | None = None, include_banned: bool = False
) -> pd.DataFrame:
    """The ban list (``hydrascope.jobs.export.ban_list``, the one ``hydrascope export flagged``
    writes) of every flagged cluster or of one, as a frame of ``BAN_LIST_COLUMNS``.

    Cached like every read; ``set_triage_label`` clears the cache, so a label takes effect at once.
    """
    from hydrascope.ui.exports import BAN_LIST_COLUMNS

    rows = ban_list(_graph, include_banned=include_banned, cluster_id=cluster_id)
    return _frame([native(r) for r in rows], BAN_LIST_COLUMNS)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def cluster_intel(_graph: Graph, cluster_id: str, min_accounts: int = 2) -> dict[str, Any]:
    """A cluster's shareable infrastructure: IPs used by several members or by a proxy service.

    CGNAT and commercial-VPN addresses are left out: honest users share them, and a partner lab
    blocking them would hurt those users. ``forbidden`` lists what must not leave: account ids,
    emails, payment tokens and client fingerprints of the members.
    """
    summary = cluster_summary(_graph, cluster_id)
    if summary is None:
        return {}
    ips = _rows(
        _graph,
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
    forbidden = _rows(
        _graph,
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


def as_date(value: Any) -> str:
    """A short, readable date or time for tables and captions."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)
