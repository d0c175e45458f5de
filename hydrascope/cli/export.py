"""`hydrascope export flagged | leads` — the flagged tier (ban list) and the review tier as CSV."""

from __future__ import annotations

from pathlib import Path

import click

from hydrascope.db import connect
from hydrascope.jobs.export import export_flagged, export_leads
from hydrascope.workflow import audit
from hydrascope.workflow.identity import Action, command_line_analyst


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
    ``--include-banned``. Only an admin may take it out (the roles file); the export, or the
    refusal, is recorded in the audit trail with the analyst (``HYDRASCOPE_ANALYST``).
    """
    who = command_line_analyst()
    detail = {"include_banned": include_banned, "file": str(out)}
    with connect() as graph:
        audit.authorise(graph, who, Action.EXPORT_BAN_LIST, "ban_list", "", detail)
        n = export_flagged(graph, out, include_banned=include_banned)
        audit.record(graph, who, "export", "ban_list", "", {**detail, "rows": n})
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
    who = command_line_analyst()
    with connect() as graph:
        audit.authorise(graph, who, Action.EXPORT, "leads", "", {"file": str(out)})
        n = export_leads(graph, out)
        audit.record(graph, who, "export", "leads", "", {"file": str(out), "rows": n})
    click.echo(f"{n} leads (review tier) written to {out}")


COMMANDS = [export]
