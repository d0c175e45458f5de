"""The Lookup's search through the model's full-text index, on the real test Neo4j.

A fragment of an id or an email finds the account; the answer equals what a ``CONTAINS`` scan (the
old implementation, kept here only as the test's oracle) finds; and Lucene syntax typed or pasted
into the box neither errors nor widens the search: it is matched as literal text.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import streamlit as st
from hostile import ACCOUNT_BEACON, ACCOUNT_FORMULA, ACCOUNT_HTML, TEMPLATE
from test_pages import no_errors, open_page, texts
from world import seed_world

from hydrascope.db import Graph
from hydrascope.schema import model as m
from hydrascope.ui import search
from hydrascope.ui.data.lookup import ALSO, read_search

pytestmark = pytest.mark.neo4j


@pytest.fixture
def both_worlds(graph: Graph) -> Iterator[Graph]:
    """The hand-built world and the hostile one, side by side in one graph."""
    from hostile import seed_hostile

    seed_world(graph)
    seed_hostile(graph)
    st.cache_data.clear()
    yield graph
    st.cache_data.clear()


def found(graph: Graph, text: str) -> set[tuple[str, str]]:
    return {(str(h["kind"]), str(h["key"])) for h in read_search(graph, search.parse(text), per_kind=100)}


def contains_scan(graph: Graph, text: str) -> set[tuple[str, str]]:
    """The oracle: every searchable node (ASN aside: integer keys) whose key or email/name
    contains the fragment, case-insensitively, by a plain scan."""
    request = search.parse(text)
    out: set[tuple[str, str]] = set()
    for kind in request.kinds:
        if kind == m.ASN.label:
            continue
        node = m.NODE_BY_LABEL[kind]
        rows = graph.read(
            f"MATCH (n:{node.label}) WITH n, toString(n.{node.key}) AS key "
            "WHERE toLower(key) CONTAINS $t OR toLower(coalesce(n[$also], '')) CONTAINS $t RETURN key",
            {"t": request.term, "also": ALSO.get(kind, "_none")},
        )
        out |= {(kind, r["key"]) for r in rows}
    return out


def test_the_full_text_index_is_online(world: Graph) -> None:
    rows = world.read(
        "SHOW FULLTEXT INDEXES YIELD name, state, labelsOrTypes, properties WHERE name = $n RETURN *",
        {"n": m.LOOKUP_TEXT.name},
    )
    assert rows and rows[0]["state"] == "ONLINE"
    assert set(rows[0]["labelsOrTypes"]) == {n.label for n in m.LOOKUP_TEXT.nodes}
    assert set(rows[0]["properties"]) == set(m.LOOKUP_TEXT.properties)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a1-013", {("Account", "a1-013")}),  # a whole id
        ("1-01", {("Account", f"a1-01{i}") for i in range(10)}),  # across a hyphen
        ("acct:2-00", {("Account", f"a2-00{i}") for i in range(10)}),  # a typed prefix
        ("employee7@corp", {("Account", "corp-007")}),  # an email fragment (the id does not hold it)
        ("A2-003@MAILBOX.EXAM", {("Account", "a2-003")}),  # case-insensitive, mid-token end
        ("ydra-1", {("ClientFingerprint", "fp-hydra-1")}),  # inside a token
        ("fp:hydra", {("ClientFingerprint", "fp-hydra-1"), ("ClientFingerprint", "fp-hydra-2")}),
    ],
)
def test_a_fragment_finds_what_a_contains_scan_finds(world: Graph, text: str, expected: set) -> None:
    assert found(world, text) == expected
    assert contains_scan(world, text) == expected


def test_an_ip_fragment_and_an_as_number(world: Graph) -> None:
    ips = found(world, "ip:203.0.113.")
    assert ips == contains_scan(world, "ip:203.0.113.") and len(ips) >= 8
    asn = world.read("MATCH (a:ASN) RETURN a.asn AS n, a.as_org AS org ORDER BY n LIMIT 1")[0]
    assert ("ASN", str(asn["n"])) in found(world, f"asn:AS{asn['n']}")
    if asn["org"]:  # and by its organisation's name, which the old scan did not search
        assert ("ASN", str(asn["n"])) in found(world, f"asn:{asn['org'][:5]}")


def test_a_typo_still_finds_its_target(world: Graph) -> None:
    hits = read_search(world, search.parse("fp:fp-hydar-1"))
    assert hits and (hits[0]["kind"], hits[0]["key"]) == ("ClientFingerprint", "fp-hydra-1")


@pytest.mark.parametrize(
    "text",
    [
        ACCOUNT_FORMULA,
        'HYPERLINK("http',
        "](http://127.0.0.1:9/_beacon)",
        "<img src=x",
        "$x$ :material/home:",
    ],
)
def test_lucene_syntax_in_the_data_is_matched_literally(both_worlds: Graph, text: str) -> None:
    """Fragments of the hostile world's values, full of Lucene syntax (``+ ( " : / [ ] $``): as a
    Lucene query ``=1+2`` means "=1 or 2", ``HYPERLINK("http`` does not parse; here each finds
    exactly the nodes holding it."""
    expected = contains_scan(both_worlds, text)
    assert expected  # the fragment is in the hostile world
    assert found(both_worlds, text) == expected
    assert expected & {
        ("Account", ACCOUNT_BEACON),
        ("Account", ACCOUNT_FORMULA),
        ("Account", ACCOUNT_HTML),
        ("PromptTemplate", TEMPLATE),
    }


# Typed syntax that, read as Lucene, would match more than the text says: nothing holds these
# strings and no near spelling of their letters and digits exists, so the search finds nothing.
WIDENING = [
    "*",  # as Lucene: every node
    "?",
    "*:*",
    "{* TO *}",
    "a1-0*",  # as Lucene: every a1-0… account
    "a1-00?",
    "acct:a1-00*",
    "/a1-0.*/",  # as Lucene: a regular expression
    "[a1-000 TO a1-039]",  # as Lucene: a range of 40
    "account_id:a1-001",  # as Lucene: a field
    "a1-001 OR cl-a2",  # as Lucene: both
    "a1-001 || corp-001",
    "NOT a1-001",  # as Lucene: everything else
]
# Syntax around a real id: as Lucene an exclusion, a requirement, a wildcard, parse errors; here
# punctuation like any other, so the search falls back to near spellings of ``a1-001``.
AROUND_AN_ID = ["-a1-001", "+a1-001", "a1-001*", '"a1-001', "(a1-001", "a1-001\\", "a1-001 &&"]
# Syntax with digits (a boost, an edit distance): the digits are searched as text, nothing more.
WITH_DIGITS = ["a1-001^10", "a1-001~2", "a1-001~"]


def neutral(text: str) -> str:
    """``text`` with every Lucene special character replaced by ``#``, which means nothing."""
    return search.LUCENE_SPECIAL.sub("#", text)


@pytest.mark.parametrize("text", WIDENING + AROUND_AN_ID + WITH_DIGITS)
def test_lucene_syntax_typed_neither_errors_nor_widens(both_worlds: Graph, text: str) -> None:
    hits = read_search(both_worlds, search.parse(text), per_kind=100)
    assert not contains_scan(both_worlds, text)  # no value holds the text itself
    # the syntax acts as plain punctuation: the same answer as with a meaningless character
    assert found(both_worlds, text) == found(both_worlds, neutral(text))
    if text in WIDENING:
        assert hits == []
    if text in AROUND_AN_ID:
        assert (hits[0]["kind"], hits[0]["key"]) == ("Account", "a1-001")
    assert len(hits) < both_worlds.count("MATCH (a:Account) RETURN count(a)")


def test_the_lookup_page_takes_lucene_syntax_as_text(both_worlds: Graph) -> None:
    at = open_page("lookup")
    at.text_input(key="lookup_q").set_value("*").run()
    no_errors(at)
    assert any("Nothing matches" in w.value for w in at.warning)
    at.text_input(key="lookup_q").set_value("acct:1+2").run()
    assert not at.exception  # (the account is banned: the page shows its ban as an error box)
    assert f"Account {ACCOUNT_FORMULA}" in texts(at)
