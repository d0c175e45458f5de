"""requests + logins → the behavioural graph.

get: stage validated events; commit: keep only events new to the store (content hash); transform:
recompute, with DuckDB, every aggregate of the accounts the new events touched, from the whole
store; load: SET them on ``Account`` and on the edges
``(Account)-[:CONNECTED_FROM|USED_CLIENT|SENT|ASKED_FOR|CALLED]->(...)``; cleanup: age out edges
whose ``last_seen`` is older than the TTL, measured from the run's clock, unless that would remove
more than a set share of a type's edges.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from hydrascope import contract
from hydrascope.schema.model import ACCOUNT, IP
from ingest import aggregate
from ingest.context import IngestContext
from ingest.ipfacts import ip_facts
from ingest.load import Row, count_aged_relationships, delete_aged_relationships, to_rows
from ingest.readers import SourceFile
from ingest.sources.common import get

TABLES = (contract.REQUESTS, contract.LOGINS)
ACCOUNT_PROPS = (
    "first_seen",
    "last_seen",
    "requests",
    "input_tokens",
    "output_tokens",
    "active_hours",
    "solo_templates",
    "solo_template_requests",
    "solo_template_first_seen",
    "solo_template_last_seen",
)
IP_PROPS = ("version", "prefix", "is_cgnat")
COUNT_PROPS = ("requests", "input_tokens", "output_tokens")
TOUCHED = "touched_activity"
DEFAULT_MAX_CLEANUP_SHARE = 0.5  # of one edge type, per run


def commit(ctx: IngestContext) -> None:
    """Move new events into the store; exact repeats within the input are rejected as duplicates."""
    for table in TABLES:
        if table.name not in ctx.store.staged_tables():
            continue
        result, duplicates = ctx.store.commit(table.name, ctx.con, dry_run=ctx.dry_run)
        report = ctx.report.table(table.name)
        report.loaded += result.new
        report.already_stored += result.already_stored
        report.rejected += result.duplicates
        ctx.rejects.write(duplicates)


def touched_accounts(ctx: IngestContext, tables: tuple[str, ...], name: str) -> int:
    """Create DuckDB table ``name``: accounts with new events, plus those pending from a dead run
    (every stored account when the run rebuilds a graph that lost what the store holds)."""
    return ctx.store.touched(ctx.con, tables, name, ctx.dry_run, everything=ctx.rebuild)


def _rows(table: pa.Table) -> list[dict[str, Any]]:
    return to_rows(table)


def _millis(column: pa.ChunkedArray) -> list[int]:
    """Epoch milliseconds of a timestamp column, vectorised (the writer sends times as integers)."""
    return pc.divide(column.cast(pa.timestamp("us", tz="UTC")).cast(pa.int64()), 1000).to_pylist()


def _edge_rows(table: pa.Table, counts: tuple[str, ...]) -> list[Row]:
    """Writer rows ``{start, end, props, t}`` for ``Writer.rels`` (the per-row MERGE path, kept
    for the benchmark's baseline), built column-wise."""
    names = [table.column(c).to_pylist() for c in counts]
    start, end = table.column("account_id").to_pylist(), table.column("end").to_pylist()
    first, last = _millis(table.column("first_seen")), _millis(table.column("last_seen"))
    return [
        {
            "start": s,
            "end": e,
            "props": dict(zip(counts, vals, strict=True)),
            "t": {"first_seen": f, "last_seen": la},
        }
        for s, e, f, la, *vals in zip(start, end, first, last, *names, strict=True)
    ]


def transform(ctx: IngestContext, cutoff: datetime | None) -> dict[str, Any]:
    """Aggregate the touched accounts (and the lone other senders of their templates): account
    profiles, IP facts and one Arrow table per edge type (``start``, ``end``, properties; sorted
    by ``start``), converted to Python a slice at a time by the writer."""
    aggregate.add_template_partners(ctx.con, ctx.store, TOUCHED, cutoff)
    aggregate.prepare(ctx.con, ctx.store, TOUCHED, cutoff)
    profiles = _rows(aggregate.accounts(ctx.con, cutoff))
    edge_tables: dict[str, pa.Table] = {}
    ips: set[str] = set()
    for spec in aggregate.EDGES:
        table = aggregate.edges(ctx.con, spec, cutoff)
        edge_tables[spec.rel.type] = table.rename_columns(
            ["start" if n == "account_id" else n for n in table.column_names]
        )
        if spec.column == "ip":
            ips.update(table.column("end").to_pylist())
    return {
        "accounts": [
            {"key": p["account_id"], "props": {k: p[k] for k in ACCOUNT_PROPS if p[k] is not None}}
            for p in profiles
        ],
        "ips": [{"key": ip, "props": ip_facts(ip)} for ip in sorted(ips)],
        "edges": edge_tables,
    }


def load(ctx: IngestContext, data: dict[str, Any]) -> None:
    """Accounts and IPs with their properties, then per edge type: the distinct end nodes (MERGE,
    once each), the accounts that already have such edges (read from the graph), and the edges
    grouped by account: CREATE for accounts without any edge of the type yet, MERGE for the others
    (a re-run, an incremental run, or the accounts a killed run left half written)."""
    ctx.writer.nodes(ACCOUNT, data["accounts"], ACCOUNT_PROPS)
    ctx.writer.nodes(IP, data["ips"], IP_PROPS)
    for spec in aggregate.EDGES:
        table: pa.Table = data["edges"][spec.rel.type]
        if table.num_rows == 0:
            continue
        props = aggregate.ACTIVITY_PROPS + (("logins",) if spec.with_logins else ())
        if spec.rel.end is not IP:  # IPs were written above, with their facts
            ctx.writer.node_keys(spec.rel.end, pc.unique(table.column("end")).to_pylist())
        starts = pc.unique(table.column("start")).to_pylist()
        existing = ctx.writer.starts_with(spec.rel, starts)
        ctx.writer.grouped_rels(spec.rel, table, props, existing)


def ttl_cutoff(ctx: IngestContext, ttl: timedelta | None) -> datetime | None:
    """Edges last seen before this age out: the run's clock minus the TTL. Never the newest event:
    one row dated far in the future would then age out the whole graph. What protects a replayed
    old export or a stalled warehouse instead is the cleanup guard (``cleanup``)."""
    return ctx.clock.now - ttl if ttl is not None else None


def cleanup(
    ctx: IngestContext,
    cutoff: datetime | None,
    max_share: float = DEFAULT_MAX_CLEANUP_SHARE,
    force: bool = False,
) -> dict[str, int]:
    """Delete behavioural edges older than the TTL (one missed run deletes nothing: age is
    ``last_seen``, not ``lastupdated``).

    The guard: when, for any edge type, the edges to delete exceed ``max_share`` of that type's
    edges, nothing at all is deleted (unless ``force``) and ``report.cleanup_refused`` says why;
    a wrong clock, a long pause of the exports or a mistyped ``--ttl`` cannot empty the graph.
    """
    if cutoff is None or ctx.graph is None:
        return {}
    graph = ctx.graph
    counts = {s.rel.type: count_aged_relationships(graph, s.rel, cutoff) for s in aggregate.EDGES}
    over = {t: (aged, total) for t, (aged, total) in counts.items() if total and aged / total > max_share}
    if over and not force:
        worst = ", ".join(f"{a:,} of {n:,} {t} ({a / n:.0%})" for t, (a, n) in over.items())
        ctx.report.cleanup_refused = (
            "TTL cleanup stopped before deleting anything: edges last seen before "
            f"{cutoff:%Y-%m-%dT%H:%M:%SZ} "
            f"would remove {worst}, more than the {max_share:.0%} limit per type. If that is intended "
            "(the exports really stopped that long ago), run again with --force; otherwise check "
            "this machine's clock and --ttl"
        )
        return {}
    return {
        f"{s.rel.type} (ttl)": delete_aged_relationships(graph, s.rel, cutoff) if counts[s.rel.type][0] else 0
        for s in aggregate.EDGES
    }


def sync(ctx: IngestContext, files: dict[str, list[SourceFile]], ttl: timedelta | None) -> datetime | None:
    """Run get → commit → transform → load; returns the TTL cutoff for the cleanup step."""
    for table in TABLES:
        if table.name in files:
            with ctx.report.timed(f"read+validate {table.name}"):
                get(ctx, table, files[table.name])
    with ctx.report.timed("store events"):
        commit(ctx)
        touched = touched_accounts(ctx, tuple(t.name for t in TABLES), TOUCHED)
    if touched == 0:
        return ttl_cutoff(ctx, ttl) if not ctx.dry_run else None
    with ctx.report.timed("aggregate"):
        cutoff = ttl_cutoff(ctx, ttl)
        data = transform(ctx, cutoff)
    with ctx.report.timed("graph writes (activity)"):
        load(ctx, data)
    for table in TABLES:
        ctx.store.clear_journals(ctx.store.pending_journals(table.name))
    return cutoff
