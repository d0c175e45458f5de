"""Issue #12 findings 4, 5 and 9 through the real ``hydrascope ingest`` on the real server.

Each test runs the command as a user would (a subprocess, its own event store), then reads the
graph, the ``IngestRun`` node, the rejects file and the command's own output.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from bundle_kit import base_tables, write_table

from hydrascope.contract import TABLES

pytestmark = pytest.mark.neo4j

REQUEST_COLUMNS = list(TABLES["requests"].column_names)
CARD_DIGITS = ("4111111111111111", "5500000000000004")


class Ran:
    """One ``hydrascope ingest`` run: exit code, output, rejects and the IngestRun's counts."""

    def __init__(self, proc: subprocess.CompletedProcess[str], data: Path, graph: Any) -> None:
        self.code = proc.returncode
        self.output = proc.stdout + proc.stderr
        self.flat = " ".join(self.output.split())  # rich wraps long lines: compare without wrapping
        files = sorted((data / "rejects").glob("*.jsonl"))
        self.rejects_text = "".join(f.read_text(encoding="utf-8") for f in files)
        self.rejects = [json.loads(line) for line in self.rejects_text.splitlines()]
        run = graph.read("MATCH (r:IngestRun) RETURN r.tables AS t, r.files AS f ORDER BY r.started_at DESC")
        self.tables = json.loads(run[0]["t"]) if run else {}
        self.files = json.loads(run[0]["f"]) if run else []


def _ingest(bundle: Path, tmp_path: Path, graph: Any) -> Ran:
    data = tmp_path / "data"
    env = {**os.environ, "HYDRASCOPE_DATA_DIR": str(data), "COLUMNS": "200"}
    proc = subprocess.run(
        [sys.executable, "-m", "hydrascope", "ingest", str(bundle), "--no-progress"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return Ran(proc, data, graph)


def _request(i: int, **changes: str) -> list[str]:
    row = {
        "ts": f"2026-02-10T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z",
        "account_id": f"acct-{i}",
        "ip": f"192.0.2.{i % 250}",
        "key_id": "",
        "client_fingerprint": f"fp-{i % 7}",
        "model": "model-a",
        "capability": "coding",
        "prompt_template": f"tpl-{i % 11}",
        "input_tokens": "10",
        "output_tokens": "5",
    }
    row.update(changes)
    return [row[c] for c in REQUEST_COLUMNS]


def _write_requests(path: Path, rows: list[list[str]], raw: dict[int, str] | None = None) -> None:
    """A requests CSV; ``raw`` replaces data row i (1-based) by a line written as given."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(REQUEST_COLUMNS)
        for i, row in enumerate(rows, start=1):
            if raw and i in raw:
                fh.write(raw[i])
            else:
                writer.writerow(row)


def _accounts_in_graph(graph: Any) -> set[str]:
    return {r["a"] for r in graph.read("MATCH (a:Account) RETURN a.account_id AS a")}


def _physical_lines(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(1 for _ in fh)


# ------------------------------------------------------------------------------- finding 4
def test_an_unterminated_quote_at_row_1000_of_2000_loses_no_row(tmp_path: Path, graph) -> None:
    rows = [_request(i) for i in range(1, 2001)]
    line = ",".join(rows[999]).replace("fp-", '"fp-', 1) + "\n"  # a quote opened and never closed
    path = tmp_path / "b" / "requests.csv"
    _write_requests(path, rows, {1000: line})
    ran = _ingest(path.parent, tmp_path, graph)

    assert ran.code == 3
    assert ran.tables["requests"] | {"skipped": 0, "already_stored": 0} == {
        "read": 2000,
        "loaded": 1999,
        "rejected": 1,
        "skipped": 0,
        "already_stored": 0,
    }
    assert ran.tables["requests"]["read"] == _physical_lines(path) - 1  # every line but the header
    [reject] = ran.rejects
    assert (reject["row"], reject["line"], Path(reject["file"]).name) == (1000, 1001, "requests.csv")
    assert "unterminated quote" in reject["reason"]
    assert _accounts_in_graph(graph) == {f"acct-{i}" for i in range(1, 2001) if i != 1000}
    assert graph.count("MATCH (a:Account) RETURN sum(a.requests)") == 1999
    [file] = ran.files
    assert (file["rows"], file["lines"], file["blank_lines"]) == (2000, 2001, 0)


def test_a_10_mb_field_at_row_500_is_one_reject_and_the_rows_after_it_load(tmp_path: Path, graph) -> None:
    rows = [_request(i) for i in range(1, 2001)]
    rows[499] = _request(500, prompt_template="t" * (10 << 20))
    path = tmp_path / "b" / "requests.csv"
    _write_requests(path, rows)
    ran = _ingest(path.parent, tmp_path, graph)

    assert ran.code == 3
    assert (ran.tables["requests"]["read"], ran.tables["requests"]["loaded"]) == (2000, 1999)
    [reject] = ran.rejects
    assert (reject["row"], reject["line"]) == (500, 501)
    assert "field-size limit (1,048,576 characters" in reject["reason"]
    assert len(ran.rejects_text) < 10_000  # the reject keeps the start of the line, not 10 MB
    assert _accounts_in_graph(graph) == {f"acct-{i}" for i in range(1, 2001) if i != 500}
    assert graph.count("MATCH (t:PromptTemplate) WHERE size(t.template) > 100 RETURN count(t)") == 0


def test_a_capitalised_header_is_matched_and_a_doubled_one_refused(tmp_path: Path, graph) -> None:
    bundle = tmp_path / "b"
    bundle.mkdir()
    (bundle / "payment_methods.csv").write_text("Account_ID,instrument_id,Kind\nacct-1,tok_a,card\n")
    ran = _ingest(bundle, tmp_path, graph)
    assert ran.code == 0, ran.output
    kinds = graph.read("MATCH (p:PaymentInstrument) RETURN p.instrument_id AS i, p.kind AS k")
    assert kinds == [{"i": "tok_a", "k": "card"}]
    assert "ignored" not in ran.output

    (bundle / "payment_methods.csv").write_text(
        "account_id,instrument_id,kind,Kind\nacct-2,tok_b,card,bank\n"
    )
    ran = _ingest(bundle, tmp_path, graph)
    assert ran.code == 3
    assert "names a column more than once (kind as 'kind', 'Kind'" in ran.flat and "refused" in ran.flat
    assert graph.count("MATCH (p:PaymentInstrument {instrument_id: 'tok_b'}) RETURN count(p)") == 0


# ------------------------------------------------------------------------------- finding 5
PAN_FORMS = {
    # column of the accounts table -> a value holding a card number that is not the whole value
    "account_id": "4111.1111.1111.1111",
    "email": "4111-1111-1111-1111@example.com",
    "org_id": "org 5500 0000 0000 0004",
    "tier": "".join(chr(0xFF10 + int(d)) for d in "4111111111111111"),  # full-width digits
    "status": "on\x004111111111111111",
}


def _digits(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", text) if c.isdigit())


def _graph_strings(graph: Any) -> list[str]:
    values: list[str] = []
    for r in graph.read(
        "MATCH (n) RETURN properties(n) AS p UNION ALL MATCH ()-[r]->() RETURN properties(r) AS p"
    ):
        for v in r["p"].values():
            values.extend(str(x) for x in (v if isinstance(v, list) else [v]))
    return values


def test_card_numbers_in_any_form_never_reach_the_graph_rejects_or_output(tmp_path: Path, graph) -> None:
    tables = base_tables()
    accounts = list(tables["accounts"])
    for i, (column, value) in enumerate(PAN_FORMS.items()):
        accounts.append({"account_id": f"acct-p{i}", "email": f"p{i}@example.com", column: value})
    payments = [*tables["payment_methods"], {"account_id": "acct-1", "instrument_id": "pm_4111111111111111"}]
    bundle = tmp_path / "b"
    write_table(bundle, "accounts", accounts)
    write_table(bundle, "payment_methods", payments, fmt="jsonl")
    requests = [
        _request(1, prompt_template="card 4111-1111-1111-1111 exp 12/27"),
        _request(2, client_fingerprint="fp 4111 1111 1111 1111"),
        _request(3),
    ]
    _write_requests(bundle / "requests.csv", requests)
    ran = _ingest(bundle, tmp_path, graph)

    assert ran.code == 3
    assert ran.tables["accounts"]["rejected"] == len(PAN_FORMS)
    assert ran.tables["payment_methods"]["rejected"] == 1 and ran.tables["requests"]["rejected"] == 2
    assert all("looks like a card number" in r["reason"] for r in ran.rejects) and len(ran.rejects) == 8
    assert graph.count("MATCH (a:Account {account_id: 'acct-3'}) RETURN count(a)") == 1  # good rows load
    assert graph.count("MATCH (a:Account) WHERE a.account_id STARTS WITH 'acct-p' RETURN count(a)") == 0

    # The digits appear nowhere, whatever separators, widths or invisible characters surround them.
    for where, text in (
        ("graph", "\n".join(_graph_strings(graph))),
        ("rejects file", ran.rejects_text),
        ("output", ran.output),
    ):
        for line in text.splitlines():
            for digits in CARD_DIGITS:
                assert digits not in _digits(line), (where, line)
    assert ran.rejects_text.count("************1111") >= 5 and "************0004" in ran.rejects_text
    parts = list((tmp_path / "data" / "events").rglob("*.parquet"))
    assert parts
    for part in parts:
        for row in pq.read_table(part).to_pylist():
            assert not any(d in _digits(str(v)) for v in row.values() for d in CARD_DIGITS), row


# ------------------------------------------------------------------------------- finding 9
def test_an_ipv4_mapped_address_is_stored_and_judged_as_ipv4(tmp_path: Path, graph) -> None:
    bundle = tmp_path / "b"
    write_table(bundle, "ip_intel", [{"ip": "::ffff:198.51.100.7", "asn": 64501, "country": "DE"}])
    _write_requests(
        bundle / "requests.csv",
        [
            _request(1, ip="::ffff:100.64.1.1"),
            _request(2, ip="::FFFF:6440:0102"),
            _request(3, ip="100.64.1.1"),
        ],
    )
    ran = _ingest(bundle, tmp_path, graph)
    assert ran.code == 0, ran.output
    ips = graph.read(
        "MATCH (i:IP) RETURN i.ip AS ip, i.version AS v, i.prefix AS p, i.is_cgnat AS c ORDER BY ip"
    )
    assert ips == [
        {"ip": "100.64.1.1", "v": 4, "p": "100.64.1.0/24", "c": True},
        {"ip": "100.64.1.2", "v": 4, "p": "100.64.1.0/24", "c": True},
        {"ip": "198.51.100.7", "v": 4, "p": "198.51.100.0/24", "c": False},
    ]
    assert graph.count("MATCH (a:Account)-[:CONNECTED_FROM]->(:IP {ip: '100.64.1.1'}) RETURN count(a)") == 2


def test_a_nul_byte_in_a_key_is_rejected_with_a_clear_reason(tmp_path: Path, graph) -> None:
    bundle = tmp_path / "b"
    write_table(
        bundle,
        "accounts",
        [
            {"account_id": "acct-1", "email": "a@example.com"},
            {"account_id": "acct-\x002", "email": "b@example.com"},
            {"account_id": "acct-3", "email": "c@example.com", "status": "act\x00ive"},
        ],
    )
    ran = _ingest(bundle, tmp_path, graph)
    assert ran.code == 3
    [reject] = ran.rejects
    assert (reject["row"], reject["line"]) == (2, 3)
    assert reject["reason"].startswith("account_id: contains a control character (NUL")
    assert _accounts_in_graph(graph) == {"acct-1", "acct-3"}
    assert graph.read("MATCH (a:Account {account_id: 'acct-3'}) RETURN a.status AS s") == [{"s": "active"}]
    assert not [v for v in _graph_strings(graph) if "\x00" in v]
