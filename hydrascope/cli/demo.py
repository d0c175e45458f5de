"""`hydrascope demo prepare` — the demo world in the graph, ready for the app (`make demo`)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click

from hydrascope.config import state_dir
from hydrascope.db import connect
from hydrascope.db.schema_apply import apply_schema, reset_graph


@click.group()
def demo() -> None:
    """The demo: a simulated world with hydra campaigns among honest customers."""


def _bundle_matches(out: Path, scenario: str, scale: float, seed: int) -> bool:
    manifest = out / "manifest.json"
    if not manifest.exists():
        return False
    meta = json.loads(manifest.read_text())
    return bool(meta.get("scenario") == scenario and meta.get("scale") == scale and meta.get("seed") == seed)


@demo.command()
@click.option("--scenario", default="demo", show_default=True, help="Built-in scenario to simulate.")
@click.option("--scale", default=1.0, show_default=True, type=float)
@click.option("--seed", default=7, show_default=True, type=int)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Bundle folder [default: <state>/demo-bundle].",
)
@click.option("--keep-graph", is_flag=True, help="Do not empty the graph first.")
def prepare(scenario: str, scale: float, seed: int, out: Path | None, keep_graph: bool) -> None:
    """Simulate the world (once), load it into an empty graph, and run detection."""
    from hydrascope.jobs.detect import run_detection
    from hydrascope.simulate import generate
    from ingest.run import run_ingest

    out = out or state_dir() / "demo-bundle"
    if _bundle_matches(out, scenario, scale, seed):
        click.echo(f"1/3 simulate: reusing the {scenario!r} world in {out}")
    else:
        click.echo(f"1/3 simulate: scenario {scenario!r} (scale {scale}, seed {seed}) into {out}")
        generate(scenario, out, scale=scale, seed=seed, overwrite=True)
    with connect() as graph:
        if not keep_graph:
            reset_graph(graph)
        apply_schema(graph)
        click.echo(f"2/3 ingest: {out} into {graph.settings.redacted()}")
        # The demo keeps its own ingest state and event store, emptied with the graph, so that
        # every event loads again and nothing of a developer's own ingest state is touched.
        ingest_state, event_store = state_dir() / "demo-ingest-state", state_dir() / "demo-data"
        if not keep_graph:
            shutil.rmtree(ingest_state, ignore_errors=True)
            shutil.rmtree(event_store, ignore_errors=True)
        # ttl=None: the demo world is a fixed window in early 2026; a TTL aged from today's clock
        # would hide all of its behaviour once the window is a TTL old
        report = run_ingest(
            out, graph, ttl=None, progress=True, state_root=ingest_state, data_root=event_store
        )
        click.echo(f"    loaded {report.rows_loaded:,} rows, rejected {report.rows_rejected:,}")
        click.echo("3/3 detect")
        run = run_detection(graph)
    flagged = run.result.clusters[run.result.clusters["flagged"]]
    click.echo(
        f"    {len(flagged)} flagged clusters, {len(run.result.accounts)} flagged accounts, "
        f"{len(run.result.campaigns)} campaigns"
    )
    click.echo("ready: `streamlit run app.py` (http://127.0.0.1:8501)")


COMMANDS = [demo]
