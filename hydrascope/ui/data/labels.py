"""Triage labels: THE app's only write (``set_triage_label``) and the read of recent labels.

The write is isolated here: every other module of the read layer only reads (``Graph.read``, a read
transaction the server refuses to write in). The policy, which labels exist and which clear, is
``hydrascope.triage``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from hydrascope import triage
from hydrascope.db import Graph
from hydrascope.schema import model as m
from hydrascope.ui.data.common import TTL_SECONDS, fetch, match_node, to_frame, typed_key


def write_triage_label(graph: Graph, kind: str, key: str, label: str | None, note: str, analyst: str) -> bool:
    """Set (or clear, with ``label=None``) an analyst's label on a cluster or account.

    Stored as ``triage_label``, ``triage_note``, ``triage_by``, ``triage_at`` on the node, where the
    next detection run reads it (an allowlisted cluster is not flagged again) and the ban list at
    once. Returns whether the node exists. Refuses a label outside ``triage.LABELS`` and a label
    without the analyst's name (every label records who set it).
    """
    if kind not in (m.CLUSTER.label, m.ACCOUNT.label):
        raise ValueError(f"only clusters and accounts are triaged, not {kind}")
    if label is not None and label not in triage.LABELS:
        raise ValueError(f"unknown triage label {label!r}; expected one of {triage.LABELS}")
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
    return exists(graph, kind, key)


def set_triage_label(graph: Graph, kind: str, key: str, label: str | None, note: str, analyst: str) -> bool:
    """THE app's only write: ``write_triage_label``, then every read cache cleared, so every page
    (the ban list included) shows the new label on its next render."""
    found = write_triage_label(graph, kind, key, label, note, analyst)
    st.cache_data.clear()
    return found


def exists(graph: Graph, kind: str, key: str) -> bool:
    """Whether a node with this key exists (uncached: used right after a write)."""
    return bool(graph.read(match_node(kind) + "RETURN count(n) AS n", {"key": typed_key(kind, key)})[0]["n"])


def read_triaged(graph: Graph, limit: int = 200) -> pd.DataFrame:
    """Labels analysts set, newest first."""
    parts = [
        f"MATCH (n:{node.label}) WHERE n.triage_label IS NOT NULL "
        f"RETURN '{node.label}' AS kind, n.{node.key} AS key, n.triage_label AS label, "
        "n.triage_note AS note, "
        "n.triage_by AS analyst, n.triage_at AS at"
        for node in (m.CLUSTER, m.ACCOUNT)
    ]
    rows = fetch(
        graph,
        "CALL () { " + " UNION ALL ".join(parts) + " } RETURN * ORDER BY at DESC LIMIT $limit",
        {"limit": limit},
    )
    return to_frame(rows, ["kind", "key", "label", "note", "analyst", "at"])


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def triaged(_graph: Graph, limit: int = 200) -> pd.DataFrame:
    """``read_triaged``, cached."""
    return read_triaged(_graph, limit)
