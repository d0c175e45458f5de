"""The in-memory graph image applies writes with the generated Cypher's semantics (MERGE by key,
``SET +=``, a missing value never erases a stored one), so the direct snapshot built from it can
equal the graph's."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pytest

from hydrascope.schema.model import ACCOUNT, CONNECTED_FROM, IP, PAID_WITH, PAYMENT_INSTRUMENT
from ingest.image import GraphImage, ImageWriter


def test_nodes_merge_by_key_and_keep_values_a_later_write_lacks() -> None:
    writer = ImageWriter(None, 1)
    t = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    writer.nodes(
        ACCOUNT, [{"key": "a", "props": {"status": "active", "created_at": t}}], ("status", "created_at")
    )
    writer.nodes(ACCOUNT, [{"key": "a", "props": {"status": "banned"}}], ("status", "created_at"))
    writer.node_keys(ACCOUNT, ["a", "b"])
    nodes = writer.image.nodes[ACCOUNT.label]
    # times are held as the epoch milliseconds the graph writer sends
    assert nodes["a"] == {"status": "banned", "created_at": int(t.timestamp() * 1000)}
    assert nodes["b"] == {}
    assert writer.written[ACCOUNT.label] == 4


def test_an_undeclared_property_is_refused_as_by_the_graph_writer() -> None:
    with pytest.raises(ValueError, match="declare them"):
        ImageWriter(None, 1).nodes(ACCOUNT, [{"key": "a", "props": {"colour": 1}}], ("colour",))


def test_relationships_fold_to_one_per_pair_with_the_latest_values() -> None:
    writer = ImageWriter(None, 1)
    day = datetime(2026, 1, 1, tzinfo=UTC)
    writer.rels(PAID_WITH, [{"start": "a", "end": "c1", "props": {"first_seen": day}}], ("first_seen",))
    writer.rels(
        PAID_WITH, [{"start": "a", "end": "c1", "props": {}}, {"start": "b", "end": "c1", "props": {}}]
    )
    frame = writer.image.relationships(PAID_WITH).sort_values("start").reset_index(drop=True)
    assert frame[["start", "end"]].values.tolist() == [["a", "c1"], ["b", "c1"]]
    assert frame.loc[0, "first_seen"] == int(day.timestamp() * 1000)  # not erased by the second write
    assert frame["first_seen"].isna().tolist() == [False, True]
    # both end points were MERGEd, as merge_relationships does
    assert writer.image.has(ACCOUNT.label, "b") and writer.image.has(PAYMENT_INSTRUMENT.label, "c1")


def test_grouped_relationships_need_both_end_points_like_the_graph_writer() -> None:
    writer = ImageWriter(None, 1)
    table = pa.table(
        {
            "start": ["a"],
            "end": ["10.0.0.1"],
            "first_seen": pa.array([datetime(2026, 1, 1, tzinfo=UTC)], pa.timestamp("us", tz="UTC")),
            "last_seen": pa.array([datetime(2026, 1, 2, tzinfo=UTC)], pa.timestamp("us", tz="UTC")),
            "requests": [3],
        }
    )
    props = ("first_seen", "last_seen", "requests")
    with pytest.raises(RuntimeError, match="missing from the graph"):
        writer.grouped_rels(CONNECTED_FROM, table, props, set())
    writer.node_keys(ACCOUNT, ["a"])
    writer.node_keys(IP, ["10.0.0.1"])
    assert writer.grouped_rels(CONNECTED_FROM, table, props, set()) == 1
    row = writer.image.relationships(CONNECTED_FROM).iloc[0]
    assert (row["requests"], row["last_seen"]) == (
        3,
        int(datetime(2026, 1, 2, tzinfo=UTC).timestamp() * 1000),
    )


def test_an_empty_image_has_every_declared_column() -> None:
    frame = GraphImage().relationships(CONNECTED_FROM)
    assert list(frame.columns) == ["start", "end", *(p.name for p in CONNECTED_FROM.properties)]
    assert frame.empty
