"""`hydrascope export flagged` — flagged accounts as CSV."""

from __future__ import annotations

from pathlib import Path

import click

from hydrascope.db import connect
from hydrascope.jobs.export import export_flagged


@click.group()
def export() -> None:
    """Export detection results."""


@export.command()
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV file to write (account_id, cluster_id, campaign_id, score, reasons).",
)
def flagged(out: Path) -> None:
    """Flagged accounts with their cluster, campaign, risk score and reasons."""
    with connect() as graph:
        n = export_flagged(graph, out)
    click.echo(f"{n} flagged accounts written to {out}")


COMMANDS = [export]
