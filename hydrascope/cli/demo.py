"""`hydrascope demo prepare` — the demo world in the graph, ready for the app (`make demo`)."""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import sys
import time
from collections.abc import Callable, Iterator
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


@contextlib.contextmanager
def live_progress() -> Iterator[None]:
    """Print ingest's progress lines (stages as they start and end, committed rows per write
    step) on stderr while the block runs: ingesting the demo takes minutes, and a transient
    progress bar shows nothing when the output is not a terminal (CI, ``make demo | tee``)."""
    from ingest.report import PROGRESS

    handler = logging.StreamHandler(sys.stderr)  # the stream in force now (click's test runner swaps it)
    handler.setFormatter(logging.Formatter("    %(message)s"))
    level = PROGRESS.level
    PROGRESS.addHandler(handler)
    PROGRESS.setLevel(logging.INFO)
    try:
        yield
    finally:
        PROGRESS.removeHandler(handler)
        PROGRESS.setLevel(level)


def _simulate_progress(every: float = 5.0) -> Callable[[str, int, int], None]:
    """``generate(progress=...)``: one stderr line per simulation step, throttled like ingest's."""
    last: dict[str, float] = {}

    def tick(step: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and step in last and now - last[step] < every:
            return
        last[step] = now
        click.echo(f"    simulate {step}: {done}/{total}", err=True)

    return tick


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
    from ingest.report import batch_progress
    from ingest.run import run_ingest

    out = out or state_dir() / "demo-bundle"
    if _bundle_matches(out, scenario, scale, seed):
        click.echo(f"1/3 simulate: reusing the {scenario!r} world in {out}")
    else:
        click.echo(f"1/3 simulate: scenario {scenario!r} (scale {scale}, seed {seed}) into {out}")
        generate(scenario, out, scale=scale, seed=seed, overwrite=True, progress=_simulate_progress())
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
        with live_progress():
            report = run_ingest(
                out,
                graph,
                ttl=None,
                state_root=ingest_state,
                data_root=event_store,
                after_batch=batch_progress(),
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
