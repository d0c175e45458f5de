"""Exports: the ban list (CSV with evidence), the current drawing (GraphML, JSON), a STIX 2.1 bundle.

The privacy switch applies: with personal data hidden, the ban list carries pseudonyms and the
drawing's exports carry no account id or email. The STIX bundle never carries personal data.
Every download is checked against the analyst's role (only an admin takes the ban list) and
recorded in the audit trail (``components.guarded``).
"""

from __future__ import annotations

import streamlit as st

from hydrascope.inert import md
from hydrascope.ui import exports, services, state
from hydrascope.ui.components import guarded, panels
from hydrascope.ui.connection import get_graph
from hydrascope.ui.data import clusters as cluster_data
from hydrascope.ui.data import exports as data
from hydrascope.ui.data.common import DEFAULT_INFRA_RELS
from hydrascope.ui.privacy import mask_frame, mask_view
from hydrascope.workflow.identity import Action

graph = get_graph()
st.title("Exports")
hide = state.hide_personal()
who = state.current_analyst()

clusters = cluster_data.clusters(graph)
ALL = "all flagged clusters"
options = [ALL, *clusters["cluster_id"].tolist()]
default = st.session_state.get("cluster_last")
cid = st.selectbox(
    "Scope", options, index=options.index(default) if default in options else 0, key="export_scope"
)
cluster_id = None if cid == ALL else cid

st.subheader("Ban list")
include_banned = st.checkbox("Include accounts already banned", key="export_banned")
bans = data.ban_candidates(graph, cluster_id, include_banned)
st.caption(
    f"{len(bans):,} accounts (allowlisted and false-positive clusters and accounts are left out)"
    + (" — personal data hidden: ids are pseudonyms" if hide else "")
)
panels.table(bans.head(200), key="export-bans", height=260)
guarded.download(
    graph,
    who,
    Action.EXPORT_BAN_LIST,
    "Download ban list (CSV)",
    exports.ban_list_csv(mask_frame(bans, hide)),
    file_name=f"ban-list-{cluster_id or 'flagged'}.csv",
    mime="text/csv",
    key="dl-bans",
    what="ban_list",
    detail={"rows": len(bans), "scope": cluster_id or "flagged", "pseudonyms": hide},
)

st.subheader("Current view")
view = st.session_state.get("current_view")
if view is None and cluster_id is not None:
    view = services.cluster_view(graph, cluster_id, DEFAULT_INFRA_RELS)
if view is None:
    st.caption("Open a cluster, a lookup or a query with a drawing first (or pick one cluster above).")
else:
    shown = mask_view(view, hide)
    st.caption(f"{md(shown.title)}: {len(shown.nodes):,} nodes, {len(shown.edges):,} edges")
    left, right = st.columns(2)
    with left:
        guarded.download(
            graph,
            who,
            Action.EXPORT,
            "Download GraphML",
            exports.view_to_graphml(shown),
            file_name="view.graphml",
            mime="application/xml",
            key="dl-graphml",
            what="graphml",
            detail={"view": shown.title, "nodes": len(shown.nodes)},
        )
    with right:
        guarded.download(
            graph,
            who,
            Action.EXPORT,
            "Download JSON",
            exports.view_to_json(shown),
            file_name="view.json",
            mime="application/json",
            key="dl-json",
            what="view_json",
            detail={"view": shown.title, "nodes": len(shown.nodes)},
        )

st.subheader("STIX 2.1 bundle for partner labs")
if cluster_id is None:
    st.caption("Pick one cluster above: a bundle describes one cluster's infrastructure.")
else:
    bundle, indicators = services.stix_for_cluster(graph, cluster_id)
    st.caption(
        f"{indicators} IP indicators with their AS, proxy service and campaign; TLP:AMBER; "
        "no account ids, emails, payment tokens or fingerprints. CGNAT and VPN addresses are left out."
    )
    guarded.download(
        graph,
        who,
        Action.EXPORT,
        "Download STIX bundle",
        bundle,
        file_name=f"hydrascope-{cluster_id}.stix.json",
        mime="application/json",
        key="dl-stix",
        what="stix",
        detail={"cluster_id": cluster_id, "indicators": indicators},
    )
    with st.expander("Preview"):
        st.code(bundle[:20000], language="json")
