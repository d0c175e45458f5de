"""Bulk first load benchmark: ``hydrascope ingest --bulk`` beside the batched MERGE path (#14).

For each scale of the simulator's ``anthropic`` scenario, an empty database is loaded through
Neo4j's offline importer, end to end (validation, event store, aggregation, import files, the
import, the schema, the run's bookkeeping); at the ``--merge-scales`` the same bundle is also
loaded the normal way (batched MERGE over Bolt) in the same run, so the two rates stand side by
side on the same machine at the same time. Prints and records ``bench/results/bulk.md``/``.json``.

Targets (issue #14): full ``anthropic`` end to end under 8 minutes; the import stage itself at
least 100k relationships/s.

It EMPTIES and REPLACES the configured graph (``--yes`` required), which must be the local
server (the importer writes its store files): ``bench/run_all.py`` starts a throwaway one, or
``HYDRASCOPE_STATE_DIR=.hydrascope/bench HYDRASCOPE_BOLT_PORT=7689 hydrascope db start``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_ingest import bundle_for, empty_graph, load_avg, machine  # noqa: E402
from hydrascope.db import Graph, connect  # noqa: E402
from hydrascope.db.local import LocalServer  # noqa: E402
from hydrascope.db.schema_apply import apply_schema  # noqa: E402
from ingest.bulk import BulkTarget  # noqa: E402
from ingest.report import IngestReport  # noqa: E402
from ingest.run import run_ingest  # noqa: E402

TARGET_TOTAL_S = 8 * 60
TARGET_IMPORT_RELS_PER_S = 100_000


def _fresh(work: Path, name: str) -> tuple[Path, Path]:
    data_root, state_root = work / f"{name}-store", work / f"{name}-state"
    shutil.rmtree(data_root, ignore_errors=True)
    shutil.rmtree(state_root, ignore_errors=True)
    return data_root, state_root


def _phases(report: IngestReport) -> dict[str, float]:
    return {k: round(v, 2) for k, v in report.timings.items()}


def merge_run(graph: Graph, bundle: Path, work: Path, scale: float) -> dict[str, Any]:
    """The normal path into an emptied database: batched MERGE over Bolt."""
    empty_graph(graph)
    apply_schema(graph)
    data_root, state_root = _fresh(work, f"merge-{scale:g}")
    began = time.perf_counter()
    report = run_ingest(bundle, graph, data_root=data_root, state_root=state_root, progress=False)
    total = time.perf_counter() - began
    rels = sum(n for k, n in report.written.items() if k.isupper())
    write_s = sum(v for k, v in report.write_seconds.items() if k.isupper())
    print(f"  MERGE path {report.status} in {total:.1f}s: {rels:,} relationships at {rels / write_s:,.0f}/s")
    return {
        "status": report.status,
        "total_s": round(total, 1),
        "relationships": rels,
        "relationship_write_s": round(write_s, 1),
        "relationships_per_s": round(rels / max(write_s, 1e-9)),
        "phases_s": _phases(report),
    }


def bulk_run(graph: Graph, bundle: Path, work: Path, scale: float, heap: str) -> dict[str, Any]:
    """The bulk path into an emptied database: import files and Neo4j's offline importer."""
    empty_graph(graph)
    data_root, state_root = _fresh(work, f"bulk-{scale:g}")
    target = BulkTarget(LocalServer(), work / f"bulk-{scale:g}-import", heap=heap)
    began = time.perf_counter()
    report = run_ingest(
        bundle, graph, data_root=data_root, state_root=state_root, progress=False, bulk=target
    )
    total = time.perf_counter() - began
    b = report.bulk or {}
    import_rate = b.get("relationships", 0) / max(b.get("seconds", 0), 1e-9)
    print(
        f"  bulk path {report.status} in {total:.1f}s: {b.get('nodes', 0):,.0f} nodes, "
        f"{b.get('relationships', 0):,.0f} relationships imported in {b.get('seconds', 0)} s "
        f"({import_rate:,.0f} relationships/s); files {b.get('files_seconds')} s, server stop/start "
        f"{b.get('server_seconds')} s",
        flush=True,
    )
    return {
        "status": report.status,
        "total_s": round(total, 1),
        "import": b,
        "import_relationships_per_s": round(import_rate),
        "import_rows_per_s": round(
            (b.get("relationships", 0) + b.get("nodes", 0)) / max(b.get("seconds", 0), 1e-9)
        ),
        "phases_s": _phases(report),
        "requests": report.table("requests").read,
        "import_heap": heap,
    }


def write_results(results: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "bulk.json").write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    m = results["machine"]
    lines = [
        "# Bulk first load benchmark",
        "",
        f"Written by `bench/bench_bulk.py` (latest run {results['started_at']}; {m['nproc']} cores, "
        f"{m['ram_mib'] / 1024:.0f} GiB); scenario `{results['scenario']}`, seed {results['seed']}. "
        "End to end: validation, event store, aggregation, import files, server stop, import, server "
        "start, constraints and indexes, run bookkeeping. The import rate is relationships over the "
        "importer's own wall time. MERGE rows come from the same run, on the same bundle.",
        "",
        f"Targets: full `anthropic` under {TARGET_TOTAL_S / 60:.0f} min end to end; import at least "
        f"{TARGET_IMPORT_RELS_PER_S:,} relationships/s.",
        "",
        "| scale | run at (UTC) | requests | bulk total s | import s | relationships | import rels/s "
        "| files s | server stop+start s | schema s | MERGE total s | MERGE rels/s | bulk speed-up (total) "
        "| load avg |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results["scales"]:
        b, i = r["bulk"], r["bulk"]["import"]
        merge = r.get("merge")
        lines.append(
            "| "
            + " | ".join(
                [
                    f"{r['scale']:g}",
                    r.get("started_at", results["started_at"]),
                    f"{b['requests']:,}",
                    f"{b['total_s']:,}",
                    f"{i['seconds']:,}",
                    f"{i['relationships']:,.0f}",
                    f"{b['import_relationships_per_s']:,}",
                    f"{i['files_seconds']:,}",
                    f"{i['server_seconds']:,}",
                    f"{b['phases_s'].get('schema', 0):,}",
                    f"{merge['total_s']:,}" if merge else "not run",
                    f"{merge['relationships_per_s']:,}" if merge else "not run",
                    f"{merge['total_s'] / b['total_s']:.1f}x" if merge else "",
                    f"{r['load_avg_before'][0]} → {r['load_avg_after'][0]}",
                ]
            )
            + " |"
        )
    for r in results["scales"]:
        lines += [
            "",
            f"## Scale {r['scale']:g}: bulk path phases (seconds)",
            "",
            "| phase | s |",
            "|---|---|",
        ]
        lines += [f"| {k} | {v} |" for k, v in r["bulk"]["phases_s"].items()]
        verdict = "met" if r["bulk"]["total_s"] < TARGET_TOTAL_S else "missed"
        lines += [
            "",
            f"End to end {r['bulk']['total_s']} s: the {TARGET_TOTAL_S / 60:.0f}-minute target {verdict}",
        ]
        rate = r["bulk"]["import_relationships_per_s"]
        fast = "met" if rate >= TARGET_IMPORT_RELS_PER_S else "missed"
        lines[-1] += (
            f" (it applies to scale 1); import {rate:,} relationships/s: the "
            f"{TARGET_IMPORT_RELS_PER_S:,}/s target {fast}."
        )
    (out / "bulk.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", type=float, nargs="+", default=[0.1, 1.0])
    parser.add_argument(
        "--merge-scales", type=float, nargs="*", default=[0.1], help="also load these the MERGE way"
    )
    parser.add_argument("--scenario", default="anthropic")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--import-heap", default=os.environ.get("HYDRASCOPE_IMPORT_HEAP", "4g"))
    parser.add_argument(
        "--work", type=Path, default=Path(os.environ.get("HYDRASCOPE_BENCH_DIR", "/tmp/hydrascope-bench"))
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument(
        "--yes", action="store_true", help="confirm: the configured graph is emptied and replaced"
    )
    args = parser.parse_args()
    if not args.yes:
        parser.error(
            "this benchmark replaces the configured graph: add --yes (and point it at a throwaway server)"
        )
    graph = connect()
    if not graph.settings.local:
        parser.error(f"{graph.settings.uri} is not the local server: a bulk load replaces local store files")
    args.work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "scenario": args.scenario,
        "seed": args.seed,
        "scales": [],
    }
    previous = args.out / "bulk.json"
    if previous.exists():  # rows of scales this run does not measure stay, with their own date
        kept = json.loads(previous.read_text())
        results["scales"] = [
            {"started_at": kept["started_at"], **r} for r in kept["scales"] if r["scale"] not in args.scales
        ]
    for scale in args.scales:
        print(f"scale {scale:g}", flush=True)
        bundle, _ = bundle_for(args.scenario, scale, args.seed, args.work)
        row: dict[str, Any] = {
            "scale": scale,
            "started_at": results["started_at"],
            "load_avg_before": load_avg(),
        }
        if scale in args.merge_scales:
            row["merge"] = merge_run(graph, bundle, args.work, scale)
        row["bulk"] = bulk_run(graph, bundle, args.work, scale, args.import_heap)
        row["load_avg_after"] = load_avg()
        results["scales"].append(row)
        results["scales"].sort(key=lambda r: r["scale"])
        write_results(results, args.out)  # after every scale: a later failure keeps the earlier rows
    graph.close()
    print(f"results: {args.out / 'bulk.md'}")


if __name__ == "__main__":
    main()
