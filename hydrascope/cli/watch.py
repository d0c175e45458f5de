"""`hydrascope watch ...` and `hydrascope alerts`: saved patterns and the alerts they raised.

Watches are evaluated after every ``hydrascope ingest`` cycle (after detection with ``--detect``)
and after ``hydrascope detect``; ``watch run`` evaluates them now. The analyst is
``HYDRASCOPE_ANALYST`` (else the kept local name, else the operating-system user), with the role
the roles file gives them.
"""

from __future__ import annotations

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from hydrascope.db import connect
from hydrascope.workflow import watches
from hydrascope.workflow.identity import command_line_analyst
from queries.library import parse_assignments


@click.group()
def watch() -> None:
    """Save, list, pause and evaluate watches."""


@watch.command("add")
@click.option("--kind", type=click.Choice(watches.KINDS), required=True, help="What to watch.")
@click.option(
    "--target",
    default="",
    help="query: the library query's id; campaign: the campaign id; cluster_growth: one cluster "
    "(default: every flagged cluster).",
)
@click.option("--param", "params", multiple=True, help="A query parameter, NAME=VALUE (repeatable).")
@click.option(
    "--growth",
    "growth_pct",
    default=watches.DEFAULT_GROWTH_PCT,
    show_default=True,
    help="cluster_growth: percent growth that raises an alert.",
)
@click.option(
    "--max-sharing",
    default=watches.DEFAULT_MAX_SHARING,
    show_default=True,
    help="born_on_banned: ignore infrastructure shared by more accounts than this.",
)
@click.option("--name", default="", help="A name for the alert titles.")
def add(
    kind: str, target: str, params: tuple[str, ...], growth_pct: float, max_sharing: int, name: str
) -> None:
    """Save a watch. What it matches now is its baseline: only later matches raise alerts."""
    values: dict[str, object] = dict(parse_assignments(params))
    if kind == "born_on_banned":
        values["max_sharing"] = max_sharing
    with connect() as graph:
        watch_id = watches.save_watch(
            graph,
            command_line_analyst(),
            kind,
            name=name,
            target=target,
            params=values,
            growth_pct=growth_pct,
        )
        table = watches.watch_table(graph)
        seen = int(table.loc[table["watch_id"] == watch_id, "seen"].iloc[0])
    click.echo(f"saved {watch_id}: {seen} current matches taken as its baseline")


@watch.command("list")
def list_watches() -> None:
    """Every watch, with how many matches it has seen."""
    with connect() as graph:
        frame = watches.watch_table(graph)
    table = Table(title=f"watches ({len(frame)})")
    for col in frame.columns:
        table.add_column(col)
    for row in frame.astype(str).to_numpy().tolist():
        table.add_row(*(escape(v) for v in row))
    Console().print(table)


def _set(watch_id: str, active: bool) -> None:
    with connect() as graph:
        watches.set_active(graph, command_line_analyst(), watch_id, active)
    click.echo(f"{watch_id} {'resumed' if active else 'paused'}")


@watch.command()
@click.argument("watch_id")
def pause(watch_id: str) -> None:
    """Stop evaluating a watch (nothing is deleted)."""
    _set(watch_id, False)


@watch.command()
@click.argument("watch_id")
def resume(watch_id: str) -> None:
    """Evaluate a paused watch again."""
    _set(watch_id, True)


@watch.command("run")
def run_watches() -> None:
    """Evaluate every active watch now (as the scheduler does after each run)."""
    with connect() as graph:
        click.echo(watches.evaluate_watches(graph).describe())


@click.command()
@click.option("--unread", is_flag=True, help="Only alerts the analyst has not marked read.")
def alerts(unread: bool) -> None:
    """Alerts newest first, with the case each opened or updated."""
    who = command_line_analyst()
    with connect() as graph:
        frame = watches.read_alerts(graph, who.name, unread_only=unread)
    table = Table(title=f"alerts ({len(frame)})")
    for col in ("raised_at", "title", "case_id", "accounts", "unread"):
        table.add_column(col)
    for r in frame.to_dict("records"):
        table.add_row(*(escape(str(r[c])) for c in ("raised_at", "title", "case_id", "accounts", "unread")))
    Console().print(table)


COMMANDS = [watch, alerts]
