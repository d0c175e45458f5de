"""A full ingest on the real Neo4j: counts equal the input's distinct keys, re-runs change
nothing, incremental runs add exactly the new rows, cleanup and TTL behave."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from bundle_kit import (
    base_tables,
    counts,
    edge_requests,
    expected_edges,
    expected_solo_templates,
    req,
    snapshot,
    write_bundle,
    write_table,
)

from hydrascope.errors import LockHeld
from ingest.lock import IngestLock

pytestmark = pytest.mark.neo4j


def test_counts_equal_distinct_keys_of_the_input(tmp_path: Path, graph, ingest_runner) -> None:
    tables = base_tables()
    report = ingest_runner(write_bundle(tmp_path / "b", tables))
    assert report.ok, (report.problems, report.rows_rejected)

    accounts = {r["account_id"] for t in ("accounts", "requests", "logins", "enforcement") for r in tables[t]}
    ips = {r["ip"] for t in ("ip_intel", "requests", "logins") for r in tables[t] if r.get("ip")}
    fps = {
        r["client_fingerprint"]
        for t in ("requests", "logins")
        for r in tables[t]
        if r.get("client_fingerprint")
    }
    models = {r["model"] for r in tables["requests"] if r["model"]} | {
        r["model"] for r in tables["model_releases"]
    }
    c = counts(graph)
    assert c["node:Account"] == len(accounts)
    assert c["node:IP"] == len(ips)
    assert c["node:ClientFingerprint"] == len(fps)
    assert c["node:Model"] == len(models)
    assert c["node:PromptTemplate"] == len({end for _, end in expected_edges(tables)["SENT"]}) >= 1
    solo = graph.read(
        "MATCH (a:Account) WHERE a.solo_templates > 0 "
        "RETURN a.account_id AS a, a.solo_templates AS k, a.solo_template_requests AS n"
    )
    assert {r["a"]: (r["k"], r["n"]) for r in solo} == expected_solo_templates(tables) != {}
    assert c["node:Capability"] == len({r["capability"] for r in tables["requests"] if r["capability"]})
    assert c["node:PaymentInstrument"] == 2 and c["rel:PAID_WITH"] == 3
    assert c["node:ApiKey"] == 2 and c["rel:HAS_KEY"] == 2
    assert c["node:ASN"] == 3 and c["rel:IN_ASN"] == 4
    assert c["node:EmailDomain"] == 2 and c["rel:REGISTERED_WITH"] == 4
    assert c["node:ProxyService"] == 2 and c["rel:EGRESS_OF"] == 2

    for rel, expected in expected_edges(tables).items():
        assert edge_requests(graph, rel) == dict(expected), rel
    assert c["sum:account_requests"] == len(tables["requests"])

    logins = graph.read(
        "MATCH (a:Account)-[r:CONNECTED_FROM]->(i:IP) RETURN a.account_id AS a, i.ip AS ip, "
        "r.logins AS n, r.requests AS q"
    )
    assert {(r["a"], r["ip"], r["n"], r["q"]) for r in logins} >= {
        ("acct-1", "192.0.2.10", 1, 2),
        ("acct-4", "203.0.113.20", 1, 0),
    }
    ip_rows = graph.read("MATCH (i:IP) RETURN i.ip AS ip, i.prefix AS p, i.is_cgnat AS c, i.version AS v")
    assert {(r["ip"], r["p"], r["c"], r["v"]) for r in ip_rows} == {
        ("192.0.2.10", "192.0.2.0/24", False, 4),
        ("198.51.100.7", "198.51.100.0/24", False, 4),
        ("100.64.1.5", "100.64.1.0/24", True, 4),
        ("2001:db8::1", "2001:db8::/64", False, 6),
        ("203.0.113.9", "203.0.113.0/24", False, 4),
        ("203.0.113.20", "203.0.113.0/24", False, 4),
    }
    acct = graph.read(
        "MATCH (a:Account {account_id: 'acct-1'}) RETURN a.requests AS n, a.input_tokens AS i, "
        "a.output_tokens AS o, a.active_hours AS h, a.email AS e"
    )[0]
    assert (acct["n"], acct["i"], acct["o"], acct["e"]) == (3, 310, 390, "a1@example.com")
    assert acct["h"] == sorted({1770717600 // 3600, 1770721500 // 3600})
    banned = graph.read(
        "MATCH (a:Account {account_id: 'acct-4'}) RETURN a.status AS s, a.ban_reason AS r, "
        "a.enforcement_actions AS n, toString(a.banned_at) AS t"
    )[0]
    assert banned == {"s": "banned", "r": "distillation", "n": 2, "t": "2026-02-13T00:00:00Z"}
    egress = graph.read("MATCH (i:IP)-[:EGRESS_OF]->(p:ProxyService) RETURN i.ip AS ip, p.kind AS k")
    assert {(r["ip"], r["k"]) for r in egress} == {("192.0.2.10", "reseller"), ("2001:db8::1", "vpn")}
    run = graph.read("MATCH (r:IngestRun) RETURN r.status AS s, r.rows_read AS n, r.files AS f")[0]
    assert (
        run["s"] == "succeeded" and run["n"] == sum(len(v) for v in tables.values()) and "sha256" in run["f"]
    )
    tags = graph.read("MATCH (n) WHERE n.firstseen IS NULL OR n.lastupdated IS NULL RETURN count(n) AS c")
    assert tags[0]["c"] == 0
    rel_tags = graph.read(
        "MATCH ()-[r]->() WHERE r.firstseen IS NULL OR r.lastupdated IS NULL RETURN count(r) AS c"
    )
    assert rel_tags[0]["c"] == 0


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_second_run_of_the_same_input_changes_nothing(tmp_path: Path, graph, ingest_runner, fmt: str) -> None:
    bundle = write_bundle(tmp_path / "b", base_tables(), fmt)
    assert ingest_runner(bundle).ok
    before_counts, before = counts(graph), snapshot(graph)
    again = ingest_runner(bundle)
    assert again.ok
    assert again.table("requests").loaded == 0 and again.table("requests").already_stored == 8
    assert counts(graph) == before_counts
    assert snapshot(graph) == before


def test_same_events_in_another_format_are_not_counted_twice(tmp_path: Path, graph, ingest_runner) -> None:
    tables = base_tables()
    assert ingest_runner(write_bundle(tmp_path / "csv", tables, "csv")).ok
    before = snapshot(graph)
    report = ingest_runner(write_bundle(tmp_path / "pq", tables, "parquet"))
    assert report.ok and report.table("requests").loaded == 0
    assert snapshot(graph) == before


def test_incremental_run_adds_exactly_the_new_rows(tmp_path: Path, graph, ingest_runner) -> None:
    tables = base_tables()
    assert ingest_runner(write_bundle(tmp_path / "day1", tables)).ok
    new_rows = [
        req("2026-02-13T10:00:00Z", "acct-1", "192.0.2.10", "fp-1", "model-a", "coding", "tpl-1", 1, 1),
        req("2026-02-13T11:00:00Z", "acct-6", "198.51.100.8", "fp-6", "model-b", "vision", "tpl-6", 1, 1),
    ]
    before = counts(graph)
    # The next export repeats yesterday's events and adds two: only the two count.
    day2 = copy.deepcopy(tables)
    day2["requests"] = tables["requests"] + new_rows
    report = ingest_runner(write_bundle(tmp_path / "day2", {"requests": day2["requests"]}), only=["requests"])
    assert report.ok and report.table("requests").loaded == 2 and report.table("requests").already_stored == 8
    after = counts(graph)
    assert after["sum:account_requests"] == before["sum:account_requests"] + 2
    assert after["node:Account"] == before["node:Account"] + 1
    assert after["node:IP"] == before["node:IP"] + 1
    assert after["rel:CONNECTED_FROM"] == before["rel:CONNECTED_FROM"] + 1
    assert edge_requests(graph, "CONNECTED_FROM")[("acct-1", "192.0.2.10")] == 3
    assert after["node:PaymentInstrument"] == before["node:PaymentInstrument"]  # not in this bundle: kept
    for rel, expected in expected_edges(day2).items():
        assert edge_requests(graph, rel) == dict(expected), rel


def _solo(graph) -> dict[str, tuple[int, int]]:
    rows = graph.read(
        "MATCH (a:Account) WHERE a.solo_templates > 0 "
        "RETURN a.account_id AS a, a.solo_templates AS k, a.solo_template_requests AS n"
    )
    return {r["a"]: (r["k"], r["n"]) for r in rows}


def test_a_template_one_account_had_to_itself_becomes_shared_when_another_sends_it(
    tmp_path: Path, graph, ingest_runner
) -> None:
    tables = base_tables()
    assert ingest_runner(write_bundle(tmp_path / "day1", tables)).ok
    solo_day1 = expected_solo_templates(tables)
    assert "acct-3" in solo_day1 and _solo(graph) == solo_day1
    assert graph.count("MATCH (t:PromptTemplate {template: 'tpl-3'}) RETURN count(t)") == 0
    # day 2: a new account sends acct-3's own template; acct-3 sends nothing new, yet its count
    # and edges must change (the graph is a function of every stored event, not of the new ones)
    new_rows = [
        req("2026-02-13T10:00:00Z", "acct-6", "198.51.100.8", "fp-6", "model-b", "vision", "tpl-3", 1, 1)
    ]
    report = ingest_runner(write_bundle(tmp_path / "day2", {"requests": new_rows}), only=["requests"])
    assert report.ok and report.table("requests").loaded == 1
    both = {**tables, "requests": tables["requests"] + new_rows}
    assert edge_requests(graph, "SENT") == dict(expected_edges(both)["SENT"])
    assert {a for a, t in edge_requests(graph, "SENT") if t == "tpl-3"} == {"acct-3", "acct-6"}
    assert _solo(graph) == expected_solo_templates(both)
    assert _solo(graph).get("acct-3", (0, 0))[0] == solo_day1["acct-3"][0] - 1


def test_since_skips_older_events_and_watermark_resumes(tmp_path: Path, graph, ingest_runner) -> None:
    tables = base_tables()
    bundle = write_bundle(tmp_path / "b", {"requests": tables["requests"]})
    report = ingest_runner(bundle, since="2026-02-11T00:00:00Z")
    assert report.ok
    assert report.table("requests").loaded == 4 and report.table("requests").skipped == 4
    assert counts(graph)["sum:account_requests"] == 4
    later = tables["requests"] + [
        req("2026-02-20T00:00:00Z", "acct-1", "192.0.2.10", None, None, None, None, 1, 1)
    ]
    report = ingest_runner(write_bundle(tmp_path / "b2", {"requests": later}), since="watermark")
    # Events before the watermark are skipped; one at the watermark itself is read and found stored.
    t = report.table("requests")
    assert (t.loaded, t.skipped, t.already_stored) == (1, 7, 1)
    assert counts(graph)["sum:account_requests"] == 5


def test_dry_run_writes_nothing(tmp_path: Path, graph, ingest_runner) -> None:
    report = ingest_runner(write_bundle(tmp_path / "b", base_tables()), dry_run=True, graph=None)
    assert report.ok and report.table("requests").read == 8
    assert graph.count("MATCH (n) RETURN count(n) AS c") == 0
    assert not (ingest_runner.data_root / "events").exists()


def test_stale_reference_data_is_cleaned_only_after_a_clean_run(tmp_path: Path, graph, ingest_runner) -> None:
    tables = base_tables()
    assert ingest_runner(write_bundle(tmp_path / "b1", tables)).ok
    dropped = copy.deepcopy(tables)
    dropped["payment_methods"] = [r for r in tables["payment_methods"] if r["instrument_id"] != "tok_bbb"]
    # A run with a rejected row cleans nothing...
    bad = copy.deepcopy(dropped)
    bad["api_keys"].append({"key_id": "key-9", "account_id": "acct-1", "created_at": "yesterday"})
    report = ingest_runner(write_bundle(tmp_path / "b2", bad))
    assert not report.ok
    assert graph.count("MATCH (:PaymentInstrument {instrument_id: 'tok_bbb'}) RETURN count(*) AS c") == 1
    # ...a clean one removes the edge no longer exported, and the instrument left with none.
    assert ingest_runner(write_bundle(tmp_path / "b3", dropped)).ok
    paid = graph.read("MATCH (a)-[:PAID_WITH]->(p) RETURN a.account_id AS a, p.instrument_id AS p")
    assert {(r["a"], r["p"]) for r in paid} == {("acct-1", "tok_aaa"), ("acct-2", "tok_aaa")}
    assert graph.count("MATCH (:PaymentInstrument {instrument_id: 'tok_bbb'}) RETURN count(*) AS c") == 0
    assert graph.count("MATCH (:Account {account_id: 'acct-3'}) RETURN count(*) AS c") == 1


def test_behavioural_edges_age_out_by_ttl_against_the_run_clock(tmp_path: Path, graph, ingest_runner) -> None:
    """The TTL is measured from the run's clock (injected here); a cleanup that would remove more
    than half of a type's edges deletes nothing until it is forced."""
    tables = base_tables()
    month = timedelta(days=30)
    feb = datetime(2026, 2, 20, tzinfo=UTC)
    assert ingest_runner(
        write_bundle(tmp_path / "b1", {"requests": tables["requests"]}), ttl=month, now=feb
    ).ok
    before = counts(graph)["rel:CONNECTED_FROM"]
    # A missed week deletes nothing: a run without new events keeps every edge.
    quiet = write_bundle(tmp_path / "b2", {"requests": tables["requests"][:1]})
    assert ingest_runner(quiet, ttl=month, now=feb + timedelta(days=7)).ok
    assert counts(graph)["rel:CONNECTED_FROM"] == before
    # Two months on, every old edge is past the TTL: that is all of them, so the guard stops.
    late = write_bundle(
        tmp_path / "b3",
        {"requests": [req("2026-04-20T00:00:00Z", "acct-1", "198.51.100.7", *[None] * 4, 1, 1)]},
    )
    april = datetime(2026, 4, 21, tzinfo=UTC)
    held = ingest_runner(late, ttl=month, now=april)
    assert held.status == "cleanup_refused" and not held.ok
    assert held.cleanup_refused and f"{before} of {before + 1} CONNECTED_FROM" in held.cleanup_refused
    assert "--force" in held.cleanup_refused
    assert counts(graph)["rel:CONNECTED_FROM"] == before + 1  # nothing deleted, the new edge written
    forced = ingest_runner(late, ttl=month, now=april, force=True)
    assert forced.ok and forced.cleaned["CONNECTED_FROM (ttl)"] == before
    edges = graph.read("MATCH (a)-[r:CONNECTED_FROM]->(i) RETURN a.account_id AS a, i.ip AS ip")
    assert {(r["a"], r["ip"]) for r in edges} == {("acct-1", "198.51.100.7")}
    assert graph.count("MATCH (a:Account {account_id: 'acct-1'}) RETURN a.requests AS n") == 4
    # Events already past the TTL on arrival never become edges.
    old = write_bundle(
        tmp_path / "b4",
        {"requests": [req("2026-01-02T00:00:00Z", "acct-9", "192.0.2.10", *[None] * 4, 1, 1)]},
    )
    assert ingest_runner(old, ttl=month, now=april).ok
    assert graph.count("MATCH (:Account {account_id: 'acct-9'})-[r]->() RETURN count(r) AS c") == 0


def test_a_second_run_while_one_holds_the_lock_says_so(tmp_path: Path, graph, ingest_runner) -> None:
    bundle = write_bundle(tmp_path / "b", {"accounts": base_tables()["accounts"]})
    with (
        IngestLock(ingest_runner.state_root / "ingest" / "ingest.lock", "elsewhere"),
        pytest.raises(LockHeld, match="another ingest is running"),
    ):
        ingest_runner(bundle)
    assert graph.count("MATCH (n) RETURN count(n) AS c") == 0
    assert ingest_runner(bundle).ok  # released: the next run goes ahead


def test_requests_as_a_directory_of_compressed_parts(tmp_path: Path, graph, ingest_runner) -> None:
    tables = base_tables()
    bundle = tmp_path / "b"
    rows = tables["requests"]
    parts = bundle / "requests"
    write_table(parts, "requests", rows[:4], "csv", gz=True).rename(parts / "part-0.csv.gz")
    write_table(parts, "requests", rows[4:], "parquet").rename(parts / "part-1.parquet")
    (bundle / "truth").mkdir()
    (bundle / "truth" / "accounts.csv").write_text("account_id,campaign\nacct-1,c1\n")
    (bundle / "manifest.json").write_text("{}")
    report = ingest_runner(bundle)
    assert report.ok, report.problems
    assert report.table("requests").loaded == 8 and len(report.table("requests").files) == 2
    assert "accounts" not in report.tables
    for rel, expected in expected_edges({"requests": rows}).items():
        assert edge_requests(graph, rel) == dict(expected), rel
