"""Triage: label clusters and accounts (confirmed, false positive, allowlisted) with a note.

Labels are stored on the node in Neo4j (``triage_label``, ``triage_note``, ``triage_by``,
``triage_at``); the next detection run reads them, so an allowlisted group is not flagged again.
Every save is checked against the analyst's role and recorded in the audit trail.
"""

from __future__ import annotations

import streamlit as st

from hydrascope.errors import PermissionRefused
from hydrascope.inert import md
from hydrascope.triage import LABELS
from hydrascope.ui import services, state
from hydrascope.ui.components import panels
from hydrascope.ui.connection import get_graph
from hydrascope.ui.data import clusters as cluster_data
from hydrascope.ui.data import labels
from hydrascope.ui.data import lookup as lookup_data
from hydrascope.ui.privacy import pseudonym

graph = get_graph()
st.title("Triage")
CLEAR = "clear label"
hide = state.hide_personal()


def label_form(kind: str, key: str, current: str | None, form_key: str) -> None:
    """One labelling form; writes through the app's single write function (``data.labels``)."""
    with st.form(form_key, clear_on_submit=False):
        options = [*LABELS, CLEAR]
        label = st.radio(
            "Label",
            options,
            index=options.index(current) if current in options else 0,
            horizontal=True,
            key=f"{form_key}-label",
        )
        note = st.text_area("Note", key=f"{form_key}-note", placeholder="why (what you checked)")
        login = state.login_name()
        typed = None if login else st.text_input("Analyst", value=state.analyst_name(), key=f"{form_key}-by")
        if st.form_submit_button("Save label", type="primary"):
            chosen = None if label == CLEAR else label
            who = state.current_analyst(typed)
            if chosen is not None and not who.name:
                st.error("Enter your name: every label records who set it.")
                return
            try:
                found = labels.set_triage_label(graph, who, kind, key, chosen, note)
            except PermissionRefused as exc:
                st.error(f"Not saved: {md(str(exc))} (the attempt is in the audit trail)")
                return
            shown = pseudonym(key) if hide and kind == "Account" else key
            if found:
                st.session_state["triage_done"] = f"{md(kind)} {md(shown)}: " + (chosen or "label cleared")
                st.rerun()
            else:
                st.error(f"No {md(kind)} {md(shown)} in the graph.")


if st.session_state.get("triage_done"):
    st.success("Saved — " + st.session_state.pop("triage_done"))

cluster_tab, account_tab, recent_tab = st.tabs(["Clusters", "Accounts", "Recent labels"])
with cluster_tab:
    clusters = cluster_data.clusters(graph)
    if clusters.empty:
        st.info("No clusters to triage yet.")
    else:
        choices = services.cluster_choices(clusters)
        wanted = state.param("cluster") or st.session_state.get("cluster_last")
        if wanted in choices and "triage_cluster" not in st.session_state:
            st.session_state["triage_cluster"] = wanted
        cid = str(
            st.selectbox("Cluster", list(choices), key="triage_cluster", format_func=lambda c: choices[c])
        )
        r = clusters.set_index("cluster_id").loc[cid]
        for item in (r["evidence"] if isinstance(r["evidence"], list) else [])[:5]:
            st.markdown(f"- {md(item)}")
        current = r["triage_label"]
        label_form(
            "Cluster", cid, str(current) if isinstance(current, str) else None, f"triage-cluster-{cid}"
        )
with account_tab:
    account = st.text_input("Account id", key="triage_account", value=state.param("account") or "")
    if account.strip():
        detail = lookup_data.node_detail(graph, "Account", account.strip())
        if detail is None:
            st.warning("No such account.")
        else:
            props = detail["props"]
            st.caption(
                f"status {md(props.get('status')) or '?'} · risk {props.get('risk_score') or 0:.2f} · "
                f"label {md(props.get('triage_label')) or 'none'}"
            )
            label_form("Account", account.strip(), props.get("triage_label"), "triage-account")
with recent_tab:
    recent = labels.triaged(graph)
    if hide:
        recent = recent.assign(
            key=[
                pseudonym(k) if kind == "Account" else k
                for kind, k in zip(recent["kind"], recent["key"], strict=True)
            ]
        )
    panels.table(recent, key="triage-recent")
