"""The orchestrator: one ingest run, under the local lock and the graph's writer lease, from
bundle to graph, with provenance.

Order: the store/graph check (``ingest.identity``: a graph that lost what the store fed it is
rebuilt from the store) → reference tables (so events find enriched nodes) → request/login events
(stage, commit new ones to the store, aggregate, write) → enforcement (history, then account
state) → the graph is recorded as holding the store → cleanup (reference data only after a fully
clean run; behavioural edges by TTL on ``last_seen``, against the run's clock, behind the cleanup
guard) → the ``IngestRun`` node's final counts and status.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from hydrascope.config import data_dir, state_dir
from hydrascope.contract import EVENT_TABLES, TABLES
from hydrascope.db import Graph
from hydrascope.db.lease import Lease, hold
from hydrascope.db.schema_apply import apply_schema
from hydrascope.errors import InputError
from hydrascope.schema.cypher import ident, merge_nodes
from hydrascope.schema.model import INGEST_RUN
from ingest import identity
from ingest.bulk import BulkTarget, load_image, refusal
from ingest.clock import DEFAULT_SKEW, RunClock
from ingest.context import IngestContext
from ingest.image import GraphImage, ImageWriter
from ingest.load import DEFAULT_BATCH_SIZE, AfterBatch, Writer
from ingest.lock import IngestLock
from ingest.readers import discover
from ingest.rejects import RejectsWriter
from ingest.report import IngestReport
from ingest.sources import (
    accounts,
    activity,
    api_keys,
    enforcement,
    ip_intel,
    model_releases,
    payment_methods,
    proxy_services,
)
from ingest.state import IngestState
from ingest.store import EventStore

DEFAULT_TTL = timedelta(days=365)
REFERENCE_SOURCES: dict[str, Any] = {
    "proxy_services": proxy_services,
    "ip_intel": ip_intel,
    "model_releases": model_releases,
    "accounts": accounts,
    "payment_methods": payment_methods,
    "api_keys": api_keys,
}
RUN_PROPS = (
    "started_at",
    "ended_at",
    "status",
    "source",
    "update_tag",
    "rows_read",
    "rows_loaded",
    "rows_rejected",
    "tables",
    "files",
    "rejects_file",
)


def parse_time(value: str | datetime) -> datetime:
    """An ISO-8601 time as an aware UTC datetime (no offset means UTC, as in the contract)."""
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError as exc:
            raise InputError(
                f"--since {value!r} is not an ISO-8601 time (e.g. 2026-02-01T00:00:00Z)"
            ) from exc
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _duckdb_memory_mib() -> int:
    """A third of physical memory, at least 1 GiB and at most 8 GiB."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // (1 << 20)
    except (ValueError, OSError, AttributeError):
        total = 6144
    return max(1024, min(8192, total // 3))


def _resolve_since(since: str | datetime | None, state: IngestState) -> dict[str, datetime]:
    if since is None:
        return {}
    if isinstance(since, str) and since.strip().lower() == "watermark":
        return {t: mark for t in EVENT_TABLES if (mark := state.watermark(t)) is not None}
    moment = parse_time(since)
    return dict.fromkeys(EVENT_TABLES, moment)


def _check_only(only: Iterable[str] | None) -> set[str] | None:
    if only is None:
        return None
    names = {n.strip() for n in only if n.strip()}
    unknown = sorted(names - set(TABLES))
    if unknown:
        raise InputError(
            f"unknown table(s) {', '.join(unknown)} in --only (the data contract has {', '.join(TABLES)})"
        )
    return names


@contextlib.contextmanager
def _progress(enabled: bool) -> Iterator[Progress | None]:
    if not enabled:
        yield None
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
    ) as progress:
        yield progress


def _write_run_node(graph: Graph, report: IngestReport) -> None:
    props = {
        "started_at": report.started_at,
        "ended_at": report.ended_at,
        "status": report.status,
        "source": report.source,
        "update_tag": report.update_tag,
        "rows_read": report.rows_read,
        "rows_loaded": report.rows_loaded,
        "rows_rejected": report.rows_rejected,
        "tables": report.tables_json(),
        "files": report.files_json(),
        "rejects_file": str(report.rejects_file) if report.rejects_file else None,
    }
    graph.write(
        merge_nodes(INGEST_RUN, RUN_PROPS),
        {
            "rows": [{"key": report.run_id, "props": {k: v for k, v in props.items() if v is not None}}],
            "update_tag": report.update_tag,
        },
    )


def _mark_interrupted(graph: Graph) -> None:
    """Runs still 'running' while we hold the writer lease were killed: say so on their nodes
    (under the lease this holds for runs of every host, not only of this one)."""
    graph.write(
        f"MATCH (r:{ident(INGEST_RUN.label)}) WHERE r.status = 'running' SET r.status = 'interrupted'"
    )


def _no_check() -> None:
    """A dry run holds no lease: nothing to lose."""


def _checked(check: Callable[[], None], after_batch: AfterBatch | None) -> AfterBatch:
    """After every committed batch: stop if the writer lease was lost, then the caller's hook."""

    def hook(step: str, done: int) -> None:
        check()
        if after_batch is not None:
            after_batch(step, done)

    return hook


def run_ingest(
    source_dir: str | Path,
    graph: Graph | None,
    only: Iterable[str] | None = None,
    since: str | datetime | None = None,
    dry_run: bool = False,
    *,
    ttl: timedelta | None = DEFAULT_TTL,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: bool = False,
    data_root: Path | None = None,
    state_root: Path | None = None,
    after_batch: AfterBatch | None = None,
    now: datetime | None = None,
    max_skew: timedelta = DEFAULT_SKEW,
    max_cleanup_share: float = activity.DEFAULT_MAX_CLEANUP_SHARE,
    force: bool = False,
    lease: Lease | None = None,
    break_lease: bool = False,
    image: GraphImage | None = None,
    bulk: BulkTarget | None = None,
) -> IngestReport:
    """Ingest one bundle directory into ``graph`` and return what happened.

    ``only`` limits the tables; ``since`` (ISO time, or ``"watermark"`` for each event table's
    stored watermark) skips older events; ``dry_run`` reads and validates only (``graph`` may be
    None). ``ttl`` ages out behavioural edges (None keeps them), measured from ``now`` (the run's
    clock, the wall clock unless a test injects one); timestamps later than ``now + max_skew`` are
    rejected rows. A TTL cleanup that would delete more than ``max_cleanup_share`` of an edge type
    deletes nothing (``report.cleanup_refused`` says why) unless ``force``. A graph lacking what
    the store fed it is rebuilt from the store (``report.rebuilt`` says why). Raises ``LockHeld`` when another
    run is in progress and ``InputError`` for an unusable bundle; rows that fail validation never
    raise: they are rejected, counted and reported (``report.ok`` is then false).

    Two locks: the local file lock guards this host's state and event store folders (staging,
    journals), dry runs included; the graph's writer lease (``hydrascope.db.lease``) excludes every
    other writing ingest or detection, on any host. ``lease`` is one the caller already holds (an
    ingest followed by detection in one cycle); otherwise the run takes its own (``LeaseHeld``, exit
    75, when another holds it; ``break_lease`` takes it anyway) and releases it at the end.

    ``image`` (with ``graph=None``): the run writes into that in-memory ``GraphImage`` instead of a
    graph, through the same pipeline (the direct snapshot of ``hydrascope.jobs.bundle``); it takes
    no lease (there is no graph to exclude writers from).

    ``bulk``: a first load into the empty database of the local server ``graph`` is connected to,
    through Neo4j's offline importer (``ingest.bulk``): the run writes an image, the server is
    stopped, the image imported, the server started, and the schema and the run's bookkeeping are
    written as after a normal run. Refused (``InputError``) for a remote or non-empty database.
    """
    if image is not None and (graph is not None or dry_run):
        raise InputError("an image run writes to the image only: no graph, no dry run")
    if bulk is not None and (graph is None or dry_run or image is not None):
        raise InputError("a bulk load needs the graph it replaces: no dry run, no image")
    if graph is None and not dry_run and image is None:
        raise InputError("a graph connection is needed unless dry_run is set")
    if not 0 < max_cleanup_share <= 1:
        raise InputError(f"the cleanup limit must be a share in (0, 1], not {max_cleanup_share}")
    clock = RunClock(now or datetime.now(UTC), max_skew)
    source = Path(source_dir).expanduser().resolve()
    names = _check_only(only)
    state_root = state_root or state_dir()
    data_root = data_root or data_dir()
    live = graph if not dry_run else None
    started = datetime.now(UTC)
    run_id = f"{started:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"  # the lease names it
    with (
        IngestLock(state_root / "ingest" / "ingest.lock", str(source)),
        hold(live, "ingest", run_id, lease, force=break_lease) as held,
    ):
        if bulk is not None and live is not None and (why := refusal(live)):
            raise InputError(why)  # before anything is staged: a refusal leaves nothing behind
        # the tag and the watermarks are the graph's (read under the lease: no other run draws one)
        state = IngestState.load(graph, state_root / "ingest" / "state.json")
        tag = state.next_update_tag()
        report = IngestReport(run_id, str(source), tag, started, dry_run=dry_run)
        bundle = discover(source, names)
        report.problems.extend(bundle.problems)
        since_map = _resolve_since(since, state)
        store = EventStore(data_root, run_id)
        store.remove_stale_staging()  # left by a killed run: we hold the lock, nobody else uses it
        store.staging.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(store.staging / "work.duckdb"))
        con.execute("SET TimeZone = 'UTC'")
        con.execute(f"SET temp_directory = '{store.staging / 'spill'}'")
        # Bounded memory (the database server shares the machine): beyond it DuckDB spills.
        con.execute(f"SET memory_limit = '{_duckdb_memory_mib()}MiB'")
        rejects = RejectsWriter(data_root / "rejects" / f"{run_id}.jsonl")
        check: Callable[[], None] = held.check if held is not None else _no_check
        if bulk is not None:
            image = GraphImage()
        if live is not None:
            report.rebuilt = identity.rebuild_reason(live, store, con)
            _mark_interrupted(live)
            _write_run_node(live, report)
        try:
            with _progress(progress) as bars:
                writer = (
                    ImageWriter(None, tag, batch_size, bars, after_batch, image=image)
                    if image is not None
                    else Writer(live, tag, batch_size, bars, _checked(check, after_batch))
                )
                # a bulk run writes its image first: nothing reads or writes the graph meanwhile
                target = None if bulk is not None else live
                ctx = IngestContext(target, writer, con, store, report, rejects, tag, since_map, dry_run)
                ctx.clock, ctx.rebuild = clock, report.rebuilt is not None
                _sync_all(ctx, bundle.tables, ttl, since is not None, (max_cleanup_share, force), check)
                if bulk is not None and image is not None and live is not None:
                    _bulk_load(live, bulk, image, held, report, store, batch_size)
                if live is not None:
                    for table in EVENT_TABLES:
                        newest = con.execute(f"SELECT max(ts) FROM {store.scan(table)}").fetchall()  # noqa: S608
                        if newest and newest[0][0] is not None:
                            state.watermarks[table] = newest[0][0].isoformat()
                    state.record(live, run_id)
                report.written = dict(writer.written)
                report.write_seconds = dict(writer.seconds)
        except BaseException:
            report.status = "failed"
            raise
        finally:
            rejects.close()
            con.close()
            store.clean_staging()
            report.ended_at = datetime.now(UTC)
            report.rejects_file = rejects.path if rejects.written else None
            if live is not None:
                with contextlib.suppress(Exception):
                    _write_run_node(live, report)
        return report


def _bulk_load(
    graph: Graph,
    bulk: BulkTarget,
    image: GraphImage,
    lease: Lease | None,
    report: IngestReport,
    store: EventStore,
    batch_size: int,
) -> None:
    """Import ``image`` into the stopped server, then write what a normal run writes through Bolt:
    the schema, the statements the server computes, the run node, the store's sync record."""
    paused = lease.across_store_replacement() if lease is not None else contextlib.nullcontext()
    with report.timed("bulk import"), paused:
        result = load_image(bulk, image, report.update_tag, graph.settings.database)
    report.bulk = {
        "nodes": result.nodes,
        "relationships": result.relationships,
        "properties": result.properties,
        "seconds": round(result.seconds, 1),
        "files_seconds": round(result.files_seconds, 1),
        "server_seconds": round(result.server_seconds, 1),
    }
    with report.timed("schema"):
        apply_schema(graph)
    writer = Writer(graph, report.update_tag, batch_size)
    for step, cypher, rows in image.deferred:
        writer.statement(step, cypher, rows)
    _write_run_node(graph, report)
    identity.mark_synced(graph, store, report.run_id, report.update_tag)


def _sync_all(
    ctx: IngestContext,
    tables: dict[str, list[Any]],
    ttl: timedelta | None,
    partial: bool,
    guard: tuple[float, bool],
    check: Callable[[], None] = _no_check,
) -> None:
    """get → transform → load for every table, then status and cleanup (``guard``: the cleanup
    limit and whether ``--force`` lifts it; ``check`` raises if the writer lease was lost, before
    any cleanup deletes by update tag)."""
    for name, module in REFERENCE_SOURCES.items():
        if name in tables:
            with ctx.report.timed(f"reference {name}"):
                module.sync(ctx, tables[name])
    cutoff = activity.sync(ctx, {t: tables[t] for t in ("requests", "logins") if t in tables}, ttl)
    with ctx.report.timed("enforcement"):
        enforcement.sync(ctx, tables.get("enforcement"))
    clean = not ctx.report.problems and ctx.report.rows_rejected == 0
    ctx.report.status = "succeeded" if clean else "rejected_rows"
    if ctx.graph is None:
        return
    # Every stored event is now in the graph's aggregates: say so on both sides.
    identity.mark_synced(ctx.graph, ctx.store, ctx.report.run_id, ctx.update_tag)
    check()
    if clean and not partial:
        # Stale reference data goes only after a fully clean run, and only for tables this run
        # loaded in full: a table absent from the bundle is not "empty", it is unknown.
        for name, module in REFERENCE_SOURCES.items():
            if name in tables:
                ctx.report.cleaned.update(module.cleanup(ctx))
    check()
    with ctx.report.timed("cleanup"):
        ctx.report.cleaned.update(activity.cleanup(ctx, cutoff, *guard))
    if ctx.report.cleanup_refused:
        ctx.report.status = "cleanup_refused"
