"""`hydrascope audit` — print the audit trail (who decided, changed, exported or queried what)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click

from hydrascope.cli.ingest import parse_duration
from hydrascope.db import connect
from hydrascope.errors import InputError
from hydrascope.inert import csv_frame
from hydrascope.workflow import audit as trail


def parse_since(text: str) -> datetime:
    """``24h``, ``7d`` (ago) or an ISO date or time (UTC when no offset is given)."""
    try:
        return datetime.now(UTC) - parse_duration(text)
    except InputError:
        pass
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise InputError(f"{text!r} is neither a duration (24h, 7d) nor an ISO date or time") from exc
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@click.command()
@click.option("--since", default="7d", show_default=True, help="A duration ago (24h, 7d) or an ISO time.")
@click.option("--analyst", default=None, help="Only this analyst's entries.")
@click.option(
    "--action", default=None, help="Only this action (label, case_open, export, console, alert ...)."
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "csv", "jsonl"]), default="table", show_default=True
)
def audit(since: str, analyst: str | None, action: str | None, fmt: str) -> None:
    """The audit trail, newest first: every triage decision, case change, watch, alert, export
    and console query, refused ones included, with the ingest and detection runs each saw.
    Reading it is not recorded (it changes nothing); CSV cells are neutralised for spreadsheets."""
    with connect() as graph:
        frame = trail.read_events(graph, parse_since(since), analyst, action)
    if fmt == "csv":
        csv_frame(frame).to_csv(sys.stdout, index=False, lineterminator="\r\n")
        return
    if fmt == "jsonl":
        for line in frame.to_json(orient="records", lines=True).splitlines():
            click.echo(line)
        return
    for r in frame.to_dict("records"):
        click.echo(
            f"{r['at'][:19]}  {r['analyst']} ({r['role']})  {r['action']} {r['outcome']}  "
            f"{r['target_kind']} {r['target_key']}  [ingest {r['ingest_run']}, detect {r['detect_run']}]  "
            f"{r['detail']}"
        )
    click.echo(f"{len(frame)} entries since {parse_since(since):%Y-%m-%d %H:%M} UTC", err=True)


COMMANDS = [audit]
