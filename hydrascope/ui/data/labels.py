"""Triage labels: the app's label write (``set_triage_label``) and the read of recent labels.

The write itself is ``hydrascope.workflow.decisions`` (shared with cases and the command line);
every other module of the read layer only reads (``Graph.read``, a read transaction the server
refuses to write in). The policy, which labels exist and which clear, is ``hydrascope.triage``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from hydrascope.db import Graph
from hydrascope.schema import model as m
from hydrascope.ui.data.common import TTL_SECONDS, fetch, match_node, to_frame, typed_key
from hydrascope.workflow import decisions
from hydrascope.workflow.identity import Analyst


def set_triage_label(graph: Graph, who: Analyst, kind: str, key: str, label: str | None, note: str) -> bool:
    """THE app's label write: ``decisions.label_nodes`` (authorised and recorded), then every read
    cache cleared, so every page (the ban list included) shows the new label on its next render.
    Returns whether the node exists."""
    found = decisions.label_nodes(graph, who, kind, [key], label, note)
    st.cache_data.clear()
    return found > 0


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
