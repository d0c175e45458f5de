"""proxy_services → ``ProxyService`` nodes."""

from __future__ import annotations

import pyarrow as pa

from hydrascope import contract
from hydrascope.schema.model import PROXY_SERVICE
from ingest.context import IngestContext
from ingest.load import Row, delete_stale_orphans, node_rows, to_rows
from ingest.readers import SourceFile
from ingest.sources.common import get

TABLE = contract.PROXY_SERVICES
PROPS = ("name", "kind")


def transform(good: pa.Table) -> dict[str, list[Row]]:
    return {"services": node_rows(to_rows(good.select(list(TABLE.column_names))), "service_id", PROPS)}


def load(ctx: IngestContext, data: dict[str, list[Row]]) -> None:
    ctx.writer.nodes(PROXY_SERVICE, data["services"], PROPS)


def cleanup(ctx: IngestContext) -> dict[str, int]:
    """Services no longer exported and no longer named by any IP (never one still in use)."""
    assert ctx.graph is not None
    return {PROXY_SERVICE.label: delete_stale_orphans(ctx.graph, PROXY_SERVICE, ctx.update_tag)}


def sync(ctx: IngestContext, files: list[SourceFile]) -> None:
    good = get(ctx, TABLE, files)
    if good is not None:
        load(ctx, transform(good))
