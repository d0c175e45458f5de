"""Aggregate stored events into graph edges and account profiles with DuckDB.

Every aggregate is computed from *all* stored events of the accounts in ``touched`` (the accounts
that new events reached, plus any left pending by a run that died), never from the new events
alone, and the graph receives the result with SET. That is why a re-run cannot double count and
a run after a crash converges: the numbers are a function of the store, whatever happened before.
"""

# SQL here is assembled only from contract column names, store paths and constants; values
# (times, cutoffs) are parameters. Hence no per-line S608 markers.
# ruff: noqa: S608
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import pyarrow as pa

from hydrascope.schema.model import ASKED_FOR, CALLED, CONNECTED_FROM, SENT, USED_CLIENT, RelType
from ingest.store import EventStore

ACTIVE_HOURS_KEPT = 2160  # 90 days of hourly bins: what synchrony needs, bounded per account


@dataclass(frozen=True)
class EdgeSpec:
    """A behavioural edge: the relationship and the event column naming its end node."""

    rel: RelType
    column: str
    with_logins: bool


EDGES = (
    EdgeSpec(CONNECTED_FROM, "ip", True),
    EdgeSpec(USED_CLIENT, "client_fingerprint", True),
    EdgeSpec(SENT, "prompt_template", False),
    EdgeSpec(ASKED_FOR, "capability", False),
    EdgeSpec(CALLED, "model", False),
)
ACTIVITY_PROPS = ("first_seen", "last_seen", "requests", "input_tokens", "output_tokens")


def _events(store: EventStore, table: str, touched: str) -> str:
    return f"(SELECT * FROM {store.scan(table)} WHERE account_id IN (SELECT account_id FROM {touched}))"


def prepare(con: duckdb.DuckDBPyConnection, store: EventStore, touched: str) -> None:
    """Read the touched accounts' stored requests and logins once (only the columns aggregates
    use) into ``ev_requests``/``ev_logins``: every aggregate below scans these, not the Parquet."""
    cols = (
        "account_id, ts, ip, client_fingerprint, model, capability, prompt_template, input_tokens, "
        "output_tokens"
    )
    requests = _events(store, "requests", touched)
    con.execute(f"CREATE OR REPLACE TEMP TABLE ev_requests AS SELECT {cols} FROM {requests}")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ev_logins AS SELECT account_id, ts, ip, client_fingerprint "
        f"FROM {_events(store, 'logins', touched)}"
    )


def edges(con: duckdb.DuckDBPyConnection, spec: EdgeSpec, cutoff: datetime | None) -> pa.Table:
    """One row per (account, end) pair of the touched accounts: first/last seen, requests, tokens
    (and logins for IPs and fingerprints). Pairs last seen before ``cutoff`` (the TTL) are left out."""
    col = spec.column
    req = f"""SELECT account_id, {col} AS k, min(ts) AS f, max(ts) AS l, count(*) AS n,
                     CAST(sum(coalesce(input_tokens, 0)) AS BIGINT) AS it,
                      CAST(sum(coalesce(output_tokens, 0)) AS BIGINT) AS ot
              FROM ev_requests WHERE {col} IS NOT NULL GROUP BY ALL"""
    if spec.with_logins:
        log = f"""SELECT account_id, {col} AS k, min(ts) AS f, max(ts) AS l, count(*) AS logins
                  FROM ev_logins WHERE {col} IS NOT NULL GROUP BY ALL"""
        sql = f"""SELECT account_id, k AS "end", least(r.f, g.f) AS first_seen,
                         greatest(r.l, g.l) AS last_seen,
                         coalesce(r.n, 0) AS requests, coalesce(r.it, 0) AS input_tokens,
                         coalesce(r.ot, 0) AS output_tokens, coalesce(g.logins, 0) AS logins
                  FROM ({req}) r FULL OUTER JOIN ({log}) g USING (account_id, k)"""
    else:
        sql = f"""SELECT account_id, k AS "end", f AS first_seen, l AS last_seen, n AS requests,
                         it AS input_tokens, ot AS output_tokens FROM ({req})"""
    where = "WHERE last_seen >= $cutoff" if cutoff is not None else ""
    params = {"cutoff": cutoff} if cutoff is not None else {}
    result: pa.Table = con.sql(
        f'SELECT * FROM ({sql}) {where} ORDER BY account_id, "end"', params=params
    ).to_arrow_table()
    return result


def accounts(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Per-account totals over all time and the activity profile (distinct active epoch hours,
    the newest ``ACTIVE_HOURS_KEPT``, ascending) that the synchrony signal compares."""
    sql = f"""
    WITH r AS (SELECT account_id, min(ts) AS f, max(ts) AS l, count(*) AS n,
                      CAST(sum(coalesce(input_tokens, 0)) AS BIGINT) AS it,
                      CAST(sum(coalesce(output_tokens, 0)) AS BIGINT) AS ot
               FROM ev_requests GROUP BY ALL),
         g AS (SELECT account_id, min(ts) AS f, max(ts) AS l
               FROM ev_logins GROUP BY ALL),
         h AS (SELECT account_id, list_sort(list(hour)) AS hours FROM (
                 SELECT account_id, hour,
                        row_number() OVER (PARTITION BY account_id ORDER BY hour DESC) AS rank
                 FROM (SELECT DISTINCT account_id, CAST(floor(epoch(ts) / 3600) AS BIGINT) AS hour
                       FROM ev_requests))
               WHERE rank <= {ACTIVE_HOURS_KEPT} GROUP BY account_id)
    SELECT account_id, least(r.f, g.f) AS first_seen, greatest(r.l, g.l) AS last_seen,
           coalesce(r.n, 0) AS requests, coalesce(r.it, 0) AS input_tokens,
           coalesce(r.ot, 0) AS output_tokens,
           coalesce(h.hours, []::BIGINT[]) AS active_hours
    FROM r FULL OUTER JOIN g USING (account_id) LEFT JOIN h USING (account_id)
    ORDER BY account_id"""
    result: pa.Table = con.sql(sql).to_arrow_table()
    return result


def enforcement(con: duckdb.DuckDBPyConnection, store: EventStore, touched: str) -> pa.Table:
    """Per-account enforcement state from the whole stored history.

    ``status`` follows the latest status-changing action (ban → banned, suspend → suspended,
    reinstate/unban → active); other actions (warnings...) only count. NULL status: no change.
    """
    sql = f"""
    SELECT account_id, count(*) AS enforcement_actions,
           max(ts) FILTER (WHERE lower(action) IN ('ban', 'banned')) AS banned_at,
           arg_max(reason, ts) FILTER (WHERE lower(action) IN ('ban', 'banned')) AS ban_reason,
           CASE arg_max(lower(action), ts) FILTER (
                    WHERE lower(action) IN ('ban', 'banned', 'suspend', 'suspended', 'reinstate', 'unban'))
                WHEN 'ban' THEN 'banned' WHEN 'banned' THEN 'banned'
                WHEN 'suspend' THEN 'suspended' WHEN 'suspended' THEN 'suspended'
                WHEN 'reinstate' THEN 'active' WHEN 'unban' THEN 'active' END AS status
    FROM {_events(store, "enforcement", touched)} GROUP BY account_id ORDER BY account_id"""
    result: pa.Table = con.sql(sql).to_arrow_table()
    return result


def newest_event(con: duckdb.DuckDBPyConnection, store: EventStore) -> datetime | None:
    """The newest stored request or login: the clock the TTL is measured against."""
    row = con.execute(
        f"SELECT greatest((SELECT max(ts) FROM {store.scan('requests')}), "
        f"(SELECT max(ts) FROM {store.scan('logins')}))"
    ).fetchall()
    return row[0][0] if row else None
