"""api_keys → ``ApiKey`` nodes and ``(Account)-[:HAS_KEY]->(ApiKey)``."""

from __future__ import annotations

import pyarrow as pa

from hydrascope import contract
from hydrascope.schema.model import API_KEY, HAS_KEY
from ingest.context import IngestContext
from ingest.load import Row, delete_stale_orphans, delete_stale_relationships, node_rows, rel_rows, to_rows
from ingest.readers import SourceFile
from ingest.sources.common import get

TABLE = contract.API_KEYS
PROPS = ("created_at", "revoked_at")


def transform(good: pa.Table) -> dict[str, list[Row]]:
    rows = to_rows(good.select(list(TABLE.column_names)))
    return {"keys": node_rows(rows, "key_id", PROPS), "has_key": rel_rows(rows, "account_id", "key_id")}


def load(ctx: IngestContext, data: dict[str, list[Row]]) -> None:
    ctx.writer.nodes(API_KEY, data["keys"], PROPS)
    ctx.writer.rels(HAS_KEY, data["has_key"])


def cleanup(ctx: IngestContext) -> dict[str, int]:
    assert ctx.graph is not None
    return {
        HAS_KEY.type: delete_stale_relationships(ctx.graph, HAS_KEY, ctx.update_tag),
        API_KEY.label: delete_stale_orphans(ctx.graph, API_KEY, ctx.update_tag),
    }


def sync(ctx: IngestContext, files: list[SourceFile]) -> None:
    good = get(ctx, TABLE, files)
    if good is not None:
        load(ctx, transform(good))
