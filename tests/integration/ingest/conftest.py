"""Fixtures of the ingest integration tests: an isolated store and state folder per test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bundle_kit import Runner


@pytest.fixture
def ingest_runner(tmp_path: Path, graph: Any) -> Runner:
    return Runner(tmp_path / "run", graph)
