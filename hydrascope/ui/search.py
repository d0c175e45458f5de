"""Lookup search: type prefixes and fuzzy ranking.

Pure. An analyst types ``ip:203.0.113`` or ``card:tok_9f`` or just a fragment; the prefix picks
which node types to search (labels come from the graph model), the server returns candidates whose
key contains the fragment, and ``rank`` orders them (exact, prefix, then similarity) so a typo
still finds its target when the fallback search returns near keys.
"""

from __future__ import annotations

import difflib
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


def rank(term: str, candidates: Iterable[Mapping[str, object]], limit: int = 25) -> list[dict[str, object]]:
    """Order candidates ``{"kind", "key", ...}``: exact match, then prefix, then similarity."""
    t = term.lower()

    def score(c: Mapping[str, object]) -> tuple[int, float, str]:
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
        sim = max(
            difflib.SequenceMatcher(None, t, key).ratio(), difflib.SequenceMatcher(None, t, also).ratio()
        )
        return (tier, -sim, key)

    return [dict(c) for c in sorted(candidates, key=score)[:limit]]
