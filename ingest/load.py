"""Batched graph writes with the schema's generated ``UNWIND $rows ... MERGE`` statements.

One transaction per batch, retried by the driver on transient errors (``Graph.write``); MERGE
makes a retried or re-run batch harmless. ``DEFAULT_BATCH_SIZE`` was chosen by measurement
(``bench/bench_ingest.py``, ``bench/results/ingest.md``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyarrow as pa
from rich.progress import Progress, TaskID

from hydrascope.db import Graph
from hydrascope.schema.cypher import merge_nodes, merge_relationships
from hydrascope.schema.model import NodeType, Prop, RelType

DEFAULT_BATCH_SIZE = 5000
Row = dict[str, Any]
AfterBatch = Callable[[str, int], None]
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def ident(name: str) -> str:
    """Refuse anything but a plain identifier (labels and types come from the model only)."""
    if not _IDENT.match(name):
        raise ValueError(f"not a Cypher identifier: {name!r}")
    return name


def to_rows(table: pa.Table) -> list[Row]:
    """Arrow rows as dicts, times as UTC-offset datetimes.

    Why the cast: Arrow's ``UTC`` zone becomes a named zone in Python and then in Neo4j
    (``...Z[UTC]``); a ``+00:00`` offset stores the plain ISO instant every reader expects.
    """
    for i, f in enumerate(table.schema):
        if pa.types.is_timestamp(f.type):
            table = table.set_column(i, f.name, table.column(i).cast(pa.timestamp("us", tz="+00:00")))
    return table.to_pylist()


def node_rows(rows: Sequence[Row], key: str, props: Sequence[str]) -> list[Row]:
    """``{key, props}`` rows for ``merge_nodes``; None values are left out, so a table that lacks
    a column never erases what another source set."""
    return [{"key": r[key], "props": {p: r[p] for p in props if r.get(p) is not None}} for r in rows]


def rel_rows(rows: Sequence[Row], start: str, end: str, props: Sequence[str] = ()) -> list[Row]:
    """``{start, end, props}`` rows for ``merge_relationships``."""
    return [
        {"start": r[start], "end": r[end], "props": {p: r[p] for p in props if r.get(p) is not None}}
        for r in rows
    ]


@dataclass
class Writer:
    """Writes rows to the graph in batches; with ``graph=None`` (dry run) it only counts them.

    ``after_batch(step, rows_done)`` is called after each committed batch: progress bars use it,
    and tests raise from it to simulate a run killed between two batches.
    """

    graph: Graph | None
    update_tag: int
    batch_size: int = DEFAULT_BATCH_SIZE
    progress: Progress | None = None
    after_batch: AfterBatch | None = None
    workers: int = 1
    written: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def _run(self, step: str, cypher: str, rows: Sequence[Row]) -> int:
        if not rows:
            return 0
        self.written[step] = self.written.get(step, 0) + len(rows)
        if self.graph is None:
            return len(rows)
        task: TaskID | None = None
        if self.progress is not None:
            task = self.progress.add_task(f"write {step}", total=len(rows))
        done = 0
        began = time.perf_counter()
        graph = self.graph
        batches = [rows[start : start + self.batch_size] for start in range(0, len(rows), self.batch_size)]

        def write(batch: Sequence[Row]) -> int:
            graph.write(cypher, {"rows": list(batch), "update_tag": self.update_tag})
            return len(batch)

        def committed(n: int) -> None:
            nonlocal done
            done += n
            if self.progress is not None and task is not None:
                self.progress.update(task, advance=n)
            if self.after_batch is not None:
                self.after_batch(step, done)

        if self.workers <= 1:
            for batch in batches:
                committed(write(batch))
        else:
            # Several transactions in flight: one batch is packed (Python, holding the GIL) while
            # the server runs another. Off by default: on dense template nodes the transactions
            # deadlock often (the driver retries them, MERGE makes that harmless) and on this
            # 2-core machine the measured gain was within the noise.
            with ThreadPoolExecutor(max_workers=self.workers) as pool:
                pending = [pool.submit(write, b) for b in batches[: self.workers]]
                for nxt in batches[self.workers :]:
                    committed(pending.pop(0).result())
                    pending.append(pool.submit(write, nxt))
                for future in pending:
                    committed(future.result())
        self.seconds[step] = self.seconds.get(step, 0.0) + time.perf_counter() - began
        if self.progress is not None and task is not None:
            self.progress.remove_task(task)
        return len(rows)

    def nodes(self, node: NodeType, rows: Sequence[Row], props: Sequence[str]) -> int:
        """MERGE nodes from ``node_rows`` output."""
        times = _datetime_props(node.properties, props)
        cypher = _with_times(merge_nodes(node, tuple(props)), "n", times)
        return self._run(node.label, cypher, _split_times(rows, times))

    def rels(
        self, rel: RelType, rows: Sequence[Row], props: Sequence[str] = (), merge_end: bool = True
    ) -> int:
        """MERGE relationships from ``rel_rows`` output."""
        times = _datetime_props(rel.properties, props)
        cypher = _with_times(merge_relationships(rel, tuple(props), merge_end=merge_end), "r", times)
        return self._run(rel.type, cypher, _split_times(rows, times))

    def statement(self, step: str, cypher: str, rows: Sequence[Row]) -> int:
        """Any other ``UNWIND $rows`` statement (labels from the model only), batched the same way."""
        return self._run(step, cypher, rows)


# ----------------------------------------------------------------------------------- times
# Why times travel as epoch milliseconds: the driver's pure-Python packing of a ``datetime`` costs
# ~150 µs (measured: 57k datetimes took 8 of 19 s of a write), an integer almost nothing; the
# server turns it back into a DATETIME. Which properties are times comes from the model's types.
_SET_TAIL = ".lastupdated = $update_tag"


def _datetime_props(declared: tuple[Prop, ...], props: Sequence[str]) -> tuple[str, ...]:
    kinds = {p.name: p.type for p in declared}
    return tuple(p for p in props if kinds.get(p) == "datetime")


def _with_times(statement: str, var: str, times: tuple[str, ...]) -> str:
    """Extend a generated MERGE with ``SET x.p = datetime({epochMillis: row.t.p})`` per time
    property (an absent time keeps the stored value, as ``+=`` does for other properties)."""
    if not times:
        return statement
    if not statement.endswith(var + _SET_TAIL):
        raise ValueError("unexpected shape of the generated MERGE statement")
    sets = "".join(
        f", {var}.{ident(p)} = CASE WHEN row.t.{ident(p)} IS NULL THEN {var}.{ident(p)} "
        f"ELSE datetime({{epochMillis: row.t.{ident(p)}}}) END"
        for p in times
    )
    return statement + sets


def _millis(value: Any) -> int:
    if isinstance(value, datetime):
        return (
            int(value.timestamp() * 1000)
            if value.microsecond % 1000 == 0
            else int(value.timestamp() * 1e6) // 1000
        )
    raise TypeError(f"expected a datetime, got {type(value).__name__}")


def _split_times(rows: Sequence[Row], times: tuple[str, ...]) -> Sequence[Row]:
    """Move time properties out of ``props`` into ``t`` as epoch milliseconds (rows that already
    carry ``t``, built column-wise by the caller, pass through)."""
    if not times or (rows and "t" in rows[0]):
        return rows
    out = []
    for row in rows:
        props = dict(row["props"])
        t = {p: _millis(props.pop(p)) for p in times if props.get(p) is not None}
        out.append({**row, "props": props, "t": t})
    return out


# ----------------------------------------------------------------------------------- cleanup
def delete_stale_relationships(graph: Graph, rel: RelType, update_tag: int) -> int:
    """Relationships of a reference table that this successful run did not write."""
    summary = graph.run_autocommit(
        f"MATCH ()-[r:{ident(rel.type)}]->() WHERE r.lastupdated < $update_tag "
        "CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS",
        {"update_tag": update_tag},
    )
    return summary.relationships_deleted


def delete_stale_orphans(graph: Graph, node: NodeType, update_tag: int) -> int:
    """Nodes this run did not write and nothing points at any more (never a node still in use)."""
    summary = graph.run_autocommit(
        f"MATCH (n:{ident(node.label)}) WHERE n.lastupdated < $update_tag AND NOT (n)--() "
        "CALL (n) { DELETE n } IN TRANSACTIONS OF 10000 ROWS",
        {"update_tag": update_tag},
    )
    return summary.nodes_deleted


def delete_aged_relationships(graph: Graph, rel: RelType, cutoff: datetime) -> int:
    """Behavioural edges whose last event is older than the TTL cutoff."""
    summary = graph.run_autocommit(
        f"MATCH ()-[r:{ident(rel.type)}]->() WHERE r.last_seen < $cutoff "
        "CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS",
        {"cutoff": cutoff},
    )
    return summary.relationships_deleted
