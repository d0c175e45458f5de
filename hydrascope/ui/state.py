"""Session-wide settings shared by the frame and the pages: the privacy switch and deep links.

Deep links are URL query parameters: ``?cluster=<id>`` opens the cluster explorer on a cluster,
``?account=<id>`` (or ``?node=<Label>:<key>``) the lookup page on a node, ``?query=<id>`` the
queries page on a library query. The router in ``app.py`` sends a root URL with one of them to the
right page; each page reads its own parameter here and writes it back when the analyst navigates,
so the address bar is always a link to what is on screen.
"""

from __future__ import annotations

import streamlit as st

from hydrascope.errors import HydrascopeError
from hydrascope.workflow import identity
from hydrascope.workflow.identity import Analyst

HIDE_KEY = "hide_personal"
DEEP_LINK_PAGES = {
    "cluster": "clusters",
    "account": "lookup",
    "node": "lookup",
    "query": "queries",
    "case": "cases",
}


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


ANALYST_KEY = "analyst"


def login_configured() -> bool:
    """Whether Streamlit's OIDC login is set up (an ``[auth]`` section in the app's secrets)."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError, OSError):  # no secrets file: the local default
        return False


def login_name() -> str:
    """The signed-in analyst's e-mail (or name) when the OIDC login is in use, else ''."""
    if not login_configured():
        return ""
    user = st.user
    if not user.get("is_logged_in"):
        return ""
    return str(user.get("email") or user.get("name") or "").strip()


def analyst_name() -> str:
    """The analyst's name: the login's, else as typed in the sidebar (kept between visits)."""
    return login_name() or str(st.session_state.get(ANALYST_KEY, "")).strip()


def current_analyst(typed: str | None = None) -> Analyst:
    """Who acts on this page, with their role. With a login it is the signed-in analyst and
    ``typed`` is ignored; without one the name is the one typed (``typed``, else the sidebar's),
    and a login that is configured but not used acts as a nameless viewer."""
    if login_configured():
        name = login_name()
        return identity.analyst(name, "login") if name else Analyst("", "viewer", "login")
    return identity.analyst(typed if typed is not None else analyst_name(), "local")


def identity_sidebar() -> Analyst:
    """The sidebar's identity block: log in / out with OIDC, or the local name asked once and kept."""
    if login_configured():
        if login_name():
            st.caption(f"Signed in as {login_name()}")
            st.button("Log out", on_click=st.logout, key="logout")
        else:
            st.button("Log in", on_click=st.login, key="login")
    else:
        if ANALYST_KEY not in st.session_state:
            st.session_state[ANALYST_KEY] = identity.kept_name()
        typed = st.text_input("Analyst", key=ANALYST_KEY, placeholder="your name (asked once, kept)")
        # kept after the widget returns, not in an on_change callback: a callback is refused
        # whenever Streamlit believes the sidebar sits in a form, and the name must be kept anyway
        identity.keep_name(str(typed or ""))
    who = current_analyst()
    st.caption(f"Role: {who.role}")
    return who


def unread_alerts_sidebar() -> None:
    """How many alerts the analyst has not read, on every page (a cheap count; nothing shown
    when the graph cannot be reached: the page says so itself)."""
    from hydrascope.ui.connection import get_graph  # imports the driver: not at module load
    from hydrascope.workflow.watches import unread_count

    try:
        n = unread_count(get_graph(), current_analyst().name)
    except HydrascopeError:
        return
    if n:
        st.warning(f"{n} unread alert{'s' if n != 1 else ''}: see Alerts")
