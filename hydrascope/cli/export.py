"""`hydrascope export flagged | leads` — the flagged tier (ban list) and the review tier as CSV."""

from __future__ import annotations

from pathlib import Path

import click

from hydrascope.db import connect
from hydrascope.jobs.export import export_flagged, export_leads


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
@click.option(
    "--include-banned",
    is_flag=True,
    help="Also list accounts already banned (left out by default, as in the app).",
)
def flagged(out: Path, include_banned: bool) -> None:
    """The ban list: flagged accounts with their cluster, campaign, risk score and reasons.

    The same list as the app's Exports page: accounts and clusters an analyst allowlisted or
    marked false positive are left out at once, and so are accounts already banned unless
    ``--include-banned``.
    """
    with connect() as graph:
        n = export_flagged(graph, out, include_banned=include_banned)
    click.echo(f"{n} flagged accounts written to {out}")


@export.command()
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV file to write (rank, account_id, score, status, reasons).",
)
def leads(out: Path) -> None:
    """The review tier: ranked leads with their reasons, for an analyst to look at (not a ban list)."""
    with connect() as graph:
        n = export_leads(graph, out)
    click.echo(f"{n} leads (review tier) written to {out}")


COMMANDS = [export]
