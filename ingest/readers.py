"""Find the tables of a bundle and stream their rows in chunks, whatever the format.

A table is one file (``requests.parquet``, ``requests.csv.gz``) or a directory of part files
(``requests/``, hive-style ``date=.../`` subfolders included). CSV, JSONL and Parquet are detected
from the name, or sniffed from the content; gzip, bz2, xz and zstd compression from the magic
bytes. Every reader yields bounded chunks, so a file larger than memory loads.

Text formats are read as strings (validation types them, with a reason for each failure); a row
the reader itself cannot use (wrong field count, broken JSON, bad UTF-8, unknown column) becomes a
``ReadError`` with its file and line, so that no row is ever dropped silently.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import json
import lzma
import shutil
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from hydrascope.errors import InputError
from ingest.contract import IGNORED_NAMES, TABLES, Table

CHUNK_ROWS = 100_000
ROW_COL = "_row"
LINE_COL = "_line"

_COMPRESSION_SUFFIXES = (".gz", ".gzip", ".bz2", ".xz", ".zst", ".zstd")
_FORMAT_SUFFIXES = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
_MAGIC = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
)


@dataclass(frozen=True)
class SourceFile:
    """One input file of a table, with the format and compression it was detected to have."""

    path: Path
    table: str
    fmt: str
    compression: str | None


@dataclass
class Bundle:
    """What a bundle directory holds: files per table, and the problems found on the way."""

    root: Path
    tables: dict[str, list[SourceFile]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReadError:
    """A row the reader could not turn into columns (it is rejected with this reason)."""

    row: int
    line: int | None
    reason: str
    raw: Any


@dataclass
class Chunk:
    """Up to ``CHUNK_ROWS`` rows of one file: contract columns plus ``_row`` (and ``_line``)."""

    source: SourceFile
    data: pa.Table
    errors: list[ReadError] = field(default_factory=list)


@dataclass
class FileResult:
    """Counted by the reader as it goes: rows seen, columns it ignored, a fatal file problem."""

    rows: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    problem: str | None = None


# --------------------------------------------------------------------------------- discovery
def detect_compression(path: Path) -> str | None:
    """The compression of a file from its first bytes (names can lie; magic bytes do not)."""
    with path.open("rb") as fh:
        head = fh.read(8)
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    return None


def _split_name(name: str) -> tuple[str, str | None]:
    """``requests.csv.gz`` -> (``requests``, ``csv``); unknown extensions give format None."""
    lower = name.lower()
    for suffix in _COMPRESSION_SUFFIXES:
        if lower.endswith(suffix):
            name, lower = name[: -len(suffix)], lower[: -len(suffix)]
            break
    for suffix, fmt in _FORMAT_SUFFIXES.items():
        if lower.endswith(suffix):
            return name[: -len(suffix)], fmt
    return name.split(".", 1)[0], None


def _sniff_format(path: Path, compression: str | None) -> str:
    """Guess a file's format from its content when its name does not say."""
    if compression is None:
        with path.open("rb") as fh:
            if fh.read(4) == b"PAR1":
                return "parquet"
    with _open_binary(path, compression) as fh:
        head = fh.read(4096).lstrip()
    return "jsonl" if head.startswith(b"{") else "csv"


def _source(path: Path, table: str, fmt: str | None) -> SourceFile:
    compression = detect_compression(path)
    return SourceFile(path, table, fmt or _sniff_format(path, compression), compression)


def _is_hidden(path: Path) -> bool:
    return path.name.startswith((".", "_")) or path.name in IGNORED_NAMES


def _below(path: Path, root: Path) -> list[Path]:
    """``path`` and its parents up to (not including) ``root``: any hidden one hides the file."""
    return [path, *(q for q in path.parents if root in q.parents)]


def discover(root: Path, only: set[str] | None = None) -> Bundle:
    """List a bundle's tables. Unknown names are problems (reported, never silently skipped)."""
    if not root.exists():
        raise InputError(f"bundle directory {root} does not exist")
    if not root.is_dir():
        raise InputError(f"{root} is not a directory: point ingest at the folder holding the tables")
    bundle = Bundle(root)
    known = ", ".join(TABLES)
    for entry in sorted(root.iterdir()):
        if _is_hidden(entry):
            continue
        if entry.is_dir():
            table, fmt = entry.name, None
            parts = sorted(
                p
                for p in entry.rglob("*")
                if p.is_file() and not any(_is_hidden(q) for q in _below(p, entry))
            )
        else:
            table, fmt = _split_name(entry.name)
            parts = [entry]
        if table not in TABLES:
            bundle.problems.append(f"{entry.name}: unknown table {table!r} (the data contract has {known})")
            continue
        if only is not None and table not in only:
            continue
        if not parts:
            bundle.problems.append(f"{entry.name}/: table directory holds no files")
            continue
        for part in parts:
            part_fmt = fmt if entry.is_file() else _split_name(part.name)[1]
            try:
                source = _source(part, table, part_fmt)
            except OSError as exc:
                bundle.problems.append(f"{part}: cannot be read ({exc.strerror or exc})")
                continue
            bundle.tables.setdefault(table, []).append(source)
    for table in sorted(only or ()):
        if table not in TABLES:
            raise InputError(f"unknown table {table!r} in --only (the data contract has {known})")
        if table not in bundle.tables:
            bundle.problems.append(f"{table}: asked for with --only, but the bundle has no such file")
    return bundle


# --------------------------------------------------------------------------------- streams
def _open_binary(path: Path, compression: str | None) -> IO[bytes]:
    """A binary stream of the decompressed content."""
    if compression == "gzip":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    if compression == "bz2":
        return bz2.open(path, "rb")
    if compression == "xz":
        return lzma.open(path, "rb")
    if compression == "zstd":
        return pa.input_stream(str(path), compression="zstd")
    return path.open("rb")


def _lines(stream: IO[bytes], block: int = 1 << 16) -> Iterator[bytes]:
    """Split a binary stream into lines (newline kept), reading large blocks: works for any codec."""
    pending = b""
    while True:
        data = stream.read(block)
        if not data:
            break
        data = pending + data
        lines = data.split(b"\n")
        pending = lines.pop()
        for line in lines:
            yield line + b"\n"
    if pending:
        yield pending


_READ_FAILURES = (EOFError, OSError, zlib.error, lzma.LZMAError, pa.ArrowInvalid, ValueError)


def _describe_failure(source: SourceFile, exc: BaseException, rows: int) -> str:
    if isinstance(exc, EOFError) or "truncated" in str(exc).lower() or "end of" in str(exc).lower():
        return f"{source.path}: truncated {source.compression or ''} file, it ends after {rows} rows".replace(
            "  ", " "
        )
    return f"{source.path}: unreadable after {rows} rows ({type(exc).__name__}: {exc})"


def _strings(values: list[Any]) -> pa.Array:
    return pa.array(values, type=pa.string())


# --------------------------------------------------------------------------------- CSV
def _read_csv(source: SourceFile, table: Table, result: FileResult) -> Iterator[Chunk]:
    bad_lines: set[int] = set()
    line_no = 0

    def decoded(stream: IO[bytes]) -> Iterator[str]:
        nonlocal line_no
        for raw in _lines(stream):
            line_no += 1
            if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                bad_lines.add(line_no)
                yield raw.decode("utf-8", errors="replace")

    with _open_binary(source.path, source.compression) as stream:
        reader = csv.reader(decoded(stream), strict=True)
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            result.problem = f"{source.path}: the header line is not valid CSV ({exc})"
            return
        header = [h.strip() for h in header]
        known = set(table.column_names)
        keep = [i for i, h in enumerate(header) if h in known]
        result.ignored_columns = [h for h in header if h not in known]
        names = [header[i] for i in keep]
        if len(set(names)) != len(names):
            result.problem = f"{source.path}: a column appears twice in the header"
            return
        rows: list[list[str]] = []
        row_numbers: list[int] = []
        line_numbers: list[int] = []
        errors: list[ReadError] = []
        previous_end = 1
        row = 0
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                row += 1
                errors.append(
                    ReadError(row, previous_end + 1, f"not valid CSV ({exc}): truncated line?", None)
                )
                break
            except _READ_FAILURES as exc:
                result.problem = _describe_failure(source, exc, row)
                break
            first_line, previous_end = previous_end + 1, reader.line_num
            if not record or record == [""]:
                continue
            row += 1
            if any(n in bad_lines for n in range(first_line, reader.line_num + 1)):
                errors.append(ReadError(row, first_line, "not valid UTF-8 text (bad encoding)", record))
            elif len(record) != len(header):
                hint = " (truncated line?)" if len(record) < len(header) else ""
                raw = dict(zip(header, record, strict=False)) if len(record) < len(header) else record
                errors.append(
                    ReadError(
                        row, first_line, f"{len(record)} fields where the header has {len(header)}{hint}", raw
                    )
                )
            else:
                rows.append([record[i] for i in keep])
                row_numbers.append(row)
                line_numbers.append(first_line)
            if len(rows) >= CHUNK_ROWS:
                yield _text_chunk(source, names, rows, row_numbers, line_numbers, errors)
                rows, row_numbers, line_numbers, errors = [], [], [], []
        result.rows = row
        if rows or errors:
            yield _text_chunk(source, names, rows, row_numbers, line_numbers, errors)


def _text_chunk(
    source: SourceFile,
    names: list[str],
    rows: list[list[Any]],
    row_numbers: list[int],
    line_numbers: list[int],
    errors: list[ReadError],
) -> Chunk:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    arrays = [_strings(list(col)) for col in columns]
    data = pa.table(
        [*arrays, pa.array(row_numbers, pa.int64()), pa.array(line_numbers, pa.int64())],
        names=[*names, ROW_COL, LINE_COL],
    )
    return Chunk(source, data, errors)


# --------------------------------------------------------------------------------- JSONL
def _scalar(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise TypeError


def _read_jsonl(source: SourceFile, table: Table, result: FileResult) -> Iterator[Chunk]:
    names = list(table.column_names)
    known = set(names)
    columns: list[list[str | None]] = [[] for _ in names]
    row_numbers: list[int] = []
    errors: list[ReadError] = []
    row = 0
    line_no = 0
    with _open_binary(source.path, source.compression) as stream:
        lines = _lines(stream)
        while True:
            try:
                raw = next(lines)
            except StopIteration:
                break
            except _READ_FAILURES as exc:
                result.problem = _describe_failure(source, exc, row)
                break
            line_no += 1
            if not raw.strip():
                continue
            row += 1
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                errors.append(
                    ReadError(
                        row,
                        line_no,
                        "not valid UTF-8 text (bad encoding)",
                        raw.decode("utf-8", errors="replace").rstrip("\n"),
                    )
                )
                continue
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                errors.append(
                    ReadError(row, line_no, f"not valid JSON ({exc.msg}): truncated line?", text.rstrip("\n"))
                )
                continue
            if not isinstance(obj, dict):
                errors.append(ReadError(row, line_no, "not a JSON object", text.rstrip("\n")))
                continue
            unknown = sorted(k for k in obj if k not in known)
            if unknown:
                errors.append(
                    ReadError(
                        row,
                        line_no,
                        f"unknown column(s) {', '.join(unknown)} (not in the data contract)",
                        obj,
                    )
                )
                continue
            try:
                values = [_scalar(obj.get(name)) for name in names]
            except TypeError:
                errors.append(
                    ReadError(row, line_no, "a value is a nested array or object, not a scalar", obj)
                )
                continue
            for col, value in zip(columns, values, strict=True):
                col.append(value)
            row_numbers.append(row)
            if len(row_numbers) >= CHUNK_ROWS:
                yield _jsonl_chunk(source, names, columns, row_numbers, errors)
                columns, row_numbers, errors = [[] for _ in names], [], []
    result.rows = row
    if row_numbers or errors:
        yield _jsonl_chunk(source, names, columns, row_numbers, errors)


def _jsonl_chunk(
    source: SourceFile,
    names: list[str],
    columns: list[list[str | None]],
    rows: list[int],
    errors: list[ReadError],
) -> Chunk:
    # A JSONL file's line equals its row here only when there are no blank lines; keep both.
    data = pa.table(
        [*(_strings(c) for c in columns), pa.array(rows, pa.int64()), pa.array(rows, pa.int64())],
        names=[*names, ROW_COL, LINE_COL],
    )
    return Chunk(source, data, errors)


# --------------------------------------------------------------------------------- Parquet
def _read_parquet(source: SourceFile, table: Table, result: FileResult) -> Iterator[Chunk]:
    tmp: Path | None = None
    path = source.path
    try:
        if source.compression:
            # Parquet needs random access: an externally compressed file is unpacked to a temp file.
            fd, name = tempfile.mkstemp(suffix=".parquet")
            tmp = Path(name)
            with _open_binary(path, source.compression) as src, open(fd, "wb") as dst:
                shutil.copyfileobj(src, dst)
            path = tmp
        try:
            pfile = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as exc:
            result.problem = f"{source.path}: not a readable Parquet file (truncated or corrupt: {exc})"
            return
        present = pfile.schema_arrow.names
        known = set(table.column_names)
        result.ignored_columns = [c for c in present if c not in known]
        columns = [c for c in present if c in known]
        row = 0
        try:
            for batch in pfile.iter_batches(batch_size=CHUNK_ROWS, columns=columns):
                n = batch.num_rows
                data = pa.Table.from_batches([batch]).append_column(
                    ROW_COL, pa.array(range(row + 1, row + n + 1), pa.int64())
                )
                row += n
                yield Chunk(source, data)
        except _READ_FAILURES as exc:
            result.problem = (
                f"{source.path}: unreadable Parquet after {row} rows (truncated or corrupt: {exc})"
            )
        result.rows = row
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def read_file(source: SourceFile, result: FileResult) -> Iterator[Chunk]:
    """Stream one file's chunks; problems that stop the file are left in ``result.problem``."""
    table = TABLES[source.table]
    readers = {"csv": _read_csv, "jsonl": _read_jsonl, "parquet": _read_parquet}
    try:
        yield from readers[source.fmt](source, table, result)
    except _READ_FAILURES as exc:
        result.problem = _describe_failure(source, exc, result.rows)
