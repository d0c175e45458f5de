"""What every read of the app shares: the cache TTL, row and frame helpers, Cypher fragments.

The read layer (``hydrascope.ui.data``) is split by page concern; each concern module holds pure
functions ``read_*(graph, ...)`` (Cypher through ``Graph.read``, plain Python values and
DataFrames out: usable and testable without Streamlit) and a thin ``st.cache_data`` wrapper of
each, named as the pages call it. Labels, keys and relationship types come from
``hydrascope.schema.model``; every value is a parameter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd

from hydrascope.db import Graph
from hydrascope.schema import model as m

# A page rerun on every click must not hit the database again for data that changes once per
# ingest or detection run; a label or case write (``labels.set_triage_label``, the cases page)
# clears the caches.
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


def node_props_expr(var: str) -> str:
    """A node's properties for drawings: an account's projection, any other node's properties."""
    return f"CASE WHEN {var}:{m.ACCOUNT.label} THEN {account_projection(var)} ELSE properties({var}) END"


def native(value: Any) -> Any:
    """Driver temporal values → Python datetimes (recursively), so pandas and JSON understand them."""
    if hasattr(value, "to_native"):
        return value.to_native()
    if isinstance(value, dict):
        return {k: native(v) for k, v in value.items()}
    if isinstance(value, list):
        return [native(v) for v in value]
    return value


def fetch(graph: Graph, cypher: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Rows of a read transaction (with the app's timeout), driver temporals made native."""
    return [native(r) for r in graph.read(cypher, params, timeout=READ_TIMEOUT)]


def to_frame(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """Rows as a frame with these columns, in this order, even when there are no rows."""
    return pd.DataFrame(list(rows), columns=list(columns))


def match_node(kind: str) -> str:
    """``MATCH (n:Label {key: $key})`` for a node kind, from the model."""
    node = m.NODE_BY_LABEL[kind]
    return f"MATCH (n:{node.label} {{{node.key}: $key}}) "


def typed_key(kind: str, key: str) -> Any:
    """A key typed as the model declares it (ASN numbers are integers)."""
    return int(key) if m.NODE_BY_LABEL[kind].key_type == "integer" else key


def as_date(value: Any) -> str:
    """A short, readable date or time for tables and captions."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)
