"""A bundle of malformed rows: every good row loads, every bad one is rejected with its file,
line and reason, and no card number is stored anywhere (graph, event store, rejects file)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from bundle_kit import base_tables, counts, edge_requests, write_table

from hydrascope.contract import TABLES
from ingest.pan import looks_like_pan

pytestmark = pytest.mark.neo4j

PAN = "4111111111111111"  # a well-known test card number (Luhn-valid)
PAN_SPACED = "5500 0000 0000 0004"
COLUMNS = list(TABLES["requests"].column_names)
GOOD = [
    [
        "2026-02-10T10:00:00Z",
        "acct-1",
        "192.0.2.10",
        "key-1",
        "fp-1",
        "model-a",
        "coding",
        "tpl-1",
        "10",
        "5",
    ],
    ["2026-02-10T10:01:00Z", "acct-2", "192.0.2.11", "", "fp-2", "model-a", "coding", "tpl-1", "", ""],
    ["2026-02-10 10:02:00", "acct-2", "2001:DB8::2", "", "fp-2", "model-b", "vision", "tpl-2", "7", "0"],
]
# (line in the file, row, reason fragment, the fields)
BAD = [
    (
        "not a valid IPv4 or IPv6",
        ["2026-02-10T10:03:00Z", "acct-3", "192.0.2.300", "", "", "m", "c", "t", "1", "1"],
    ),
    (
        "not an ISO-8601 timestamp",
        ["2026-02-30T10:00:00Z", "acct-3", "192.0.2.12", "", "", "m", "c", "t", "1", "1"],
    ),
    (
        "account_id: required value missing",
        ["2026-02-10T10:04:00Z", "", "192.0.2.12", "", "", "m", "c", "t", "1", "1"],
    ),
    ("card number", ["2026-02-10T10:05:00Z", "acct-3", "192.0.2.12", "", PAN, "m", "c", "t", "1", "1"]),
    (
        "card number",
        ["2026-02-10T10:05:00Z", "acct-3", "192.0.2.12", "", "fp", "m", "c", PAN_SPACED, "1", "1"],
    ),
    (
        "input_tokens: not an integer",
        ["2026-02-10T10:06:00Z", "acct-3", "192.0.2.12", "", "", "m", "c", "t", "lots", "1"],
    ),
    (
        "output_tokens: negative",
        ["2026-02-10T10:06:00Z", "acct-3", "192.0.2.12", "", "", "m", "c", "t", "1", "-4"],
    ),
    ("duplicate", GOOD[0]),
]


def _write_requests(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        for row in GOOD:
            writer.writerow(row)
        for _, row in BAD:
            writer.writerow(row)
        fh.write("2026-02-10T10:07:00Z,acct-3,192.0.2.1")  # truncated last line, no newline


def _bundle(root: Path) -> Path:
    tables = base_tables()
    root.mkdir(parents=True)
    _write_requests(root / "requests.csv")
    logins = [
        {"ts": "2026-02-09T08:00:00Z", "account_id": "acct-1", "ip": "192.0.2.10", "kind": "console"},
        {"ts": "2026-02-09T08:00:00Z", "acount_id": "acct-1", "ip": "192.0.2.10", "kind": "console"},
        {"ts": "2026-02-09T08:00:00Z", "account_id": "acct-1", "kind": "console"},
        {"ts": "2026-02-09T08:00:00Z", "account_id": "acct-1", "ip": "192.0.2.10", "kind": "phishing"},
    ]
    with (root / "logins.jsonl").open("w", encoding="utf-8") as fh:
        for r in logins:
            fh.write(json.dumps(r) + "\n")
        fh.write('{"ts": "2026-02-09T08:00:00Z", "account_id": "acc')
    payments = tables["payment_methods"] + [
        {"account_id": "acct-3", "instrument_id": PAN, "kind": "card"},
        {"account_id": "acct-3", "instrument_id": "tok_ccc", "kind": "crypto"},
        {"account_id": "acct-1", "instrument_id": "tok_aaa", "kind": "card"},
    ]
    write_table(root, "payment_methods", payments)
    write_table(root, "accounts", tables["accounts"])
    (root / "ip_intel.parquet").write_bytes(b"PAR1 this file was cut short")
    (root / "sessions.csv").write_text("a,b\n1,2\n")
    (root / "api_keys.csv").write_bytes(
        "key_id,account_id\nkey-\xe9,acct-1\n".encode("latin-1") + b"key-2,acct-2\n"
    )
    return root


def _all_strings(graph) -> list[str]:
    values: list[str] = []
    for r in graph.read(
        "MATCH (n) RETURN properties(n) AS p UNION ALL MATCH ()-[r]->() RETURN properties(r) AS p"
    ):
        for v in r["p"].values():
            values.extend(str(x) for x in (v if isinstance(v, list) else [v]))
    return values


def test_malformed_rows_are_rejected_with_file_line_and_reason(tmp_path: Path, graph, ingest_runner) -> None:
    bundle = _bundle(tmp_path / "b")
    report = ingest_runner(bundle)
    assert not report.ok and report.status == "rejected_rows"

    # Every good row loaded.
    req = report.table("requests")
    assert (req.read, req.loaded, req.rejected) == (len(GOOD) + len(BAD) + 1, len(GOOD), len(BAD) + 1)
    assert req.read == req.loaded + req.rejected + req.skipped + req.already_stored
    assert edge_requests(graph, "CONNECTED_FROM") == {
        ("acct-1", "192.0.2.10"): 1,
        ("acct-2", "192.0.2.11"): 1,
        ("acct-2", "2001:db8::2"): 1,
    }
    assert counts(graph)["sum:account_requests"] == len(GOOD)
    assert report.table("logins").loaded == 1 and report.table("logins").rejected == 4
    paid = graph.read("MATCH (a)-[:PAID_WITH]->(p) RETURN a.account_id AS a, p.instrument_id AS p")
    assert {(r["a"], r["p"]) for r in paid} == {
        ("acct-1", "tok_aaa"),
        ("acct-2", "tok_aaa"),
        ("acct-3", "tok_bbb"),
    }
    assert report.table("api_keys").loaded == 1 and report.table("api_keys").rejected == 1

    # Every bad row rejected, with its file, line and reason.
    rejects = [json.loads(line) for line in report.rejects_file.read_text().splitlines()]
    by_file_line = {(Path(r["file"]).name, r["line"]): r for r in rejects}
    for i, (reason, _) in enumerate(BAD):
        line = 2 + len(GOOD) + i
        assert reason in by_file_line[("requests.csv", line)]["reason"], (
            line,
            by_file_line.get(("requests.csv", line)),
        )
    assert "truncated" in by_file_line[("requests.csv", 2 + len(GOOD) + len(BAD))]["reason"]
    assert "unknown column" in by_file_line[("logins.jsonl", 2)]["reason"]
    assert "at least one of ip, client_fingerprint" in by_file_line[("logins.jsonl", 3)]["reason"]
    assert "kind: not one of signup" in by_file_line[("logins.jsonl", 4)]["reason"]
    assert "not valid JSON" in by_file_line[("logins.jsonl", 5)]["reason"]
    pm = {r["row"]: r["reason"] for r in rejects if r["table"] == "payment_methods"}
    assert "card number" in pm[4] and "not one of card" in pm[5] and "duplicate key" in pm[6]
    assert "UTF-8" in by_file_line[("api_keys.csv", 2)]["reason"]
    assert sum(1 for r in rejects) == report.rows_rejected
    assert any("ip_intel.parquet" in p and "Parquet" in p for p in report.problems)
    assert any("unknown table 'sessions'" in p for p in report.problems)

    # No card number anywhere: graph properties, the rejects file, the event store.
    assert not [v for v in _all_strings(graph) if looks_like_pan(v)]
    text = report.rejects_file.read_text()
    assert PAN not in text and "5500000000000004" not in text and PAN_SPACED not in text
    assert "************1111" in text
    for part in (ingest_runner.data_root / "events").rglob("*.parquet"):
        for row in pq.read_table(part).to_pylist():
            assert not [v for v in row.values() if looks_like_pan(v)]
    run = graph.read("MATCH (r:IngestRun) RETURN r.status AS s, r.rows_rejected AS n, r.rejects_file AS f")[0]
    assert run == {"s": "rejected_rows", "n": report.rows_rejected, "f": str(report.rejects_file)}
