"""App-test fixtures: the hand-built world and the real tiny world in the test Neo4j, fresh caches.

``world`` empties the graph (the shared ``graph`` fixture) and writes the hand-built world of
``world.py``: fast, and it reaches corners the simulator does not (rejected rows, a CGNAT crowd,
an honest corporate card, exact evidence strings). ``tiny_world`` is the real pipeline: the
simulator's ``tiny`` world, ingested and detected, once per module (its tests must leave the graph
as they found it, or come last). Streamlit's data caches live for the whole process, so they are
cleared around every test: a test must never see the previous test's graph through a cache.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from world import seed_world

from hydrascope.db import Graph
from hydrascope.db.schema_apply import reset_graph


@pytest.fixture(autouse=True)
def _no_kept_analyst_name() -> Iterator[None]:
    """The sidebar keeps the local analyst's name in the state folder: a name one test typed
    must not be the next test's default (a form would then never lack a name)."""
    from hydrascope.config import state_dir

    kept = state_dir() / "analyst.txt"
    kept.unlink(missing_ok=True)
    yield
    kept.unlink(missing_ok=True)


@pytest.fixture
def world(graph: Graph) -> Iterator[Graph]:
    """The graph holding the app's hand-built test world."""
    seed_world(graph)
    st.cache_data.clear()
    yield graph
    st.cache_data.clear()


@pytest.fixture(scope="session")
def tiny_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The simulator's ``tiny`` world (seed 1), generated once per session."""
    from hydrascope.simulate import generate

    out = tmp_path_factory.mktemp("tiny-bundle")
    generate("tiny", out, seed=1)
    return out


@pytest.fixture(scope="session")
def _tiny_run() -> dict[str, str]:
    """The ingest run id of the tiny world last written to the graph (empty before the first)."""
    return {}


@pytest.fixture
def tiny_world(
    session_graph: Graph,
    tiny_bundle: Path,
    _tiny_run: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Graph]:
    """The real pipeline: ``tiny`` ingested into an empty graph, then detected.

    Built once and reused while the graph still holds it (the tests using it are ordered last and
    together, see ``pytest_collection_modifyitems``); rebuilt if another test emptied the graph.
    """
    from hydrascope.jobs.detect import run_detection
    from ingest.run import run_ingest

    run_id = _tiny_run.get("run_id")
    if not run_id or not session_graph.count(
        "MATCH (r:IngestRun {run_id: $id}) RETURN count(r)", {"id": run_id}
    ):
        reset_graph(session_graph)
        work = tmp_path_factory.mktemp("tiny-ingest")
        report = run_ingest(
            tiny_bundle, session_graph, ttl=None, data_root=work / "data", state_root=work / "state"
        )
        run_detection(session_graph)
        _tiny_run["run_id"] = report.run_id
    st.cache_data.clear()
    yield session_graph
    st.cache_data.clear()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "changes_tiny_world: changes the shared tiny world (runs after every other test)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Hand-built-world tests first, then the tiny-world tests together, the one changing it last."""

    def rank(item: pytest.Item) -> int:
        if item.get_closest_marker("changes_tiny_world"):
            return 2
        return 1 if "tiny_world" in getattr(item, "fixturenames", ()) else 0

    items.sort(key=rank)  # stable: file order within each rank
