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
from ingest.readers import MAX_FIELD_ENV, FileResult, Limits, discover, read_file

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


# ------------------------------------------------------------------ resynchronising CSV reader
HEADER = "account_id,email,org_id\n"


def _accounts(tmp_path: Path, lines: list[str], name: str = "accounts.csv") -> Path:
    (tmp_path / name).write_text(HEADER + "".join(lines), encoding="utf-8")
    return tmp_path


def _good(i: int) -> str:
    return f"acct-{i},a{i}@example.com,org-{i}\n"


def _read_all(tmp_path: Path, limits: Limits | None = None) -> tuple[list[dict], list, FileResult]:
    result = FileResult()
    rows: list[dict] = []
    errors = []
    for chunk in read_file(discover(tmp_path).tables["accounts"][0], result, limits):
        rows.extend(chunk.data.to_pylist())
        errors.extend(chunk.errors)
    return rows, errors, result


@pytest.mark.parametrize("closing_quote_at", [None, 1003, 1500])
def test_an_unterminated_quote_rejects_its_line_only_and_every_later_line_loads(
    tmp_path: Path, closing_quote_at: int | None
) -> None:
    lines = [_good(i) for i in range(1, 2001)]
    lines[999] = 'acct-1000,"never closed@example.com,org-1000\n'
    if closing_quote_at:  # a later, well-formed quoted value would close the stray quote
        lines[closing_quote_at - 1] = f'acct-{closing_quote_at},"q, {closing_quote_at}@example.com",org\n'
    rows, errors, result = _read_all(_accounts(tmp_path, lines))
    assert len(rows) == 1999 and [r["account_id"] for r in rows][998:1000] == ["acct-999", "acct-1001"]
    assert [(e.row, e.line) for e in errors] == [(1000, 1001)]
    assert "unterminated quote" in errors[0].reason and errors[0].raw.startswith("acct-1000,")
    assert (result.rows, result.lines, result.blank_lines) == (2000, 2001, 0)
    assert result.rows == result.lines - 1 == len(rows) + len(errors)


def test_a_field_over_the_size_limit_is_a_reject_not_a_truncation(tmp_path: Path) -> None:
    lines = [_good(i) for i in range(1, 2001)]
    lines[499] = "acct-500," + "x" * (10 << 20) + "@example.com,org\n"  # 10 MB field
    rows, errors, result = _read_all(_accounts(tmp_path, lines))
    assert len(rows) == 1999 and result.rows == 2000 and result.lines == 2001
    assert [(e.row, e.line) for e in errors] == [(500, 501)]
    assert "field-size limit (1,048,576 characters" in errors[0].reason
    assert len(errors[0].raw) < 3000  # the rejects file keeps the start of the line, not 10 MB
    assert not any(len(r["email"] or "") > 100 for r in rows)


def test_the_field_size_limit_is_configurable_and_a_huge_line_is_never_held(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv(MAX_FIELD_ENV, "100")
    lines = [_good(1), "acct-2," + "y" * 150 + ",org\n", _good(3), "acct-4," + "z" * 5000 + "\n", _good(5)]
    rows, errors, _ = _read_all(_accounts(tmp_path, lines))
    assert [r["account_id"] for r in rows] == ["acct-1", "acct-3", "acct-5"]
    assert [(e.line, e.reason.split(" (")[0]) for e in errors] == [
        (3, "a field is longer than the field-size limit"),
        (5, "the line is 5,008 bytes long, more than a valid row can be"),
    ]
    monkeypatch.setenv(MAX_FIELD_ENV, "lots")
    with pytest.raises(InputError, match=MAX_FIELD_ENV):
        _read_all(tmp_path)


def test_a_quoted_value_open_for_too_many_lines_is_cut_off(tmp_path: Path) -> None:
    lines = [_good(1), 'acct-2,"opened\n'] + [_good(i) for i in range(3, 30)]
    rows, errors, _ = _read_all(_accounts(tmp_path, lines), Limits(max_record_lines=5))
    assert len(rows) == 28 and [(e.line, "still open 5 lines later" in e.reason) for e in errors] == [
        (3, True)
    ]


def test_legitimate_quoted_line_breaks_stay_one_row(tmp_path: Path) -> None:
    lines = [_good(1), 'acct-2,"two\nlines@example.com",org-2\n', "\n", _good(3)]
    rows, errors, result = _read_all(_accounts(tmp_path, lines))
    assert not errors and [(r["account_id"], r["_line"]) for r in rows] == [
        ("acct-1", 2),
        ("acct-2", 3),
        ("acct-3", 6),
    ]
    assert rows[1]["email"] == "two\nlines@example.com"
    assert (result.rows, result.lines, result.blank_lines) == (3, 6, 1)


def test_header_names_are_matched_without_regard_to_case(tmp_path: Path) -> None:
    (tmp_path / "payment_methods.csv").write_text("Account_ID, Instrument_Id ,KIND\nacct-1,tok_a,card\n")
    result = FileResult()
    [chunk] = list(read_file(discover(tmp_path).tables["payment_methods"][0], result))
    assert chunk.data.select(["account_id", "instrument_id", "kind"]).to_pylist() == [
        {"account_id": "acct-1", "instrument_id": "tok_a", "kind": "card"}
    ]
    assert result.ignored_columns == [] and result.problem is None


def test_a_column_named_twice_refuses_the_file(tmp_path: Path) -> None:
    (tmp_path / "payment_methods.csv").write_text(
        "account_id,instrument_id,kind,Kind\nacct-1,tok_a,card,bank\n"
    )
    result = FileResult()
    assert list(read_file(discover(tmp_path).tables["payment_methods"][0], result)) == []
    assert result.problem and "kind as 'kind', 'Kind'" in result.problem and "refused" in result.problem


def test_parquet_and_jsonl_names_are_matched_without_regard_to_case(tmp_path: Path) -> None:
    pq.write_table(pa.table({"Account_Id": ["acct-1"], "TIER": ["build"]}), tmp_path / "accounts.parquet")
    (tmp_path / "logins.jsonl").write_text(
        '{"TS": "2026-02-10T10:00:00Z", "Account_ID": "acct-1", "Kind": "console"}\n'
        '{"ts": "2026-02-10T10:00:00Z", "account_id": "acct-1", "kind": "console", "KIND": "signup"}\n'
    )
    bundle = discover(tmp_path)
    rows, _, _ = _read(bundle.tables["accounts"][0])
    assert [(r["account_id"], r["tier"]) for r in rows] == [("acct-1", "build")]
    rows, errors, result = _read(bundle.tables["logins"][0])
    assert [(r["ts"], r["account_id"], r["kind"]) for r in rows] == [
        ("2026-02-10T10:00:00Z", "acct-1", "console")
    ]
    assert [(e.line, "given twice" in e.reason) for e in errors] == [(2, True)] and result.rows == 2


def test_a_card_number_in_a_rejected_line_is_masked_before_it_is_kept(tmp_path: Path) -> None:
    lines = [_good(1), 'acct-2,"card 4111 1111 1111 1111,org\n', _good(3)]
    _, errors, _ = _read_all(_accounts(tmp_path, lines))
    assert errors[0].raw == 'acct-2,"card ************1111,org'
    (tmp_path / "accounts.csv").write_text(
        HEADER + "acct-9," + "x" * 1990 + " 4111 1111 1111 1111" + "y" * (2 << 20) + "\n"
    )
    _, errors, _ = _read_all(tmp_path)
    assert "4111 1111" not in errors[0].raw and "1111 1111 1111" not in errors[0].raw


def test_jsonl_lines_over_the_limit_and_long_lines_are_rejects(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(MAX_FIELD_ENV, "50")
    body = (
        '{"ip": "192.0.2.1"}\n'
        + '{"ip": "192.0.2.2", "as_org": "'
        + "o" * 2000
        + '"}\n'
        + '{"ip": "192.0.2.3"}\n'
    )
    (tmp_path / "ip_intel.jsonl").write_text(body)
    rows, errors, result = _read(discover(tmp_path).tables["ip_intel"][0])
    assert [r["ip"] for r in rows] == ["192.0.2.1", "192.0.2.3"]
    assert [(e.line, "more than a valid row can be" in e.reason) for e in errors] == [(2, True)]
    assert (result.rows, result.lines) == (3, 3)
