"""Detection benchmark: every built-in scenario through simulate → ingest → detect → evaluate,
with both baselines scored in the same run. Writes bench/results/detect-graph.md and .json
(through the graph) or detect.md and .json (``--direct``).

    HYDRASCOPE_STATE_DIR=.hydrascope/dev-detect HYDRASCOPE_BOLT_PORT=7693 \\
        .venv/bin/python bench/bench_detect.py            # real path: EMPTIES the configured graph
    .venv/bin/python bench/bench_detect.py --direct        # no Neo4j: snapshot built from the bundle
    .venv/bin/python bench/bench_detect.py --scenario naive --scenario regrowth --anthropic-scale 0.05

The default path empties the database it is pointed at before each scenario: point it at a
throwaway server. ``--direct`` runs ingest's own pipeline into an in-memory image (``hydrascope.jobs.bundle``)
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
from hydrascope.simulate import list_scenarios
from hydrascope.simulate.bundle import generate

# Every built-in scenario but the full-size one (run on request with --anthropic-scale): the
# simulator's registry is the one list, so a new scenario is benchmarked without editing this file.
SCENARIOS = tuple(name for name, _ in list_scenarios() if name != "anthropic")
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


TIME_COLUMNS = {
    "requests": "ts",
    "logins": "ts",
    "enforcement": "ts",
    "accounts": "created_at",
    "payment_methods": "first_seen",
    "api_keys": "created_at",
}


def cut_bundle(bundle: Path, cutoff: Any, out: Path) -> None:
    """Copy ``bundle`` as it looked at ``cutoff``: events, accounts, cards and keys up to then; an
    account banned later is still active (its export ``status`` would leak the future)."""
    import shutil

    import pandas as pd

    out.mkdir(parents=True, exist_ok=True)
    for path in bundle.iterdir():
        name = path.name.split(".")[0]
        if name in ("truth", "manifest"):
            continue
        if name not in TIME_COLUMNS:
            if path.is_file():
                shutil.copy(path, out / path.name)
            continue
        frame = pd.read_parquet(path)
        col = TIME_COLUMNS[name]
        times = pd.to_datetime(frame[col], utc=True, errors="coerce")
        frame = frame[times.isna() | (times <= cutoff)] if name != "requests" else frame[times <= cutoff]
        if name == "accounts" and "status" in frame.columns:
            frame = frame.assign(status=frame["status"].where(frame["status"] != "banned", "active"))
        frame.to_parquet(out / f"{name}.parquet", index=False)


def regrowth_timing(bundle: Path, params: DetectParams, work: Path) -> dict[str, Any]:
    """Time-sliced evaluation of regrowth: detection on the events up to T for cut-off times 1, 2
    and 4 days after each ban wave (and the end); a regrown account counts as caught when the first
    run after its first activity flags it."""
    import pandas as pd

    from hydrascope.evaluate.runner import read_truth
    from hydrascope.jobs.bundle import snapshot_from_bundle

    truth, _ = read_truth(bundle)
    regrown = set(truth.loc[truth["role"] == "regrown", "account_id"].astype(str))
    req = pd.read_parquet(
        bundle / "requests.parquet" if (bundle / "requests.parquet").exists() else bundle / "requests",
        columns=["ts", "account_id"],
    )
    req["ts"] = pd.to_datetime(req["ts"], utc=True)
    first = req[req["account_id"].isin(regrown)].groupby("account_id")["ts"].min()
    enf = pd.read_parquet(bundle / "enforcement.parquet")
    bans = pd.to_datetime(enf.loc[enf["action"].str.lower() == "ban", "ts"], utc=True)
    per_day = bans.dt.floor("D").value_counts()
    waves = sorted(per_day[per_day >= 10].index)
    end = req["ts"].max()
    cutoffs = sorted({w + pd.Timedelta(days=d) for w in waves for d in (1, 2, 4)} | {end})
    cutoffs = [c for c in cutoffs if c <= end]
    runs = []
    caught: dict[str, bool] = {}
    for cutoff in cutoffs:
        cut = work / f"cut-{cutoff:%Y%m%dT%H}"
        cut_bundle(bundle, cutoff, cut)
        result = detect(snapshot_from_bundle(cut), params)
        flagged = set(result.accounts["account_id"])
        due = [a for a, t in first.items() if t <= cutoff and a not in caught]
        for a in due:
            caught[a] = a in flagged
        active = first[first <= cutoff].index
        runs.append(
            {
                "cutoff": cutoff.isoformat(),
                "regrown_active": len(active),
                "regrown_flagged": int(sum(a in flagged for a in active)),
                "newly_due": len(due),
                "newly_due_flagged": int(sum(caught[a] for a in due)),
            }
        )
    share = sum(caught.values()) / len(caught) if caught else float("nan")
    return {
        "waves": [w.isoformat() for w in waves],
        "runs": runs,
        "first_run_share": share,
        "accounts": len(caught),
    }


def timing_section(timing_runs: list[dict[str, Any]]) -> list[str]:
    """Markdown for the time-sliced regrowth evaluation."""
    if not timing_runs:
        return []
    lines = [
        "## Regrowth timing (time-sliced, direct mode)",
        "",
        "Detection re-run on the events up to each cut-off (1, 2 and 4 days after each ban wave, and the "
        "end); a regrown account is caught when the first run after its first activity flags it. "
        "Target: >= 90%.",
        "",
    ]
    for t in timing_runs:
        lines.append(
            f"- seed {t['seed']}: **{t['first_run_share']:.3f}** of {t['accounts']} regrown accounts flagged "
            f"in the first run after their first activity (ban waves {', '.join(w[:10] for w in t['waves'])})"
        )
        for r in t["runs"]:
            lines.append(
                f"  - cut-off {r['cutoff'][:16]}: {r['regrown_flagged']}/{r['regrown_active']} "
                f"active regrown flagged; {r['newly_due_flagged']}/{r['newly_due']} newly active caught"
            )
    lines.append("")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", action="append", help="Run only these scenarios (repeatable).")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, action="append", help="Simulation seed (repeatable; default 1).")
    ap.add_argument(
        "--anthropic-scale",
        type=float,
        default=0.0,
        help="Also run the anthropic scenario at this scale (0: skip; 1.0: full size).",
    )
    ap.add_argument("--direct", action="store_true", help="Skip Neo4j: build the snapshot from the bundle.")
    ap.add_argument("--work", type=Path, default=None, help="Folder for bundles (default: a temp folder).")
    ap.add_argument("--no-write", action="store_true", help="Print only; do not write bench/results.")
    ap.add_argument(
        "--regrowth-timing",
        action="store_true",
        help="Also run the time-sliced regrowth evaluation (direct mode, on the regrowth scenario).",
    )
    args = ap.parse_args(argv)
    names = list(args.scenario or SCENARIOS)
    seeds = args.seed or [1]
    plan = [(n, args.scale, seed) for seed in seeds for n in names]
    if args.anthropic_scale > 0:
        plan.append(("anthropic", args.anthropic_scale, seeds[0]))
    params = DetectParams()
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-detect-") as tmp:
        work = args.work or Path(tmp)
        for name, scale, seed in plan:
            print(f"[bench] {name} at scale {scale}, seed {seed} ...", file=sys.stderr, flush=True)
            run = run_scenario(name, scale, seed, work / f"s{seed}", args.direct, params)
            run["seed"] = seed
            if len(seeds) > 1:
                run["scenario"] = f"{name} s{seed}"
            runs.append(run)
            print(f"[bench]   {runs[-1]['timing']}", file=sys.stderr, flush=True)
        timing_runs = []
        if args.regrowth_timing:
            for seed in seeds:
                bundle = work / f"s{seed}" / "regrowth-timing"
                generate("regrowth", bundle, scale=args.scale, seed=seed, overwrite=True)
                print(f"[bench] regrowth timing, seed {seed} ...", file=sys.stderr, flush=True)
                t = regrowth_timing(bundle, params, work / f"s{seed}" / "cuts")
                t["seed"] = seed
                timing_runs.append(t)
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
            f"seeds {', '.join(map(str, seeds))}; python {platform.python_version()}; "
            f"peak RSS {peak_mib:.0f} MiB.",
            "",
            TARGETS,
            "",
            table,
            "",
            "## Per scenario",
            "",
            *extra,
            "",
            *timing_section(timing_runs),
        ]
    )
    print(table)
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        # one file pair per mode, so a direct run never overwrites the through-the-graph numbers
        stem = "detect" if args.direct else "detect-graph"
        (RESULTS / f"{stem}.md").write_text(text)
        (RESULTS / f"{stem}.json").write_text(
            json.dumps(
                {
                    "mode": "direct" if args.direct else "graph",
                    "seeds": seeds,
                    "runs": runs,
                    "rows": rows,
                    "regrowth_timing": timing_runs,
                },
                indent=2,
                default=str,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
