"""Fixtures of the ingest integration tests: an isolated store and state folder per test, and a
second, empty local server for the tests that load into a new one."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bundle_kit import Runner

from hydrascope.db.local import LocalServer


@pytest.fixture
def ingest_runner(tmp_path: Path, graph: Any) -> Runner:
    return Runner(tmp_path / "run", graph)


@pytest.fixture
def second_server(tmp_path: Path) -> Iterator[LocalServer]:
    """A new, empty server (own state folder and port), stopped afterwards."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = LocalServer(home=tmp_path / "other" / "neo4j", port=port)
    server.start()
    try:
        yield server
    finally:
        server.stop()
