"""Run every benchmark against a throwaway local Neo4j and leave the results in bench/results/.

    .venv/bin/python bench/run_all.py [--quick]

The benchmarks that write to Neo4j empty the graph they are pointed at, so this script starts its
own local server (state in ``.hydrascope/bench``, Bolt on 127.0.0.1:7689) and stops it at the end;
a developer's graph is never touched. ``--quick`` runs the small scales only (a few minutes);
the default includes the full ``anthropic`` scenario (tens of minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_ENV = {
    "HYDRASCOPE_STATE_DIR": str(ROOT / ".hydrascope" / "bench"),
    "HYDRASCOPE_BOLT_PORT": "7689",
    "HYDRASCOPE_NEO4J_HEAP": "4g",
    "HYDRASCOPE_NEO4J_PAGECACHE_MB": "4096",
}


def _run(args: list[str], env: dict[str, str]) -> int:
    print(f"\n$ {' '.join(args)}", flush=True)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, check=False).returncode


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small scales only")
    quick = parser.parse_args().quick
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")} | BENCH_ENV
    hydrascope = [str(Path(sys.executable).with_name("hydrascope"))]
    subprocess.run([*hydrascope, "db", "start"], env=env, check=True)
    failures = 0
    try:
        failures += _run(["bench/bench_simulate.py", "--scale", "0.1" if quick else "1.0"], env) != 0
        failures += (
            _run(["bench/bench_ingest.py", "--yes", *(["--scales", "0.1"] if quick else [])], env) != 0
        )
        failures += _run(["bench/bench_bulk.py", "--yes", *(["--scales", "0.1"] if quick else [])], env) != 0
        failures += _run(["bench/bench_detect.py", *(["--direct"] if quick else [])], env) != 0
        failures += _run(["bench/bench_p2p.py"], env) != 0
    finally:
        subprocess.run([*hydrascope, "db", "stop"], env=env, check=False)
    print(f"\nresults: {ROOT / 'bench' / 'results'} ({failures} benchmark(s) failed)")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
