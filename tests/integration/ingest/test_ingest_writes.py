"""The fast write path: end nodes once, edges grouped by account, CREATE for accounts that have no
edge of the type yet, MERGE for the others. The graph must not depend on which path ran."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from bundle_kit import Runner, base_tables, counts, snapshot, write_bundle

from hydrascope.db import Graph
from hydrascope.db.schema_apply import reset_graph
from hydrascope.schema.model import ACCOUNT, SENT
from ingest.load import Writer

pytestmark = pytest.mark.neo4j


def test_fresh_event_store_against_a_loaded_graph_duplicates_nothing(tmp_path: Path, graph: Graph) -> None:
    """The CREATE decision is read from the graph, not from the event store: a run whose store
    was lost (or another machine's store) against an already loaded graph MERGEs, never doubles."""
    bundle = write_bundle(tmp_path / "b", base_tables())
    assert Runner(tmp_path / "first", graph)(bundle).ok
    expected = snapshot(graph), counts(graph)
    report = Runner(tmp_path / "second", graph)(bundle)
    assert report.ok and report.table("requests").loaded == 8  # new to this store: all of them
    assert (snapshot(graph), counts(graph)) == expected


def test_create_path_equals_merge_path(tmp_path: Path, graph: Graph) -> None:
    """A first load (every account CREATEs its edges) and a reload of the same store after the
    edges were deleted but the accounts kept (half CREATE, half MERGE) give the same graph."""
    bundle = write_bundle(tmp_path / "b", base_tables())
    runner = Runner(tmp_path / "r", graph)
    assert runner(bundle).ok
    expected = snapshot(graph), counts(graph)
    reset_graph(graph)
    assert Runner(tmp_path / "clean", graph)(bundle).ok
    graph.write("MATCH (a:Account)-[r:SENT]->() WITH a, r ORDER BY a.account_id LIMIT 1 DELETE r")
    assert Runner(tmp_path / "again", graph)(bundle).ok
    assert (snapshot(graph), counts(graph)) == expected


def _edges(starts: list[str], ends: list[str]) -> pa.Table:
    n = len(starts)
    ts = pa.array([1_700_000_000_000_000] * n, pa.timestamp("us", tz="UTC"))
    return pa.table(
        {
            "start": starts,
            "end": ends,
            "first_seen": ts,
            "last_seen": ts,
            "requests": [1] * n,
            "input_tokens": [2] * n,
            "output_tokens": [3] * n,
        }
    )


def test_grouped_writes_create_then_merge_and_never_drop_a_row(graph: Graph) -> None:
    reset_graph(graph)
    props = ("first_seen", "last_seen", "requests", "input_tokens", "output_tokens")
    writer = Writer(graph, 7, batch_size=3)  # groups split across batches
    writer.nodes(ACCOUNT, [{"key": a, "props": {}} for a in ("a1", "a2")], ())
    table = _edges(["a1"] * 4 + ["a2"] * 2, ["t1", "t2", "t3", "t4", "t1", "t2"])
    writer.node_keys(SENT.end, table.column("end").to_pylist())
    assert writer.starts_with(SENT, ["a1", "a2"]) == set()
    assert writer.grouped_rels(SENT, table, props, set()) == 6
    assert writer.starts_with(SENT, ["a1", "a2", "a3"]) == {"a1", "a2"}
    # The same rows again through MERGE: nothing new, the values SET (not added).
    assert writer.grouped_rels(SENT, table, props, {"a1", "a2"}) == 6
    rows = graph.read("MATCH (:Account)-[r:SENT]->() RETURN count(r) AS c, sum(r.requests) AS n")
    assert rows == [{"c": 6, "n": 6}]
    assert (
        graph.count("MATCH ()-[r:SENT]->() WHERE r.first_seen.epochMillis = 1700000000000 RETURN count(r)")
        == 6
    )
    # An end node that is not in the graph: the batch fails loudly instead of losing the row.
    with pytest.raises(RuntimeError, match="end point is missing"):
        writer.grouped_rels(SENT, _edges(["a1"], ["nowhere"]), props, {"a1"})
