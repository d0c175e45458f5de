"""The whole app once in a real headless browser (Debian's Chromium driven by Playwright).

Starts ``streamlit run app.py`` on a free loopback port against the real tiny world (simulated,
ingested, detected), opens every page, checks the visible content against the graph, that the
network drawing has nodes, and that the browser never asked another host for anything (the app
must work without internet access). Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from hydrascope.db import Graph

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
pytestmark = [pytest.mark.browser, pytest.mark.neo4j]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def app_url(tiny_world: Graph, tmp_path: Path) -> Iterator[str]:
    """The app on the tiny world, served by a real ``streamlit run`` (see ``serve_app``)."""
    with serve_app(tmp_path) as url:
        yield url


@contextmanager
def serve_app(tmp_path: Path) -> Iterator[str]:
    """The app served by a real ``streamlit run`` on loopback, stopped at the end whatever happens."""
    port = free_port()
    log = (tmp_path / "streamlit.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("streamlit did not start:\n" + (tmp_path / "streamlit.log").read_text())
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


@contextmanager
def chromium_page(tmp_path: Path, height: int) -> Iterator[Any]:
    """A page of Debian's headless Chromium (a throwaway profile, removed afterwards)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1600, "height": height},
        )
        try:
            yield context.new_page()
        finally:
            context.close()
    shutil.rmtree(tmp_path / "profile", ignore_errors=True)


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's Chromium is not installed")
def test_every_page_in_a_real_browser(app_url: str, tiny_world: Graph, tmp_path: Path) -> None:
    top = tiny_world.read(
        "MATCH (c:Cluster) WHERE c.flagged OPTIONAL MATCH (c)-[:PART_OF]->(p:Campaign) "
        "RETURN c.cluster_id AS id, c.size AS size, c.evidence[0] AS evidence, "
        "coalesce(p.name, p.campaign_id) AS campaign ORDER BY c.score DESC, id LIMIT 1"
    )[0]
    account = tiny_world.read(
        "MATCH (:Cluster {cluster_id: $c})<-[r:MEMBER_OF]-(a:Account)-[:PAID_WITH]->(p:PaymentInstrument) "
        "RETURN a.account_id AS a ORDER BY r.score DESC, a.account_id LIMIT 1",
        {"c": top["id"]},
    )[0]["a"]
    card = tiny_world.read(
        "MATCH (p:PaymentInstrument)<-[:PAID_WITH]-(a:Account) "
        "WITH p, count(a) AS n, sum(CASE WHEN a.status = 'banned' THEN 1 ELSE 0 END) AS banned WHERE n >= 2 "
        "RETURN p.instrument_id AS p ORDER BY 1.0 / (n - 1) DESC, banned DESC, p LIMIT 1"  # the first row
    )[0]["p"]

    ARTIFACTS.mkdir(exist_ok=True)
    outside: list[str] = []
    with chromium_page(tmp_path, height=2200) as page:
        page.on(
            "request",
            lambda r: (
                outside.append(r.url)
                if urlparse(r.url).hostname not in ("127.0.0.1", "localhost", None)
                and urlparse(r.url).scheme in ("http", "https", "ws", "wss")
                else None
            ),
        )

        def visit(path: str, heading: str) -> None:
            page.goto(app_url + path)
            page.get_by_role("heading", name=heading).first.wait_for(timeout=30_000)
            page.wait_for_load_state("networkidle")

        def drawn_nodes(min_nodes: int) -> int:
            frame_el = page.locator("iframe").first
            frame_el.wait_for(timeout=30_000)
            frame = frame_el.content_frame
            frame.locator("canvas").first.wait_for(timeout=30_000)
            count = int(frame.locator("body").evaluate("() => network.body.data.nodes.length"))
            assert count >= min_nodes
            return count

        def seen(text: str) -> None:
            # Table cells live in the data grid's hidden accessibility table: attached, not visible.
            page.get_by_text(text).first.wait_for(state="attached", timeout=30_000)

        visit("/", "Overview")
        seen(top["campaign"] or top["id"])
        page.get_by_text("Exchanges per campaign").first.wait_for()
        page.locator(
            "[data-testid='stVegaLiteChart'] canvas, .vega-embed canvas, .vega-embed svg"
        ).first.wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "overview.png"), full_page=True)

        visit(f"/clusters?cluster={top['id']}", "Cluster explorer")
        page.get_by_text(top["evidence"]).first.wait_for()
        assert drawn_nodes(10) > 0
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / "clusters.png"), full_page=True)

        visit(f"/lookup?account={account}", "Lookup")
        page.get_by_text("Ego network").first.wait_for()
        assert drawn_nodes(3) > 0
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / "lookup.png"), full_page=True)

        visit("/queries?query=payment_shared_instruments", "Queries")
        page.get_by_role("button", name="Run").first.click()
        seen(card)
        assert drawn_nodes(5) > 0
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / "queries.png"), full_page=True)

        visit("/triage", "Triage")
        page.get_by_text("Save label").first.wait_for()
        page.screenshot(path=str(ARTIFACTS / "triage.png"), full_page=True)

        visit("/exports", "Exports")
        page.get_by_text("Download ban list (CSV)").first.wait_for()
        page.screenshot(path=str(ARTIFACTS / "exports.png"), full_page=True)
    assert outside == [], f"the app asked another host for: {outside[:5]}"
