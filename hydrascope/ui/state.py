"""Session-wide settings shared by the frame and the pages: the privacy switch and deep links.

Deep links are URL query parameters: ``?cluster=<id>`` opens the cluster explorer on a cluster,
``?account=<id>`` (or ``?node=<Label>:<key>``) the lookup page on a node, ``?query=<id>`` the
queries page on a library query. The router in ``app.py`` sends a root URL with one of them to the
right page; each page reads its own parameter here and writes it back when the analyst navigates,
so the address bar is always a link to what is on screen.
"""

from __future__ import annotations

import streamlit as st

HIDE_KEY = "hide_personal"
DEEP_LINK_PAGES = {"cluster": "clusters", "account": "lookup", "node": "lookup", "query": "queries"}


def hide_personal() -> bool:
    """Whether personal data (emails, account ids) is hidden right now."""
    return bool(st.session_state.get(HIDE_KEY, False))


def param(name: str) -> str | None:
    """A deep-link query parameter, if present."""
    value = st.query_params.get(name)
    return str(value) if value else None


def set_param(name: str, value: str | None) -> None:
    """Write (or remove) a deep-link parameter so the URL reflects the current selection."""
    if value is None:
        if name in st.query_params:
            del st.query_params[name]
    elif st.query_params.get(name) != value:
        st.query_params[name] = value


def analyst_name() -> str:
    """The analyst's name as typed in the sidebar (used for triage labels)."""
    return str(st.session_state.get("analyst", "")).strip()
