"""Batched graph writes with the schema's generated ``UNWIND`` statements.

One transaction per batch, retried by the driver on transient errors (``Graph.write``: a retried
transaction was rolled back first). MERGE makes a re-run batch harmless; the behavioural edges
(``Writer.grouped_rels``) are CREATEd only for accounts that the graph shows have no edge of that
type yet, and MERGEd otherwise. ``DEFAULT_BATCH_SIZE`` was chosen by measurement
(``bench/bench_ingest.py``, ``bench/results/ingest.md``).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from rich.progress import Progress, TaskID

from hydrascope.db import Graph
from hydrascope.schema.cypher import (
    aged_relationships,
    ident,
    merge_node_keys,
    merge_nodes,
    merge_relationships,
    stale_nodes,
    stale_relationships,
    start_nodes_with_relationships,
    write_grouped_relationships,
)
from hydrascope.schema.cypher import count_aged_relationships as count_aged
from hydrascope.schema.model import NodeType, Prop, RelType

DEFAULT_BATCH_SIZE = 5000
Row = dict[str, Any]
AfterBatch = Callable[[str, int], None]


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

    def _run(self, step: str, cypher: str, rows: Sequence[Any], param: str = "rows") -> int:
        """``rows`` in batches of ``batch_size``, each sent as ``$<param>``."""
        batches = [
            (cypher, list(rows[start : start + self.batch_size]), min(self.batch_size, len(rows) - start))
            for start in range(0, len(rows), self.batch_size)
        ]
        return self._run_batches(step, batches, param, total=len(rows))

    def _run_batches(
        self,
        step: str,
        batches: Iterable[tuple[str, Any, int]],
        param: str,
        total: int | None = None,
        check: bool = False,
    ) -> int:
        """Write batches ``(statement, payload, rows)``, one transaction each, as they come (an
        iterator keeps only one slice of millions of edges in memory). With ``check`` the statement
        returns how many rows it wrote, and anything short of ``rows`` is an error (a row whose
        end point matched no node would otherwise vanish silently)."""
        if total == 0:
            return 0
        task: TaskID | None = None
        if self.progress is not None and self.graph is not None:
            task = self.progress.add_task(f"write {step}", total=total)
        done = 0
        began = time.perf_counter()
        graph = self.graph

        def write(batch: tuple[str, Any, int]) -> int:
            cypher, payload, n = batch
            self.written[step] = self.written.get(step, 0) + n
            if graph is None:
                return n
            params = {param: payload, "update_tag": self.update_tag}
            if not check:
                graph.write(cypher, params)
                return n
            wrote = graph.write_count(cypher, params)
            if wrote != n:
                raise RuntimeError(
                    f"{step}: a batch of {n} rows wrote {wrote}: some end point is missing from the graph"
                )
            return n

        def committed(n: int) -> None:
            nonlocal done
            done += n
            if self.progress is not None and task is not None:
                self.progress.update(task, advance=n)
            if self.after_batch is not None and graph is not None:
                self.after_batch(step, done)

        if self.workers <= 1:
            for batch in batches:
                committed(write(batch))
        else:
            batches = list(batches)
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
        if graph is not None:
            self.seconds[step] = self.seconds.get(step, 0.0) + time.perf_counter() - began
        if self.progress is not None and task is not None:
            self.progress.remove_task(task)
        return done

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

    def node_keys(self, node: NodeType, keys: Sequence[Any]) -> int:
        """MERGE nodes by key only, once per distinct key (end nodes before their edges)."""
        return self._run(node.label, merge_node_keys(node), sorted(set(keys)), param="keys")

    def starts_with(self, rel: RelType, keys: Sequence[Any]) -> set[Any]:
        """The start keys among ``keys`` that already have a ``rel`` relationship in the graph
        (read before this run writes any: their edges are MERGEd, the others' CREATEd)."""
        if self.graph is None or not keys:
            return set()
        found: set[Any] = set()
        cypher = start_nodes_with_relationships(rel)
        for start in range(0, len(keys), 50_000):
            rows = self.graph.read(cypher, {"keys": list(keys[start : start + 50_000])})
            found.update(r["k"] for r in rows)
        return found

    def grouped_rels(self, rel: RelType, table: pa.Table, props: Sequence[str], existing: set[Any]) -> int:
        """Write the relationships of ``table`` (``start``, ``end`` and ``props`` columns, sorted by
        ``start``; both end points already in the graph), grouped by start node, as parallel lists.

        Start nodes in ``existing`` (see ``starts_with``) get MERGE; the others cannot have any
        ``rel`` relationship yet, so theirs are CREATEd, which skips MERGE's search and locking on
        high-degree end nodes. Every batch checks that it wrote as many relationships as it sent.
        """
        times = _datetime_props(rel.properties, props)
        create = write_grouped_relationships(rel, tuple(props), times, create=True)
        merge = write_grouped_relationships(rel, tuple(props), times, create=False)

        def batches() -> Iterator[tuple[str, Any, int]]:
            for groups, starts in _groups(table, props, times, self.batch_size):
                fresh: list[tuple[list[Any], int]] = []
                known: list[tuple[list[Any], int]] = []
                for group, start in zip(groups, starts, strict=True):
                    _add(known if start in existing else fresh, group, self.batch_size)
                yield from ((merge, payload, n) for payload, n in known)
                yield from ((create, payload, n) for payload, n in fresh)

        return self._run_batches(rel.type, batches(), "groups", total=table.num_rows, check=True)

    def statement(self, step: str, cypher: str, rows: Sequence[Row]) -> int:
        """Any other ``UNWIND $rows`` statement (labels from the model only), batched the same way."""
        return self._run(step, cypher, rows)


# ----------------------------------------------------------------------------------- groups
_SLICE = 200_000  # rows converted to Python at a time (millions of edges at scale)


def _groups(
    table: pa.Table, props: Sequence[str], times: tuple[str, ...], max_rows: int
) -> Iterator[tuple[list[list[Any]], list[Any]]]:
    """``[start, [ends], [prop values]...]`` groups of consecutive rows with the same ``start``
    (at most ``max_rows`` ends each), a slice of the table at a time."""
    for offset in range(0, table.num_rows, _SLICE):
        part = table.slice(offset, _SLICE)
        starts = part.column("start").to_pylist()
        cols = [part.column("end").to_pylist()]
        for p in props:
            column = part.column(p)
            if p in times:
                column = pc.divide(column.cast(pa.timestamp("us", tz="UTC")).cast(pa.int64()), 1000)
            cols.append(column.to_pylist())
        bounds = [0, *(i for i in range(1, len(starts)) if starts[i] != starts[i - 1]), len(starts)]
        groups: list[list[Any]] = []
        names: list[Any] = []
        for lo, hi in itertools.pairwise(bounds):
            for a in range(lo, hi, max_rows):
                b = min(a + max_rows, hi)
                groups.append([starts[lo], *(c[a:b] for c in cols)])
                names.append(starts[lo])
        yield groups, names


def _add(batches: list[tuple[list[Any], int]], group: list[Any], max_rows: int) -> None:
    """Append ``group`` to the last batch, or start a new one when it would exceed ``max_rows``."""
    n = len(group[1])
    if batches and batches[-1][1] + n <= max_rows:
        batches[-1][0].append(group)
        batches[-1] = (batches[-1][0], batches[-1][1] + n)
    else:
        batches.append(([group], n))


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
# The statements are the schema's (``hydrascope.schema.cypher``); these run them and count.
def delete_stale_relationships(graph: Graph, rel: RelType, update_tag: int) -> int:
    """Relationships of a reference table that this successful run did not write."""
    return graph.run_autocommit(stale_relationships(rel), {"update_tag": update_tag}).relationships_deleted


def delete_stale_orphans(graph: Graph, node: NodeType, update_tag: int) -> int:
    """Nodes this run did not write and nothing points at any more (never a node still in use)."""
    statement = stale_nodes(node, orphans_only=True)
    return graph.run_autocommit(statement, {"update_tag": update_tag}).nodes_deleted


def delete_aged_relationships(graph: Graph, rel: RelType, cutoff: datetime) -> int:
    """Behavioural edges whose last event is older than the TTL cutoff."""
    return graph.run_autocommit(aged_relationships(rel), {"cutoff": cutoff}).relationships_deleted


def count_aged_relationships(graph: Graph, rel: RelType, cutoff: datetime) -> tuple[int, int]:
    """``(aged, total)``: the ``rel`` edges last seen before ``cutoff``, and all of them (what the
    cleanup guard compares before anything is deleted)."""
    rows = graph.read(count_aged(rel), {"cutoff": cutoff})
    return (int(rows[0]["aged"]), int(rows[0]["total"])) if rows else (0, 0)
