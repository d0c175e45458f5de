"""Cluster explorer: a cluster's network, evidence, members and activity over time.

Small clusters are drawn account by account (proxy IP ranges, CGNAT space and big shared cards
collapsed into counted groups the analyst can expand); big ones start from the server-side
skeleton (cohorts of accounts and the infrastructure they share) and drill down one cohort at a time.
"""

from __future__ import annotations

import streamlit as st

from hydrascope.inert import md
from hydrascope.ui import services, state
from hydrascope.ui.components import charts, network, panels
from hydrascope.ui.connection import get_graph
from hydrascope.ui.data import clusters as data
from hydrascope.ui.data.common import DEFAULT_INFRA_RELS, INFRA_RELS

graph = get_graph()
st.title("Cluster explorer")

clusters = data.clusters(graph)
if clusters.empty:
    st.info("No clusters yet: run `hydrascope detect` after an ingest.")
    st.stop()
labels = services.cluster_choices(clusters)
ids = list(labels)
wanted = state.param("cluster") or st.session_state.get("cluster_last")
if wanted in ids and "cluster_pick" not in st.session_state:
    st.session_state["cluster_pick"] = wanted
cluster_id = str(st.selectbox("Cluster", ids, format_func=lambda c: labels[c], key="cluster_pick"))
st.session_state["cluster_last"] = cluster_id
state.set_param("cluster", cluster_id)

summary = data.cluster_summary(graph, cluster_id)
if summary is None:
    st.warning(f"Cluster {md(cluster_id)} no longer exists.")
    st.stop()
cluster = summary["cluster"]
campaign = summary.get("campaign") or {}
cols = st.columns(5)
cols[0].metric("Risk", f"{cluster.get('score') or 0:.2f}")
cols[1].metric("Accounts", f"{summary['members']:,}")
cols[2].metric("Banned", f"{summary['banned']:,}")
cols[3].metric("Lifecycle", md(cluster.get("lifecycle")) or "—")
cols[4].metric("Triage", md(cluster.get("triage_label")) or "unlabelled")
name = campaign.get("name") or campaign.get("campaign_id")
st.caption(f"Campaign: **{md(name)}**" if name else "Not attributed to a campaign")

graph_col, evidence_col = st.columns([3, 1])
with evidence_col:
    panels.evidence(
        cluster.get("evidence") or [], services.signals_table(cluster.get("signals")), key=cluster_id
    )
with graph_col:
    controls = st.columns([2, 1, 2])
    rel_types = (
        tuple(
            controls[0].multiselect(
                "Infrastructure",
                INFRA_RELS,
                default=list(DEFAULT_INFRA_RELS),
                key=f"rels-{cluster_id}",
            )
        )
        or DEFAULT_INFRA_RELS
    )
    big = summary["members"] > services.SKELETON_ABOVE
    mode = controls[1].radio(
        "View",
        ["skeleton", "accounts"],
        index=0 if big else 1,
        key=f"mode-{cluster_id}",
        horizontal=True,
        help="skeleton: cohorts of accounts and the infrastructure they share (server-side aggregation)",
    )
    cohort = None
    if mode == "skeleton":
        skeleton = services.skeleton_view(graph, cluster_id, rel_types)
        options = [None] + [c for c, _ in services.cohorts(skeleton)]
        sizes = dict(services.cohorts(skeleton))
        cohort = controls[2].selectbox(
            "Drill down into a cohort",
            options,
            key=f"cohort-{cluster_id}",
            format_func=lambda c: "— whole cluster —" if c is None else f"{c} ({sizes[c]:,} accounts)",
        )
    if mode == "skeleton" and cohort is None:
        view = skeleton
    else:
        base = services.cluster_view(graph, cluster_id, rel_types, (), cohort)
        group_names = {g: n.caption for g in base.groups for n in base.nodes if n.id == g}
        expanded = tuple(
            controls[2 if mode == "accounts" else 0].multiselect(
                "Expand groups",
                sorted(base.groups),
                format_func=lambda g: group_names.get(g, g),
                key=f"expand-{cluster_id}-{cohort}",
            )
        )
        view = services.cluster_view(graph, cluster_id, rel_types, expanded, cohort) if expanded else base
        if summary["members"] > services.MAX_DRAWN_ACCOUNTS and cohort is None:
            st.caption(
                f"Showing the {services.MAX_DRAWN_ACCOUNTS:,} riskiest of {summary['members']:,} accounts."
            )
    st.session_state["current_view"] = view
    network.show(view, key=f"cluster-{cluster_id}")

members_tab, timeline_tab = st.tabs(["Members", "Activity timeline"])
with members_tab:
    members = data.cluster_members(graph, cluster_id, limit=services.MAX_DRAWN_ACCOUNTS)
    shown_all = len(members) >= summary["members"]
    st.caption(
        f"{summary['members']:,} member accounts, riskiest first"
        if shown_all
        else f"The {len(members):,} riskiest of {summary['members']:,} member accounts "
        "(the ban list export has them all)"
    )
    panels.table(
        members,
        key=f"members-{cluster_id}",
        height=360,
        column_config={
            "member_score": st.column_config.ProgressColumn("score", min_value=0.0, max_value=1.0)
        },
    )
with timeline_tab:
    daily, events, releases = services.cluster_series(graph, cluster_id)
    charts.activity(
        daily, releases, key=f"timeline-{cluster_id}", title="estimated daily exchanges per model"
    )
    charts.activity(
        events,
        releases,
        key=f"events-{cluster_id}",
        value="count",
        title="sign-ups and bans per day",
        height=200,
    )
