"""Lookup: find any account, IP, card token, fingerprint or template; its detail and ego network.

Type a fragment, optionally with a type prefix (``acct:``, ``ip:``, ``card:``, ``fp:``, ``tpl:``,
``asn:``, ``proxy:``, ``domain:``, ``cluster:``); pick a match; expand its neighbourhood by
relationship type and grow it from any neighbour.
"""

from __future__ import annotations

import streamlit as st

from hydrascope.inert import md
from hydrascope.ui import search, services, state
from hydrascope.ui.components import network, panels
from hydrascope.ui.connection import get_graph
from hydrascope.ui.data import lookup as data
from hydrascope.ui.privacy import pseudonym

graph = get_graph()
st.title("Lookup")

linked: tuple[str, str] | None = None
if state.param("account"):
    linked = ("Account", str(state.param("account")))
elif state.param("node") and ":" in str(state.param("node")):
    kind, _, key = str(state.param("node")).partition(":")
    if kind in search.SEARCHABLE:
        linked = (kind, key)
if linked and "lookup_q" not in st.session_state:
    prefix = next(p for p, k in search.PREFIXES.items() if k == linked[0])
    st.session_state["lookup_q"] = f"{prefix}:{linked[1]}"

text = st.text_input(
    "Search",
    key="lookup_q",
    placeholder="acct:…  ip:203.0.113  card:tok_  fp:  tpl:  asn:64500  proxy:  domain:  cluster:",
    help="Prefixes: " + ", ".join(sorted(search.PREFIXES)),
)
if not text.strip():
    st.caption(
        "Search any account, IP, payment token, client fingerprint, prompt template, AS, proxy service…"
    )
    st.stop()

matches = data.search(graph, search.parse(text))
if not matches:
    st.warning(f"Nothing matches {md(repr(text))}.")
    st.stop()
hide = state.hide_personal()


def _label(i: int) -> str:
    c = matches[i]
    key = pseudonym(str(c["key"])) if hide and c["kind"] == "Account" else str(c["key"])
    also = f" ({c['also']})" if c.get("also") and not hide else ""
    return f"{c['kind']} · {key}{also}"


index = 0
if linked:
    index = next((i for i, c in enumerate(matches) if (c["kind"], str(c["key"])) == linked), 0)
choice = st.selectbox(
    f"{len(matches)} matches", range(len(matches)), index=index, format_func=_label, key=f"lookup_pick-{text}"
)
kind, key = str(matches[choice]["kind"]), str(matches[choice]["key"])
state.set_param("node", f"{kind}:{key}")
if state.param("account"):
    state.set_param("account", None)

detail = data.node_detail(graph, kind, key)
if detail is None:
    st.warning("That node no longer exists.")
    st.stop()
panels.node_detail(detail, key=f"{kind}-{key}")

st.subheader("Ego network")
types_present = (
    sorted(detail["rel_counts"]["type"].unique().tolist()) if not detail["rel_counts"].empty else []
)
cols = st.columns([3, 1, 3])
rel_types = tuple(
    cols[0].multiselect(
        "Expand by relationship", types_present, default=types_present, key=f"ego-rels-{kind}-{key}"
    )
)
per_type = int(cols[1].number_input("Per type", 5, 500, 40, step=5, key=f"ego-n-{kind}-{key}"))
if not rel_types:
    st.info("Choose at least one relationship type.")
    st.stop()
first = services.ego_view(graph, ((kind, key),), rel_types, per_type)
neighbours = [n for n in first.nodes if n.id != f"{kind}:{key}" and n.kind in search.SEARCHABLE]
also = cols[2].multiselect(
    "Also expand",
    [n.id for n in neighbours],
    key=f"ego-more-{kind}-{key}",
    format_func=lambda i: next(
        (
            f"{n.kind} · {pseudonym(n.key) if hide and n.kind == 'Account' else n.caption}"
            for n in neighbours
            if n.id == i
        ),
        i,
    ),
)
seeds = ((kind, key), *((i.split(":", 1)[0], i.split(":", 1)[1]) for i in also))
view = services.ego_view(graph, seeds, rel_types, per_type) if also else first
st.session_state["current_view"] = view
network.show(view, key=f"ego-{kind}-{key}")
