"""Alerts and watches: what the scheduled runs found again, and the patterns being watched.

Alerts are raised by ``hydrascope.workflow.watches`` after each scheduled ingest and detection,
once per new match, each with the case it opened or updated; unread ones (for the analyst in the
sidebar) come first. Watches are saved here: a library query with its parameters, new members of a
campaign, new accounts born on banned or confirmed infrastructure, or cluster growth. Saving,
pausing and marking read are writes: checked against the role and (saving, pausing) recorded.
"""

from __future__ import annotations

from urllib.parse import quote

import streamlit as st

from hydrascope.errors import HydrascopeError
from hydrascope.inert import md
from hydrascope.ui import state
from hydrascope.ui.components import panels
from hydrascope.ui.connection import get_graph
from hydrascope.workflow import watches
from queries.library import list_queries, parse_assignments

graph = get_graph()
st.title("Alerts")
who = state.current_analyst()

if st.session_state.get("alerts_done"):
    st.success(md(st.session_state.pop("alerts_done")))

alerts = watches.read_alerts(graph, who.name)
unread = alerts[alerts["unread"]]
st.caption(f"{len(unread):,} unread of {len(alerts):,} alerts for {md(who.name) or 'this analyst'}")
shown = alerts.drop(columns=["matches"]).assign(
    case=["/cases?case=" + quote(str(c), safe="") for c in alerts["case_id"]]
)
panels.table(
    shown,
    key="alerts-table",
    column_config={"case": st.column_config.LinkColumn("case", display_text="open case")},
)
for alert in unread.head(20).to_dict("records"):
    with st.expander(md(f"{alert['title']} · {alert['raised_at'][:16]} · case {alert['case_id']}")):
        for line in list(alert["matches"])[:50]:
            st.markdown(f"- {md(line)}")
        st.caption(md(f"ingest run {alert['ingest_run']} · detection run {alert['detect_run']}"))
if len(unread) and st.button(f"Mark {len(unread)} alerts read", key="alerts_read"):
    try:
        n = watches.mark_read(graph, who, unread["alert_id"].tolist())
    except HydrascopeError as exc:
        st.error(md(str(exc)))
    else:
        st.session_state["alerts_done"] = f"{n} alerts marked read"
        st.rerun()

st.subheader("Watches")
panels.table(watches.watch_table(graph), key="watches-table")
with st.expander("Save a watch", expanded=False):
    kind = st.radio("Watch for", watches.KINDS, horizontal=True, key="watch_kind")
    target, growth = "", watches.DEFAULT_GROWTH_PCT
    params: dict[str, object] = {}
    if kind == "query":
        specs = {spec.id: spec.title for spec in list_queries()}
        target = str(
            st.selectbox("Library query", list(specs), format_func=lambda q: specs[q], key="watch_query")
        )
        params = dict(
            parse_assignments(
                line.strip()
                for line in st.text_area(
                    "Parameters (NAME=VALUE, one a line)", key="watch_params"
                ).splitlines()
                if line.strip()
            )
        )
    elif kind == "campaign":
        target = st.text_input("Campaign id", key="watch_campaign").strip()
    elif kind == "born_on_banned":
        params = {
            "max_sharing": int(
                st.number_input(
                    "Ignore cards and devices shared by more accounts than",
                    min_value=2,
                    value=watches.DEFAULT_MAX_SHARING,
                    key="watch_sharing",
                )
            )
        }
    else:
        target = st.text_input("Cluster id (empty: every flagged cluster)", key="watch_cluster").strip()
        growth = float(
            st.number_input("Alert when grown by (%)", min_value=1.0, value=growth, key="watch_growth")
        )
    name = st.text_input("Name", key="watch_name", placeholder="what the alert titles say")
    if st.button("Save watch", key="watch_save", type="primary"):
        try:
            watch_id = watches.save_watch(
                graph, who, kind, name=name, target=target, params=params, growth_pct=growth
            )
        except HydrascopeError as exc:
            st.error(md(str(exc)))
        else:
            st.session_state["alerts_done"] = f"Saved {watch_id}: what it matches now is its baseline"
            st.rerun()
