"""Audit trail: who decided, changed, exported or queried what, when, and on which runs' graph.

Read from ``hydrascope.workflow.audit`` (append-only ``AuditEvent`` nodes), newest first, filtered
by time, analyst and action; the CSV download is itself an export (checked and recorded).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import streamlit as st

from hydrascope.ui import exports, state
from hydrascope.ui.components import guarded, panels
from hydrascope.ui.connection import get_graph
from hydrascope.workflow import audit
from hydrascope.workflow.identity import Action

ANY = "any"

graph = get_graph()
st.title("Audit trail")
who = state.current_analyst()

cols = st.columns(3)
since_day = cols[0].date_input("Since", value=datetime.now(UTC).date() - timedelta(days=7), key="audit_since")
analyst = cols[1].text_input("Analyst", key="audit_analyst", placeholder="anyone").strip()
action = cols[2].selectbox("Action", [ANY, *audit.ACTIONS], key="audit_action")
since = datetime.combine(since_day, time.min, tzinfo=UTC) if since_day else None
events = audit.read_events(graph, since, analyst or None, None if action == ANY else action)
st.caption(
    f"{len(events):,} entries, newest first; refused attempts included (outcome `refused`); "
    "each names the ingest and detection runs the graph held"
)
panels.table(events, key="audit-table")
guarded.download(
    graph,
    who,
    Action.EXPORT,
    "Download audit trail (CSV)",
    exports.frame_csv(events),
    file_name="audit-trail.csv",
    mime="text/csv",
    key="dl-audit",
    what="audit_trail",
    detail={"rows": len(events), "since": str(since_day), "analyst": analyst, "action": action},
)
