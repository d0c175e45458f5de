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
import contextlib
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

import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402

from hydrascope.db import Graph, connect  # noqa: E402
from hydrascope.db.schema_apply import apply_schema  # noqa: E402
from hydrascope.schema.model import IP, SENT  # noqa: E402
from ingest import aggregate  # noqa: E402
from ingest.load import Writer  # noqa: E402
from ingest.run import run_ingest  # noqa: E402
from ingest.sources.activity import _edge_rows  # noqa: E402
from ingest.store import EventStore  # noqa: E402
from ingest.validate import new_connection  # noqa: E402

EDGE_ENDS = {"Account", IP.label, *(s.rel.end.label for s in aggregate.EDGES)}


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


def sample_sent(data_root: Path, accounts: int) -> pa.Table:
    """SENT edges (the most numerous edge) of the first ``accounts`` accounts, from the store, as
    the ingest's writer receives them (``start``, ``end``, properties, sorted by ``start``)."""
    con = new_connection()
    store = EventStore(data_root, "bench")
    scan = store.scan("requests")  # a path from our own store, not user input
    con.execute(
        f"CREATE TEMP TABLE sample AS SELECT DISTINCT account_id FROM {scan} "  # noqa: S608
        f"ORDER BY account_id LIMIT {int(accounts)}"
    )
    aggregate.prepare(con, store, "sample")
    spec = next(s for s in aggregate.EDGES if s.rel is SENT)
    table = aggregate.edges(con, spec, None)
    return table.rename_columns(["start" if n == "account_id" else n for n in table.column_names])


def naive_rows(table: pa.Table) -> list[dict[str, Any]]:
    return _edge_rows(
        table.rename_columns(["account_id" if n == "start" else n for n in table.column_names]),
        ("requests", "input_tokens", "output_tokens"),
    )


def delete_rows(graph: Graph, table: pa.Table) -> None:
    pairs = [
        {"start": s, "end": e}
        for s, e in zip(table.column("start").to_pylist(), table.column("end").to_pylist(), strict=True)
    ]
    for i in range(0, len(pairs), 20000):
        graph.write(
            "UNWIND $rows AS row MATCH (:Account {account_id: row.start})-[r:SENT]->"
            "(:PromptTemplate {template: row.end}) DELETE r",
            {"rows": pairs[i : i + 20000]},
        )


def timed_write(graph: Graph, table: pa.Table, batch_size: int) -> float:
    """rows/s of writing ``table`` as SENT edges the way the ingest does (after deleting them, so
    their accounts have no SENT edge: the CREATE path of a first load)."""
    delete_rows(graph, table)
    writer = Writer(graph, int(time.time()), batch_size)
    began = time.perf_counter()
    writer.node_keys(SENT.end, pc.unique(table.column("end")).to_pylist())
    existing = writer.starts_with(SENT, pc.unique(table.column("start")).to_pylist())
    writer.grouped_rels(SENT, table, aggregate.ACTIVITY_PROPS, existing)
    return table.num_rows / (time.perf_counter() - began)


def machine() -> dict[str, Any]:
    mem = 0
    with contextlib.suppress(OSError), open("/proc/meminfo") as fh:
        mem = int(next(line for line in fh if line.startswith("MemTotal")).split()[1]) // 1024
    return {
        "arch": platform.machine(),
        "nproc": os.cpu_count(),
        "ram_mib": mem,
        "python": platform.python_version(),
        "rust_packing": rust_packing(),
    }


def rust_packing() -> bool:
    try:
        import neo4j._rust  # noqa: F401
    except ImportError:
        return False
    return True


def load_avg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def bench_scale(graph: Graph, args: argparse.Namespace, scale: float, sweep: bool) -> dict[str, Any]:
    print(f"scale {scale:g}", flush=True)
    bundle, manifest = bundle_for(args.scenario, scale, args.seed, args.work)
    data_root = args.work / f"store-{scale:g}"
    state_root = args.work / f"state-{scale:g}"
    shutil.rmtree(data_root, ignore_errors=True)
    shutil.rmtree(state_root, ignore_errors=True)
    empty_graph(graph)
    load_before = load_avg()
    began = time.perf_counter()
    report = run_ingest(
        bundle,
        graph,
        batch_size=args.batch_size,
        data_root=data_root,
        state_root=state_root,
        progress=False,
    )
    total = time.perf_counter() - began
    writer_seconds = report.write_seconds  # per step (label or relationship type)
    print(f"  ingest {report.status} in {total:.1f}s", flush=True)
    t = report.timings
    requests = report.table("requests").read
    events = requests + report.table("logins").read
    written = sum(report.written.values())
    write_seconds = sum(v for k, v in t.items() if k.startswith(("graph writes", "reference", "enforcement")))
    activity_written = sum(
        n for k, n in report.written.items() if k in {s.rel.type for s in aggregate.EDGES} | EDGE_ENDS
    )
    sent = report.written.get("SENT", 0)
    result: dict[str, Any] = {
        "scale": scale,
        "bundle": str(bundle),
        "status": report.status,
        "load_avg_before": load_before,
        "load_avg_after": load_avg(),
        "rows": {name: tr.read for name, tr in report.tables.items()},
        "written": report.written,
        "timings_s": {k: round(v, 2) for k, v in t.items()},
        "write_s": {k: round(v, 2) for k, v in writer_seconds.items()},
        "total_s": round(total, 1),
        "validate_rows_per_s": round(requests / max(t.get("read+validate requests", 1e-9), 1e-9)),
        "store_rows_per_s": round(events / max(t.get("store events", 1e-9), 1e-9)),
        "aggregation_rows_per_s": round(events / max(t.get("aggregate", 1e-9), 1e-9)),
        "store_and_aggregation_rows_per_s": round(
            events / max(t.get("store events", 0) + t.get("aggregate", 0), 1e-9)
        ),
        "activity_write_rows_per_s": round(
            activity_written / max(t.get("graph writes (activity)", 1e-9), 1e-9)
        ),
        "sent_write_rows_per_s": round(sent / max(writer_seconds.get("SENT", 1e-9), 1e-9)),
        "graph_rows_written": written,
        "graph_write_s_incl_reference": round(write_seconds, 1),
    }
    # The same edges (SENT, one sample) written the ingest's way, then naively: one MERGE per
    # row and per transaction (the generated per-row statement), on its first rows.
    table = sample_sent(data_root, args.sweep_accounts).slice(0, args.sweep_rows)
    batched_same = timed_write(graph, table, args.batch_size)
    sample = table.slice(0, args.naive_sample)
    delete_rows(graph, sample)
    began = time.perf_counter()
    Writer(graph, int(time.time()), batch_size=1).rels(SENT, naive_rows(sample), aggregate.ACTIVITY_PROPS)
    naive = sample.num_rows / (time.perf_counter() - began)
    result["naive"] = {
        "sample_rows": sample.num_rows,
        "batched_sample_rows": table.num_rows,
        "naive_rows_per_s": round(naive, 1),
        "batched_same_sample_rows_per_s": round(batched_same, 1),
        "ratio_same_sample": round(batched_same / naive, 1),
        "ratio_full_run": round(result["activity_write_rows_per_s"] / naive, 1),
        "ratio_full_run_sent": round(result["sent_write_rows_per_s"] / naive, 1),
    }
    print(
        f"  validate {result['validate_rows_per_s']:,} rows/s; store {result['store_rows_per_s']:,} rows/s; "
        f"aggregate {result['aggregation_rows_per_s']:,} rows/s; graph writes (activity) "
        f"{result['activity_write_rows_per_s']:,} rows/s, SENT {result['sent_write_rows_per_s']:,} rows/s",
        flush=True,
    )
    print(
        f"  naive {naive:.0f} rows/s; batched {batched_same:.0f} rows/s on the same edges "
        f"({batched_same / naive:.1f}x); full run SENT {result['sent_write_rows_per_s']} rows/s "
        f"({result['naive']['ratio_full_run_sent']}x); load average {load_before} -> "
        f"{result['load_avg_after']}",
        flush=True,
    )
    if sweep:
        result["batch_sweep"] = {}
        for size in args.batch_sizes:
            rate = timed_write(graph, table, size)
            result["batch_sweep"][str(size)] = round(rate)
            print(f"  batch {size:>6}: {rate:,.0f} rows/s on {table.num_rows:,} SENT edges", flush=True)
    result["manifest_requests"] = manifest["tables"]["requests"]
    return result


def write_results(results: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "ingest.json").write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    m = results["machine"]
    lines = [
        "# Ingest benchmark",
        "",
        "Written by `bench/bench_ingest.py`; scenario `anthropic`. Rates are rows per second of the",
        "phase's own wall time: validation and store over the request (+ login) rows read, graph",
        "writes over the activity rows written (accounts, end nodes, edges). The naive baseline writes",
        "one MERGE per row and per transaction on a sample of the same SENT edges, in the same run.",
        "The machine is shared (another engineer's benchmarks): see the load averages.",
        "",
        "| scale | run at (UTC) | machine | load avg before → after | requests | total s | validate rows/s "
        "| store rows/s | aggregate rows/s | graph writes rows/s (SENT) | naive rows/s | ratio SENT full run "
        "| ratio same sample |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results["scales"]:
        n = r["naive"]
        mach = r.get("machine", m)
        cells = [
            f"{r['scale']:g}",
            r.get("started_at", results["started_at"]),
            f"{mach['nproc']} cores, {mach['ram_mib'] / 1024:.0f} GiB, rust packing {mach['rust_packing']}",
            f"{r['load_avg_before'][0]} → {r['load_avg_after'][0]}",
            f"{r['rows'].get('requests', 0):,}",
            f"{r['total_s']:,}",
            f"{r['validate_rows_per_s']:,}",
            f"{r['store_rows_per_s']:,}",
            f"{r['aggregation_rows_per_s']:,}",
            f"{r['activity_write_rows_per_s']:,} ({r['sent_write_rows_per_s']:,})",
            f"{n['naive_rows_per_s']:,}",
            f"{n['ratio_full_run_sent']}x",
            f"{n['ratio_same_sample']}x",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    for r in results["scales"]:
        lines += ["", f"## Scale {r['scale']:g}: phases (seconds)", "", "| phase | s |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in r["timings_s"].items()]
        if r.get("note"):
            lines += ["", f"Note: {r['note']}."]
        steps = ", ".join(f"{k} {v}" for k, v in r["write_s"].items())
        lines += ["", "Graph write seconds per step: " + steps]
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
        "machine": machine(),
        "scenario": args.scenario,
        "seed": args.seed,
        "batch_size": args.batch_size,
        "scales": [],
    }
    previous = args.out / "ingest.json"
    kept: list[dict[str, Any]] = json.loads(previous.read_text())["scales"] if previous.exists() else []
    kept = [r for r in kept if "store_rows_per_s" in r]  # results of this version of the benchmark
    for i, scale in enumerate(args.scales):
        result = bench_scale(graph, args, scale, sweep=i == 0 and not args.no_sweep)
        result["started_at"], result["machine"] = results["started_at"], results["machine"]
        if "batch_sweep" not in result:  # keep an earlier sweep's numbers when this run skipped it
            old: dict[str, Any] = next((r for r in kept if r["scale"] == scale), {})
            if "batch_sweep" in old:
                result["batch_sweep"] = old["batch_sweep"]
        kept = sorted([*(r for r in kept if r["scale"] != scale), result], key=lambda r: r["scale"])
        results["scales"] = kept  # this run's earlier scales stay in the file
        write_results(results, args.out)  # after each scale: a long run still leaves its numbers
    graph.close()
    print(f"results in {args.out / 'ingest.md'}")


if __name__ == "__main__":
    main()
