"""Cases: the queue of work, one case's evidence and members, and decisions in bulk.

A case is opened here for a flagged cluster, a lead or an own selection of accounts, IPs and
payment instruments (``hydrascope.workflow.cases``); the queue sorts by risk, then age. A bulk
decision labels every account of the case at once with a note. Every change is checked against
the analyst's role and recorded in the audit trail; a refusal says so on the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from hydrascope.errors import HydrascopeError
from hydrascope.inert import md
from hydrascope.triage import LABELS
from hydrascope.ui import services, state
from hydrascope.ui.components import panels
from hydrascope.ui.connection import get_graph
from hydrascope.ui.data import clusters as cluster_data
from hydrascope.ui.privacy import pseudonym
from hydrascope.workflow import cases

graph = get_graph()
st.title("Cases")
hide = state.hide_personal()
who = state.current_analyst()
ANY = "any"


def attempt(done: str, write: Callable[[], Any]) -> None:
    """Run one workflow write; say what happened on the next render, or why it was refused."""
    try:
        result = write()
    except HydrascopeError as exc:
        st.error(md(str(exc)))
        return
    except ValueError as exc:
        st.error(md(str(exc)))
        return
    st.cache_data.clear()  # labels reach the ban list and every page at once
    st.session_state["case_done"] = done.format(result=result)
    st.rerun()


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


if st.session_state.get("case_done"):
    st.success(md(st.session_state.pop("case_done")))

with st.expander("Open a case", expanded=False):
    source = st.radio("For", cases.MANUAL_SOURCES, horizontal=True, key="case_source")
    key, accounts, ips, instruments = "", [], [], []
    if source == "cluster":
        frame = cluster_data.clusters(graph)
        choices = services.cluster_choices(frame)
        if choices:
            key = str(
                st.selectbox("Cluster", list(choices), format_func=lambda c: choices[c], key="case_cluster")
            )
        else:
            st.caption("No clusters yet.")
    elif source == "lead":
        key = st.text_input("Lead account id", key="case_lead").strip()
    else:
        accounts = lines(st.text_area("Accounts (one id per line)", key="case_accounts"))
        ips = lines(st.text_area("IPs (one per line)", key="case_ips"))
        instruments = lines(st.text_area("Payment instruments (one id per line)", key="case_instruments"))
    title = st.text_input("Title", key="case_title", placeholder="optional")
    priority = int(st.selectbox("Priority", cases.PRIORITIES, index=1, key="case_priority"))
    note = st.text_area("Note", key="case_note", placeholder="why this needs a look")
    if st.button("Open case", key="case_open", type="primary"):
        attempt(
            "Opened {result}",
            lambda: cases.open_case(
                graph,
                who,
                source,
                key,
                title=title,
                accounts=accounts,
                ips=ips,
                instruments=instruments,
                priority=priority,
                note=note,
            ),
        )

left, right = st.columns(2)
status = left.selectbox("Status", [ANY, *cases.STATUSES], key="queue_status")
assignee = right.text_input("Assignee", key="queue_assignee", placeholder="anyone")
queue = cases.read_queue(graph, None if status == ANY else status, assignee.strip() or None)
st.caption(f"{len(queue):,} cases, by risk then age")
panels.table(queue, key="case-queue")
if queue.empty:
    st.stop()

ids = queue["case_id"].tolist()
linked = state.param("case")  # ?case=… from an alert
if linked in ids and st.session_state.get("case_pick") is None:
    st.session_state["case_pick"] = linked
case_id = str(st.selectbox("Case", ids, key="case_pick"))
case = cases.read_case(graph, case_id)
if case is None:
    st.warning("That case is gone.")
    st.stop()
props = case["props"]
st.subheader(md(props.get("title", case_id)))
st.caption(
    f"{md(props.get('status'))} · priority {props.get('priority')} · "
    f"risk {float(props.get('risk') or 0):.2f} · "
    f"opened by {md(props.get('opened_by'))} · assignee {md(props.get('assignee')) or 'none'}"
)
if props.get("evidence"):
    st.markdown("**Evidence when opened**")
    for item in props["evidence"][:10]:
        st.markdown(f"- {md(item)}")
members = case["accounts"]
if hide:
    members = members.assign(account_id=[pseudonym(a) for a in members["account_id"]])
st.markdown(
    f"**{len(members):,} accounts**"
    + (f" · clusters {md(', '.join(case['clusters']))}" if case["clusters"] else "")
)
panels.table(members, key="case-members", height=240)
if case["ips"] or case["instruments"]:
    st.caption(
        md(
            f"IPs: {', '.join(case['ips']) or 'none'} · "
            f"instruments: {', '.join(case['instruments']) or 'none'}"
        )
    )
for line in props.get("notes") or []:
    st.caption(md(line))

with st.form(f"case-update-{case_id}"):
    cols = st.columns(3)
    new_status = cols[0].selectbox(
        "Status", cases.STATUSES, index=cases.STATUSES.index(props.get("status", "open"))
    )
    new_assignee = cols[1].text_input("Assignee", value=props.get("assignee") or "")
    new_priority = int(
        cols[2].selectbox(
            "Priority", cases.PRIORITIES, index=cases.PRIORITIES.index(props.get("priority", 2))
        )
    )
    update_note = st.text_area("Note", key=f"case-update-note-{case_id}")
    if st.form_submit_button("Save case"):
        attempt(
            f"Saved {case_id}",
            lambda: cases.update_case(
                graph,
                who,
                case_id,
                status=new_status,
                assignee=new_assignee.strip(),
                priority=new_priority,
                note=update_note,
            ),
        )

with st.form(f"case-decide-{case_id}"):
    st.markdown(f"**Decide for all {len(members):,} accounts**")
    label = st.radio("Decision", LABELS, horizontal=True, key=f"case-decide-label-{case_id}")
    decide_note = st.text_area(
        "Note (required)", key=f"case-decide-note-{case_id}", placeholder="what you checked"
    )
    if st.form_submit_button("Apply to every account", type="primary"):
        if not decide_note.strip():
            st.error("A bulk decision needs a note: it is the record enforcement reads.")
        else:
            attempt(
                f"{label}: {{result}} accounts of {case_id}",
                lambda: cases.decide(graph, who, case_id, label, decide_note),
            )
