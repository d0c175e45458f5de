"""Test fixtures: a real Neo4j over Bolt, an empty graph per test.

The suite runs against its own local server (state folder ``.hydrascope/test``, Bolt port 7688) so
that it never touches a developer's graph; ``HYDRASCOPE_TEST_STATE_DIR`` and
``HYDRASCOPE_TEST_BOLT_PORT`` move it. With ``NEO4J_URI`` set, the suite uses that server instead
(and empties its database: point it only at a throwaway database).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ["HYDRASCOPE_STATE_DIR"] = os.environ.get(
    "HYDRASCOPE_TEST_STATE_DIR", str(ROOT / ".hydrascope" / "test")
)
os.environ["HYDRASCOPE_BOLT_PORT"] = os.environ.get("HYDRASCOPE_TEST_BOLT_PORT", "7688")
os.environ.setdefault("HYDRASCOPE_NEO4J_HEAP", "1g")
os.environ.setdefault("HYDRASCOPE_NEO4J_PAGECACHE_MB", "512")

from hydrascope.config import Neo4jSettings  # noqa: E402
from hydrascope.db import Graph, connect  # noqa: E402
from hydrascope.db.local import LocalServer  # noqa: E402
from hydrascope.db.schema_apply import apply_schema, reset_graph  # noqa: E402
from hydrascope.db.settings import neo4j_settings  # noqa: E402


@pytest.fixture(scope="session")
def neo4j_settings_for_tests() -> Iterator[Neo4jSettings]:
    """Start the test server once per session (unless NEO4J_URI names one); stop it at the end."""
    started = False
    server = LocalServer()
    if not os.environ.get("NEO4J_URI") and not server.status().running:
        server.start()
        started = True
    settings = neo4j_settings()
    with connect(settings) as graph:
        apply_schema(graph)
    yield settings
    if started:
        server.stop()


@pytest.fixture(scope="session")
def session_graph(neo4j_settings_for_tests: Neo4jSettings) -> Iterator[Graph]:
    """One driver for the whole session, as the application uses one per process."""
    graph = connect(neo4j_settings_for_tests)
    yield graph
    graph.close()


@pytest.fixture
def graph(session_graph: Graph) -> Graph:
    """The real graph, emptied before the test (constraints and indexes kept)."""
    reset_graph(session_graph)
    return session_graph
