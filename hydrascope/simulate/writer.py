"""Writing tables as Parquet, CSV or JSONL, deterministically.

Parquet keeps ``timestamp[ms, tz=UTC]`` and is written without the Arrow schema blob, so every
reader (DuckDB, pandas, Spark) sees plain string columns even where the writer used dictionary
encoding. CSV and JSONL carry timestamps as ISO-8601 UTC strings (``2026-02-03T04:05:06Z``).
JSONL is assembled with Arrow string kernels — one pass per column, no per-row Python.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

FORMATS = ("parquet", "csv", "jsonl")


def _plain(table: pa.Table) -> pa.Table:
    """Decode dictionaries and render timestamps as ISO strings (for text formats)."""
    cols = []
    for col in table.columns:
        arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
        if pa.types.is_dictionary(arr.type):
            arr = arr.dictionary_decode()
        if pa.types.is_timestamp(arr.type):
            secs = pc.cast(arr, pa.timestamp("s", tz="UTC"), safe=False)
            arr = pc.strftime(secs, format="%Y-%m-%dT%H:%M:%SZ")
        cols.append(arr)
    return pa.table(cols, names=table.column_names)


def _json_value(arr: pa.Array) -> pa.Array:
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        esc = pc.replace_substring(pc.replace_substring(arr, "\\", "\\\\"), '"', '\\"')
        val = pc.binary_join_element_wise(pa.scalar('"'), esc, pa.scalar('"'), "")
    elif pa.types.is_boolean(arr.type):
        val = pc.if_else(arr, pa.scalar("true"), pa.scalar("false"))
    else:
        val = pc.cast(arr, pa.string())
    return pc.fill_null(val, "null")


def _jsonl_bytes(table: pa.Table) -> bytes:
    plain = _plain(table)
    if plain.num_rows == 0:
        return b""
    pieces: list[pa.Array | pa.Scalar] = []
    for i, name in enumerate(plain.column_names):
        prefix = ("{" if i == 0 else ",") + f'"{name}":'
        pieces += [pa.scalar(prefix), _json_value(plain.column(i).combine_chunks())]
    pieces.append(pa.scalar("}\n"))
    lines = pc.binary_join_element_wise(*pieces, "")
    # Consecutive strings are contiguous in the data buffer: the slice is the whole file.
    offsets = lines.buffers()[1]
    data = lines.buffers()[2]
    off = np.frombuffer(offsets, dtype=np.int32)[lines.offset : lines.offset + len(lines) + 1]
    return data.to_pybytes()[off[0] : off[-1]]


def write_table(table: pa.Table, path: Path, fmt: str) -> int:
    """Write ``table`` to ``path`` (extension included); returns the file size in bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        stats = [c for c in ("ts", "created_at", "first_seen", "account_id") if c in table.column_names]
        pq.write_table(
            table,
            path,
            compression="zstd",
            store_schema=False,
            row_group_size=1_000_000,
            write_statistics=stats or False,
        )
    elif fmt == "csv":
        pacsv.write_csv(_plain(table), path)
    elif fmt == "jsonl":
        path.write_bytes(_jsonl_bytes(table))
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return path.stat().st_size
