"""Bundle discovery and the streaming readers of CSV, JSONL and Parquet, compressed or not."""

from __future__ import annotations

import bz2
import gzip
import lzma
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hydrascope.errors import InputError
from ingest import readers
from ingest.readers import FileResult, discover, read_file

CSV = b"account_id,created_at,email\nacct-1,2026-01-01T00:00:00Z,a@example.com\nacct-2,,b@example.com\n"


def _read(source) -> tuple[list[dict], list, FileResult]:
    result = FileResult()
    rows: list[dict] = []
    errors = []
    for chunk in read_file(source, result):
        rows.extend(chunk.data.to_pylist())
        errors.extend(chunk.errors)
    return rows, errors, result


@pytest.mark.parametrize(
    ("name", "pack"),
    [
        ("accounts.csv", lambda b: b),
        ("accounts.csv.gz", gzip.compress),
        ("accounts.csv.bz2", bz2.compress),
        ("accounts.csv.xz", lzma.compress),
        ("accounts.csv.zst", lambda b: pa.compress(b, "zstd", asbytes=True)),
        ("accounts.data", gzip.compress),  # no telling name: format and codec are sniffed
    ],
)
def test_csv_in_every_compression_is_detected_and_read(tmp_path: Path, name: str, pack) -> None:
    (tmp_path / name).write_bytes(pack(CSV))
    if name == "accounts.data":
        (tmp_path / name).rename(tmp_path / "accounts")
    bundle = discover(tmp_path)
    [source] = bundle.tables["accounts"]
    rows, errors, result = _read(source)
    assert not errors and result.rows == 2 and result.problem is None
    assert [(r["account_id"], r["created_at"], r["_line"]) for r in rows] == [
        ("acct-1", "2026-01-01T00:00:00Z", 2),
        ("acct-2", "", 3),
    ]


def test_discovery_ignores_truth_and_manifest_and_reports_unknown_tables(tmp_path: Path) -> None:
    (tmp_path / "truth").mkdir()
    (tmp_path / "truth" / "accounts.parquet").write_bytes(b"x")
    (tmp_path / "manifest.json").write_text("{}")
    (tmp_path / "sessions.csv").write_text("a\n1\n")
    parts = tmp_path / "requests" / "date=2026-02-10"
    parts.mkdir(parents=True)
    (parts / "part-0.csv").write_text("ts,account_id,ip\n")
    (parts / "_SUCCESS").write_text("")
    bundle = discover(tmp_path)
    assert list(bundle.tables) == ["requests"]
    assert [s.path.name for s in bundle.tables["requests"]] == ["part-0.csv"]
    assert len(bundle.problems) == 1 and "unknown table 'sessions'" in bundle.problems[0]


def test_missing_bundle_and_unknown_only_table_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        discover(tmp_path / "nope")
    bundle = discover(tmp_path, only={"accounts"})
    assert "no such file" in bundle.problems[0]


def test_csv_rows_with_wrong_field_count_or_bad_utf8_become_read_errors(tmp_path: Path) -> None:
    data = (
        b"account_id,email\nacct-1,a@example.com\nacct-\xff,b@example.com\nacct-3\n"
        b"acct-4,d@example.com,extra\n"
    )
    (tmp_path / "accounts.csv").write_bytes(data + b'acct-5,"unterminated')
    rows, errors, result = _read(discover(tmp_path).tables["accounts"][0])
    assert [r["account_id"] for r in rows] == ["acct-1"]
    assert [(e.row, e.line) for e in errors] == [(2, 3), (3, 4), (4, 5), (5, 6)]
    assert "UTF-8" in errors[0].reason and "truncated" in errors[1].reason and "3 fields" in errors[2].reason
    assert "not valid CSV" in errors[3].reason
    assert result.rows == 5


def test_unknown_csv_columns_are_ignored_and_reported(tmp_path: Path) -> None:
    (tmp_path / "accounts.csv").write_text("account_id,favourite_colour\nacct-1,blue\n")
    rows, _, result = _read(discover(tmp_path).tables["accounts"][0])
    assert rows[0]["account_id"] == "acct-1" and "favourite_colour" not in rows[0]
    assert result.ignored_columns == ["favourite_colour"]


def test_jsonl_reads_scalars_as_text_and_rejects_broken_lines(tmp_path: Path) -> None:
    lines = [
        b'{"ip": "192.0.2.1", "asn": 64500, "is_vpn": true}',
        b"",
        b'{"ip": "192.0.2.2", "asn": [1]}',
        b'{"ip": "192.0.2.3", "colour": "red"}',
        b'["not", "an", "object"]',
        b'{"ip": "192.0.2.4", "as',
    ]
    (tmp_path / "ip_intel.jsonl.gz").write_bytes(gzip.compress(b"\n".join(lines)))
    rows, errors, result = _read(discover(tmp_path).tables["ip_intel"][0])
    assert [(r["ip"], r["asn"], r["is_vpn"]) for r in rows] == [("192.0.2.1", "64500", "true")]
    assert [(e.line, e.reason.split(" (")[0]) for e in errors] == [
        (3, "a value is a nested array or object, not a scalar"),
        (4, "unknown column(s) colour"),
        (5, "not a JSON object"),
        (6, "not valid JSON"),
    ]
    assert result.rows == 5


def test_truncated_gzip_keeps_rows_read_and_reports_the_file(tmp_path: Path, monkeypatch) -> None:
    body = b"account_id\n" + b"".join(f"acct-{i}\n".encode() for i in range(20000))
    packed = gzip.compress(body)
    (tmp_path / "accounts.csv.gz").write_bytes(packed[: len(packed) // 2])
    monkeypatch.setattr(readers, "CHUNK_ROWS", 1000)
    rows, _, result = _read(discover(tmp_path).tables["accounts"][0])
    assert result.problem and "truncated" in result.problem
    assert 0 < len(rows) < 20000


def test_parquet_is_streamed_in_chunks_and_a_cut_file_is_a_clear_problem(tmp_path: Path, monkeypatch) -> None:
    table = pa.table(
        {"account_id": [f"acct-{i}" for i in range(2500)], "tier": ["build"] * 2500, "x": [1] * 2500}
    )
    pq.write_table(table, tmp_path / "accounts.parquet", row_group_size=1000)
    monkeypatch.setattr(readers, "CHUNK_ROWS", 1000)
    result = FileResult()
    chunks = list(read_file(discover(tmp_path).tables["accounts"][0], result))
    assert [c.data.num_rows for c in chunks] == [1000, 1000, 500]
    assert chunks[-1].data.column("_row").to_pylist()[-1] == 2500 and result.ignored_columns == ["x"]
    data = (tmp_path / "accounts.parquet").read_bytes()
    (tmp_path / "accounts.parquet").write_bytes(data[: len(data) - 100])
    _, _, cut = _read(discover(tmp_path).tables["accounts"][0])
    assert cut.problem and "not a readable Parquet file" in cut.problem
