"""`make demo`'s preparation step works end to end: simulate, ingest, detect, on the real graph."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from hydrascope.cli import cli
from hydrascope.db import Graph

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]


def test_demo_prepare_loads_and_detects(graph: Graph, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    args = ["demo", "prepare", "--scenario", "tiny", "--seed", "3", "--out", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "rejected 0" in result.output
    # Live progress on stderr while it works: simulation steps, ingest stages, committed batches.
    assert "simulate requests:" in result.stderr
    assert "read+validate requests ..." in result.stderr and "aggregate: " in result.stderr
    assert "rows committed" in result.stderr
    assert graph.count("MATCH (a:Account) RETURN count(a)") > 100
    assert graph.count("MATCH (c:Cluster {flagged: true}) RETURN count(c)") >= 1
    # A second run reuses the simulated bundle and rebuilds the same graph.
    before = graph.count("MATCH (a:Account) RETURN count(a)")
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0 and "reusing" in again.output
    assert graph.count("MATCH (a:Account) RETURN count(a)") == before
