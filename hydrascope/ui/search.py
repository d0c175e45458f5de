"""Lookup search: type prefixes, the full-text query built from what the analyst typed, ranking.

Pure. An analyst types ``ip:203.0.113`` or ``card:tok_9f`` or just a fragment; the prefix picks
which node types to search (labels come from the graph model). The fragment is looked up in the
model's full-text index (``hydrascope.schema.model.LOOKUP_TEXT``) with a query built here: never
the analyst's text itself, which is data, not Lucene syntax. ``rank`` orders what comes back
(exact, prefix, containing, then the index's score), so a typo still finds its target through the
fuzzy query.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from hydrascope.schema import model

# Searchable node types, and the prefixes an analyst may type for each.
SEARCHABLE: Mapping[str, model.NodeType] = {
    n.label: n
    for n in (
        model.ACCOUNT,
        model.IP,
        model.PAYMENT_INSTRUMENT,
        model.CLIENT_FINGERPRINT,
        model.PROMPT_TEMPLATE,
        model.ASN,
        model.PROXY_SERVICE,
        model.EMAIL_DOMAIN,
        model.CLUSTER,
        model.CAMPAIGN,
        model.MODEL,
        model.API_KEY,
    )
}
PREFIXES: Mapping[str, str] = {
    "acct": "Account",
    "account": "Account",
    "email": "Account",
    "ip": "IP",
    "card": "PaymentInstrument",
    "pay": "PaymentInstrument",
    "instrument": "PaymentInstrument",
    "fp": "ClientFingerprint",
    "fingerprint": "ClientFingerprint",
    "tpl": "PromptTemplate",
    "template": "PromptTemplate",
    "asn": "ASN",
    "as": "ASN",
    "proxy": "ProxyService",
    "domain": "EmailDomain",
    "cluster": "Cluster",
    "campaign": "Campaign",
    "model": "Model",
    "key": "ApiKey",
}


@dataclass(frozen=True)
class SearchRequest:
    """What to look for: the node types and the (lower-cased) fragment."""

    kinds: tuple[str, ...]
    term: str


def parse(text: str) -> SearchRequest:
    """``"ip: 203.0.113"`` → IPs containing ``203.0.113``; no known prefix → every searchable type."""
    raw = text.strip()
    if ":" in raw:
        head, rest = raw.split(":", 1)
        kind = PREFIXES.get(head.strip().lower())
        if kind:
            term = rest.strip()
            if kind == "ASN" and term.lower().startswith("as"):
                term = term[2:]
            return SearchRequest((kind,), term.lower())
    return SearchRequest(tuple(SEARCHABLE), raw.lower())


# Lucene's query syntax: every character the classic query parser gives a meaning to.
LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/&|])')
# Runs of letters and digits: the standard tokenizer never splits inside one, so a run of the
# fragment that occurs in a value lies inside one of the value's tokens.
_RUN = re.compile(r"[^\W_]+")
MAX_RUNS = 8  # a longer fragment is still matched in full by the CONTAINS check after the index


def lucene_escape(text: str) -> str:
    """``text`` with every Lucene special character backslash-escaped: a literal to the parser."""
    return LUCENE_SPECIAL.sub(r"\\\1", text)


def runs(term: str) -> list[str]:
    """The letter-and-digit runs of a fragment, lower-cased (``"a1-00"`` -> ``["a1", "00"]``)."""
    return [r.lower() for r in _RUN.findall(term)][:MAX_RUNS]


def contains_query(term: str) -> str | None:
    """A full-text query for values that may contain ``term``: every run of it inside some token
    (``*run*`` for each, all required), the runs as one phrase boosted first so that the closest
    values lead the candidates. ``None`` when the term has no letter or digit (``*`` alone would
    match everything). The caller keeps only values that really contain ``term``; each run is
    escaped although runs hold no special character, so that a change here cannot let syntax in.
    """
    parts = [lucene_escape(r) for r in runs(term)]
    if not parts:
        return None
    wildcards = " AND ".join(f"*{p}*" for p in parts)
    return f'"{" ".join(parts)}"^4 OR ({wildcards})'


FUZZY_MIN = 3  # shorter runs are near nearly every short token: kept exact
FUZZY_TWO_EDITS = 6  # from this length a run may be two edits away (one below), as Lucene advises


def fuzzy_query(term: str) -> str | None:
    """A full-text query for values spelled like ``term``, the fallback when nothing contains it:
    each run of ``FUZZY_MIN`` or more characters within one edit of a token (two edits from
    ``FUZZY_TWO_EDITS`` characters), each shorter run inside a token (``*run*``), all required.
    ``None`` without such a long run: the fallback then would only repeat the containing query
    without its check, a wider search."""
    parts = [lucene_escape(r) for r in runs(term)]
    if not any(len(r) >= FUZZY_MIN for r in parts):
        return None

    def clause(p: str) -> str:
        if len(p) < FUZZY_MIN:
            return f"*{p}*"
        return f"{p}~{2 if len(p) >= FUZZY_TWO_EDITS else 1}"

    return " AND ".join(clause(p) for p in parts)


def rank(term: str, candidates: Iterable[Mapping[str, object]], limit: int = 25) -> list[dict[str, object]]:
    """Order candidates ``{"kind", "key", "also"?, "score"?}``: exact match, then prefix, then
    containing, then the rest; within each, the full-text index's score (closest spelling first)."""
    t = term.lower()

    def order(c: Mapping[str, object]) -> tuple[int, float, str]:
        key = str(c["key"]).lower()
        also = str(c.get("also") or "").lower()
        if key == t or also == t:
            tier = 0
        elif key.startswith(t) or also.startswith(t):
            tier = 1
        elif t in key or t in also:
            tier = 2
        else:
            tier = 3
        score = c.get("score")
        return (tier, -float(score) if isinstance(score, int | float) else 0.0, key)

    return [dict(c) for c in sorted(candidates, key=order)[:limit]]
