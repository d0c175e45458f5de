"""payment_methods → ``PaymentInstrument`` nodes and ``(Account)-[:PAID_WITH]->(PaymentInstrument)``.

An ``instrument_id`` that looks like a card number never gets here: validation refuses any
Luhn-valid 13-19 digit value in any column.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pyarrow as pa

from hydrascope import contract
from hydrascope.schema.model import PAID_WITH, PAYMENT_INSTRUMENT
from ingest.context import IngestContext
from ingest.load import Row, delete_stale_orphans, delete_stale_relationships, node_rows, rel_rows, to_rows
from ingest.readers import SourceFile
from ingest.sources.common import get

TABLE = contract.PAYMENT_METHODS
NODE_PROPS = ("kind", "bin", "issuer_country", "first_seen")
REL_PROPS = ("first_seen",)


def transform(good: pa.Table) -> dict[str, list[Row]]:
    rows = to_rows(good.select(list(TABLE.column_names)))
    instruments: dict[str, dict[str, Any]] = {}
    for r in rows:
        inst = instruments.setdefault(r["instrument_id"], {"instrument_id": r["instrument_id"]})
        for p in ("kind", "bin", "issuer_country"):
            if r[p] is not None:
                inst[p] = r[p]
        seen: datetime | None = r["first_seen"]
        if seen is not None and (inst.get("first_seen") is None or seen < inst["first_seen"]):
            inst["first_seen"] = seen  # the instrument's first use by any account
    return {
        "instruments": node_rows(list(instruments.values()), "instrument_id", NODE_PROPS),
        "paid_with": rel_rows(rows, "account_id", "instrument_id", REL_PROPS),
    }


def load(ctx: IngestContext, data: dict[str, list[Row]]) -> None:
    ctx.writer.nodes(PAYMENT_INSTRUMENT, data["instruments"], NODE_PROPS)
    ctx.writer.rels(PAID_WITH, data["paid_with"], REL_PROPS)


def cleanup(ctx: IngestContext) -> dict[str, int]:
    assert ctx.graph is not None
    return {
        PAID_WITH.type: delete_stale_relationships(ctx.graph, PAID_WITH, ctx.update_tag),
        PAYMENT_INSTRUMENT.label: delete_stale_orphans(ctx.graph, PAYMENT_INSTRUMENT, ctx.update_tag),
    }


def sync(ctx: IngestContext, files: list[SourceFile]) -> None:
    good = get(ctx, TABLE, files)
    if good is not None:
        load(ctx, transform(good))
