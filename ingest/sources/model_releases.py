"""model_releases → ``Model.released_at`` (the anchor of the release-pivot signal)."""

from __future__ import annotations

import pyarrow as pa

from hydrascope import contract
from hydrascope.schema.model import MODEL
from ingest.context import IngestContext
from ingest.load import Row, node_rows, to_rows
from ingest.readers import SourceFile
from ingest.sources.common import get

TABLE = contract.MODEL_RELEASES
PROPS = ("released_at",)


def transform(good: pa.Table) -> dict[str, list[Row]]:
    return {"models": node_rows(to_rows(good.select(list(TABLE.column_names))), "model", PROPS)}


def load(ctx: IngestContext, data: dict[str, list[Row]]) -> None:
    ctx.writer.nodes(MODEL, data["models"], PROPS)


def cleanup(ctx: IngestContext) -> dict[str, int]:
    """Nothing: models are named by request events, which outlive any release table."""
    return {}


def sync(ctx: IngestContext, files: list[SourceFile]) -> None:
    good = get(ctx, TABLE, files)
    if good is not None:
        load(ctx, transform(good))
