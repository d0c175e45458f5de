"""`hydrascope detect` — find hydra clusters in the graph and write them back."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from hydrascope.db import connect
from hydrascope.db.lease import hold
from hydrascope.detect.params import DetectParams
from hydrascope.jobs.detect import run_detection
from hydrascope.workflow.watches import evaluate_watches


@click.command()
@click.option(
    "--seed", default=DetectParams.seed, show_default=True, type=int, help="Seed for sampling and Leiden."
)
@click.option(
    "--method",
    type=click.Choice(["leiden", "components"]),
    default=DetectParams.cluster_method,
    show_default=True,
    help="Clustering of the multi-evidence account graph.",
)
@click.option("--dry-run", is_flag=True, help="Detect and print, write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
@click.option("--top", default=10, show_default=True, help="Flagged clusters to print.")
@click.option(
    "--break-lease",
    is_flag=True,
    help="Take the graph's writer lease even if another run holds it (only when that run is dead).",
)
def detect(seed: int, method: str, dry_run: bool, as_json: bool, top: int, break_lease: bool) -> None:
    """Read the graph, run every signal, cluster, score and explain; write (:Cluster), (:Campaign),
    MEMBER_OF {score, reasons}, Account.risk_score / risk_reasons and the account tiers
    (risk_tier flagged / review / clear, lead_score, lead_reasons) back.

    A writing run holds the graph's writer lease: while an ingest or another detection (on any
    host) holds it, it exits 75 naming the holder."""
    params = DetectParams(seed=seed, cluster_method=method)
    with connect() as graph, hold(None if dry_run else graph, "detect", force=break_lease) as lease:
        if lease is not None and (notice := lease.notice()):
            click.echo(notice, err=True)
        run = run_detection(graph, params, write=not dry_run, lease=lease)
        watched = None if dry_run else evaluate_watches(graph)
    res = run.result
    flagged = res.clusters[res.clusters["flagged"]]
    summary = {
        "run_id": run.run_id,
        "written": not dry_run,
        "clusters": len(res.clusters),
        "flagged_clusters": len(flagged),
        "flagged_accounts": len(res.accounts),
        "review_accounts": len(res.review_accounts),
        "review_basis": str(res.leads["basis"].iloc[0]) if len(res.leads) else None,
        "campaigns": len(res.campaigns),
        "seconds": {"read": run.read_s, "detect": run.detect_s, "write": run.write_s},
        "stages": res.timings,
    }
    if watched is not None:
        summary["alerts"] = [a.alert_id for a in watched.alerts]
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    console = Console()
    table = Table(title=f"flagged clusters ({len(flagged)} of {len(res.clusters)})")
    for col in ("cluster", "campaign", "size", "score", "lifecycle", "top evidence"):
        table.add_column(col)
    for r in flagged.head(top).to_dict("records"):
        table.add_row(
            str(r["cluster_id"]),
            str(r["campaign_id"]),
            str(r["size"]),
            f"{r['score']:.3f}",
            str(r["lifecycle"]),
            "\n".join(list(r["evidence"])[:3]),
        )
    console.print(table)
    console.print(
        f"{len(res.accounts)} accounts flagged in {len(res.campaigns)} campaigns; "
        f"{len(res.review_accounts)} leads in the review tier (`hydrascope export leads`); "
        f"read {run.read_s}s, detect {run.detect_s}s, write {run.write_s}s"
        + (" (dry run: nothing written)" if dry_run else "")
    )
    if watched is not None:
        console.print(escape(watched.describe()), highlight=False)


COMMANDS = [detect]
