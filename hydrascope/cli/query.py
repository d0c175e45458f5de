"""`hydrascope query` — the analyst query library and a read-only Cypher console.

A thin shell over ``queries`` (the same functions the app calls), so every guard rail (read
transaction, timeout, row limit, parameters only, EXPLAIN preview and plan check for ad-hoc
Cypher) lives in one place and protects both. Table cells are shortened
(``queries.runner.MAX_CELL_CHARS``); ``--format json`` and ``csv`` keep whole values.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from hydrascope.errors import InputError
from hydrascope.inert import csv_cell, csv_values
from hydrascope.workflow.console import run_recorded
from hydrascope.workflow.identity import command_line_analyst
from queries.library import (
    PARAM_TYPES,
    SECTIONS,
    browser_params,
    coerce_value,
    get_query,
    list_queries,
    parse_assignments,
)
from queries.runner import (
    DEFAULT_LIMIT,
    DEFAULT_TIMEOUT,
    CostPreview,
    QueryResult,
    describe_value,
    preview_cost,
    run_query,
    suggest_values,
    to_plain,
)

FORMATS = ("table", "csv", "json")


def _console(err: bool = False) -> Console:
    # Created per call so that click's test runner (which swaps the streams) captures the output.
    return Console(file=sys.stderr if err else sys.stdout, soft_wrap=True, highlight=False)


def _adhoc_params(pairs: tuple[str, ...]) -> dict[str, Any]:
    """``--param name=value`` (a string) or ``--param name:type=value`` for ad-hoc Cypher."""
    params: dict[str, Any] = {}
    for name, value in parse_assignments(pairs).items():
        base, _, type_ = name.partition(":")
        type_ = type_ or "string"
        if type_ not in PARAM_TYPES:
            raise InputError(f"--param {name}: type must be one of {', '.join(PARAM_TYPES)}")
        params[base] = coerce_value(value, type_, base)
    return params


def _emit(result: QueryResult, fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps([{k: to_plain(v) for k, v in row.items()} for row in result.rows], indent=2))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(csv_values(result.columns))  # text cells neutralised: a spreadsheet runs "=…"
        for row in result.rows:
            # CSV is for other tools: whole values, not the table's shortened cells; text cells that
            # a spreadsheet would run as a formula are neutralised (numbers are written as they are)
            values = [row.get(c) for c in result.columns]
            writer.writerow(
                [
                    describe_value(v, max_chars=None)
                    if isinstance(v, int | float)
                    else csv_cell(describe_value(v, max_chars=None))
                    for v in values
                ]
            )
    else:
        table = Table(show_lines=False)
        for column in result.columns:
            table.add_column(column, overflow="fold")
        for row in result.rows:
            table.add_row(*(describe_value(row.get(c)) for c in result.columns))
        _console().print(table)
    notes = _console(err=True)
    for warning in result.warnings:
        notes.print(f"[yellow]warning:[/] {warning}")
    count = f"{len(result.rows)} row{'s' if len(result.rows) != 1 else ''}"
    if result.truncated:
        notes.print(
            f"[yellow]{count}: truncated at the row limit ({result.limit:,}); raise --limit to see more[/]"
        )
    elif fmt == "table":
        notes.print(count)


def library_listing(category: str | None = None) -> list[dict[str, Any]]:
    """The library as plain data (``--list --format json``): what a script or another tool needs
    to choose a query and bind its parameters, without scraping the table."""
    return [
        {
            "id": spec.id,
            "title": spec.title,
            "category": spec.category,
            "description": spec.description,
            "revision": spec.revision,
            "parameters": [
                {
                    "name": p.name,
                    "type": p.type,
                    "required": p.required,
                    "default": p.default,
                    "choices": list(p.choices),
                    "description": p.description,
                }
                for p in spec.params
            ],
            "sections": [name for name, _ in spec.sections],
        }
        for spec in list_queries(category)
    ]


def _list(category: str | None, fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(library_listing(category), indent=2, default=str))
        return
    if fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["id", "category", "title", "parameters", "sections"])
        for item in library_listing(category):
            params = " ".join(f"{p['name']}{'*' if p['required'] else ''}" for p in item["parameters"])
            writer.writerow(
                csv_values([item["id"], item["category"], item["title"], params, " ".join(item["sections"])])
            )
        return
    table = Table(title="Query library")
    table.add_column("id", no_wrap=True)
    table.add_column("category", no_wrap=True)
    for column in ("title", "parameters (* required)", "sections"):
        table.add_column(column, overflow="fold")
    for spec in list_queries(category):
        params = ", ".join(f"{p.name}{'*' if p.required else ''}" for p in spec.params)
        table.add_row(spec.id, spec.category, spec.title, params, ", ".join(s for s, _ in spec.sections))
    _console().print(table)


@click.command("query")
@click.argument("query_id", required=False)
@click.option(
    "--list",
    "list_",
    is_flag=True,
    help="List the library (optionally one --category); --format json for tools.",
)
@click.option("--category", help="With --list: only this category.")
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A parameter (repeatable). Ad-hoc Cypher takes NAME:TYPE=VALUE for non-strings.",
)
@click.option("--section", type=click.Choice(SECTIONS), default="table", show_default=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--limit", type=int, default=DEFAULT_LIMIT, show_default=True, help="Row limit.")
@click.option("--timeout", type=float, default=DEFAULT_TIMEOUT, show_default=True, help="Seconds.")
@click.option("--cypher", help="Run your own read-only Cypher instead of a library query.")
@click.option("--explain", is_flag=True, help="Show the EXPLAIN cost preview and run nothing.")
@click.option("--force", is_flag=True, help="Run ad-hoc Cypher even above the cost threshold.")
@click.option("--show", is_flag=True, help="Print the section's Cypher with :param lines for Neo4j Browser.")
@click.option("--suggest", metavar="PARAM", help="List values worth trying for a parameter.")
@click.option("--docs", "docs_", is_flag=True, help="Regenerate docs/queries.md from the headers.")
@click.option("--out", type=click.Path(path_type=Path), help="With --docs: where to write.")
def query(
    query_id: str | None,
    list_: bool,
    category: str | None,
    params: tuple[str, ...],
    section: str,
    fmt: str,
    limit: int,
    timeout: float,
    cypher: str | None,
    explain: bool,
    force: bool,
    show: bool,
    suggest: str | None,
    docs_: bool,
    out: Path | None,
) -> None:
    """Run a vetted library query (QUERY_ID), or your own read-only Cypher (--cypher).

    Every query runs in a read transaction with a timeout and a row limit; values travel only as
    parameters. Ad-hoc Cypher that writes, changes schema or loads files is refused.
    """
    if docs_:
        from queries.docs import DOCS_PATH, write_docs

        click.echo(f"wrote {write_docs(out or DOCS_PATH)}")
        return
    if list_:
        _list(category, fmt)
        return
    if cypher is not None and query_id is not None:
        raise click.UsageError("give either QUERY_ID or --cypher, not both")
    if cypher is None and query_id is None:
        raise click.UsageError("give a QUERY_ID (see --list) or --cypher; --help shows the options")

    from hydrascope.db import connect

    if query_id is not None:
        spec = get_query(query_id)
        if show:
            bound = (
                spec.bind(parse_assignments(params))
                if params
                else {p.name: p.default for p in spec.params if not p.required}
            )
            click.echo(browser_params(spec, {**bound, "limit": limit}))
            click.echo(spec.section(section) + ";")
            return
        with connect() as graph:
            if suggest:
                for value in suggest_values(graph, spec, suggest, timeout=timeout):
                    click.echo(describe_value(value))
                return
            if explain:
                _print_preview(
                    preview_cost(graph, spec.section(section), spec.bind(parse_assignments(params)))
                )
                return
            result = run_query(graph, spec, parse_assignments(params), section, limit=limit, timeout=timeout)  # type: ignore[arg-type]
        _emit(result, fmt)
        return

    assert cypher is not None
    values = _adhoc_params(params)
    with connect() as graph:
        if explain:
            from queries.runner import check_read_only_text

            check_read_only_text(cypher)
            _print_preview(preview_cost(graph, cypher, values))
            return
        result = run_recorded(
            graph,
            command_line_analyst(),
            cypher,
            values,
            limit=limit,
            timeout=timeout,
            force=force,
            keep_graph_values=section == "graph",
            door="command line",
        )
    _emit(result, fmt)


def _print_preview(preview: CostPreview) -> None:
    console = _console()
    console.print(f"query type: {preview.query_type} ({'read-only' if preview.read_only else 'WRITES'})")
    returned, widest = preview.result_rows, preview.estimated_rows
    console.print(f"estimated rows: {returned:,.0f} returned, {widest:,.0f} at the widest step")
    console.print("plan: " + " <- ".join(dict.fromkeys(preview.operators)))
    if preview.refusal is not None:
        console.print(f"[red]refused:[/] {preview.refusal}; the console would not run it")
    for warning in preview.warnings:
        console.print(f"[yellow]warning:[/] {warning}")


COMMANDS = [query]
