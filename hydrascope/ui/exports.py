"""What analysts take out of the app: a ban list, the current drawing, a STIX 2.1 bundle.

Pure (no Streamlit, no Neo4j): DataFrames and views in, strings out, so each format is tested on
its own. The STIX bundle is for partner labs: it carries infrastructure indicators only (IPs, AS
numbers, the proxy service, the campaign) and never personal data — no account id, no email —
which ``stix_bundle`` enforces by construction and by a final scrub of every free-text field.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import igraph as ig
import pandas as pd
import stix2

from hydrascope.inert import csv_frame
from hydrascope.ui.graphviews import GraphView
from hydrascope.ui.privacy import EMAIL_RE

BAN_LIST_COLUMNS = (
    "account_id",
    "email",
    "status",
    "cluster_id",
    "campaign",
    "cluster_score",
    "account_score",
    "reasons",
    "cluster_evidence",
)


def ban_list_csv(members: pd.DataFrame) -> str:
    """The ban list as CSV: one row per account, its scores and the evidence behind them.

    List cells (reasons, evidence) are joined with `` | `` so a spreadsheet keeps one row per
    account. Accounts an analyst allowlisted or marked false positive never reach this function:
    the ban list (``hydrascope.jobs.export.ban_list``) leaves them out. Text cells that a
    spreadsheet would run as a formula (an account id ``=1+2``) are neutralised by
    ``hydrascope.inert.csv_frame``.
    """
    out = members.reindex(columns=list(BAN_LIST_COLUMNS)).copy()
    for col in ("reasons", "cluster_evidence"):
        out[col] = out[col].map(
            lambda v: " | ".join(map(str, v)) if isinstance(v, list | tuple) else (v or "")
        )
    return frame_csv(out)


def frame_csv(frame: pd.DataFrame) -> str:
    """Any table as inert CSV: formula-like text cells neutralised (``hydrascope.inert``)."""
    buf = io.StringIO()
    # CRLF rows (RFC 4180): a cell holding a bare CR or LF is then quoted and cannot split its row.
    csv_frame(frame).to_csv(buf, index=False, lineterminator="\r\n")
    return buf.getvalue()


def _plain(value: Any) -> Any:
    """JSON/GraphML-safe value: lists stay lists for JSON; datetimes become ISO strings."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)


def view_to_json(view: GraphView) -> str:
    """The current drawing as JSON (nodes with kind, state, position and properties; edges)."""
    doc = {
        "title": view.title,
        "nodes": [
            {
                "id": n.id,
                "kind": n.kind,
                "key": n.key,
                "caption": n.caption,
                "state": n.state,
                "count": n.count,
                "x": n.x,
                "y": n.y,
                "properties": {k: _plain(v) for k, v in n.props.items()},
                **({"members": list(n.members)} if n.members else {}),
            }
            for n in view.nodes
        ],
        "edges": [
            {"source": e.source, "target": e.target, "type": e.type, "weight": e.weight} for e in view.edges
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


# XML 1.0 cannot carry these at all (igraph refuses to write them): shown as U+FFFD instead.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
GRAPHML_NODE_FIELDS = ("view_id", "kind", "key", "caption", "state", "count", "x", "y")


def _graphml_text(value: Any) -> str:
    """A property as GraphML text: lists joined with ``;``, nothing as empty, and characters
    XML cannot hold replaced, so an outsider's value is written as data whatever it contains."""
    if value is None or value == [] or value == ():
        return ""
    text = ";".join(map(str, value)) if isinstance(value, list | tuple) else str(_plain(value))
    return _NOT_XML.sub("\ufffd", text)


def view_to_graphml(view: GraphView) -> str:
    """The current drawing as GraphML (Gephi, yEd, Cytoscape), written by igraph's ``write_graphml``.

    GraphML node ids are igraph's (``n0``, ``n1`` …: nothing an outsider wrote); each node's view
    id (``Account:a1``) is its ``view_id``. Coordinates are numbers, ``count`` and the edge ``weight``
    too; every other property is text (lists joined with ``;``), escaped by the writer."""
    graph = ig.Graph(n=len(view.nodes), directed=True)
    index = {n.id: i for i, n in enumerate(view.nodes)}
    graph.vs["view_id"] = [_graphml_text(n.id) for n in view.nodes]
    for name in ("kind", "key", "caption", "state"):
        graph.vs[name] = [_graphml_text(getattr(n, name)) for n in view.nodes]
    graph.vs["count"] = [float(n.count or 0) for n in view.nodes]
    for name in ("x", "y"):
        graph.vs[name] = [
            float(v) if (v := getattr(n, name)) is not None else float("nan") for n in view.nodes
        ]
    extra = sorted({k for n in view.nodes for k in n.props if k not in GRAPHML_NODE_FIELDS})
    for name in extra:
        graph.vs[name] = [_graphml_text(n.props.get(name)) for n in view.nodes]
    graph.add_edges([(index[e.source], index[e.target]) for e in view.edges])
    graph.es["type"] = [_graphml_text(e.type) for e in view.edges]
    graph.es["weight"] = [float(e.weight) for e in view.edges]
    # igraph writes to a file only (it needs a descriptor): a private temporary one, read back
    with tempfile.TemporaryDirectory(prefix="hydrascope-graphml-") as folder:
        path = Path(folder) / "view.graphml"
        graph.write_graphml(str(path))
        return path.read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------------ STIX


@dataclass(frozen=True)
class InfraIndicator:
    """One IP of a cluster's infrastructure, with what a partner lab needs to act on it."""

    ip: str
    accounts: int
    requests: int = 0
    asn: int | None = None
    as_org: str | None = None
    proxy_service: str | None = None
    is_datacenter: bool = False
    first_seen: datetime | None = None
    last_seen: datetime | None = None


@dataclass(frozen=True)
class ClusterIntel:
    """A cluster's shareable facts. Built from the read layer's rows; carries no account ids or emails."""

    cluster_id: str
    score: float
    size: int
    evidence: Sequence[str]
    campaign_name: str | None = None
    campaign_id: str | None = None
    indicators: Sequence[InfraIndicator] = field(default_factory=tuple)


IDENTITY = stix2.Identity(
    id="identity--5d7a1f0e-6b0f-4c1c-9a8e-3d2f4b7c9e10",
    name="Hydrascope (trust and safety)",
    identity_class="organization",
    created="2026-01-01T00:00:00.000Z",
    modified="2026-01-01T00:00:00.000Z",
)


def scrub_for_sharing(text: str, forbidden: Iterable[str] = ()) -> str:
    """Drop emails and any forbidden token (account ids) from text leaving the organisation."""
    out = EMAIL_RE.sub("[email removed]", text)
    for token in sorted(set(forbidden), key=len, reverse=True):
        if token:
            out = out.replace(token, "[account]")
    return re.sub(r"\bacct[-_][A-Za-z0-9]+\b", "[account]", out)


def stix_bundle(intel: ClusterIntel, forbidden: Iterable[str] = (), now: datetime | None = None) -> str:
    """A STIX 2.1 bundle of a cluster's infrastructure: campaign, proxy infrastructure, AS, IPs.

    One indicator per IP (pattern ``[ipv4-addr:value = '…']``) that *indicates* the campaign; the
    IP observables *belong to* their AS; a proxy service is an ``anonymization`` infrastructure
    that *consists of* its egress IPs and that the campaign *uses*. Everything is marked TLP:AMBER.
    ``forbidden`` names strings that must not appear (the cluster's account ids): they are scrubbed
    from every text field.
    """
    now = now or datetime.now(UTC)
    common: dict[str, Any] = {"created_by_ref": IDENTITY.id, "object_marking_refs": [stix2.TLP_AMBER.id]}
    forbidden = list(forbidden)
    objects: list[Any] = [IDENTITY, stix2.TLP_AMBER]
    evidence = [scrub_for_sharing(e, forbidden) for e in intel.evidence]
    campaign = stix2.Campaign(
        name=scrub_for_sharing(intel.campaign_name or f"Distillation cluster {intel.cluster_id}", forbidden),
        description=(
            f"Coordinated API accounts harvesting model outputs (cluster score {intel.score:.2f}, "
            f"{intel.size} accounts). Evidence: " + "; ".join(evidence)
        ),
        objective="Distillation of a model's outputs through many coordinated API accounts",
        first_seen=min((i.first_seen for i in intel.indicators if i.first_seen), default=None),
        last_seen=max((i.last_seen for i in intel.indicators if i.last_seen), default=None),
        **common,
    )
    objects.append(campaign)
    asns: dict[int, stix2.AutonomousSystem] = {}
    proxies: dict[str, stix2.Infrastructure] = {}
    for ind in intel.indicators:
        if ind.asn is not None and ind.asn not in asns:
            asns[ind.asn] = stix2.AutonomousSystem(number=int(ind.asn), name=ind.as_org or None)
        if ind.proxy_service and ind.proxy_service not in proxies:
            proxies[ind.proxy_service] = stix2.Infrastructure(
                name=scrub_for_sharing(ind.proxy_service, forbidden),
                infrastructure_types=["anonymization"],
                description="Commercial proxy / API-reselling service used as egress by the campaign",
                **common,
            )
    objects.extend(asns.values())
    for infra in proxies.values():
        objects.append(infra)
        objects.append(stix2.Relationship(campaign, "uses", infra, **common))
    for ind in intel.indicators:
        v6 = ":" in ind.ip
        kwargs: dict[str, Any] = {"value": ind.ip}
        if ind.asn is not None:
            kwargs["belongs_to_refs"] = [asns[ind.asn].id]
        address = stix2.IPv6Address(**kwargs) if v6 else stix2.IPv4Address(**kwargs)
        objects.append(address)
        kind = "ipv6-addr" if v6 else "ipv4-addr"
        notes = [f"used by {ind.accounts} accounts of the cluster", f"{ind.requests} requests"]
        if ind.proxy_service:
            notes.append(f"egress of {ind.proxy_service}")
        if ind.is_datacenter:
            notes.append("datacenter")
        indicator = stix2.Indicator(
            name=f"Distillation infrastructure {ind.ip}",
            description=scrub_for_sharing("; ".join(notes), forbidden),
            indicator_types=["malicious-activity"],
            pattern=f"[{kind}:value = '{ind.ip}']",
            pattern_type="stix",
            valid_from=ind.first_seen or now,
            **common,
        )
        objects.append(indicator)
        objects.append(stix2.Relationship(indicator, "indicates", campaign, **common))
        objects.append(stix2.Relationship(indicator, "based-on", address, **common))
        if ind.proxy_service:
            objects.append(stix2.Relationship(proxies[ind.proxy_service], "consists-of", address, **common))
    bundle = stix2.Bundle(objects=objects, allow_custom=False)
    text: str = bundle.serialize(pretty=True)
    leaks = [t for t in forbidden if t and t in text]
    if leaks or EMAIL_RE.search(text):
        raise ValueError("refusing to export: personal data would leave in the STIX bundle")
    return text


def intel_from_rows(summary: Mapping[str, Any], ips: Iterable[Mapping[str, Any]]) -> ClusterIntel:
    """Build ``ClusterIntel`` from the read layer's rows (cluster summary and its shared IPs)."""
    return ClusterIntel(
        cluster_id=str(summary["cluster_id"]),
        score=float(summary.get("score") or 0.0),
        size=int(summary.get("size") or 0),
        evidence=list(summary.get("evidence") or []),
        campaign_name=summary.get("campaign_name"),
        campaign_id=summary.get("campaign_id"),
        indicators=tuple(
            InfraIndicator(
                ip=str(r["ip"]),
                accounts=int(r.get("accounts") or 0),
                requests=int(r.get("requests") or 0),
                asn=int(r["asn"]) if r.get("asn") is not None else None,
                as_org=r.get("as_org"),
                proxy_service=r.get("proxy_service"),
                is_datacenter=bool(r.get("is_datacenter")),
                first_seen=_as_datetime(r.get("first_seen")),
                last_seen=_as_datetime(r.get("last_seen")),
            )
            for r in ips
        ),
    )


def _as_datetime(value: Any) -> datetime | None:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    ts = pd.Timestamp(value)
    return (
        None
        if pd.isna(ts)
        else ts.tz_localize(UTC).to_pydatetime()
        if ts.tzinfo is None
        else ts.to_pydatetime()
    )
