"""What changed: the latest detection run against the graph it found.

Each writing detection run keeps, on its ``(:DetectionRun)`` node, the clusters that were born,
grew, shrank, split, merged, regrew, became flagged, were cleared or vanished
(``hydrascope.jobs.changes``); this page shows one run's rows (the latest by default), a count per
kind of change, and a link from each cluster into the explorer.
"""

from __future__ import annotations

from urllib.parse import quote

import streamlit as st

from hydrascope.inert import md
from hydrascope.jobs import changes
from hydrascope.ui.components import panels
from hydrascope.ui.connection import get_graph

graph = get_graph()
st.title("What changed")
runs = changes.read_runs(graph)
if runs.empty:
    st.info("No detection run has been recorded yet: run `hydrascope detect` (or `ingest --detect`).")
    st.stop()

labels = {
    r["run_id"]: f"{r['at'][:16]} · {r['run_id']} · {r['flagged_clusters']} flagged clusters"
    for r in runs.to_dict("records")
}
run_id = str(st.selectbox("Detection run", list(labels), format_func=lambda r: labels[r], key="changes_run"))
run = runs.set_index("run_id").loc[run_id]
frame = changes.run_changes(str(run["changes"]))
counts = changes.summary(frame)
cols = st.columns(len(counts))
for col, (kind, n) in zip(cols, counts.items(), strict=True):
    col.metric(kind, n)
previous = runs[runs["at"] < run["at"]].head(1)
st.caption(
    md(
        "against the graph as the run found it"
        + (f" (left by {previous['run_id'].iloc[0]})" if len(previous) else " (the first recorded run)")
        + f" · {run['flagged_accounts']} flagged accounts, {run['review_accounts']} leads now"
    )
)
if frame.empty:
    st.success("Nothing changed: every cluster is as it was.")
    st.stop()
frame.insert(0, "open", ["/clusters?cluster=" + quote(str(c), safe="") for c in frame["cluster_id"]])
panels.table(
    frame,
    key="changes-table",
    column_config={"open": st.column_config.LinkColumn("open", display_text="explore")},
)
