"""Everything one run's source modules share, passed explicitly (no globals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from hydrascope.db import Graph
from ingest.clock import RunClock
from ingest.load import Writer
from ingest.rejects import RejectsWriter
from ingest.report import IngestReport
from ingest.store import EventStore


@dataclass
class IngestContext:
    """A run's graph (None in a dry run), writer, DuckDB connection, store, report and clock;
    ``rebuild`` makes every stored account count as touched (the graph lost what the store holds)."""

    graph: Graph | None
    writer: Writer
    con: duckdb.DuckDBPyConnection
    store: EventStore
    report: IngestReport
    rejects: RejectsWriter
    update_tag: int
    since: dict[str, datetime] = field(default_factory=dict)
    dry_run: bool = False
    accounts_loaded: list[str] = field(default_factory=list)
    clock: RunClock = field(default_factory=RunClock)
    rebuild: bool = False
