"""Batching of grouped edge writes and the generated statements (no database)."""

from __future__ import annotations

import pyarrow as pa

from hydrascope.schema.cypher import write_grouped_relationships
from hydrascope.schema.model import SENT
from ingest.load import _add, _groups


def test_groups_follow_the_start_column_and_split_long_runs() -> None:
    ts = pa.array([1_000, 2_000, 3_000, 4_000], pa.timestamp("us", tz="UTC"))
    table = pa.table(
        {
            "start": ["a", "a", "a", "b"],
            "end": ["x", "y", "z", "x"],
            "first_seen": ts,
            "requests": [1, 2, 3, 4],
        }
    )
    [(groups, starts)] = list(_groups(table, ("first_seen", "requests"), ("first_seen",), max_rows=2))
    assert starts == ["a", "a", "b"]
    assert groups == [["a", ["x", "y"], [1, 2], [1, 2]], ["a", ["z"], [3], [3]], ["b", ["x"], [4], [4]]]
    batches: list[tuple[list, int]] = []
    for g in groups:
        _add(batches, g, 3)
    assert [n for _, n in batches] == [3, 1]


def test_generated_statements() -> None:
    create = write_grouped_relationships(SENT, ("first_seen", "requests"), ("first_seen",), create=True)
    merge = write_grouped_relationships(SENT, ("first_seen", "requests"), ("first_seen",), create=False)
    assert "CREATE (a)-[r:SENT]->(b)" in create and "MERGE" not in create
    assert "MERGE (a)-[r:SENT]->(b) ON CREATE SET r.firstseen = $update_tag" in merge
    assert "datetime({epochMillis: g[2][i]})" in create
    assert "THEN r.requests ELSE g[3][i] END" in merge  # a null keeps the stored value
    assert create.endswith("RETURN count(*) AS written")
