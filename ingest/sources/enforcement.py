"""enforcement → the full history in the event store; ``Account.status``, ``banned_at``,
``ban_reason`` and ``enforcement_actions`` recomputed from that history and SET.

Accounts loaded from the accounts table in the same run are recomputed too, so an export's
``status`` column never overrides a later ban.
"""

from __future__ import annotations

from typing import Any

from hydrascope import contract
from hydrascope.schema.model import ACCOUNT
from ingest import aggregate
from ingest.context import IngestContext
from ingest.load import to_rows
from ingest.readers import SourceFile
from ingest.sources.activity import touched_accounts
from ingest.sources.common import get

TABLE = contract.ENFORCEMENT
PROPS = ("status", "banned_at", "ban_reason", "enforcement_actions")
TOUCHED = "touched_enforcement_all"


def commit(ctx: IngestContext) -> None:
    if TABLE.name not in ctx.store.staged_tables():
        return
    result, duplicates = ctx.store.commit(TABLE.name, ctx.con, dry_run=ctx.dry_run)
    report = ctx.report.table(TABLE.name)
    report.loaded += result.new
    report.already_stored += result.already_stored
    report.rejected += result.duplicates
    ctx.rejects.write(duplicates)


def transform(ctx: IngestContext) -> list[dict[str, Any]]:
    rows = to_rows(aggregate.enforcement(ctx.con, ctx.store, TOUCHED))
    return [{"key": r["account_id"], "props": {p: r[p] for p in PROPS if r[p] is not None}} for r in rows]


def load(ctx: IngestContext, rows: list[dict[str, Any]]) -> None:
    ctx.writer.nodes(ACCOUNT, rows, PROPS)


def sync(ctx: IngestContext, files: list[SourceFile] | None) -> None:
    if files:
        get(ctx, TABLE, files)
    commit(ctx)
    if ctx.dry_run or not ctx.store.has_events(TABLE.name):
        return
    touched_accounts(ctx, (TABLE.name,), TOUCHED)
    if ctx.accounts_loaded:
        ctx.con.execute(
            f"INSERT INTO {TOUCHED} SELECT unnest($ids) EXCEPT SELECT account_id FROM {TOUCHED}",  # noqa: S608
            {"ids": ctx.accounts_loaded},
        )
    load(ctx, transform(ctx))
    ctx.store.clear_journals(ctx.store.pending_journals(TABLE.name))
