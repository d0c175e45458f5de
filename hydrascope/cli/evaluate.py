"""`hydrascope evaluate --truth DIR` — score the graph's detection against a simulator's truth."""

from __future__ import annotations

import json
from pathlib import Path

import click

from hydrascope.db import connect
from hydrascope.evaluate.runner import evaluate_graph, markdown_table, table_rows


@click.command()
@click.option(
    "--truth",
    "truth",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The simulated bundle (or its truth/ folder).",
)
@click.option("--json", "as_json", is_flag=True, help="Print every metric as JSON.")
def evaluate(truth: Path, as_json: bool) -> None:
    """Precision, recall, F1, honest false-positive rates (overall and per hard-negative kind),
    campaign ARI and exchange-weighted recall of the latest detection, beside both baselines."""
    with connect() as graph:
        results = evaluate_graph(graph, truth)
    if as_json:
        click.echo(json.dumps(results, indent=2, default=str))
        return
    click.echo(markdown_table(table_rows(truth.name, results)))
    det = results["detector"]
    click.echo(
        "honest FPR by kind: " + ", ".join(f"{k} {v:.4f}" for k, v in det["honest_fpr_by_kind"].items())
    )


COMMANDS = [evaluate]
