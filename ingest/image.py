"""An in-memory image of what an ingest run writes: the real pipeline without a graph server.

Why: experiments and the detection benchmark's ``--direct`` mode need the detector's input without
Neo4j, and it must be the input the graph would give, not a second aggregation that drifts from
ingest's (bans, TTL, CGNAT, the /24 and active hours were all computed differently by such a copy).
So ``run_ingest(..., image=GraphImage())`` runs every step of a real ingest (readers, validation,
rejects, the event store, the DuckDB aggregation, the source modules' transforms) and only the
last hop differs: ``ImageWriter`` applies each batch to this image with the semantics of the
generated Cypher (MERGE by key, ``SET += props``, a missing value never erases a stored one,
times as the epoch milliseconds the server receives). ``hydrascope.jobs.snapshot`` reads the
image the way it reads the graph.

What the image does not hold: provenance (``firstseen``/``lastupdated``), the ``IngestRun`` node,
and values the server computes in a statement of its own (``EmailDomain.accounts``): nothing the
detector reads. Cleanup never runs against an image (a run into an empty image has nothing stale).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hydrascope.schema.cypher import (
    merge_node_keys,
    merge_nodes,
    merge_relationships,
    write_grouped_relationships,
)
from hydrascope.schema.model import NodeType, RelType
from ingest.load import Row, Writer, _datetime_props, _split_times

_EMPTY: Mapping[str, Any] = {}


@dataclass
class GraphImage:
    """Nodes by label and key (their properties), relationships by type (frames of writes).

    Node property maps are replaced, never mutated, so key-only nodes can share one empty map
    (millions of template nodes cost no dict each). Relationship writes are kept as frames in
    write order and folded into one row per ``(start, end)`` when read (``relationships``).
    """

    nodes: dict[str, dict[Any, Mapping[str, Any]]] = field(default_factory=dict)
    rel_parts: dict[str, list[pd.DataFrame]] = field(default_factory=dict)
    # statements the server computes from the graph, kept as (step, cypher, rows) for a bulk load
    # to run once the image is in the graph
    deferred: list[tuple[str, str, list[Row]]] = field(default_factory=list)

    def merge_node(self, label: str, key: Any, props: Mapping[str, Any]) -> None:
        """``MERGE (n {key}) SET n += props``."""
        nodes = self.nodes.setdefault(label, {})
        old = nodes.get(key)
        nodes[key] = {**old, **props} if old else (dict(props) if props else _EMPTY)

    def merge_keys(self, label: str, keys: Sequence[Any]) -> None:
        """``MERGE (n {key})``: an existing node is left as it is."""
        nodes = self.nodes.setdefault(label, {})
        for key in keys:
            nodes.setdefault(key, _EMPTY)

    def has(self, label: str, key: Any) -> bool:
        return key in self.nodes.get(label, {})

    def add_relationships(self, rel: RelType, frame: pd.DataFrame) -> None:
        """Record a batch of ``start``, ``end`` and property columns (None: value not given)."""
        if len(frame):
            self.rel_parts.setdefault(rel.type, []).append(frame)

    def relationships(self, rel: RelType) -> pd.DataFrame:
        """One row per ``(start, end)`` of ``rel``, with every declared property (None when never
        set): later writes win, a null in a later write keeps the earlier value (``SET +=``)."""
        columns = ["start", "end", *(p.name for p in rel.properties)]
        parts = self.rel_parts.get(rel.type, [])
        if not parts:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        frame = pd.concat(parts, ignore_index=True)
        for c in columns:
            if c not in frame.columns:
                frame[c] = None
        frame = frame[columns]
        if frame.duplicated(["start", "end"]).any():
            frame = frame.groupby(["start", "end"], sort=False, as_index=False, dropna=False).last()
        return frame.reset_index(drop=True)


def _rel_frame(rows: Sequence[Row], times: tuple[str, ...]) -> pd.DataFrame:
    """``{start, end, props, t}`` writer rows as a frame of ``start``, ``end`` and properties."""
    flat = [{"start": r["start"], "end": r["end"], **r.get("props", {}), **r.get("t", {})} for r in rows]
    return pd.DataFrame(flat)


@dataclass
class ImageWriter(Writer):
    """A ``Writer`` whose batches land in ``image`` instead of a graph (``graph`` stays None).

    Each method builds the same generated statement the graph writer would send (so the model's
    property checks apply alike) and then applies its effect to the image."""

    image: GraphImage = field(default_factory=GraphImage)

    def _count(self, step: str, n: int) -> int:
        self.written[step] = self.written.get(step, 0) + n
        return n

    def nodes(self, node: NodeType, rows: Sequence[Row], props: Sequence[str]) -> int:
        merge_nodes(node, tuple(props))
        times = _datetime_props(node.properties, props)
        for row in _split_times(rows, times):
            self.image.merge_node(node.label, row["key"], {**row.get("props", {}), **row.get("t", {})})
        return self._count(node.label, len(rows))

    def rels(
        self, rel: RelType, rows: Sequence[Row], props: Sequence[str] = (), merge_end: bool = True
    ) -> int:
        merge_relationships(rel, tuple(props), merge_end=merge_end)
        times = _datetime_props(rel.properties, props)
        kept = []
        for row in _split_times(rows, times):
            if not merge_end and not self.image.has(rel.end.label, row["end"]):
                continue  # MATCH on the end node found nothing: the row writes nothing
            self.image.merge_keys(rel.start.label, [row["start"]])
            self.image.merge_keys(rel.end.label, [row["end"]])
            kept.append(row)
        self.image.add_relationships(rel, _rel_frame(kept, times))
        return self._count(rel.type, len(rows))

    def node_keys(self, node: NodeType, keys: Sequence[Any]) -> int:
        merge_node_keys(node)
        distinct = sorted(set(keys))
        self.image.merge_keys(node.label, distinct)
        return self._count(node.label, len(distinct))

    def grouped_rels(self, rel: RelType, table: pa.Table, props: Sequence[str], existing: set[Any]) -> int:
        times = _datetime_props(rel.properties, props)
        write_grouped_relationships(rel, tuple(props), times)
        columns: dict[str, Any] = {"start": table.column("start"), "end": table.column("end")}
        for p in props:
            column = table.column(p)
            if p in times:  # as the writer sends them: epoch milliseconds
                column = pc.divide(column.cast(pa.timestamp("us", tz="UTC")).cast(pa.int64()), 1000)
            columns[p] = column
        for side, node in (("start", rel.start), ("end", rel.end)):
            known = pa.array(list(self.image.nodes.get(node.label, {})), type=table.column(side).type)
            missing = table.num_rows - pc.sum(pc.is_in(table.column(side), value_set=known)).as_py()
            if table.num_rows and missing:  # the graph writer's count check would raise the same way
                raise RuntimeError(f"{rel.type}: {missing} rows name a {side} node missing from the graph")
        frame = pa.table(columns).to_pandas()
        self.image.add_relationships(rel, frame)
        return self._count(rel.type, table.num_rows)

    def statement(self, step: str, cypher: str, rows: Sequence[Row]) -> int:
        """A statement the server computes from the graph (``EmailDomain.accounts``): counted and
        kept for a bulk load to run after the import, not imaged (no snapshot column reads it)."""
        self.image.deferred.append((step, cypher, list(rows)))
        return self._count(step, len(rows))
