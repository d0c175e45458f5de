"""A run killed mid-way and run again ends with the same graph as one uninterrupted run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from bundle_kit import Runner, base_tables, counts, snapshot, write_bundle

from hydrascope.db.schema_apply import reset_graph

pytestmark = pytest.mark.neo4j
BATCH = 2  # small batches: many boundaries to die at


class Killed(Exception):
    """Stands for the process dying between two write transactions."""


def _clean_snapshot(tmp_path: Path, graph, bundle: Path):
    reset_graph(graph)
    assert Runner(tmp_path / "clean", graph)(bundle, batch_size=BATCH).ok
    result = snapshot(graph), counts(graph)
    reset_graph(graph)
    return result


@pytest.mark.parametrize("die_at", [1, 9, 17, 25, 33])
def test_failure_at_a_batch_boundary_then_rerun_equals_a_clean_run(
    tmp_path: Path, graph, die_at: int
) -> None:
    bundle = write_bundle(tmp_path / "b", base_tables())
    expected = _clean_snapshot(tmp_path, graph, bundle)
    batches = 0

    def die(step: str, done: int) -> None:
        nonlocal batches
        batches += 1
        if batches == die_at:
            raise Killed(step)

    runner = Runner(tmp_path / "crashed", graph)
    with pytest.raises(Killed):
        runner(bundle, batch_size=BATCH, after_batch=die)
    assert graph.read("MATCH (r:IngestRun) RETURN r.status AS s") == [{"s": "failed"}]
    assert runner(bundle, batch_size=BATCH).ok
    assert (snapshot(graph), counts(graph)) == expected


def test_sigkilled_process_then_rerun_equals_a_clean_run(tmp_path: Path, graph) -> None:
    bundle = write_bundle(tmp_path / "b", base_tables())
    expected = _clean_snapshot(tmp_path, graph, bundle)
    runner = Runner(tmp_path / "killed", graph)
    # The child really dies (SIGKILL: no finally, no cleanup, the lock file left behind) in the
    # middle of the behavioural edges, after its events reached the store.
    child = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from hydrascope.db import connect
        from ingest.run import run_ingest

        def die(step, done):
            if step == "SENT":
                os.kill(os.getpid(), signal.SIGKILL)

        run_ingest({str(bundle)!r}, connect(), ttl=None, batch_size={BATCH}, after_batch=die,
                   data_root=Path({str(runner.data_root)!r}), state_root=Path({str(runner.state_root)!r}))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", child], env=dict(os.environ), capture_output=True, timeout=120
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    assert list((runner.data_root / "pending").glob("*.parquet"))  # the journal outlived the process
    assert list((runner.data_root / "staging").iterdir())  # and so did its staging folder
    report = runner(bundle, batch_size=BATCH)
    assert report.ok and report.table("requests").already_stored == 8
    assert (snapshot(graph), counts(graph)) == expected
    statuses = sorted(r["s"] for r in graph.read("MATCH (r:IngestRun) RETURN r.status AS s"))
    assert statuses == ["interrupted", "succeeded"]
    assert not list((runner.data_root / "pending").glob("*.parquet"))
    assert not list((runner.data_root / "staging").iterdir())
