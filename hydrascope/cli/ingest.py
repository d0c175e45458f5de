"""`hydrascope ingest DIR` — load a warehouse export bundle into the graph (also `python -m ingest`)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from hydrascope.cli._watch import watch_loop
from hydrascope.config import state_dir
from hydrascope.db import Graph, connect
from hydrascope.db.lease import Lease, hold
from hydrascope.db.local import LocalServer
from hydrascope.errors import HydrascopeError, InputError
from hydrascope.workflow.watches import evaluate_watches
from ingest.bulk import BulkTarget
from ingest.clock import DEFAULT_SKEW
from ingest.load import DEFAULT_BATCH_SIZE
from ingest.report import IngestReport
from ingest.run import DEFAULT_TTL, run_ingest
from ingest.sources.activity import DEFAULT_MAX_CLEANUP_SHARE
from ingest.summary import print_summary

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class IngestIncomplete(HydrascopeError):
    """The run loaded every good row but rejected some rows or files: exit 3 so a scheduler
    notices, without confusing it with a run that failed (1) or found the lock held (75)."""

    exit_code = 3


class CleanupRefused(HydrascopeError):
    """The run loaded its rows, but the TTL cleanup would have removed more than the allowed
    share of an edge type and deleted nothing: exit 4, so a scheduler stops and a person looks."""

    exit_code = 4


def parse_share(text: str) -> float:
    """``50%`` or ``0.5`` as a share in (0, 1]."""
    raw = text.strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError as exc:
        raise InputError(f"{text!r} is not a share: use e.g. 50% or 0.5") from exc
    if not 0 < value <= 1:
        raise InputError(f"{text!r} is not a share between 0 (excluded) and 100%")
    return value


def parse_duration(text: str) -> timedelta:
    """``15m``, ``2h``, ``180d``, ``90`` (seconds)."""
    match = _DURATION.match(text)
    if not match:
        raise InputError(f"{text!r} is not a duration: use e.g. 90s, 15m, 2h, 180d")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


def detect_summary(graph: Graph, lease: Lease | None = None) -> str:
    """Run detection (written back to the graph, under the ingest's own writer ``lease`` so no
    other run slips in between) and describe it in one line. Imported lazily: a plain ingest never
    loads the detection stack (igraph, pandas...)."""
    from hydrascope.jobs.detect import run_detection

    run = run_detection(graph, lease=lease)
    res = run.result
    flagged = int(res.clusters["flagged"].sum()) if len(res.clusters) else 0
    return (
        f"detect {run.run_id}: {flagged} flagged clusters of {len(res.clusters)}, "
        f"{len(res.accounts)} flagged accounts, {len(res.campaigns)} campaigns "
        f"(read {run.read_s}s, detect {run.detect_s}s, write {run.write_s}s)"
    )


@click.command()
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option("--only", help="Comma-separated tables to load (default: every table in the bundle).")
@click.option(
    "--since", help="Skip events before this ISO time, or 'watermark': after each table's last load."
)
@click.option("--dry-run", is_flag=True, help="Read and validate only: no store, no graph writes.")
@click.option(
    "--watch", "watch_dir", type=click.Path(path_type=Path), help="Ingest this bundle again and again."
)
@click.option("--every", default="15m", show_default=True, help="Interval of --watch (s, m, h, d).")
@click.option(
    "--ttl",
    default=f"{DEFAULT_TTL.days}d",
    show_default=True,
    help="Behavioural edges last seen longer ago than this (from now) age out; 0 keeps them.",
)
@click.option(
    "--max-clock-skew",
    default=f"{int(DEFAULT_SKEW.total_seconds() // 60)}m",
    show_default=True,
    help="Rows with a timestamp later than now plus this are rejected (s, m, h, d).",
)
@click.option(
    "--max-cleanup",
    default=f"{DEFAULT_MAX_CLEANUP_SHARE:.0%}",
    show_default=True,
    help="The TTL cleanup deletes nothing if it would remove more than this share of an edge type.",
)
@click.option("--force", is_flag=True, help="Let the TTL cleanup remove more than --max-cleanup.")
@click.option(
    "--batch-size", default=DEFAULT_BATCH_SIZE, show_default=True, help="Rows per write transaction."
)
@click.option("--no-progress", is_flag=True, help="No progress bars (logs, cron).")
@click.option(
    "--detect",
    "then_detect",
    is_flag=True,
    help="After each completed ingest, run detection on the graph and print its summary line.",
)
@click.option(
    "--break-lease",
    is_flag=True,
    help="Take the graph's writer lease even if another run holds it (only when that run is dead; "
    "with --watch, the first cycle only).",
)
@click.option(
    "--bulk",
    is_flag=True,
    help="First load into an empty local database through Neo4j's offline importer (stops and "
    "restarts the local server; refused for a remote or non-empty database).",
)
def ingest(
    directory: Path | None,
    only: str | None,
    since: str | None,
    dry_run: bool,
    watch_dir: Path | None,
    every: str,
    ttl: str,
    max_clock_skew: str,
    max_cleanup: str,
    force: bool,
    batch_size: int,
    no_progress: bool,
    then_detect: bool,
    break_lease: bool,
    bulk: bool,
) -> None:
    """Validate, aggregate and load the bundle DIRECTORY (CSV, JSONL or Parquet tables).

    Rejected rows go to a rejects file and make the exit code 3; every good row is loaded.
    Exit codes: 0 all loaded, 3 loaded with rejects, 4 loaded but the TTL cleanup guard deleted
    nothing (see --force), 75 another ingest is running or another run (on any host) holds the
    graph's writer lease, 1 error.
    """
    source = watch_dir or directory
    if source is None:
        raise click.UsageError("give the bundle DIRECTORY (or --watch DIRECTORY)")
    if watch_dir and directory and watch_dir != directory:
        raise click.UsageError("give the bundle once: either DIRECTORY or --watch DIRECTORY")
    if then_detect and dry_run:
        raise click.UsageError("--detect needs a graph: it cannot be combined with --dry-run")
    if bulk and (dry_run or watch_dir):
        raise click.UsageError("--bulk is a one-off first load: not with --dry-run or --watch")
    tables = [t for t in only.split(",")] if only else None
    ttl_delta = parse_duration(ttl)
    options = {
        "only": tables,
        "since": since,
        "dry_run": dry_run,
        "ttl": ttl_delta if ttl_delta.total_seconds() > 0 else None,
        "batch_size": batch_size,
        "progress": not no_progress,
        "max_skew": parse_duration(max_clock_skew),
        "max_cleanup_share": parse_share(max_cleanup),
        "force": force,
        "bulk": BulkTarget(LocalServer(), state_dir() / "ingest" / "bulk") if bulk else None,
    }
    console = Console(stderr=False)
    # a dry run writes nothing, but `--since watermark` reads the watermarks from the graph
    watermark = (since or "").strip().lower() == "watermark"
    graph = connect() if not dry_run or watermark else None
    writer = None if dry_run else graph  # only a writing run takes the graph's writer lease

    def cycle(break_it: bool) -> IngestReport:
        """One ingest (and detection) under one writer lease, released before the next cycle."""
        with hold(writer, "ingest", force=break_it) as lease:
            if lease is not None and (notice := lease.notice()):
                console.print(notice, highlight=False)
            report = run_ingest(source, graph, lease=lease, **options)  # type: ignore[arg-type]
            print_summary(report, console)
            if then_detect and graph is not None:
                console.print(detect_summary(graph, lease), highlight=False)
            if writer is not None:  # watches see what this cycle (and its detection) wrote
                console.print(escape(evaluate_watches(writer).describe()), highlight=False)
            return report

    try:
        if watch_dir is None:
            report = cycle(break_lease)
            if report.cleanup_refused:
                raise CleanupRefused(
                    "the TTL cleanup guard deleted nothing (see 'cleanup refused' above); "
                    "every good row was loaded. Re-run with --force if the deletion is intended"
                )
            if not report.ok:
                raise IngestIncomplete(
                    f"{report.rows_rejected:,} rows rejected, {len(report.problems)} file problems; "
                    "every good row was loaded"
                )
            return
        secrets = [graph.settings.password] if graph is not None else []
        # an operator's break applies to the first cycle only, never to a later holder
        watch_loop(
            lambda n: cycle(break_lease and n == 0),
            parse_duration(every).total_seconds(),
            every,
            console,
            secrets,
        )
    finally:
        if graph is not None:
            graph.close()


COMMANDS = [ingest]
