"""Detection benchmark: every built-in scenario through simulate → ingest → detect → evaluate,
with both baselines scored in the same run. Writes bench/results/detect.md and detect.json.

    HYDRASCOPE_STATE_DIR=.hydrascope/dev-detect HYDRASCOPE_BOLT_PORT=7693 \\
        .venv/bin/python bench/bench_detect.py            # real path: EMPTIES the configured graph
    .venv/bin/python bench/bench_detect.py --direct        # no Neo4j: snapshot built from the bundle
    .venv/bin/python bench/bench_detect.py --scenario naive --scenario regrowth --anthropic-scale 0.05

The default path empties the database it is pointed at before each scenario: point it at a
throwaway server. ``--direct`` aggregates the bundle like ingest does (``hydrascope.jobs.bundle``)
and runs the same detector and evaluation; use it to iterate quickly.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from hydrascope.detect import DetectParams, detect
from hydrascope.evaluate.runner import evaluate_result, markdown_table, table_rows
from hydrascope.simulate.bundle import generate

SCENARIOS = (
    "naive",
    "camouflage",
    "camouflage_2x",
    "camouflage_popular",
    "proxy_mixing",
    "diversified",
    "low_and_slow",
    "aged_accounts",
    "regrowth",
    "release_pivot",
    "paraphrase",
    "tiny",
    "demo",
)
MODES = {True: "direct (bundle → snapshot, no Neo4j)", False: "simulate → ingest → Neo4j → detect"}
RESULTS = Path(__file__).resolve().parent / "results"

TARGETS = """Targets: precision >= 0.99 and recall >= 0.95 on naive, camouflage, proxy_mixing; F1 >= 0.90 on
diversified and low_and_slow; F1 drop <= 0.03 from naive to camouflage_2x; honest FPR <= 0.001 overall and
<= 0.01 per hard-negative kind; no honest group of 20+ flagged; >= 90% regrown flagged; pivot on the pivoting
campaign and on no honest cluster; both baselines beaten."""


def run_scenario(
    name: str, scale: float, seed: int, work: Path, direct: bool, params: DetectParams
) -> dict[str, Any]:
    bundle = work / f"{name}-{scale}"
    t0 = time.perf_counter()
    manifest = generate(name, bundle, scale=scale, seed=seed, overwrite=True)
    t1 = time.perf_counter()
    timing: dict[str, float] = {"simulate_s": round(t1 - t0, 1)}
    if direct:
        from hydrascope.jobs.bundle import snapshot_from_bundle

        snapshot = snapshot_from_bundle(bundle)
        t2 = time.perf_counter()
        result = detect(snapshot, params)
        t3 = time.perf_counter()
        timing.update(aggregate_s=round(t2 - t1, 1), detect_s=round(t3 - t2, 1))
    else:
        from hydrascope.db import connect
        from hydrascope.db.schema_apply import apply_schema, reset_graph
        from hydrascope.jobs.detect import run_detection
        from hydrascope.jobs.snapshot import read_snapshot
        from ingest.run import run_ingest

        with connect() as graph:
            reset_graph(graph)
            apply_schema(graph)
            run_ingest(
                bundle, graph, ttl=None, data_root=work / "data" / name, state_root=work / "state" / name
            )
            t2 = time.perf_counter()
            run = run_detection(graph, params)
            snapshot = read_snapshot(graph)
        result = run.result
        timing.update(
            ingest_s=round(t2 - t1, 1), read_s=run.read_s, detect_s=run.detect_s, write_s=run.write_s
        )
    metrics = evaluate_result(bundle, snapshot, result)
    accounts = manifest.get("accounts") if isinstance(manifest, dict) else None
    return {
        "scenario": name,
        "scale": scale,
        "accounts": accounts or len(snapshot.accounts),
        "timing": timing,
        "stages": result.timings,
        "metrics": metrics,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", action="append", help="Run only these scenarios (repeatable).")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--anthropic-scale",
        type=float,
        default=0.0,
        help="Also run the anthropic scenario at this scale (0: skip; 1.0: full size).",
    )
    ap.add_argument("--direct", action="store_true", help="Skip Neo4j: build the snapshot from the bundle.")
    ap.add_argument("--work", type=Path, default=None, help="Folder for bundles (default: a temp folder).")
    ap.add_argument("--no-write", action="store_true", help="Print only; do not write bench/results.")
    args = ap.parse_args(argv)
    names = list(args.scenario or SCENARIOS)
    plan = [(n, args.scale) for n in names]
    if args.anthropic_scale > 0:
        plan.append(("anthropic", args.anthropic_scale))
    params = DetectParams()
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-detect-") as tmp:
        work = args.work or Path(tmp)
        for name, scale in plan:
            print(f"[bench] {name} at scale {scale} ...", file=sys.stderr, flush=True)
            runs.append(run_scenario(name, scale, args.seed, work, args.direct, params))
            print(f"[bench]   {runs[-1]['timing']}", file=sys.stderr, flush=True)
    rows = [row for r in runs for row in table_rows(r["scenario"], r["metrics"])]
    table = markdown_table(rows)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    extra = []
    for r in runs:
        d = r["metrics"]["detector"]
        kinds = ", ".join(f"{k} {v:.4f}" for k, v in d["honest_fpr_by_kind"].items())
        extra.append(
            f"- **{r['scenario']}** ({r['accounts']} accounts, scale {r['scale']}): timing {r['timing']}; "
            f"honest FPR by kind: {kinds}; pivot fired on campaigns {d.get('pivot_campaigns')} and on "
            f"{d.get('pivot_honest_clusters')} honest clusters"
        )
    text = "\n".join(
        [
            "# Detection benchmark",
            "",
            f"Mode: {MODES[args.direct]}; "
            f"seed {args.seed}; python {platform.python_version()}; peak RSS {peak_mib:.0f} MiB.",
            "",
            TARGETS,
            "",
            table,
            "",
            "## Per scenario",
            "",
            *extra,
            "",
        ]
    )
    print(table)
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "detect.md").write_text(text)
        (RESULTS / "detect.json").write_text(
            json.dumps(
                {"mode": "direct" if args.direct else "graph", "seed": args.seed, "runs": runs, "rows": rows},
                indent=2,
                default=str,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
