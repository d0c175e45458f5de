"""Queries: the analyst library (pick, fill parameters, table + drawing + the Cypher) and a console.

Both go through the query library's runner (``queries.run_query`` / ``queries.run_adhoc``), the
same guard rails as ``hydrascope query``: read transactions, a row limit, a timeout, a one-pass
lexical check and a plan check that refuse writes, ``LOAD CSV``, ``SHOW``/``TERMINATE`` and
procedures off the allowlist, a cost preview, and results too deep to show refused with a message
(``queries/runner.py``; docs/queries.md, "The console's guarantees").
"""

from __future__ import annotations

import json

import streamlit as st

from hydrascope.errors import HydrascopeError
from hydrascope.ui import services, state
from hydrascope.ui.components import network, panels
from hydrascope.ui.connection import get_graph

graph = get_graph()
st.title("Queries")
library_tab, console_tab = st.tabs(["Library", "Ad-hoc console"])

with library_tab:
    specs = {s.id: s for s in services.library()}
    wanted = state.param("query")
    if wanted in specs and "query_pick" not in st.session_state:
        st.session_state["query_pick"] = wanted
    qid = st.selectbox(
        "Query",
        list(specs),
        key="query_pick",
        format_func=lambda i: f"{specs[i].category} · {specs[i].title}  ({i})",
    )
    state.set_param("query", qid)
    spec = specs[qid]
    st.caption(spec.description)
    values: dict[str, object] = {}
    with st.form(f"params-{qid}"):
        for p in spec.params:
            label = f"{p.name} ({p.type})" + (" — required" if p.required else "")
            wkey = f"qp-{qid}-{p.name}"
            if p.choices:
                options = [*p.choices] if p.required or p.default is not None else [None, *p.choices]
                values[p.name] = st.selectbox(
                    label,
                    options,
                    index=options.index(p.default) if p.default in options else 0,
                    help=p.description,
                    key=wkey,
                    format_func=lambda v: "— any —" if v is None else str(v),
                )
            elif p.type == "integer":
                values[p.name] = int(
                    st.number_input(label, value=int(p.default or 0), step=1, help=p.description, key=wkey)
                )
            elif p.type == "float":
                values[p.name] = float(
                    st.number_input(label, value=float(p.default or 0.0), help=p.description, key=wkey)
                )
            elif p.type == "boolean":
                values[p.name] = st.checkbox(label, value=bool(p.default), help=p.description, key=wkey)
            elif p.suggest:
                suggestions = services.suggestions(graph, qid, p.name)
                values[p.name] = st.selectbox(
                    label,
                    suggestions,
                    index=0 if suggestions else None,
                    accept_new_options=True,
                    help=p.description,
                    key=wkey,
                )
            else:
                values[p.name] = st.text_input(
                    label, value="" if p.default is None else str(p.default), help=p.description, key=wkey
                )
        limit = int(st.number_input("Row limit", 1, 100_000, 200, key=f"qlimit-{qid}"))
        submitted = st.form_submit_button("Run", type="primary")
    if submitted:
        supplied = {k: v for k, v in values.items() if v not in (None, "")}
        try:
            st.session_state["query_result"] = services.run_library_query(graph, spec, supplied, limit)
        except HydrascopeError as exc:
            st.session_state["query_result"] = {"id": qid, "error": str(exc)}
    outcome = st.session_state.get("query_result")
    if outcome and outcome.get("id") == qid:
        if outcome.get("error"):
            st.error(outcome["error"])
        else:
            table = outcome["table"]
            st.caption(f"{len(table):,} rows" + (" (truncated at the limit)" if outcome["truncated"] else ""))
            panels.table(table, key=f"qtable-{qid}")
            if outcome.get("view") is not None:
                network.show(outcome["view"], key=f"qgraph-{qid}", height=520)
                st.session_state["current_view"] = outcome["view"]
    st.markdown("**Cypher** (copy with the button in the corner)")
    st.code(spec.section("table"), language="cypher")
    if spec.has_section("graph"):
        with st.expander("Drawing query"):
            st.code(spec.section("graph"), language="cypher")

with console_tab:
    st.caption(
        "Read-only: writes, LOAD CSV, SHOW and TERMINATE commands and procedures outside a short "
        "allowlist are refused before anything runs (the text and the plan are checked); every run "
        "has a row limit and a timeout, and long values are shortened in the table."
    )
    cypher = st.text_area(
        "Cypher",
        key="adhoc_cypher",
        height=140,
        placeholder="MATCH (a:Account)-[:PAID_WITH]->(p) RETURN a, p LIMIT 50",
    )
    cols = st.columns(3)
    params_text = cols[0].text_input("Parameters (JSON)", value="{}", key="adhoc_params")
    adhoc_limit = int(cols[1].number_input("Row limit", 1, 100_000, 200, key="adhoc_limit"))
    timeout = float(cols[2].number_input("Timeout (s)", 1.0, 600.0, 30.0, key="adhoc_timeout"))
    if st.button("Run query", key="adhoc_run", type="primary") and cypher.strip():
        try:
            params = json.loads(params_text or "{}")
            st.session_state["adhoc_result"] = services.run_console(
                graph, state.current_analyst(), cypher, params, adhoc_limit, timeout
            )
        except (HydrascopeError, ValueError) as exc:
            st.session_state["adhoc_result"] = {"error": str(exc)}
    outcome = st.session_state.get("adhoc_result")
    if outcome:
        if outcome.get("error"):
            st.error(outcome["error"])
        else:
            for warning in outcome["warnings"]:
                st.warning(warning)
            st.caption(
                f"{len(outcome['table']):,} rows"
                + (" (truncated at the limit)" if outcome["truncated"] else "")
            )
            panels.table(outcome["table"], key="adhoc-table")
            if outcome.get("view") is not None:
                network.show(outcome["view"], key="adhoc-graph", height=520)
                st.session_state["current_view"] = outcome["view"]
            st.code(outcome["cypher"], language="cypher")
