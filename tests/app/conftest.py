"""App-test fixtures: the demo world in the real test Neo4j, and fresh Streamlit caches.

``world`` empties the graph (the shared ``graph`` fixture) and writes the hand-built world of
``world.py``. Streamlit's data caches live for the whole process, so they are cleared around every
test: a test must never see the previous test's graph through a cache.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import streamlit as st
from world import seed_world

from hydrascope.db import Graph


@pytest.fixture
def world(graph: Graph) -> Iterator[Graph]:
    """The graph holding the app's test world."""
    seed_world(graph)
    st.cache_data.clear()
    yield graph
    st.cache_data.clear()
