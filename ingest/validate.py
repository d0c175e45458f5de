"""Validate chunks against the data contract, vectorised.

Each chunk is checked as whole columns: card numbers with a numpy Luhn check, IP syntax on the
distinct values only (addresses repeat heavily), and types, enumerations, requirements in one
DuckDB statement over the Arrow data (``TRY_CAST`` gives NULL where a value does not parse, so a
failure becomes a reason, never an exception). Good rows come out typed; every bad row comes out
as a ``Reject`` with its file, row, line and all its reasons.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hydrascope.contract import Column, Table
from ingest.pan import pan_mask
from ingest.readers import LINE_COL, MAX_FIELD_ENV, ROW_COL, Chunk, max_field_chars
from ingest.rejects import Reject

PAN_REASON = "looks like a card number (13-19 digits passing the Luhn check): refused, never stored"
CONTROL_REASON = (
    "contains a control character (NUL or another of U+0000-U+001F, U+007F-U+009F): refused in an identifier"
)
# C0 and C1 control characters and DEL, in RE2 syntax. In an identifier every one is refused; in
# other text all but tab, line feed and carriage return are removed (a stray NUL in an
# organisation's name says nothing, and a multi-line reason keeps its lines).
_CONTROL = r"[\x00-\x1f\x7f-\x{9f}]"
_STRIPPED = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x{9f}]"
_SQL_TYPES = {"timestamp": "TIMESTAMPTZ", "integer": "BIGINT", "boolean": "BOOLEAN"}
_TYPE_NAMES = {
    "timestamp": "not an ISO-8601 timestamp",
    "integer": "not an integer",
    "boolean": "not a boolean (true/false)",
    "ip": "not a valid IPv4 or IPv6 address",
}


@dataclass
class Validated:
    """The typed good rows of a chunk and the rejects (read errors included)."""

    good: pa.Table
    rejects: list[Reject] = field(default_factory=list)


def new_connection() -> duckdb.DuckDBPyConnection:
    """A DuckDB connection that reads times without an offset as UTC (the contract says UTC)."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    return con


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def normalise_ip(value: str) -> str | None:
    """The canonical text of an address, or None if invalid.

    Lower-case, compressed IPv6; an IPv4-mapped IPv6 address (``::ffff:100.64.1.1``) is the IPv4
    address it carries, so it is one node with the plain form and gets IPv4 facts (its /24, the
    CGNAT range) instead of sharing one ``::/64`` with every other mapped address.
    """
    try:
        addr = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return str(addr.ipv4_mapped)
    return str(addr)


def _ips(values: pa.ChunkedArray) -> pa.Array:
    """Normalised addresses for a column, computed once per distinct value."""
    arr = values.combine_chunks()
    uniques = pc.unique(arr).drop_null()
    normal = pa.array([normalise_ip(v) for v in uniques.to_pylist()], pa.string())
    return pc.take(normal, pc.index_in(arr, uniques))


def _is_text(col: pa.ChunkedArray | pa.Array) -> bool:
    return pa.types.is_string(col.type) or pa.types.is_large_string(col.type)


def _clean_strings(col: pa.ChunkedArray, identifier: bool) -> pa.ChunkedArray | pa.Array:
    """Trim text and turn empty strings into nulls (a CSV field left empty means "no value");
    outside identifiers, remove control characters other than tab and line breaks."""
    if not _is_text(col):
        return col
    if not identifier:
        col = pc.replace_substring_regex(col, _STRIPPED, "")
    trimmed = pc.utf8_trim_whitespace(col)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, col.type), trimmed)


def _text_problems(col: Column, values: pa.ChunkedArray, max_field: int) -> pa.Array | None:
    """Per row, why a text value is refused before any type check (None where it is fine):
    longer than the field-size limit (JSONL and Parquet; the CSV reader already refuses it), or
    a control character in an identifier."""
    if not _is_text(values):
        return None
    reasons: list[tuple[pa.Array, str]] = [
        (
            pc.greater(pc.utf8_length(values), max_field),
            f"{col.name}: longer than the field-size limit ({max_field:,} characters, {MAX_FIELD_ENV})",
        )
    ]
    if col.identifier:
        reasons.append((pc.match_substring_regex(values, _CONTROL), f"{col.name}: {CONTROL_REASON}"))
    result: pa.Array | None = None
    for hit, why in reasons:
        hit = pc.fill_null(hit, False)
        if not pc.any(hit).as_py():
            continue
        this = pc.if_else(hit, pa.scalar(why), pa.scalar(None, pa.string()))
        result = this if result is None else pc.coalesce(result, this)
    return result


def _column_sql(col: Column, absent: bool) -> tuple[str, list[str]]:
    """SQL for the typed value of a column and the SQL reasons it may be rejected for."""
    src = _ident(col.name)
    reasons: list[str] = []
    if col.type in _SQL_TYPES or col.type == "ip":
        typed = (
            _ident("_ip_" + col.name) if col.type == "ip" else f"TRY_CAST({src} AS {_SQL_TYPES[col.type]})"
        )
        why = _quote(f"{col.name}: {_TYPE_NAMES[col.type]}")
        reasons.append(f"CASE WHEN {src} IS NOT NULL AND {typed} IS NULL THEN {why} END")
    else:
        typed = f"CAST({src} AS VARCHAR)"
    if col.enum:
        allowed = ", ".join(_quote(v) for v in col.enum)
        reasons.append(
            f"CASE WHEN {typed} IS NOT NULL AND {typed} NOT IN ({allowed}) "
            f"THEN {_quote(col.name + ': not one of ' + ', '.join(col.enum))} END"
        )
    if col.non_negative:
        reasons.append(f"CASE WHEN {typed} < 0 THEN {_quote(col.name + ': negative')} END")
    if col.required:
        missing = (
            f"required column {col.name} is missing from the file"
            if absent
            else f"{col.name}: required value missing"
        )
        reasons.append(f"CASE WHEN {src} IS NULL THEN {_quote(missing)} END")
    return typed, reasons


def validate(chunk: Chunk, table: Table, con: duckdb.DuckDBPyConnection) -> Validated:
    """Split a chunk into typed good rows and rejects, with every reason that applies."""
    rejects = [
        Reject(table.name, str(chunk.source.path), e.row, e.line, e.reason, e.raw) for e in chunk.errors
    ]
    raw = chunk.data
    n = raw.num_rows
    present = set(raw.column_names)
    data = raw
    max_field = max_field_chars()
    problems: dict[str, pa.Array] = {}
    for col in table.columns:
        if col.name not in present:
            data = data.append_column(col.name, pa.nulls(n, pa.string()))
        else:
            why = _text_problems(col, data.column(col.name), max_field)
            if why is not None:
                problems[col.name] = why
            idx = data.schema.get_field_index(col.name)
            data = data.set_column(idx, col.name, _clean_strings(data.column(col.name), col.identifier))
    if LINE_COL not in present:
        data = data.append_column(LINE_COL, pa.nulls(n, pa.int64()))

    # Card numbers anywhere: the names of the columns that hold one, per row.
    pan_cols = np.full(n, None, dtype=object)
    for name in table.column_names:
        hits = pan_mask(data.column(name))
        for i in np.flatnonzero(hits):
            pan_cols[i] = name if pan_cols[i] is None else f"{pan_cols[i]}, {name}"
    data = data.append_column("_pan", pa.array(pan_cols, pa.string()))
    for col in table.columns:
        if col.type == "ip":
            data = data.append_column("_ip_" + col.name, _ips(data.column(col.name).cast(pa.string())))
    for name, why in problems.items():
        data = data.append_column("_why_" + name, why)

    selects: list[str] = []
    reasons: list[str] = []
    for col in table.columns:
        typed, col_reasons = _column_sql(col, absent=col.name not in present)
        selects.append(f"{typed} AS {_ident(col.name)}")
        if col.name in problems:
            reasons.append(_ident("_why_" + col.name))
        reasons.extend(col_reasons)
    if table.one_of:
        cond = " AND ".join(f"{_ident(c)} IS NULL" for c in table.one_of)
        reasons.append(
            f"CASE WHEN {cond} THEN {_quote('needs at least one of ' + ', '.join(table.one_of))} END"
        )
    reason_sql = (
        f"CASE WHEN _pan IS NOT NULL THEN _pan || {_quote(': ' + PAN_REASON)} "
        f"ELSE NULLIF(concat_ws('; ', {', '.join(reasons)}), '') END"
    )
    con.register("chunk", data)
    try:
        result: pa.Table = con.sql(
            f"SELECT {', '.join(selects)}, {ROW_COL}, {LINE_COL}, {reason_sql} AS _reason FROM chunk"  # noqa: S608
        ).to_arrow_table()
    finally:
        con.unregister("chunk")
    reason = result.column("_reason")
    bad = pc.is_valid(reason)
    good = result.filter(pc.invert(bad)).drop_columns(["_reason"])
    bad_idx = np.flatnonzero(bad.to_numpy(zero_copy_only=False))
    if bad_idx.size:
        take = pa.array(bad_idx)
        originals = raw.drop_columns([c for c in (ROW_COL, LINE_COL) if c in present]).take(take).to_pylist()
        rows = result.column(ROW_COL).take(take).to_pylist()
        lines = result.column(LINE_COL).take(take).to_pylist()
        for original, row, line, why in zip(
            originals, rows, lines, reason.take(take).to_pylist(), strict=True
        ):
            rejects.append(Reject(table.name, str(chunk.source.path), row, line, why, original))
    return Validated(good, rejects)
