"""Lookup prefixes and ranking."""

from __future__ import annotations

import re

from hydrascope.ui import search


def test_prefix_selects_the_node_type() -> None:
    assert search.parse("ip: 203.0.113") == search.SearchRequest(("IP",), "203.0.113")
    assert search.parse("card:TOK_9").kinds == ("PaymentInstrument",)
    assert search.parse("asn:AS64500") == search.SearchRequest(("ASN",), "64500")
    assert search.parse("fp:abc").kinds == ("ClientFingerprint",)


def test_no_prefix_searches_every_type() -> None:
    request = search.parse("Atlas")
    assert request.term == "atlas" and "Account" in request.kinds and "Campaign" in request.kinds
    assert search.parse("http://x").kinds == tuple(search.SEARCHABLE)


def test_rank_exact_then_prefix_then_similar() -> None:
    candidates = [{"kind": "Account", "key": k} for k in ("xacc-1", "acc-12", "acc-1", "acd-1")]
    assert [c["key"] for c in search.rank("acc-1", candidates)] == ["acc-1", "acc-12", "xacc-1", "acd-1"]


# Inputs an analyst may type (or paste) that mean something to Lucene's query parser.
LUCENE_SYNTAX = (
    "*",
    "?",
    "*:*",
    "a1-00*",
    "acct_id:a1",
    'a1 OR "x" AND NOT y',
    "a1~2",
    "a1^100",
    "[a TO z]",
    "{* TO *}",
    "/.*/",
    "+a1 -a2 && b || c !d",
    "(a1",
    "\\",
    '"',
)


def test_lucene_escape_makes_every_special_character_literal() -> None:
    special = '+-!(){}[]^"~*?:\\/&|'
    escaped = search.lucene_escape(special)
    assert escaped == "".join("\\" + c for c in special)
    assert search.lucene_escape("a1 b2") == "a1 b2"


def test_queries_are_built_from_letter_and_digit_runs_only() -> None:
    assert search.runs("A1-00") == ["a1", "00"]
    assert search.contains_query("A1-00") == '"a1 00"^4 OR (*a1* AND *00*)'
    assert search.fuzzy_query("fp-hydar-1") == "*fp* AND hydar~1 AND *1*"
    assert search.fuzzy_query("employe-7") == "employe~2 AND *7*"
    assert search.fuzzy_query("a1-0*") is None  # no long run: nothing to spell near
    run = r"[a-z0-9]+"
    contains = re.compile(rf'"{run}( {run})*"\^4 OR \(\*{run}\*( AND \*{run}\*)*\)')
    term = rf"({run}~[12]|\*{run}\*)"
    fuzzy = re.compile(rf"{term}( AND {term})*")
    for text in LUCENE_SYNTAX:
        # nothing of the input's syntax survives: only the builder's own shape, around plain runs
        c, f = search.contains_query(text.lower()), search.fuzzy_query(text.lower())
        assert c is None or contains.fullmatch(c), (text, c)
        assert f is None or fuzzy.fullmatch(f), (text, f)


def test_no_letter_or_digit_no_query() -> None:
    # ``*`` alone would match every node: a fragment without a run asks nothing of the index
    for text in ("*", "?", "*:*", "\\", '"', "~", "&&", "  "):
        assert search.contains_query(text) is None and search.fuzzy_query(text) is None


def test_rank_uses_the_index_score_within_a_tier() -> None:
    candidates = [
        {"kind": "ClientFingerprint", "key": "fp-hydra-2", "score": 0.8},
        {"kind": "ClientFingerprint", "key": "fp-hydra-1", "score": 1.3},
    ]
    assert [c["key"] for c in search.rank("fp-hydar-1", candidates)] == ["fp-hydra-1", "fp-hydra-2"]
