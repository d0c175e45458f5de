"""``hydrascope simulate``: write a scenario's input bundle (plus truth) to a directory."""

from __future__ import annotations

import time
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from hydrascope.simulate import FORMATS, SCENARIOS, generate, list_scenarios
from hydrascope.simulate.random_world import RANDOM_PREFIX

_STEPS = {"plan": "Planning the world", "tables": "Writing tables", "requests": "Generating requests"}


def _positive(_ctx: click.Context, _param: click.Parameter, value: float) -> float:
    if not value > 0:
        raise click.BadParameter(f"must be > 0, got {value}")
    return value


@click.command("simulate")
@click.option("--scenario", "-s", type=click.Choice(list(SCENARIOS)), help="Built-in scenario to generate.")
@click.option(
    "--random",
    "random_",
    is_flag=True,
    help="Generate the random world of --seed instead: honest mix (incl. lookalike kinds), 1-4 "
    "campaigns, their tactics and the content columns all drawn from wide ranges (truth/world.json "
    "records the draw).",
)
@click.option(
    "--scale",
    type=float,
    default=1.0,
    show_default=True,
    callback=_positive,
    help="Multiplies accounts and volume (0.01 = 1%).",
)
@click.option(
    "--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True, help="Same seed, same bytes."
)
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), help="Bundle directory.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="parquet", show_default=True)
@click.option("--overwrite", is_flag=True, help="Replace a bundle already in --out (only bundle files).")
@click.option("--list", "list_", is_flag=True, help="List the built-in scenarios and exit.")
def simulate(
    scenario: str | None,
    random_: bool,
    scale: float,
    seed: int,
    out: Path | None,
    fmt: str,
    overwrite: bool,
    list_: bool,
) -> None:
    """Generate a simulated world (accounts, payments, IPs, requests...) with ground truth.

    The bundle follows the data contract (docs/ingest.md); truth/ holds the labels that only
    evaluation may read. Either a built-in --scenario, or --random: a world drawn from the seed
    (same seed, same bytes; see docs/scenarios.md for the ranges). Examples:

    \b
      hydrascope simulate --scenario demo --out data/demo
      hydrascope simulate --random --seed 42 --scale 0.5 --out data/r42
    """
    console = Console()
    if list_:
        table = Table("scenario", "description", show_lines=False)
        for name, description in list_scenarios():
            table.add_row(name, description)
        console.print(table)
        return
    if random_ and scenario is not None:
        raise click.BadParameter("give either --scenario or --random, not both", param_hint="--random")
    if random_:
        scenario = f"{RANDOM_PREFIX}{seed}"
    if scenario is None:
        raise click.BadParameter("give --scenario NAME, --random or --list", param_hint="--scenario")
    if out is None:
        raise click.BadParameter("give --out DIR", param_hint="--out")
    started = time.perf_counter()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        tasks: dict[str, int] = {}

        def progress(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = int(bar.add_task(_STEPS.get(step, step), total=total))
            bar.update(tasks[step], completed=done, total=total)  # type: ignore[arg-type]

        manifest = generate(
            scenario, out, scale=scale, seed=seed, fmt=fmt, overwrite=overwrite, progress=progress
        )
    elapsed = time.perf_counter() - started
    rows = manifest["tables"]
    console.print(
        f"[green]wrote[/green] {out}: {rows['accounts']:,} accounts, {rows['requests']:,} requests, "
        f"{len(manifest['campaigns'])} campaigns in {elapsed:.1f} s"
    )
    if random_:
        console.print(f"drawn parameters: {out / 'truth' / 'world.json'}")


COMMANDS = [simulate]
