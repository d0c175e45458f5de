"""Outsider data is inert in a real browser: the hostile world's pages in Debian's Chromium.

``AppTest`` sees the Markdown source; this sees what Streamlit's frontend makes of it (its
autolinks, icons, colours and LaTeX act on the parsed text, where escapes are already decoded).
The Lookup page of an account whose id is a Markdown image and the cluster page whose campaign
and evidence hold links, HTML, ``:red[…]``, ``$x$`` and ``:material/home:`` must fetch nothing,
link nothing, and show every hostile string as its literal text.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
import streamlit as st
from hostile import ACCOUNT_BEACON, BARE_URL, CAMPAIGN_NAME, CLUSTER, HTML, ICON, LINK, MATH, seed_hostile
from test_browser import CHROMIUM, CHROMIUM_ARGS, serve_app

from hydrascope.db import Graph
from hydrascope.inert import WORD_JOINER

pytestmark = [pytest.mark.browser, pytest.mark.neo4j]

# Elements Streamlit's Markdown makes from active syntax, in the page itself (not the drawing);
# a heading's own "#anchor" link is Streamlit's, not the data's.
ACTIVE_ELEMENTS = (
    '[data-testid=stMarkdownContainer] a:not([href^="#"]), [data-testid=stMarkdownContainer] img, '
    '[data-testid=stCaptionContainer] a:not([href^="#"]), [data-testid=stCaptionContainer] img, '
    ".katex, .stMarkdownColoredText, [data-testid=stMarkdownContainer] span[role=img], "
    "[data-testid=stMarkdownContainer] code"
)


@pytest.fixture
def hostile_url(graph: Graph, tmp_path: Path) -> Iterator[str]:
    seed_hostile(graph)
    st.cache_data.clear()
    with serve_app(tmp_path) as url:
        yield url


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's Chromium is not installed")
def test_hostile_pages_fetch_nothing_link_nothing_and_show_the_text(hostile_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    asked: list[str] = []
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = context.new_page()
            page.on("request", lambda r: asked.append(r.url))

            def visit(path: str, heading: str, last: str) -> str:
                """Open ``path``, wait until ``last`` (drawn late in the page) is there, check it."""
                page.goto(hostile_url + path)
                page.get_by_role("heading", name=heading).first.wait_for(timeout=30_000)
                page.get_by_text(last).first.wait_for(timeout=60_000)
                page.wait_for_timeout(1000)  # lazy Markdown plugins (KaTeX, emoji) have loaded
                found = page.locator(ACTIVE_ELEMENTS).evaluate_all(
                    "els => els.map(e => e.outerHTML.slice(0, 160))"
                )
                assert found == [], found
                return page.locator("[data-testid=stMain]").inner_text().replace(WORD_JOINER, "")

            lookup = visit(f"/lookup?node={quote('Account:' + ACCOUNT_BEACON)}", "Lookup", "Ego network")
            assert f"Account {ACCOUNT_BEACON}" in lookup  # the heading shows the key as typed
            assert f"{LINK} {HTML} {MATH} {ICON} {BARE_URL}" in lookup  # the ban reason, literally

            clusters = visit(f"/clusters?cluster={CLUSTER}", "Cluster explorer", "Activity timeline")
            assert f"Campaign: {CAMPAIGN_NAME}" in clusters
            assert f"{HTML} :red[x] {MATH} {ICON} {BARE_URL}" in clusters  # the evidence item
        finally:
            context.close()
    beacons = [u for u in asked if urlparse(u).port == 9 or urlparse(u).hostname == "x.example"]
    assert beacons == []
    shutil.rmtree(tmp_path / "profile", ignore_errors=True)
