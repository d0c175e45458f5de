"""`hydrascope db start | stop | status | reset | password` — the local Neo4j."""

from __future__ import annotations

import click

from hydrascope.config import neo4j_settings
from hydrascope.db import connect
from hydrascope.db.local import LocalServer
from hydrascope.db.schema_apply import apply_schema, reset_graph
from hydrascope.errors import ConfigError


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
    """Say whether the local Neo4j runs, and where (or which remote server is configured)."""
    settings = neo4j_settings()
    if not settings.local:
        click.echo(f"remote: {settings.redacted()}")
        return
    state = LocalServer().status()
    click.echo(f"running (pid {state.pid}) at {state.bolt_uri}" if state.running else "stopped")


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
