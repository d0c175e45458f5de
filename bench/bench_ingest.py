"""Ingest benchmark: the simulator's ``anthropic`` scenario at several scales, end to end.

Prints and records (``bench/results/ingest.md`` and ``.json``):
- rows/s of reading + validation, of the event store, of the DuckDB aggregation;
- rows/s of the batched graph writes, beside the same writes done naively (one MERGE per row,
  one transaction each) on a sample in the same run, and their ratio (target: at least 30x);
- a batch-size sweep on a sample of edges (how ``ingest.load.DEFAULT_BATCH_SIZE`` was chosen);
- the total wall time of the ingest (target: the full scenario in under 15 minutes).

It EMPTIES the configured graph (``--yes`` required): point it at a throwaway server, e.g.
``HYDRASCOPE_STATE_DIR=.hydrascope/bench HYDRASCOPE_BOLT_PORT=7711 hydrascope db start``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hydrascope.db import Graph, connect  # noqa: E402
from hydrascope.db.schema_apply import apply_schema  # noqa: E402
from hydrascope.schema.model import SENT  # noqa: E402
from ingest import aggregate  # noqa: E402
from ingest.load import Writer  # noqa: E402
from ingest.run import run_ingest  # noqa: E402
from ingest.sources.activity import _edge_rows  # noqa: E402
from ingest.store import EventStore  # noqa: E402
from ingest.validate import new_connection  # noqa: E402


def empty_graph(graph: Graph) -> None:
    """Delete relationships first, then nodes, in small transactions (a supernode's DETACH
    DELETE in one transaction can exhaust the server's memory pool)."""
    graph.run_autocommit("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 20000 ROWS")
    graph.run_autocommit("MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 20000 ROWS")


def bundle_for(scenario: str, scale: float, seed: int, work: Path) -> tuple[Path, dict[str, Any]]:
    from hydrascope.simulate import generate

    out = work / f"{scenario}-{scale:g}-seed{seed}"
    manifest_file = out / "manifest.json"
    if manifest_file.exists():
        return out, json.loads(manifest_file.read_text())
    began = time.perf_counter()
    manifest = generate(scenario, out, scale=scale, seed=seed, overwrite=True)
    print(f"  generated {out} in {time.perf_counter() - began:.1f}s", flush=True)
    return out, manifest


def sample_sent_rows(data_root: Path, accounts: int) -> list[dict[str, Any]]:
    """SENT rows (the most numerous edge) of the first ``accounts`` accounts, from the store."""
    con = new_connection()
    store = EventStore(data_root, "bench")
    scan = store.scan("requests")  # a path from our own store, not user input
    con.execute(
        f"CREATE TEMP TABLE sample AS SELECT DISTINCT account_id FROM {scan} "  # noqa: S608
        f"ORDER BY account_id LIMIT {int(accounts)}"
    )
    aggregate.prepare(con, store, "sample")
    spec = next(s for s in aggregate.EDGES if s.rel is SENT)
    return _edge_rows(aggregate.edges(con, spec, None), ("requests", "input_tokens", "output_tokens"))


def delete_rows(graph: Graph, rows: list[dict[str, Any]]) -> None:
    graph.write(
        "UNWIND $rows AS row "
        "MATCH (:Account {account_id: row.start})-[r:SENT]->(:PromptTemplate {template: row.end}) DELETE r",
        {"rows": [{"start": r["start"], "end": r["end"]} for r in rows]},
    )


def timed_write(graph: Graph, rows: list[dict[str, Any]], batch_size: int) -> float:
    """rows/s of writing ``rows`` as SENT edges with the given batch size (after deleting them)."""
    for i in range(0, len(rows), 20000):
        delete_rows(graph, rows[i : i + 20000])
    writer = Writer(graph, int(time.time()), batch_size)
    began = time.perf_counter()
    writer.rels(SENT, rows, aggregate.ACTIVITY_PROPS)
    return len(rows) / (time.perf_counter() - began)


def bench_scale(graph: Graph, args: argparse.Namespace, scale: float, sweep: bool) -> dict[str, Any]:
    print(f"scale {scale:g}", flush=True)
    bundle, manifest = bundle_for(args.scenario, scale, args.seed, args.work)
    data_root = args.work / f"store-{scale:g}"
    state_root = args.work / f"state-{scale:g}"
    shutil.rmtree(data_root, ignore_errors=True)
    shutil.rmtree(state_root, ignore_errors=True)
    empty_graph(graph)
    began = time.perf_counter()
    report = run_ingest(
        bundle, graph, batch_size=args.batch_size, data_root=data_root, state_root=state_root, progress=False
    )
    total = time.perf_counter() - began
    print(f"  ingest {report.status} in {total:.1f}s", flush=True)
    t = report.timings
    requests = report.table("requests").read
    written = sum(report.written.values())
    write_seconds = sum(v for k, v in t.items() if k.startswith(("graph writes", "reference", "enforcement")))
    activity_written = (
        sum(report.written.get(s.rel.type, 0) for s in aggregate.EDGES)
        + report.written.get("Account", 0)
        + report.written.get("IP", 0)
    )
    result: dict[str, Any] = {
        "scale": scale,
        "status": report.status,
        "rows": {name: tr.read for name, tr in report.tables.items()},
        "written": report.written,
        "timings_s": {k: round(v, 2) for k, v in t.items()},
        "total_s": round(total, 1),
        "validate_rows_per_s": round(requests / max(t.get("read+validate requests", 1e-9), 1e-9)),
        "aggregation_rows_per_s": round(
            requests / max(t.get("store events", 0) + t.get("aggregate", 0), 1e-9)
        ),
        "activity_write_rows_per_s": round(
            activity_written / max(t.get("graph writes (activity)", 1e-9), 1e-9)
        ),
        "graph_rows_written": written,
        "graph_write_s_incl_reference": round(write_seconds, 1),
    }
    # The same writes (SENT edges, the generated MERGE) on one sample: batched at the chosen size,
    # then naively, one row per transaction, on its first rows.
    rows = sample_sent_rows(data_root, args.sweep_accounts)[: args.sweep_rows]
    batched_same = timed_write(graph, rows, args.batch_size)
    sample = rows[: args.naive_sample]
    for i in range(0, len(sample), 20000):
        delete_rows(graph, sample[i : i + 20000])
    began = time.perf_counter()
    Writer(graph, int(time.time()), batch_size=1).rels(SENT, sample, aggregate.ACTIVITY_PROPS)
    naive = len(sample) / (time.perf_counter() - began)
    result["naive"] = {
        "sample_rows": len(sample),
        "batched_sample_rows": len(rows),
        "naive_rows_per_s": round(naive, 1),
        "batched_same_sample_rows_per_s": round(batched_same, 1),
        "ratio_same_sample": round(batched_same / naive, 1),
        "ratio_full_run": round(result["activity_write_rows_per_s"] / naive, 1),
    }
    print(
        f"  naive {naive:.0f} rows/s; batched {batched_same:.0f} rows/s on the same edges "
        f"({batched_same / naive:.1f}x); full run {result['activity_write_rows_per_s']} rows/s",
        flush=True,
    )
    if sweep:
        result["batch_sweep"] = {}
        for size in args.batch_sizes:
            rate = timed_write(graph, rows, size)
            result["batch_sweep"][str(size)] = round(rate)
            print(f"  batch {size:>6}: {rate:,.0f} rows/s on {len(rows):,} SENT edges", flush=True)
    result["manifest_requests"] = manifest["tables"]["requests"]
    return result


def write_results(results: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "ingest.json").write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    lines = [
        "# Ingest benchmark",
        "",
        f"Run {results['started_at']} on {results['machine']}; scenario `{results['scenario']}`, seed "
        f"{results['seed']}, batch size {results['batch_size']}. Written by `bench/bench_ingest.py`.",
        "",
        "| scale | requests | total s | validate rows/s | store+aggregate rows/s | graph writes rows/s | "
        "naive rows/s | ratio (same sample) | ratio (full run) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results["scales"]:
        n = r["naive"]
        cells = [
            f"{r['scale']:g}",
            f"{r['rows'].get('requests', 0):,}",
            f"{r['total_s']:,}",
            f"{r['validate_rows_per_s']:,}",
            f"{r['aggregation_rows_per_s']:,}",
            f"{r['activity_write_rows_per_s']:,}",
            f"{n['naive_rows_per_s']:,}",
            f"{n['ratio_same_sample']}x",
            f"{n['ratio_full_run']}x",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    for r in results["scales"]:
        lines += ["", f"## Scale {r['scale']:g}: phases (seconds)", "", "| phase | s |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in r["timings_s"].items()]
        lines += ["", "Rows written: " + ", ".join(f"{k} {v:,}" for k, v in r["written"].items())]
        if "batch_sweep" in r:
            lines += ["", "Batch-size sweep (SENT edges, rows/s):", "", "| batch | rows/s |", "|---|---|"]
            lines += [f"| {k} | {v:,} |" for k, v in r["batch_sweep"].items()]
    (out / "ingest.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", type=float, nargs="+", default=[0.1, 1.0])
    parser.add_argument("--scenario", default="anthropic")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[500, 1000, 2000, 5000, 10000, 20000])
    parser.add_argument("--naive-sample", type=int, default=2000)
    parser.add_argument("--sweep-rows", type=int, default=60000)
    parser.add_argument("--sweep-accounts", type=int, default=1500)
    parser.add_argument(
        "--work", type=Path, default=Path(os.environ.get("HYDRASCOPE_BENCH_DIR", "/tmp/hydrascope-bench"))
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--no-sweep", action="store_true", help="skip the batch-size sweep")
    parser.add_argument("--yes", action="store_true", help="confirm: the configured graph is emptied")
    args = parser.parse_args()
    if not args.yes:
        parser.error(
            "this benchmark empties the configured graph: add --yes (and point it at a throwaway server)"
        )
    from ingest.load import DEFAULT_BATCH_SIZE

    args.batch_size = args.batch_size or DEFAULT_BATCH_SIZE
    args.work.mkdir(parents=True, exist_ok=True)
    graph = connect()
    apply_schema(graph)
    results: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "scenario": args.scenario,
        "seed": args.seed,
        "batch_size": args.batch_size,
        "scales": [],
    }
    previous = args.out / "ingest.json"
    kept = json.loads(previous.read_text())["scales"] if previous.exists() else []
    for i, scale in enumerate(args.scales):
        result = bench_scale(graph, args, scale, sweep=i == 0 and not args.no_sweep)
        if "batch_sweep" not in result:  # keep an earlier sweep's numbers when this run skipped it
            old = next((r for r in kept if r["scale"] == scale), {})
            if "batch_sweep" in old:
                result["batch_sweep"] = old["batch_sweep"]
        kept = [r for r in kept if r["scale"] != scale]
        results["scales"] = sorted([*kept, result], key=lambda r: r["scale"])
        write_results(results, args.out)  # after each scale: a long run still leaves its numbers
    graph.close()
    print(f"results in {args.out / 'ingest.md'}")


if __name__ == "__main__":
    main()
