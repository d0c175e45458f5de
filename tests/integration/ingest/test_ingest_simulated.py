"""The simulator's ``tiny`` world ingests cleanly and the graph matches the bundle's own counts."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from bundle_kit import counts, fingerprint

simulate = pytest.importorskip("hydrascope.simulate")
pytestmark = pytest.mark.neo4j


def _distinct(con, sql: str) -> int:
    return int(con.execute(sql).fetchall()[0][0])


def test_tiny_world_counts_match_the_bundle(tmp_path: Path, graph, ingest_runner) -> None:
    bundle = tmp_path / "tiny"
    manifest = simulate.generate("tiny", bundle, seed=1)
    report = ingest_runner(bundle, ttl=None)
    assert report.ok, (report.problems, report.rows_rejected)
    for table, rows in manifest["tables"].items():
        if not table.startswith("truth/"):
            assert report.table(table).read == rows and report.table(table).loaded == rows, table
    assert "truth" not in report.tables

    con = duckdb.connect()
    r, lg = f"read_parquet('{bundle}/requests*')", f"read_parquet('{bundle}/logins.parquet')"
    if (bundle / "requests").is_dir():
        r = f"read_parquet('{bundle}/requests/*.parquet')"
    acct = f"read_parquet('{bundle}/accounts.parquet')"
    enf = f"read_parquet('{bundle}/enforcement.parquet')"
    c = counts(graph)
    assert c["sum:account_requests"] == manifest["tables"]["requests"]
    assert c["node:Account"] == _distinct(
        con,
        f"""SELECT count(DISTINCT account_id) FROM (
        SELECT account_id FROM {acct} UNION ALL SELECT account_id FROM {r}
        UNION ALL SELECT account_id FROM {lg} UNION ALL SELECT account_id FROM {enf})""",
    )
    assert c["rel:CONNECTED_FROM"] == _distinct(
        con,
        f"""SELECT count(*) FROM (SELECT DISTINCT account_id, ip FROM (
        SELECT account_id, ip FROM {r} UNION ALL SELECT account_id, ip FROM {lg} WHERE ip IS NOT NULL))""",
    )
    # a template with two or more senders is a node with an edge per sender; one account's own
    # templates are a count on that account
    pairs = f"""SELECT account_id, prompt_template,
                       count(*) OVER (PARTITION BY prompt_template) AS senders
                FROM (SELECT DISTINCT account_id, prompt_template FROM {r}
                      WHERE prompt_template IS NOT NULL)"""
    assert c["rel:SENT"] == _distinct(con, f"SELECT count(*) FROM ({pairs}) WHERE senders >= 2")
    solo = graph.count("MATCH (a:Account) RETURN sum(coalesce(a.solo_templates, 0))")
    assert solo == _distinct(con, f"SELECT count(*) FROM ({pairs}) WHERE senders = 1") > 0
    assert c["rel:CALLED"] == _distinct(
        con, f"SELECT count(DISTINCT (account_id, model)) FROM {r} WHERE model IS NOT NULL"
    )
    assert c["rel:PAID_WITH"] == manifest["tables"]["payment_methods"]
    assert c["rel:HAS_KEY"] == manifest["tables"]["api_keys"]
    assert c["sum:requests"] > 0
    before = fingerprint(graph)
    again = ingest_runner(bundle, ttl=None)
    assert again.ok and again.table("requests").loaded == 0
    assert fingerprint(graph) == before
