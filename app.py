"""Hydrascope's investigation app: the frame and the router, nothing else.

``streamlit run app.py``. The pages live in ``hydrascope/ui/pages``; this script sets the page
frame, draws the sidebar (privacy switch, who acts and their role, unread alerts), sends deep
links that arrive at the root URL (``?cluster=…``, ``?account=…``, ``?node=…``, ``?query=…``,
``?case=…``) to the page that shows them, and runs the chosen page.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from hydrascope.errors import HydrascopeError
from hydrascope.ui import state
from hydrascope.ui.connection import get_graph

# No page or page_icon icons: Streamlit fetches Material and emoji favicons from Google or a
# CDN, and the app must not reach another host; the default favicon is served locally.
st.set_page_config(page_title="Hydrascope", layout="wide")

PAGE_DIR = Path(__file__).resolve().parent / "hydrascope" / "ui" / "pages"  # works from any cwd
PAGES = {
    "overview": st.Page(f"{PAGE_DIR}/overview.py", title="Overview", url_path="overview", default=True),
    "clusters": st.Page(f"{PAGE_DIR}/clusters.py", title="Cluster explorer", url_path="clusters"),
    "lookup": st.Page(f"{PAGE_DIR}/lookup.py", title="Lookup", url_path="lookup"),
    "queries": st.Page(f"{PAGE_DIR}/queries.py", title="Queries", url_path="queries"),
    "triage": st.Page(f"{PAGE_DIR}/triage.py", title="Triage", url_path="triage"),
    "changes": st.Page(f"{PAGE_DIR}/changes.py", title="What changed", url_path="changes"),
    "alerts": st.Page(f"{PAGE_DIR}/alerts.py", title="Alerts", url_path="alerts"),
    "cases": st.Page(f"{PAGE_DIR}/cases.py", title="Cases", url_path="cases"),
    "exports": st.Page(f"{PAGE_DIR}/exports.py", title="Exports", url_path="exports"),
    "audit": st.Page(f"{PAGE_DIR}/audit.py", title="Audit trail", url_path="audit"),
}

page = st.navigation(list(PAGES.values()))

with st.sidebar:
    st.toggle("Hide personal data", key=state.HIDE_KEY, help="Emails and account ids, for screenshots")
    state.identity_sidebar()
    state.unread_alerts_sidebar()

try:
    get_graph()
except HydrascopeError as exc:
    st.error(f"Cannot reach the graph: {exc}")
    st.stop()

if page.url_path == PAGES["overview"].url_path:
    for name, target in state.DEEP_LINK_PAGES.items():
        if state.param(name):
            st.switch_page(PAGES[target], query_params={name: str(state.param(name))})

page.run()
