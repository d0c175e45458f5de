"""Build a ``Snapshot`` straight from an input bundle, aggregating like ingest does.

For experiments and the benchmark's ``--direct`` mode: it skips Neo4j and computes the same
aggregates ingest writes to the graph (edges with first/last seen and requests, active hours,
bans from the enforcement table). The detector's production path is ``jobs.snapshot`` over the
graph; the benchmark's default path runs the real ingest and reads the graph.
"""

# SQL here is assembled from fixed table names and file paths; no values are interpolated.
# ruff: noqa: S608
from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from hydrascope.detect.snapshot import Snapshot, ip_prefix
from hydrascope.errors import InputError

ACTIVE_HOURS_KEPT = 2160


def _scan(bundle: Path, table: str) -> str | None:
    for ext, fn in (("parquet", "read_parquet"), ("csv", "read_csv_auto"), ("jsonl", "read_json_auto")):
        path = bundle / f"{table}.{ext}"
        if path.exists():
            return f"{fn}('{path.as_posix()}')"
        # a large table may be split into parts in a folder of the table's name
        folder = bundle / table
        if folder.is_dir() and any(folder.glob(f"*.{ext}")):
            return f"{fn}('{(folder / f'*.{ext}').as_posix()}')"
    return None


def snapshot_from_bundle(bundle: Path) -> Snapshot:
    """Aggregate a bundle's tables into the detector's input."""
    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    req = _scan(bundle, "requests")
    acc = _scan(bundle, "accounts")
    if req is None or acc is None:
        raise InputError(f"{bundle} has no requests or accounts table")
    logins = _scan(bundle, "logins")
    enf = _scan(bundle, "enforcement")

    def q(sql: str) -> pd.DataFrame:
        return con.execute(sql).df()

    epoch = "epoch(ts)"
    bans = (
        f"SELECT account_id, max(epoch(ts)) AS banned_at FROM {enf} WHERE lower(action) = 'ban' GROUP BY 1"
        if enf
        else "SELECT NULL::VARCHAR AS account_id, NULL::DOUBLE AS banned_at WHERE false"
    )
    # org_id is optional in the contract: a bundle without it has no organisations
    acc_columns = set(q(f"SELECT * FROM {acc} LIMIT 0").columns)
    org = "CAST(a.org_id AS VARCHAR)" if "org_id" in acc_columns else "NULL::VARCHAR"
    accounts = q(f"""
        WITH r AS (SELECT account_id, count(*) AS requests,
                          coalesce(sum(output_tokens), 0) AS output_tokens FROM {req} GROUP BY 1),
             h AS (SELECT account_id, list(hr ORDER BY hr DESC) AS hours FROM
                   (SELECT DISTINCT account_id, CAST(floor(epoch(ts) / 3600) AS BIGINT) AS hr
                    FROM {req}) GROUP BY 1),
             b AS ({bans})
        SELECT a.account_id, epoch(a.created_at) AS created_at,
               CASE WHEN b.banned_at IS NOT NULL THEN 'banned' ELSE coalesce(a.status, 'active') END
                 AS status,
               b.banned_at, coalesce(r.requests, 0) AS requests,
               coalesce(r.output_tokens, 0) AS output_tokens, h.hours AS active_hours,
               NULL AS triage_label, {org} AS org_id,
               lower(split_part(a.email, '@', 2)) AS email_domain
        FROM {acc} a LEFT JOIN r USING (account_id) LEFT JOIN h USING (account_id)
             LEFT JOIN b USING (account_id)""")
    accounts["active_hours"] = [  # type: ignore[assignment]
        np.asarray(h[:ACTIVE_HOURS_KEPT] if isinstance(h, (list, np.ndarray)) else [], dtype=np.int64)
        for h in accounts["active_hours"]
    ]
    # content columns (prompt_template, capability) are optional in the contract: a bundle without
    # them simply has no edges of that kind
    req_cols = set(q(f"DESCRIBE SELECT * FROM {req}")["column_name"])
    login_cols = set(q(f"DESCRIBE SELECT * FROM {logins}")["column_name"]) if logins else set()
    parts = []
    for kind, col, with_logins in (
        ("ip", "ip", True),
        ("fingerprint", "client_fingerprint", True),
        ("template", "prompt_template", False),
        ("capability", "capability", False),
        ("model", "model", False),
    ):
        if col not in req_cols:
            continue
        union = f"SELECT account_id, {col} AS k, ts, 1 AS r FROM {req} WHERE {col} IS NOT NULL"
        if with_logins and logins and col in login_cols:
            union += (
                f" UNION ALL SELECT account_id, {col} AS k, ts, 0 AS r FROM {logins} WHERE {col} IS NOT NULL"
            )
        part = q(f"""SELECT '{kind}' AS kind, account_id, k AS object_id, sum(r) AS requests,
                     min({epoch}) AS first_seen, max({epoch}) AS last_seen FROM ({union}) GROUP BY ALL""")
        parts.append(part)
    pay = _scan(bundle, "payment_methods")
    if pay:
        parts.append(
            q(f"""SELECT 'card' AS kind, account_id, instrument_id AS object_id, 0 AS requests,
                          min(epoch(first_seen)) AS first_seen, NULL AS last_seen FROM {pay} GROUP BY ALL""")
        )
    dom = accounts[accounts["email_domain"].fillna("") != ""]
    parts.append(
        pd.DataFrame(
            {
                "kind": "email_domain",
                "account_id": dom["account_id"],
                "object_id": dom["email_domain"],
                "requests": 0,
                "first_seen": dom["created_at"],
                "last_seen": np.nan,
            }
        )
    )
    edges = pd.concat(parts, ignore_index=True)
    intel, svc = _scan(bundle, "ip_intel"), _scan(bundle, "proxy_services")
    if intel:
        ips = q(f"""SELECT i.ip, i.asn, i.as_org, i.is_datacenter, i.is_vpn, i.proxy_service,
                   {"p.kind" if svc else "NULL"} AS proxy_kind FROM {intel} i
                   {f"LEFT JOIN {svc} p ON p.service_id = i.proxy_service" if svc else ""}""")
    else:
        ips = pd.DataFrame(
            columns=["ip", "asn", "as_org", "is_datacenter", "is_vpn", "proxy_service", "proxy_kind"]
        )
    seen = pd.DataFrame({"ip": edges.loc[edges["kind"] == "ip", "object_id"].unique()})
    ips = seen.merge(ips, on="ip", how="left")
    ips["prefix"] = ips["ip"].map(ip_prefix)
    ips["is_cgnat"] = ips["ip"].str.match(r"^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.")
    instruments = (
        q(f"""SELECT instrument_id, any_value(kind) AS kind, any_value(bin) AS bin,
                        min(epoch(first_seen)) AS first_seen FROM {pay} GROUP BY 1""")
        if pay
        else pd.DataFrame(columns=["instrument_id", "kind", "bin", "first_seen"])
    )
    rel = _scan(bundle, "model_releases")
    models = (
        q(f"SELECT model, epoch(released_at) AS released_at FROM {rel}")
        if rel
        else pd.DataFrame(columns=["model", "released_at"])
    )
    return Snapshot(
        accounts=accounts.drop(columns=["email_domain"]),
        edges=edges,
        ips=ips,
        instruments=instruments,
        models=models,
    )
