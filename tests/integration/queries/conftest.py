"""Fixtures for the query-library tests: the hand-built graph, seeded once per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from query_fixture_graph import seed

from hydrascope.db import Graph
from hydrascope.db.schema_apply import reset_graph


@pytest.fixture(scope="module")
def seeded(session_graph: Graph) -> Iterator[Graph]:
    """The fixture graph, seeded once per module: every test in these modules only reads."""
    reset_graph(session_graph)
    seed(session_graph)
    yield session_graph
