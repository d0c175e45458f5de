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
    """A behavioural edge: the relationship and the event column naming its end node.

    ``shared_only`` (templates): only templates that two or more accounts sent become nodes and
    edges (``template_users``); one only one account ever sent ties nobody, and a paraphrasing
    account sends thousands of them, so they are kept as per-account counts (``solo_templates``)."""

    rel: RelType
    column: str
    with_logins: bool
    shared_only: bool = False


EDGES = (
    EdgeSpec(CONNECTED_FROM, "ip", True),
    EdgeSpec(USED_CLIENT, "client_fingerprint", True),
    EdgeSpec(SENT, "prompt_template", False, shared_only=True),
    EdgeSpec(ASKED_FOR, "capability", False),
    EdgeSpec(CALLED, "model", False),
)
ACTIVITY_PROPS = ("first_seen", "last_seen", "requests", "input_tokens", "output_tokens")


def _events(store: EventStore, table: str, touched: str) -> str:
    return f"(SELECT * FROM {store.scan(table)} WHERE account_id IN (SELECT account_id FROM {touched}))"


def _live_requests(store: EventStore, cutoff: datetime | None) -> str:
    """Every stored request that is not older than the TTL ``cutoff`` (the ``$cutoff`` parameter)."""
    where = "WHERE ts >= $cutoff" if cutoff is not None else ""
    return f"(SELECT account_id, prompt_template FROM {store.scan('requests')} {where})"


def _cutoff_params(cutoff: datetime | None) -> dict[str, datetime]:
    return {"cutoff": cutoff} if cutoff is not None else {}


def add_template_partners(
    con: duckdb.DuckDBPyConnection, store: EventStore, touched: str, cutoff: datetime | None
) -> int:
    """Add to ``touched`` every other account that is the only other sender of a template the
    touched accounts sent; returns how many were added.

    Why: whether a template is one account's own or shared is a fact about every sender. When a
    touched account starts sending a template that one untouched account had to itself, that
    account's ``SENT`` edge and ``solo_templates`` count change too, so it is aggregated again (a
    template with two or more untouched senders was shared already; one with none changes only
    touched accounts)."""
    live = _live_requests(store, cutoff)
    sql = f"""
    WITH mine AS (SELECT DISTINCT prompt_template FROM {live}
                  WHERE prompt_template IS NOT NULL AND account_id IN (SELECT account_id FROM {touched})),
         others AS (SELECT DISTINCT prompt_template, account_id FROM {live}
                    WHERE prompt_template IN (SELECT prompt_template FROM mine)
                      AND account_id NOT IN (SELECT account_id FROM {touched})),
         lone AS (SELECT any_value(account_id) AS account_id FROM others
                  GROUP BY prompt_template HAVING count(*) = 1)
    SELECT DISTINCT account_id FROM lone"""
    con.execute(f"CREATE OR REPLACE TEMP TABLE template_partners AS {sql}", _cutoff_params(cutoff))
    added = int(con.execute("SELECT count(*) FROM template_partners").fetchall()[0][0])
    if added:
        con.execute(f"INSERT INTO {touched} SELECT account_id FROM template_partners")
    return added


def _count_template_users(con: duckdb.DuckDBPyConnection, store: EventStore, cutoff: datetime | None) -> None:
    """``template_users``: how many accounts (in the whole store, within the TTL) sent each
    template the prepared accounts sent."""
    sql = f"""SELECT prompt_template, count(DISTINCT account_id) AS users FROM {_live_requests(store, cutoff)}
              WHERE prompt_template IN (SELECT DISTINCT prompt_template FROM ev_requests)
              GROUP BY prompt_template"""
    con.execute(f"CREATE OR REPLACE TEMP TABLE template_users AS {sql}", _cutoff_params(cutoff))


def prepare(
    con: duckdb.DuckDBPyConnection, store: EventStore, touched: str, cutoff: datetime | None = None
) -> None:
    """Read the touched accounts' stored requests and logins once (only the columns aggregates
    use) into ``ev_requests``/``ev_logins``: every aggregate below scans these, not the Parquet;
    and count every sender of their templates (``template_users``: shared or one account's own)."""
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
    _count_template_users(con, store, cutoff)


def edges(con: duckdb.DuckDBPyConnection, spec: EdgeSpec, cutoff: datetime | None) -> pa.Table:
    """One row per (account, end) pair of the touched accounts: first/last seen, requests, tokens
    (and logins for IPs and fingerprints). Pairs last seen before ``cutoff`` (the TTL) are left out."""
    col = spec.column
    req = f"""SELECT account_id, {col} AS k, min(ts) AS f, max(ts) AS l, count(*) AS n,
                     CAST(sum(coalesce(input_tokens, 0)) AS BIGINT) AS it,
                      CAST(sum(coalesce(output_tokens, 0)) AS BIGINT) AS ot
              FROM ev_requests WHERE {col} IS NOT NULL {_shared(spec)} GROUP BY ALL"""
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


def _shared(spec: EdgeSpec) -> str:
    if not spec.shared_only:
        return ""
    return f"AND {spec.column} IN (SELECT prompt_template FROM template_users WHERE users >= 2)"


def accounts(con: duckdb.DuckDBPyConnection, cutoff: datetime | None = None) -> pa.Table:
    """Per-account totals over all time, the activity profile (distinct active epoch hours, the
    newest ``ACTIVE_HOURS_KEPT``, ascending) that the synchrony signal compares, and the templates
    only the account sent (``solo_*``: ``template_users`` says which; pairs last seen before the
    TTL ``cutoff`` left out, as ``edges`` leaves them out)."""
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
               WHERE rank <= {ACTIVE_HOURS_KEPT} GROUP BY account_id),
         pairs AS (SELECT account_id, prompt_template, min(ts) AS f, max(ts) AS l, count(*) AS n
                   FROM ev_requests WHERE prompt_template IN
                        (SELECT prompt_template FROM template_users WHERE users = 1)
                   GROUP BY ALL),
         solo AS (SELECT account_id, count(*) AS k, sum(n) AS n, min(f) AS f, max(l) AS l
                  FROM pairs {"WHERE l >= $cutoff" if cutoff is not None else ""} GROUP BY account_id)
    SELECT account_id, least(r.f, g.f) AS first_seen, greatest(r.l, g.l) AS last_seen,
           coalesce(r.n, 0) AS requests, coalesce(r.it, 0) AS input_tokens,
           coalesce(r.ot, 0) AS output_tokens,
           coalesce(h.hours, []::BIGINT[]) AS active_hours,
           coalesce(solo.k, 0) AS solo_templates,
           CAST(coalesce(solo.n, 0) AS BIGINT) AS solo_template_requests,
           solo.f AS solo_template_first_seen, solo.l AS solo_template_last_seen
    FROM r FULL OUTER JOIN g USING (account_id) LEFT JOIN h USING (account_id)
         LEFT JOIN solo USING (account_id)
    ORDER BY account_id"""
    result: pa.Table = con.sql(sql, params=_cutoff_params(cutoff)).to_arrow_table()
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
