"""`hydrascope db start | stop | status | reset | password` — the local Neo4j."""

from __future__ import annotations

import click

from hydrascope.db import connect
from hydrascope.db.local import LocalServer
from hydrascope.db.schema_apply import apply_schema, reset_graph
from hydrascope.db.settings import neo4j_settings
from hydrascope.errors import ConfigError, HydrascopeError


def _local_only(action: str) -> LocalServer:
    settings = neo4j_settings()
    if not settings.local:
        raise ConfigError(
            f"NEO4J_URI is set ({settings.uri}): `hydrascope db {action}` manages only the local server; "
            "manage that server with its own tools"
        )
    return LocalServer()


@click.group()
def db() -> None:
    """Manage the local Neo4j (embedded Neo4j 5.26 with Bolt on 127.0.0.1)."""


@db.command()
@click.option("--timeout", default=180.0, show_default=True, help="Seconds to wait for Bolt.")
def start(timeout: float) -> None:
    """Start the local Neo4j (building it with Maven the first time) and apply the schema."""
    server = _local_only("start")
    before = server.status()
    if before.running:
        click.echo(f"running (pid {before.pid}) at {before.bolt_uri}")
        return
    click.echo("starting the local Neo4j (the first start builds it with Maven: a few minutes)...")
    status = server.start(timeout=timeout)
    with connect() as graph:
        apply_schema(graph)
    click.echo(f"running (pid {status.pid}) at {status.bolt_uri}")


@db.command()
def stop() -> None:
    """Stop the local Neo4j cleanly."""
    server = _local_only("stop")
    server.stop()
    click.echo("stopped")


@db.command()
def status() -> None:
    """Say whether the server runs, where, and whether it stops LOAD CSV reading files or URLs.

    The check runs on this command's own session (never the console's): it reads the server's
    settings and probes it with ``LOAD CSV`` (``queries.server_guard``).
    """
    settings = neo4j_settings()
    if settings.local:
        state = LocalServer().status()
        if not state.running:
            click.echo("stopped")
            return
        click.echo(f"running (pid {state.pid}) at {state.bolt_uri}")
    else:
        click.echo(f"remote: {settings.redacted()}")
    _report_guarantees(settings.local)


def _report_guarantees(local: bool) -> None:
    from queries.server_guard import console_guarantees

    try:
        with connect() as graph:
            checks = console_guarantees(graph, local=local)
    except HydrascopeError as exc:
        click.echo(f"LOAD CSV lock-down: not checked ({exc})")
        return
    held = all(c.held for c in checks)
    click.echo(
        "LOAD CSV lock-down: "
        + ("held, the server reads no file and fetches no URL" if held else "NOT held (see docs/queries.md)")
    )
    for check in checks:
        click.echo(f"  {check.name}: {'ok' if check.held else 'NOT ok'} ({check.detail})")


@db.command()
@click.option("--yes", is_flag=True, help="Confirm: delete every node and relationship.")
def reset(yes: bool) -> None:
    """Empty the local graph; constraints and indexes are kept."""
    _local_only("reset")
    if not yes:
        raise click.UsageError("this deletes the whole local graph: add --yes to confirm")
    with connect() as graph:
        deleted = reset_graph(graph)
    click.echo(
        f"deleted {deleted:,} nodes; schema kept. The next `hydrascope ingest` rebuilds the "
        "behavioural edges from the local event store"
    )


@db.command()
@click.option("--show", is_flag=True, help="Print the password itself.")
def password(show: bool) -> None:
    """Where the local server's generated password is stored (printed only with --show)."""
    server = _local_only("password")
    secret = server.read_password()
    click.echo(secret if show else f"stored in {server.password_file} (mode 0600); add --show to print it")


COMMANDS = [db]
