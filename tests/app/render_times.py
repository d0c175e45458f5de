"""Render time of every page against a running graph (not a test: run it by hand).

    HYDRASCOPE_STATE_DIR=$PWD/.hydrascope/dev-app HYDRASCOPE_BOLT_PORT=7698 \\
      .venv/bin/python tests/app/render_times.py [--repeat 3] [--cluster ID]

*first*: the page with every Streamlit cache cleared (best of ``--repeat``); *cached*: the same
page rerun. Timings are the script's full run through ``AppTest`` (queries, layout, HTML), not the
browser's paint. The cluster explorer opens the biggest cluster unless ``--cluster`` names one.
The table in ``docs/app.md`` comes from here.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from hydrascope.ui.connection import get_graph

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def app_for(page: str, params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    if page != "overview":
        at.switch_page(f"hydrascope/ui/pages/{page}.py")
    return at


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cluster")
    args = parser.parse_args()
    graph = get_graph()
    cluster = (
        args.cluster
        or graph.read(
            "MATCH (c:Cluster) RETURN c.cluster_id AS id ORDER BY COUNT { (c)<-[:MEMBER_OF]-() } DESC LIMIT 1"
        )[0]["id"]
    )
    account = graph.read(
        "MATCH (:Cluster {cluster_id: $c})<-[r:MEMBER_OF]-(a:Account) RETURN a.account_id AS a "
        "ORDER BY r.score DESC LIMIT 1",
        {"c": cluster},
    )[0]["a"]
    pages = {
        "overview": {},
        "clusters": {"cluster": cluster},
        "lookup": {"account": account},
        "queries": {"query": "payment_shared_instruments"},
        "triage": {},
        "exports": {},
    }
    app_for("triage", {}).run()  # imports, once
    print(f"| page | first | cached |  (cluster {cluster}, account {account})")
    for page, params in pages.items():
        firsts, cached = [], []
        for _ in range(args.repeat):
            st.cache_data.clear()
            at = app_for(page, params)
            t = time.perf_counter()
            at.run()
            firsts.append(time.perf_counter() - t)
            if at.exception:
                raise SystemExit(f"{page}: {[e.value for e in at.exception]}")
            t = time.perf_counter()
            at.run()
            cached.append(time.perf_counter() - t)
        print(f"| {page} | {min(firsts):.2f} s ({max(firsts):.2f}) | {min(cached):.2f} s |")
    print("load average:", " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
