"""Outsider data is inert: every page on a world whose strings are hostile, and the CSV exports.

The app runs through ``AppTest`` against the real test Neo4j holding ``hostile.py``'s world.
Every Markdown source an element hands the browser (bodies, labels, help texts, expander and tab
labels) is checked: no image, link, HTML tag, Streamlit directive, LaTeX or autolink survives
(each such character is backslash-escaped, see ``hydrascope.inert.md``) and the hostile text is
still there to read. The ban-list CSV (app and ``hydrascope export flagged``) neutralises
formula cells with a leading ``'``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from click.testing import CliRunner
from hostile import (
    ACCOUNT_BEACON,
    ACCOUNT_FORMULA,
    ACCOUNT_HTML,
    BEACON,
    CAMPAIGN_NAME,
    CLUSTER,
    FORMULA_LINK,
    FORMULA_SUM,
    LINK,
    PROXY,
    TEMPLATE,
    seed_hostile,
)
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Code, Element
from test_pages import ban_list_download, open_page

from hydrascope.cli import cli
from hydrascope.db import Graph
from hydrascope.inert import WORD_JOINER, md

pytestmark = pytest.mark.neo4j

# What a CommonMark renderer makes of each source; GFM tables and strikethrough on.
MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])
# Streamlit loads its emoji plugin only for a source matching this (its frontend's own check).
EMOJI_SHORTCODE = re.compile(r":(?!material/|streamlit:)[\w+-][\w_+-]*:")
# Sequences that act when left unescaped; checked on the source with every escaped pair removed.
# The drawing's legend is the one Markdown with HTML allowed: these constant tags, nothing else.
LEGEND_TAGS = re.compile(r"<span style='color:#[0-9a-f]{6}'>|</span>|&nbsp;")
ACTIVE = ("![", "](", "<img", "<", ":red[", "$x$", ":material/", "http://", "www.")


@pytest.fixture
def hostile(graph: Graph) -> Iterator[Graph]:
    """The graph holding only the hostile world."""
    seed_hostile(graph)
    st.cache_data.clear()
    yield graph
    st.cache_data.clear()


def markdown_sources(at: AppTest) -> list[str]:
    """Every string the page hands Streamlit's Markdown renderer (not code, not table cells)."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, Block):
            label = getattr(getattr(node, "proto", None), "label", None)  # expander, tab
            if isinstance(label, str) and label:
                out.append(label)
            for child in node.children.values():
                walk(child)
        elif isinstance(node, Element) and not isinstance(node, Code):
            proto = getattr(node, "proto", None)
            if proto is None or type(proto).__name__ in ("Text", "Arrow", "Code"):
                return
            html = bool(getattr(proto, "allow_html", False))
            for field, value in proto.ListFields():
                if field.name in ("body", "label", "help") and isinstance(value, str) and value:
                    out.append(LEGEND_TAGS.sub("", value) if html else value)

    walk(at._tree)
    return out


def no_errors(at: AppTest) -> None:
    """The page ran; a banned account's red "Banned …" notice is expected, not an error."""
    assert not at.exception, [e.value for e in at.exception]
    assert all(e.value.startswith("Banned ") for e in at.error), [e.value for e in at.error]


def unescaped(source: str) -> str:
    """The source without its backslash-escaped pairs: what Markdown may still act on."""
    return re.sub(r"\\.", "", source, flags=re.DOTALL)


def assert_inert(at: AppTest) -> str:
    """Fail if any Markdown source of the page can fetch, link, render HTML or a directive."""
    sources = markdown_sources(at)
    assert sources
    for source in sources:
        rest = unescaped(source)
        active = [seq for seq in ACTIVE if seq in rest]
        assert not active, f"{active} left active in {source!r}"
        html = MARKDOWN.render(source)
        assert "<img" not in html and "<a " not in html, html
        assert not EMOJI_SHORTCODE.search(source), source
    return "\n".join(sources)


def test_lookup_of_a_hostile_account_is_inert(hostile: Graph) -> None:
    at = open_page("lookup", node=f"Account:{ACCOUNT_BEACON}")
    no_errors(at)
    shown = assert_inert(at)
    assert f"Account {md(ACCOUNT_BEACON)}" in [s.value for s in at.subheader]
    assert md(LINK) in shown  # the ban reason and the risk reasons are still readable
    # Read as text, the escaped heading is the key itself (the word joiner is invisible).
    read = re.sub(r"\\(.)", r"\1", at.subheader[0].value).replace(WORD_JOINER, "")
    assert read == f"Account {ACCOUNT_BEACON}"
    # The property table shows the raw values (a table cell is plain text, never Markdown).
    assert LINK + "@example.com" in at.dataframe[0].value.to_string()


@pytest.mark.parametrize(
    "node",
    [f"Account:{ACCOUNT_HTML}", f"Account:{ACCOUNT_FORMULA}", f"ProxyService:{PROXY}"],
)
def test_lookup_of_other_hostile_nodes_is_inert(hostile: Graph, node: str) -> None:
    at = open_page("lookup", node=node)
    no_errors(at)
    assert_inert(at)
    kind, _, key = node.partition(":")
    assert at.subheader[0].value == f"{kind} {md(key)}"


def test_lookup_of_a_hostile_template_is_inert(hostile: Graph) -> None:
    at = open_page("lookup", node=f"PromptTemplate:{TEMPLATE}")
    no_errors(at)
    shown = assert_inert(at)
    assert f"PromptTemplate {md(TEMPLATE)}" in shown


@pytest.mark.parametrize("page", ["overview", "clusters", "triage"])
def test_every_page_on_the_hostile_world_is_inert(hostile: Graph, page: str) -> None:
    at = open_page(page, cluster=CLUSTER) if page == "clusters" else open_page(page)
    no_errors(at)
    assert_inert(at)


def test_exports_page_titles_the_hostile_drawing_inertly(hostile: Graph) -> None:
    at = open_page("lookup", node=f"Account:{ACCOUNT_BEACON}")
    at.switch_page("hydrascope/ui/pages/exports.py").run()  # the lookup's drawing is the current view
    no_errors(at)
    shown = assert_inert(at)
    assert "ego network of " + md(ACCOUNT_BEACON) in shown


def test_cluster_page_keeps_the_hostile_evidence_readable(hostile: Graph) -> None:
    at = open_page("clusters", cluster=CLUSTER)
    no_errors(at)
    shown = assert_inert(at)
    assert md(f"3 accounts behind {BEACON} {LINK}") in shown
    assert md(CAMPAIGN_NAME) in shown


def test_triage_success_message_is_inert(hostile: Graph) -> None:
    at = open_page("triage", account=ACCOUNT_BEACON)
    at.radio(key="triage-account-label").set_value("confirmed")
    at.text_input(key="triage-account-by").set_value("dana")
    button: Any = at.get("form_submit_button")[-1]
    at = button.click().run()
    no_errors(at)
    assert_inert(at)
    assert any(md(ACCOUNT_BEACON) in s.value for s in at.success)


def test_privacy_switch_still_masks_hostile_ids(hostile: Graph) -> None:
    at = open_page("lookup", node=f"Account:{ACCOUNT_BEACON}")
    at.toggle(key="hide_personal").set_value(True).run()
    no_errors(at)
    assert_inert(at)
    heading = at.subheader[0].value
    assert md(ACCOUNT_BEACON) not in heading and heading.startswith("Account acct\\-")


def test_ban_list_download_neutralises_formulas(hostile: Graph, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = {r["account_id"]: r for r in ban_list_download(monkeypatch, include_banned=True)[0]}
    assert set(rows) == {ACCOUNT_BEACON, "'" + ACCOUNT_FORMULA, ACCOUNT_HTML}
    formula = rows["'" + ACCOUNT_FORMULA]
    assert formula["email"] == "'" + FORMULA_LINK
    assert formula["account_score"] == "0.9" and formula["cluster_score"] == "0.9"  # numbers untouched
    assert formula["reasons"] == f"'{FORMULA_LINK} | {LINK}"
    assert not [v for r in rows.values() for v in r.values() if v and v[0] in "=+-@\t\r"]


def test_export_flagged_cli_neutralises_formulas(hostile: Graph, tmp_path: Path) -> None:
    out = tmp_path / "flagged.csv"
    # every hostile account is already banned: the ban list leaves them out unless asked
    result = CliRunner().invoke(cli, ["export", "flagged", "--include-banned", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 flagged accounts" in result.output
    text = out.read_text(encoding="utf-8")
    assert "'=1+2" in text and "'=HYPERLINK(" in text
    rows = list(csv.DictReader(io.StringIO(text)))
    by_id = {r["account_id"]: r for r in rows}
    assert set(by_id) == {ACCOUNT_BEACON, "'" + FORMULA_SUM, ACCOUNT_HTML}
    assert by_id["'" + FORMULA_SUM]["score"] == "0.8"
    assert by_id[ACCOUNT_BEACON]["reasons"] == f"'{FORMULA_LINK}; shares {BEACON}; {LINK}"  # only the start
    assert not [v for r in rows for v in r.values() if v and v[0] in "=+-@\t\r"]


def test_query_csv_output_neutralises_formulas(hostile: Graph) -> None:
    cypher = (
        "MATCH (a:Account) RETURN a.account_id AS id, a.email AS email, -a.risk_score AS neg "
        "ORDER BY neg LIMIT 10"
    )
    result = CliRunner().invoke(cli, ["query", "--cypher", cypher, "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    by_id = {r["id"]: r for r in rows}
    assert by_id["'" + FORMULA_SUM]["email"] == "'" + FORMULA_LINK
    assert by_id[ACCOUNT_BEACON]["neg"] == "-0.9"  # a negative number is a number, left alone
