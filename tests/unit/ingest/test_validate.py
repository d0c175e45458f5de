"""Validation against the contract: types, enumerations, IPs, requirements, card numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

from hydrascope.contract import TABLES
from ingest.pan import looks_like_pan
from ingest.readers import Chunk, SourceFile
from ingest.validate import new_connection, normalise_ip, validate


def _chunk(table: str, rows: list[dict]) -> Chunk:
    names = list(rows[0])
    data = pa.table({n: pa.array([r.get(n) for r in rows], pa.string()) for n in names})
    data = data.append_column("_row", pa.array(range(1, len(rows) + 1), pa.int64()))
    data = data.append_column("_line", pa.array(range(2, len(rows) + 2), pa.int64()))
    return Chunk(SourceFile(Path(f"{table}.csv"), table, "csv", None), data)


def test_requests_are_typed_and_each_bad_row_gets_its_reasons() -> None:
    rows = [
        {"ts": "2026-02-10T10:00:00Z", "account_id": "acct-1", "ip": "2001:DB8::1", "input_tokens": "12"},
        {"ts": "2026-02-10 11:00:00+01:00", "account_id": " acct-2 ", "ip": "192.0.2.1", "input_tokens": ""},
        {"ts": "yesterday", "account_id": "", "ip": "192.0.2.999", "input_tokens": "1.5e9x"},
        {"ts": "2026-02-10T10:00:00Z", "account_id": "acct-3", "ip": "192.0.2.1", "input_tokens": "-3"},
    ]
    result = validate(_chunk("requests", rows), TABLES["requests"], new_connection())
    good = result.good.to_pylist()
    assert [(g["account_id"], g["ip"], g["input_tokens"], g["ts"].isoformat()) for g in good] == [
        ("acct-1", "2001:db8::1", 12, "2026-02-10T10:00:00+00:00"),
        ("acct-2", "192.0.2.1", None, "2026-02-10T10:00:00+00:00"),
    ]
    reasons = {r.row: r.reason for r in result.rejects}
    assert reasons[3].split("; ") == [
        "ts: not an ISO-8601 timestamp",
        "account_id: required value missing",
        "ip: not a valid IPv4 or IPv6 address",
        "input_tokens: not an integer",
    ]
    assert reasons[4] == "input_tokens: negative"
    assert result.rejects[0].raw["ts"] == "yesterday" and result.rejects[0].line == 4


def test_a_missing_required_column_rejects_every_row_with_that_reason() -> None:
    result = validate(
        _chunk("requests", [{"ts": "2026-02-10T10:00:00Z", "account_id": "a"}]),
        TABLES["requests"],
        new_connection(),
    )
    assert result.good.num_rows == 0
    assert result.rejects[0].reason == "required column ip is missing from the file"


def test_enumerations_and_one_of() -> None:
    logins = [
        {
            "ts": "2026-02-10T10:00:00Z",
            "account_id": "a",
            "ip": "192.0.2.1",
            "client_fingerprint": None,
            "kind": "signup",
        },
        {
            "ts": "2026-02-10T10:00:00Z",
            "account_id": "a",
            "ip": None,
            "client_fingerprint": None,
            "kind": "console",
        },
        {
            "ts": "2026-02-10T10:00:00Z",
            "account_id": "a",
            "ip": None,
            "client_fingerprint": "fp",
            "kind": "hack",
        },
    ]
    result = validate(_chunk("logins", logins), TABLES["logins"], new_connection())
    assert result.good.num_rows == 1
    assert [r.reason for r in result.rejects] == [
        "needs at least one of ip, client_fingerprint",
        "kind: not one of signup, console, key_created",
    ]


def test_a_card_number_in_any_column_refuses_the_row_and_is_masked_in_the_reject() -> None:
    rows = [
        {"account_id": "acct-1", "instrument_id": "4111111111111111", "kind": "card"},
        {"account_id": "5500 0000 0000 0004", "instrument_id": "tok_1", "kind": "cheque"},
        {"account_id": "acct-2", "instrument_id": "tok_2", "kind": "bank"},
    ]
    result = validate(_chunk("payment_methods", rows), TABLES["payment_methods"], new_connection())
    assert result.good.column("instrument_id").to_pylist() == ["tok_2"]
    first, second = (r.record() for r in result.rejects)
    assert first["reason"].startswith("instrument_id: looks like a card number")
    assert first["original"]["instrument_id"] == "************1111"
    # The card-number reason replaces the others: nothing about the row is echoed unmasked.
    assert second["reason"].startswith("account_id: looks like a card number")
    assert "5500" not in str(second)


def test_booleans_and_integers_of_ip_intel() -> None:
    rows = [
        {"ip": "100.64.0.1", "asn": "64500", "is_datacenter": "true", "is_vpn": "0"},
        {"ip": "198.51.100.1", "asn": "AS64500", "is_datacenter": "maybe", "is_vpn": None},
    ]
    result = validate(_chunk("ip_intel", rows), TABLES["ip_intel"], new_connection())
    assert result.good.to_pylist()[0] | {"_row": 0, "_line": 0} == {
        "ip": "100.64.0.1",
        "asn": 64500,
        "as_org": None,
        "country": None,
        "is_datacenter": True,
        "is_vpn": False,
        "proxy_service": None,
        "_row": 0,
        "_line": 0,
    }
    assert result.rejects[0].reason == "asn: not an integer; is_datacenter: not a boolean (true/false)"


def test_normalise_ip() -> None:
    assert normalise_ip("2001:0DB8:0:0::1") == "2001:db8::1"
    assert normalise_ip("192.0.2.01") is None
    assert normalise_ip("203.0.113.7") == "203.0.113.7"
    # An IPv4-mapped IPv6 address is the IPv4 address it carries (issue #12, finding 9).
    assert normalise_ip("::ffff:100.64.1.1") == "100.64.1.1"
    assert normalise_ip("::FFFF:6440:0101") == "100.64.1.1"
    assert normalise_ip("64:ff9b::100.64.1.1") == "64:ff9b::6440:101"  # NAT64 is not mapped


def test_ipv4_mapped_addresses_are_stored_as_ipv4_in_events_and_ip_intel() -> None:
    rows = [{"ts": "2026-02-10T10:00:00Z", "account_id": "acct-1", "ip": "::ffff:100.64.1.1"}]
    result = validate(_chunk("requests", rows), TABLES["requests"], new_connection())
    assert result.good.column("ip").to_pylist() == ["100.64.1.1"] and not result.rejects
    intel = validate(_chunk("ip_intel", [{"ip": "::ffff:192.0.2.9"}]), TABLES["ip_intel"], new_connection())
    assert intel.good.column("ip").to_pylist() == ["192.0.2.9"]


@pytest.mark.parametrize("control", ["\x00", "\x01", "\t", "\n", "\x7f", "\x85", "\x9f"])
def test_a_control_character_in_an_identifier_refuses_the_row(control: str) -> None:
    rows = [
        {
            "ts": "2026-02-10T10:00:00Z",
            "account_id": f"acct{control}1",
            "ip": "192.0.2.1",
            "prompt_template": "t",
        },
        {
            "ts": "2026-02-10T10:00:00Z",
            "account_id": "acct-2",
            "ip": "192.0.2.1",
            "prompt_template": f"t{control}x",
        },
        {"ts": "2026-02-10T10:00:00Z", "account_id": "acct-3", "ip": "192.0.2.1", "prompt_template": "t"},
    ]
    result = validate(_chunk("requests", rows), TABLES["requests"], new_connection())
    assert result.good.column("account_id").to_pylist() == ["acct-3"]
    assert [r.reason.split(":")[0] for r in result.rejects] == ["account_id", "prompt_template"]
    assert all("control character" in r.reason and "identifier" in r.reason for r in result.rejects)


def test_control_characters_in_other_text_are_removed_except_tabs_and_line_breaks() -> None:
    rows = [
        {"account_id": "acct-1", "action": "ban", "ts": "2026-02-10T10:00:00Z", "reason": "a\x00b\x85c\td\ne"}
    ]
    result = validate(_chunk("enforcement", rows), TABLES["enforcement"], new_connection())
    assert result.good.column("reason").to_pylist() == ["abc\td\ne"] and not result.rejects


def test_a_value_over_the_field_size_limit_is_rejected_whatever_the_format(monkeypatch) -> None:
    monkeypatch.setenv("HYDRASCOPE_INGEST_MAX_FIELD", "20")
    rows = [{"account_id": "acct-1", "org_id": "o" * 21}, {"account_id": "acct-2", "org_id": "o" * 20}]
    result = validate(_chunk("accounts", rows), TABLES["accounts"], new_connection())
    assert result.good.column("account_id").to_pylist() == ["acct-2"]
    assert result.rejects[0].reason.startswith("org_id: longer than the field-size limit (20 characters")


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("account_id", "4111.1111.1111.1111"),
        ("instrument_id", "pm_4111111111111111"),
        ("email", "4111-1111-1111-1111@example.com"),
        ("org_id", "org 5500 0000 0000 0004"),
        (
            "tier",
            "\uff14\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11",
        ),
        ("status", "card 4111-1111-1111-1111 exp 12/27"),
    ],
)
def test_a_card_number_inside_any_string_refuses_the_row_and_is_masked(column: str, value: str) -> None:
    table = "payment_methods" if column == "instrument_id" else "accounts"
    row = (
        {"account_id": "acct-1", "instrument_id": "tok_1"}
        if table == "payment_methods"
        else {"account_id": "acct-1"}
    )
    row[column] = value
    result = validate(_chunk(table, [row]), TABLES[table], new_connection())
    assert result.good.num_rows == 0
    [reject] = result.rejects
    assert reject.reason.startswith(f"{column}: looks like a card number")
    record = json.dumps(reject.record(), ensure_ascii=False)
    assert "1111" in record or "0004" in record
    assert not looks_like_pan(record) and "\uff14\uff11\uff11" not in record
