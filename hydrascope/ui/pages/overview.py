"""Overview: is the data fresh, what is flagged, how busy each campaign is, the strongest evidence."""

from __future__ import annotations

from urllib.parse import quote

import streamlit as st

from hydrascope.inert import md
from hydrascope.ui import services
from hydrascope.ui.components import charts, panels
from hydrascope.ui.connection import get_graph
from hydrascope.ui.data import clusters as cluster_data
from hydrascope.ui.data import overview as data
from hydrascope.ui.data.common import as_date

graph = get_graph()
st.title("Overview")

fresh = data.freshness(graph)
runs = fresh["runs"]
last = runs[0] if runs else {}
detection = fresh["detection"]
counts = fresh["counts"]
cols = st.columns(6)
ingested = as_date(last.get("ended_at") or last.get("started_at"))
cols[0].metric(
    "Last ingest", ingested[:10] or "never", help=f"{md(ingested)}, status {md(last.get('status', '—'))}"
)
cols[1].metric("Rows loaded", f"{last.get('rows_loaded') or 0:,}")
cols[2].metric("Rows rejected", f"{last.get('rows_rejected') or 0:,}")
cols[3].metric("Accounts", f"{counts.get('Account', 0):,}")
cols[4].metric("Flagged clusters", f"{detection.get('flagged') or 0:,} of {detection.get('clusters') or 0:,}")
detected = as_date(detection.get("last_detected_at"))
cols[5].metric("Last detection", detected[:10] or "never", help=md(detected) or None)
if last.get("status") not in (None, "succeeded"):
    st.warning(f"The latest ingest run ended with status {md(repr(last.get('status')))}.")

campaigns = data.campaigns(graph)
clusters = cluster_data.clusters(graph, flagged_only=True)
# Full width, one above the other: side by side both tables hid their risk and size columns.
st.subheader("Campaigns")
panels.table(
    services.campaign_table(campaigns),
    key="overview-campaigns",
    column_config={"score": st.column_config.ProgressColumn("risk", min_value=0.0, max_value=1.0)},
)
st.subheader("Flagged clusters")
table = services.cluster_table(clusters)
table.insert(0, "open", ["/clusters?cluster=" + quote(str(c), safe="") for c in table["cluster_id"]])
panels.table(
    table,
    key="overview-clusters",
    column_config={
        "open": st.column_config.LinkColumn("open", display_text="explore"),
        "score": st.column_config.ProgressColumn("risk", min_value=0.0, max_value=1.0),
    },
)

st.subheader("Exchanges per campaign")
daily, releases = services.campaign_series(graph)
charts.activity(
    daily,
    releases,
    key="overview-activity",
    title="estimated daily exchanges (edge aggregates spread over their days); dashed: model releases",
)

st.subheader("Top evidence")
panels.table(data.top_evidence(graph), key="overview-evidence")

with st.expander("Data freshness details"):
    st.dataframe(services.runs_table(runs), hide_index=True, key="overview-runs")
    if last:
        st.dataframe(services.rejects_by_table(last), hide_index=True, key="overview-rejects")
        if last.get("rejects_file"):
            st.caption(f"Rejected rows are in {md(last['rejects_file'])}")
    st.dataframe(services.label_counts(counts), hide_index=True, key="overview-counts")
