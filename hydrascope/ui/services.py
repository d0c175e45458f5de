"""What pages ask for: the read layer's rows (``hydrascope.ui.data``) turned into views, charts'
data and display tables.

Pages stay thin (no Cypher, no pandas wrangling): they call these functions. Each composes a read
with the pure builders (``graphviews``, ``timeline``, ``exports``) and caches the result, so the
igraph layout of a 2,000-node view is computed once per TTL, not on every rerun.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

import queries
from hydrascope.db import Graph
from hydrascope.schema import model as m
from hydrascope.ui import exports, graphviews, timeline
from hydrascope.ui.data import clusters as cluster_data
from hydrascope.ui.data import exports as export_data
from hydrascope.ui.data import lookup as lookup_data
from hydrascope.ui.data import overview as overview_data
from hydrascope.ui.data.common import TTL_SECONDS
from hydrascope.ui.graphviews import GraphView
from hydrascope.workflow import console
from hydrascope.workflow.identity import Analyst
from queries.runner import describe_value

# Above this many members, the explorer starts from the infrastructure skeleton.
SKELETON_ABOVE = 1500
MAX_DRAWN_ACCOUNTS = 2000


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def cluster_view(
    _graph: Graph,
    cluster_id: str,
    rel_types: tuple[str, ...],
    expanded: tuple[str, ...] = (),
    cohort: str | None = None,
    limit: int = MAX_DRAWN_ACCOUNTS,
) -> GraphView:
    """A cluster's accounts and infrastructure, high-degree parts collapsed, laid out."""
    rows = cluster_data.cluster_network(_graph, cluster_id, rel_types, limit, cohort)
    title = f"cluster {cluster_id}" + (f", cohort {cohort}" if cohort else "")
    view = graphviews.build_view(rows["nodes"], rows["edges"], title)
    return graphviews.layout(graphviews.collapse(view, expanded))


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def skeleton_view(_graph: Graph, cluster_id: str, rel_types: tuple[str, ...]) -> GraphView:
    """The aggregated skeleton of a big cluster (cohorts and shared infrastructure), laid out."""
    rows = cluster_data.cluster_skeleton(_graph, cluster_id, rel_types)
    view = graphviews.skeleton_view(rows["cohorts"], rows["links"], f"cluster {cluster_id} (skeleton)")
    return graphviews.layout(view, spacing=110.0)


def cohorts(view: GraphView) -> list[tuple[str, int]]:
    """Cohorts of a skeleton view with their account counts, biggest first (drill-down choices)."""
    return sorted(
        ((n.key, n.count) for n in view.nodes if n.kind == graphviews.COHORT), key=lambda kc: (-kc[1], kc[0])
    )


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def ego_view(
    _graph: Graph,
    seeds: tuple[tuple[str, str], ...],
    rel_types: tuple[str, ...],
    per_type: int = 40,
    expanded: tuple[str, ...] = (),
) -> GraphView:
    """Neighbourhood of one or more nodes over the chosen relationship types, laid out."""
    rows = lookup_data.ego_network(_graph, seeds, rel_types, per_type)
    view = graphviews.build_view(
        rows["nodes"], rows["edges"], "ego network of " + ", ".join(k for _, k in seeds)
    )
    return graphviews.layout(graphviews.collapse(view, expanded, max_leaves=30))


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def campaign_series(_graph: Graph) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Estimated exchanges per campaign per day, and the model releases inside that range."""
    daily = timeline.spread_daily(overview_data.campaign_activity(_graph))
    releases = timeline.releases_in_range(overview_data.model_releases(_graph), daily["day"])
    return daily, releases


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def cluster_series(_graph: Graph, cluster_id: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A cluster's estimated exchanges per model per day, sign-ups and bans per day, releases."""
    data = cluster_data.cluster_activity(_graph, cluster_id)
    daily = timeline.spread_daily(data["calls"])
    ev = data["events"]
    events = pd.concat(
        [
            timeline.daily_counts(ev["created"], "sign-ups", ev["n"]),
            timeline.daily_counts(ev["banned"], "bans", ev["n"]),
        ],
        ignore_index=True,
    )
    days = pd.concat([daily["day"], events["day"]], ignore_index=True)
    releases = timeline.releases_in_range(overview_data.model_releases(_graph), days)
    return daily, events, releases


def signals_table(signals_json: str | None) -> pd.DataFrame:
    """The detector's per-signal values (a JSON object) as a two-column table."""
    if not signals_json:
        return pd.DataFrame(columns=["signal", "value"])
    try:
        data = json.loads(signals_json)
    except (TypeError, ValueError):
        return pd.DataFrame({"signal": ["signals"], "value": [str(signals_json)]})
    if not isinstance(data, Mapping):
        return pd.DataFrame({"signal": ["signals"], "value": [json.dumps(data)]})
    rows = [(k, json.dumps(v) if isinstance(v, dict | list) else v) for k, v in data.items()]
    return pd.DataFrame(rows, columns=["signal", "value"]).astype({"value": str})


def cluster_choices(frame: pd.DataFrame) -> dict[str, str]:
    """Cluster id → a one-line description for pickers (risk, size, campaign, flag, label)."""
    out: dict[str, str] = {}
    for r in frame.to_dict("records"):
        text = f"{r['cluster_id']} · risk {float(r['score'] or 0):.2f} · {r['size']} accounts"
        text += f" · {r['campaign']}" if r.get("campaign") else ""
        text += " · flagged" if r.get("flagged") else ""
        text += f" · {r['triage_label']}" if r.get("triage_label") else ""
        out[str(r["cluster_id"])] = text
    return out


def cluster_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Clusters for display: the first evidence item as a column, lists out of the way."""
    out = frame.copy()
    out["top_evidence"] = out["evidence"].map(lambda v: v[0] if isinstance(v, list) and v else "")
    return out.drop(columns=["evidence"])


def campaign_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Campaigns for display, evidence joined into one readable cell."""
    out = frame.copy()
    out["evidence"] = out["evidence"].map(lambda v: "; ".join(v) if isinstance(v, list) else (v or ""))
    return out


def label_counts(counts: Mapping[str, int]) -> pd.DataFrame:
    """Node counts per label as a table, biggest first, empty labels last."""
    pairs: list[tuple[str, int]] = [(str(k), int(v or 0)) for k, v in counts.items()]
    pairs.sort(key=lambda kv: kv[1], reverse=True)
    return pd.DataFrame(pairs, columns=["label", "nodes"])


def runs_table(runs: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Recent ingest runs as a table."""
    cols = [
        "run_id",
        "status",
        "started_at",
        "ended_at",
        "rows_read",
        "rows_loaded",
        "rows_rejected",
        "source",
    ]
    return pd.DataFrame([{c: r.get(c) for c in cols} for r in runs], columns=cols)


def rejects_by_table(run: Mapping[str, Any]) -> pd.DataFrame:
    """Per-table rows read, loaded and rejected of one run (its ``tables`` JSON)."""
    try:
        tables = json.loads(run.get("tables") or "{}")
    except ValueError:
        tables = {}
    rows = []
    if isinstance(tables, Mapping):
        for name, t in tables.items():
            if isinstance(t, Mapping):
                rows.append({"table": name, **{k: t.get(k) for k in ("read", "loaded", "rejected")}})
    return pd.DataFrame(rows, columns=["table", "read", "loaded", "rejected"])


# -------------------------------------------------------------------------------- query library


def library() -> list[queries.QuerySpec]:
    """The analyst query library (loaded from ``queries/*.cypher``)."""
    return list(queries.list_queries())


def result_frame(result: queries.QueryResult) -> pd.DataFrame:
    """A query result as a table of readable cells (paths as chains, nodes by key)."""
    rows = [{c: describe_value(r.get(c)) for c in result.columns} for r in result.rows]
    return pd.DataFrame(rows, columns=list(result.columns))


def result_view(result: queries.QueryResult) -> GraphView | None:
    """The drawing of a result holding nodes, relationships or paths; ``None`` when it holds none."""
    keys = {n.label: n.key for n in m.NODES}
    view = graphviews.view_from_records(
        ([r.get(c) for c in result.columns] for r in result.rows), keys, "query result"
    )
    if not view.nodes:
        return None
    return graphviews.layout(graphviews.collapse(view, max_leaves=30))


# ------------------------------------------------------------------------------------- exports


def stix_for_cluster(graph: Graph, cluster_id: str) -> tuple[str, int]:
    """The STIX bundle of a cluster's infrastructure and how many IP indicators it holds."""
    data = export_data.cluster_intel(graph, cluster_id)
    if not data:
        raise ValueError(f"no cluster {cluster_id}")
    intel = exports.intel_from_rows(data["summary"], data["ips"])
    return exports.stix_bundle(intel, forbidden=data["forbidden"]), len(intel.indicators)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def _suggestions(_graph: Graph, query_id: str, param: str) -> list[str]:
    return [
        str(v) for v in queries.suggest_values(_graph, queries.get_query(query_id), param) if v is not None
    ]


def suggestions(graph: Graph, query_id: str, param: str) -> list[str]:
    """Values worth trying for a parameter (the query header's suggestion query), cached."""
    return _suggestions(graph, query_id, param)


def run_library_query(
    graph: Graph, spec: queries.QuerySpec, params: Mapping[str, Any], limit: int
) -> dict[str, Any]:
    """Run a library query's table (and drawing, if it has one) through the library's runner."""
    result = queries.run_query(graph, spec, params, section="table", limit=limit)
    view = None
    if spec.has_section("graph"):
        drawn = queries.run_query(graph, spec, params, section="graph", limit=limit)
        view = result_view(drawn)
    return {
        "id": spec.id,
        "table": result_frame(result),
        "truncated": result.truncated,
        "view": view,
        "cypher": result.cypher,
        "params": dict(result.params),
    }


def run_console(
    graph: Graph, who: Analyst, cypher: str, params: Mapping[str, Any], limit: int, timeout: float
) -> dict[str, Any]:
    """Run an analyst's own Cypher through ``queries.run_adhoc`` (read-only, bounded, previewed),
    if their role may; the query, refused, failed or run, goes into the audit trail."""
    result = console.run_recorded(
        graph, who, cypher, params, limit=limit, timeout=timeout, keep_graph_values=True
    )
    return {
        "table": result_frame(result),
        "truncated": result.truncated,
        "view": result_view(result),
        "cypher": result.cypher,
        "warnings": list(result.warnings),
    }
