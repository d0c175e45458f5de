"""`hydrascope schema apply | show | docs` — the graph model."""

from __future__ import annotations

from pathlib import Path

import click

from hydrascope.config import PROJECT_ROOT
from hydrascope.db import connect
from hydrascope.db.schema_apply import apply_schema
from hydrascope.schema.docs import render_markdown

SCHEMA_DOC = PROJECT_ROOT / "docs" / "schema.md"


@click.group()
def schema() -> None:
    """The graph model: constraints, indexes and documentation, all from hydrascope/schema/model.py."""


@schema.command()
def apply() -> None:
    """Create every constraint and index (idempotent)."""
    with connect() as graph:
        count = apply_schema(graph)
        click.echo(f"schema applied: {count} constraints and indexes on {graph.settings.redacted()}")


@schema.command()
def show() -> None:
    """Print the graph model."""
    click.echo(render_markdown())


@schema.command()
@click.option("--out", type=click.Path(path_type=Path), default=SCHEMA_DOC, show_default=True)
def docs(out: Path) -> None:
    """Regenerate docs/schema.md from the model."""
    out.write_text(render_markdown() + "\n")
    click.echo(f"wrote {out}")


COMMANDS = [schema]
