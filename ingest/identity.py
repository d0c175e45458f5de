"""Which graph the event store fed, and whether the graph still holds it.

Why: the store skips events it already holds ("already stored"), and graph aggregates are only
recomputed for accounts with new events. So a graph that lost what the store fed it (``hydrascope
db reset``, ``NEO4J_URI`` pointed at a new server, a restored older backup) would never get those
events back, and an ingest would report success over an empty world.

How: the graph side is the run's own ``IngestRun`` node. Once a run has written every aggregate
(so the graph holds every stored event) it sets ``store_synced`` on its node, and then the store
records that run in ``<data_dir>/events/graph.json`` with the database's name, its id (``db.info()``;
a new server has a new one) and the server address. At the start of each run the record is
compared with the graph: if the graph lacks that run's node, or holds it only from before it was
synced, the run rebuilds every aggregate from the store (``IngestContext.rebuild``) and says so.
A rebuild is always safe (aggregates are a function of the store and are SET), only slower.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import duckdb

from hydrascope.db import Graph
from hydrascope.errors import QueryError
from hydrascope.schema.cypher import ident
from hydrascope.schema.model import INGEST_RUN
from ingest.store import EventStore

RECORD_NAME = "graph.json"


@dataclass(frozen=True)
class GraphRecord:
    """The store's record of the graph it last fed completely."""

    last_run: str
    last_update_tag: int
    database: str
    database_id: str | None
    server: str
    recorded_at: str


def record_path(store: EventStore) -> Path:
    return store.events / RECORD_NAME


def load_record(store: EventStore) -> GraphRecord | None:
    path = record_path(store)
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return GraphRecord(**{k: data.get(k) for k in GraphRecord.__dataclass_fields__})


def _address(uri: str) -> str:
    """``scheme://host:port`` of the server: never credentials, should a URI carry any."""
    parts = urlsplit(uri)
    host = parts.hostname or ""
    return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")


def database_id(graph: Graph) -> str | None:
    """The database's store id (``db.info()``), or None where the server does not give it."""
    try:
        rows = graph.read("CALL db.info() YIELD id RETURN id")
    except QueryError:
        return None
    return str(rows[0]["id"]) if rows else None


def _run_node(graph: Graph, run_id: str) -> dict[str, object] | None:
    rows = graph.read(
        f"MATCH (r:{ident(INGEST_RUN.label)} {{run_id: $id}}) "
        "RETURN coalesce(r.store_synced, false) AS synced",
        {"id": run_id},
    )
    return rows[0] if rows else None


def _newest_synced(graph: Graph) -> str | None:
    rows = graph.read(
        f"MATCH (r:{ident(INGEST_RUN.label)}) WHERE r.store_synced "
        "RETURN r.run_id AS id ORDER BY r.update_tag DESC LIMIT 1"
    )
    return str(rows[0]["id"]) if rows else None


def rebuild_reason(graph: Graph, store: EventStore, con: duckdb.DuckDBPyConnection) -> str | None:
    """Why the graph must be rebuilt from the store, or None when it holds what the store fed it."""
    record = load_record(store)
    if record is None:
        if not store.has_any_events():
            return None  # nothing stored: nothing the graph could lack
        newest = store.latest_run(con)
        if newest is not None and _run_node(graph, newest) is not None:
            return None  # a store of an earlier version, feeding this graph: recorded at the end
        return (
            "the event store holds events but no record of the graph it fed, and this graph has no "
            f"trace of its newest run {newest}"
        )
    node = _run_node(graph, record.last_run)
    if node is not None and node["synced"]:
        return None
    if node is not None:
        return (
            f"the graph holds run {record.last_run} only in part (a backup taken while that run was writing?)"
        )
    current = database_id(graph)
    lacks = f"the graph lacks run {record.last_run}, the last the event store fed completely"
    if current and record.database_id and current != record.database_id:
        return (
            f"{lacks}: this is a different database than the store fed (database id {current[:12]}…, "
            f"was {record.database_id[:12]}…): a new or replaced server"
        )
    newest_graph = _newest_synced(graph)
    if newest_graph is not None:
        return f"{lacks}: its newest is {newest_graph}, so it was restored from an older backup"
    return f"{lacks}: it was reset or emptied"


def mark_synced(graph: Graph, store: EventStore, run_id: str, update_tag: int) -> GraphRecord:
    """The graph now holds every stored event: flag this run's node, then record it in the store
    (in that order, so a crash in between leaves an older, still true, record)."""
    graph.write(
        f"MATCH (r:{ident(INGEST_RUN.label)} {{run_id: $id}}) SET r.store_synced = true", {"id": run_id}
    )
    record = GraphRecord(
        last_run=run_id,
        last_update_tag=update_tag,
        database=graph.database,
        database_id=database_id(graph),
        server=_address(graph.settings.uri),
        recorded_at=datetime.now(UTC).isoformat(),
    )
    path = record_path(store)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(record), indent=2), encoding="utf-8")
    os.replace(tmp, path)
    return record
