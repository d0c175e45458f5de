"""The end-of-run summary table (rich), shared by the CLI and the benchmark."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ingest.report import IngestReport


def summary_table(report: IngestReport) -> Table:
    """Rows per table: read = loaded + already stored + skipped + rejected."""
    title = f"ingest {report.run_id} — {report.status}" + (" (dry run)" if report.dry_run else "")
    table = Table(title=title, show_footer=True)
    totals = {"files": 0, "read": 0, "loaded": 0, "already_stored": 0, "skipped": 0, "rejected": 0}
    rows = []
    for name, t in report.tables.items():
        values = {
            "files": len(t.files),
            "read": t.read,
            "loaded": t.loaded,
            "already_stored": t.already_stored,
            "skipped": t.skipped,
            "rejected": t.rejected,
        }
        for k, v in values.items():
            totals[k] += v
        rows.append((name, values))
    table.add_column("table", footer="total")
    for key, header in (
        ("files", "files"),
        ("read", "read"),
        ("loaded", "loaded"),
        ("already_stored", "already stored"),
        ("skipped", "skipped (--since)"),
        ("rejected", "rejected"),
    ):
        table.add_column(header, justify="right", footer=f"{totals[key]:,}")
    for name, values in rows:
        style = "red" if values["rejected"] else None
        table.add_row(name, *(f"{values[k]:,}" for k in totals), style=style)
    return table


def print_summary(report: IngestReport, console: Console | None = None) -> None:
    """The table, then problems, rejects file, graph writes and cleanup, each on its own line."""
    console = console or Console()
    if report.rebuilt:
        console.print(
            f"[yellow]rebuilt:[/yellow] {report.rebuilt}; every stored account's behavioural edges "
            "and enforcement state were recomputed from the event store",
            highlight=False,
        )
    console.print(summary_table(report))
    for problem in report.problems:
        console.print(f"[red]problem:[/red] {problem}", highlight=False)
    for name, t in report.tables.items():
        if t.ignored_columns:
            console.print(
                f"[yellow]note:[/yellow] {name}: columns not in the contract ignored: "
                f"{', '.join(t.ignored_columns)}",
                highlight=False,
            )
    if report.rejects_file:
        console.print(
            f"[red]{report.rows_rejected:,} rows rejected[/red]: see {report.rejects_file}", highlight=False
        )
    if report.written:
        console.print(
            "graph writes: " + ", ".join(f"{k} {v:,}" for k, v in report.written.items()), highlight=False
        )
    if report.bulk:
        b = report.bulk
        console.print(
            f"bulk import: {b['nodes']:,.0f} nodes, {b['relationships']:,.0f} relationships, "
            f"{b['properties']:,.0f} properties in {b['seconds']:.1f} s (files written in "
            f"{b['files_seconds']:.1f} s, server stopped and started in {b['server_seconds']:.1f} s)",
            highlight=False,
        )
    cleaned = {k: v for k, v in report.cleaned.items() if v}
    if cleaned:
        console.print("cleanup: " + ", ".join(f"{k} {v:,}" for k, v in cleaned.items()), highlight=False)
    if report.cleanup_refused:
        console.print(f"[red]cleanup refused:[/red] {report.cleanup_refused}", highlight=False)
