"""The Lookup page's reads: search (the model's full-text index), a node's detail, its ego network."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from hydrascope.db import Graph
from hydrascope.schema import model as m
from hydrascope.ui.data.common import KEYS, TTL_SECONDS, fetch, match_node, node_props_expr, typed_key
from hydrascope.ui.search import SearchRequest, contains_query, fuzzy_query, rank

# What a hit shows beside its key (the Lookup's "also"): an account's email, a name, an AS's owner.
ALSO: dict[str, str] = {
    m.ACCOUNT.label: "email",
    m.PROXY_SERVICE.label: "name",
    m.CAMPAIGN.label: "name",
    m.ASN.label: "as_org",
}
# How many index hits to look at before the CONTAINS check and the per-kind cut.
CANDIDATES = 1000
# One query through the model's full-text index: hits of the requested kinds, each with its key,
# "also" and score; with ``$contains``, only values that really contain the term (the index query
# finds values whose tokens hold each run of it, a superset); the best ``$per_kind`` per kind.
FULLTEXT_SEARCH = (
    "CALL db.index.fulltext.queryNodes($index, $query, {limit: $candidates}) YIELD node, score "
    "WITH node, score, head(labels(node)) AS kind WHERE kind IN $kinds "
    "WITH kind, score, toString(node[$keys[kind]]) AS key, "
    "CASE WHEN $also[kind] IS NULL THEN null ELSE node[$also[kind]] END AS also "
    "WHERE NOT $contains OR toLower(key) CONTAINS $term OR toLower(coalesce(also, '')) CONTAINS $term "
    "WITH kind, key, also, score ORDER BY score DESC, key "
    "WITH kind, collect({kind: kind, key: key, also: also, score: score})[..$per_kind] AS hits "
    "UNWIND hits AS hit RETURN hit.kind AS kind, hit.key AS key, hit.also AS also, hit.score AS score"
)
# ASN keys are integers (not in a full-text index): an AS number is matched exactly, by its key.
ASN_BY_NUMBER = (
    f"MATCH (n:{m.ASN.label} {{{m.ASN.key}: $number}}) "
    f"RETURN '{m.ASN.label}' AS kind, toString(n.{m.ASN.key}) AS key, n.as_org AS also, 1.0 AS score"
)


def read_search(graph: Graph, request: SearchRequest, per_kind: int = 25) -> list[dict[str, Any]]:
    """Nodes whose key (or email, name) contains the term, found through the full-text index;
    nodes spelled like it (fuzzy) when nothing contains it. The analyst's text never reaches Lucene
    as syntax: ``search.contains_query`` and ``search.fuzzy_query`` build the query from its
    letter-and-digit runs, escaped, and it travels as a parameter."""
    term = request.term
    if not term:
        return []
    params = {
        "index": m.LOOKUP_TEXT.name,
        "kinds": list(request.kinds),
        "keys": KEYS,
        "also": ALSO,
        "term": term,
        "candidates": CANDIDATES,
        "per_kind": per_kind,
    }
    found: list[dict[str, Any]] = []
    query = contains_query(term)
    if query is not None:
        found += fetch(graph, FULLTEXT_SEARCH, {**params, "query": query, "contains": True})
    if m.ASN.label in request.kinds and term.isdigit() and len(term) <= 10:
        found += fetch(graph, ASN_BY_NUMBER, {"number": int(term)})
    fuzzy = fuzzy_query(term)
    if not found and len(term) >= 3 and fuzzy is not None:
        found += fetch(graph, FULLTEXT_SEARCH, {**params, "query": fuzzy, "contains": False})
    return rank(term, found)


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
