"""Lookup prefixes and ranking."""

from __future__ import annotations

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
