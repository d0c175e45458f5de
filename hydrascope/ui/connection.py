"""The app's one Neo4j driver per process.

``st.cache_resource`` keeps a single ``Graph`` (and so one driver with its connection pool) for
every session and rerun of this server process; creating a driver per rerun would open and leak
connection pools at every click.
"""

from __future__ import annotations

import logging

import streamlit as st

from hydrascope.db import Graph, connect

# The server notes every optional property a query names that no node has yet (a fresh graph has
# no triage labels): true, expected, and noise in the app's log.
logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)


@st.cache_resource(show_spinner=False)
def get_graph() -> Graph:
    """Connect once (settings from the environment or the local server's state folder)."""
    return connect()
