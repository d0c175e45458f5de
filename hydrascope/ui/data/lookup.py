"""The Lookup page's reads: search over node keys, a node's detail, its ego network."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from hydrascope.db import Graph
from hydrascope.schema import model as m
from hydrascope.ui.data.common import KEYS, TTL_SECONDS, fetch, match_node, node_props_expr, typed_key
from hydrascope.ui.search import SEARCHABLE, SearchRequest, rank


def read_search(graph: Graph, request: SearchRequest, per_kind: int = 25) -> list[dict[str, Any]]:
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
        found += fetch(
            graph,
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
            found += fetch(
                graph,
                f"MATCH (n:{node.label}) WHERE toLower({key}) STARTS WITH $stem "
                f"RETURN '{node.label}' AS kind, {key} AS key, null AS also LIMIT 200",
                {"stem": request.term[:3]},
            )
    return rank(request.term, found)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def search(_graph: Graph, request: SearchRequest, per_kind: int = 25) -> list[dict[str, Any]]:
    """``read_search``, cached."""
    return read_search(_graph, request, per_kind)


def read_node_detail(graph: Graph, kind: str, key: str) -> dict[str, Any] | None:
    """A node's properties, its relationships counted by type and direction, and its clusters."""
    rows = fetch(
        graph,
        match_node(kind) + "RETURN properties(n) AS props, "
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
def node_detail(_graph: Graph, kind: str, key: str) -> dict[str, Any] | None:
    """``read_node_detail``, cached."""
    return read_node_detail(_graph, kind, key)


def read_ego_network(
    graph: Graph, seeds: tuple[tuple[str, str], ...], rel_types: tuple[str, ...], per_type: int = 40
) -> dict[str, list[dict[str, Any]]]:
    """Neighbours of the seed nodes over the chosen relationship types (``per_type`` each, busiest first)."""
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    for kind, key in seeds:
        rows = fetch(
            graph,
            match_node(kind)
            + "RETURN n[$keys[head(labels(n))]] AS seed_key, "
            + node_props_expr("n")
            + " AS seed_props, COLLECT { MATCH (n)-[r]-(x) WHERE type(r) IN $types "
            "WITH r, x ORDER BY coalesce(r.requests, 0) DESC "
            "WITH type(r) AS t, collect({r: r, x: x})[..$per_type] AS items UNWIND items AS it "
            "WITH t, it.r AS rel, it.x AS nb "
            "RETURN {type: t, out: startNode(rel) = n, kind: head(labels(nb)), "
            "key: nb[$keys[head(labels(nb))]], props: " + node_props_expr("nb") + "} } AS nb",
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


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def ego_network(
    _graph: Graph, seeds: tuple[tuple[str, str], ...], rel_types: tuple[str, ...], per_type: int = 40
) -> dict[str, list[dict[str, Any]]]:
    """``read_ego_network``, cached."""
    return read_ego_network(_graph, seeds, rel_types, per_type)
