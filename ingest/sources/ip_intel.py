"""ip_intel → ``IP`` properties, ``ASN`` nodes, ``(IP)-[:IN_ASN]->(ASN)`` and
``(IP)-[:EGRESS_OF]->(ProxyService)`` when ``proxy_service`` is set."""

from __future__ import annotations

import pyarrow as pa

from hydrascope import contract
from hydrascope.schema.model import ASN, EGRESS_OF, IN_ASN, IP
from ingest.context import IngestContext
from ingest.ipfacts import ip_facts
from ingest.load import Row, delete_stale_orphans, delete_stale_relationships, node_rows, rel_rows, to_rows
from ingest.readers import SourceFile
from ingest.sources.common import get

TABLE = contract.IP_INTEL
IP_PROPS = ("version", "prefix", "is_cgnat", "country", "is_datacenter", "is_vpn")
ASN_PROPS = ("as_org",)


def transform(good: pa.Table) -> dict[str, list[Row]]:
    rows = [{**r, **ip_facts(r["ip"])} for r in to_rows(good.select(list(TABLE.column_names)))]
    with_asn = [r for r in rows if r["asn"] is not None]
    asns: dict[int, Row] = {}
    for r in with_asn:
        asn = asns.setdefault(r["asn"], {"asn": r["asn"], "as_org": None})
        asn["as_org"] = r["as_org"] or asn["as_org"]
    return {
        "ips": node_rows(rows, "ip", IP_PROPS),
        "asns": node_rows(list(asns.values()), "asn", ASN_PROPS),
        "in_asn": rel_rows(with_asn, "ip", "asn"),
        "egress": rel_rows([r for r in rows if r["proxy_service"]], "ip", "proxy_service"),
    }


def load(ctx: IngestContext, data: dict[str, list[Row]]) -> None:
    ctx.writer.nodes(IP, data["ips"], IP_PROPS)
    ctx.writer.nodes(ASN, data["asns"], ASN_PROPS)
    ctx.writer.rels(IN_ASN, data["in_asn"])
    # A service named here but missing from proxy_services is created, not dropped.
    ctx.writer.rels(EGRESS_OF, data["egress"])


def cleanup(ctx: IngestContext) -> dict[str, int]:
    assert ctx.graph is not None
    return {
        IN_ASN.type: delete_stale_relationships(ctx.graph, IN_ASN, ctx.update_tag),
        EGRESS_OF.type: delete_stale_relationships(ctx.graph, EGRESS_OF, ctx.update_tag),
        ASN.label: delete_stale_orphans(ctx.graph, ASN, ctx.update_tag),
    }


def sync(ctx: IngestContext, files: list[SourceFile]) -> None:
    good = get(ctx, TABLE, files)
    if good is not None:
        load(ctx, transform(good))
