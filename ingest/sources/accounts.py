"""accounts → ``Account`` nodes, ``EmailDomain`` nodes and ``(Account)-[:REGISTERED_WITH]->(EmailDomain)``."""

from __future__ import annotations

import pyarrow as pa

from hydrascope import contract
from hydrascope.schema.model import ACCOUNT, EMAIL_DOMAIN, REGISTERED_WITH
from ingest.context import IngestContext
from ingest.load import (
    Row,
    delete_stale_orphans,
    delete_stale_relationships,
    ident,
    node_rows,
    rel_rows,
    to_rows,
)
from ingest.readers import SourceFile
from ingest.sources.common import get

TABLE = contract.ACCOUNTS
PROPS = ("created_at", "email", "org_id", "declared_country", "tier", "status")


def email_domain(email: str | None) -> str | None:
    """The lower-cased domain of an address, or None when it has no usable ``@domain``."""
    if not email or "@" not in email:
        return None
    domain = email.rsplit("@", 1)[1].strip().lower().rstrip(".")
    return domain or None


def transform(good: pa.Table) -> dict[str, list[Row]]:
    rows = to_rows(good.select(list(TABLE.column_names)))
    links = [{"account_id": r["account_id"], "domain": d} for r in rows if (d := email_domain(r["email"]))]
    domains = sorted({link["domain"] for link in links})
    return {
        "accounts": node_rows(rows, "account_id", PROPS),
        "domains": [{"key": d, "props": {}} for d in domains],
        "registered": rel_rows(links, "account_id", "domain"),
    }


def load(ctx: IngestContext, data: dict[str, list[Row]]) -> None:
    ctx.writer.nodes(ACCOUNT, data["accounts"], PROPS)
    ctx.writer.nodes(EMAIL_DOMAIN, data["domains"], ())
    ctx.writer.rels(REGISTERED_WITH, data["registered"])
    # The per-domain account count is recomputed from the graph, so it is right after any run.
    count_cypher = (
        f"UNWIND $rows AS row MATCH (d:{ident(EMAIL_DOMAIN.label)} {{{ident(EMAIL_DOMAIN.key)}: row.key}}) "
        f"SET d.accounts = COUNT {{ (d)<-[:{ident(REGISTERED_WITH.type)}]-() }}"
    )
    ctx.writer.statement("EmailDomain.accounts", count_cypher, data["domains"])


def cleanup(ctx: IngestContext) -> dict[str, int]:
    """After a clean full load: registrations no longer exported, then domains left with none."""
    assert ctx.graph is not None
    return {
        REGISTERED_WITH.type: delete_stale_relationships(ctx.graph, REGISTERED_WITH, ctx.update_tag),
        EMAIL_DOMAIN.label: delete_stale_orphans(ctx.graph, EMAIL_DOMAIN, ctx.update_tag),
    }


def sync(ctx: IngestContext, files: list[SourceFile]) -> None:
    good = get(ctx, TABLE, files)
    if good is None:
        return
    data = transform(good)
    ctx.accounts_loaded.extend(r["key"] for r in data["accounts"])
    load(ctx, data)
