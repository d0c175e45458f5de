"""Find the tables of a bundle and stream their rows in chunks, whatever the format.

A table is one file (``requests.parquet``, ``requests.csv.gz``) or a directory of part files
(``requests/``, hive-style ``date=.../`` subfolders included). CSV, JSONL and Parquet are detected
from the name, or sniffed from the content; gzip, bz2, xz and zstd compression from the magic
bytes. Every reader yields bounded chunks, so a file larger than memory loads.

Text formats are read as strings (validation types them, with a reason for each failure); a row
the reader itself cannot use (wrong field count, broken JSON, bad UTF-8, unknown column, a field
over the field-size limit, an unterminated quote) becomes a ``ReadError`` with its file and line,
so that no row is ever dropped silently. The CSV reader resynchronises after a malformed record:
the physical line where the record started is the reject, and reading resumes on the next line
(``_Feed``), so every physical line is loaded, rejected, or counted as blank.

Header and JSON key names are matched to the contract case-insensitively; a name given twice
(``kind`` and ``Kind``) refuses the file (or, in JSONL, the line) instead of guessing.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import json
import lzma
import os
import re
import shutil
import tempfile
import zlib
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NamedTuple

import pyarrow as pa
import pyarrow.parquet as pq

from hydrascope.contract import IGNORED_NAMES, TABLES, Table
from hydrascope.errors import InputError
from ingest.pan import mask_pans
from ingest.rejects import RAW_KEEP, kept_text

CHUNK_ROWS = 100_000
ROW_COL = "_row"
LINE_COL = "_line"
DEFAULT_MAX_FIELD = 1 << 20  # characters per field (1 MiB of ASCII)
MAX_FIELD_ENV = "HYDRASCOPE_INGEST_MAX_FIELD"
MAX_RECORD_LINES = 1_000  # physical lines one CSV record may span (quoted line breaks)

_CUT_DIGITS = re.compile(r"[\d\s.\-\uff0d\uff0e]+$")
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
    """Counted by the reader as it goes: rows seen, columns it ignored, a fatal file problem.

    ``lines`` is the file's physical lines (CSV: header included), ``blank_lines`` the empty ones
    (neither rows nor rejects). For CSV, ``rows = lines - 1 - blank_lines`` unless a quoted value
    legitimately spans lines (one row, several lines); for JSONL, ``rows = lines - blank_lines``.
    """

    rows: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    problem: str | None = None
    lines: int = 0
    blank_lines: int = 0


@dataclass(frozen=True)
class Limits:
    """What one record may hold. Beyond it, a row is a reject: never truncated, never held whole.

    ``max_field``: characters in one field (any format; ``HYDRASCOPE_INGEST_MAX_FIELD``).
    ``max_record_lines``: physical lines one CSV record may span (a quote opened and never
    closed would otherwise swallow the rest of the file).
    """

    max_field: int = DEFAULT_MAX_FIELD
    max_record_lines: int = MAX_RECORD_LINES

    @classmethod
    def from_env(cls) -> Limits:
        return cls(max_field=max_field_chars())

    def line_limit(self, columns: int) -> int:
        """Bytes one physical line may have: every field at the limit in the widest UTF-8 (4 bytes
        a character), quotes and separators included. A longer line cannot be a valid row, and
        the reader never holds more than this of one line."""
        return (4 * self.max_field + 3) * max(columns, 1) + 2


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
    bundle.problems = [mask_pans(p) for p in bundle.problems]  # file names are outside data too
    return bundle


# --------------------------------------------------------------------------------- limits
def max_field_chars() -> int:
    """The field-size limit in force: ``HYDRASCOPE_INGEST_MAX_FIELD`` characters, else 1 MiB."""
    raw = os.environ.get(MAX_FIELD_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_FIELD
    try:
        value = int(raw.replace("_", ""))
    except ValueError:
        value = 0
    if value < 1:
        raise InputError(f"{MAX_FIELD_ENV} must be a positive number of characters, not {raw!r}")
    return value


def _field_too_long(limit: int) -> str:
    return f"a field is longer than the field-size limit ({limit:,} characters, {MAX_FIELD_ENV})"


def raw_text(text: str) -> str:
    """A line or value as kept in a reject: card numbers masked first, then cut."""
    return kept_text(text.rstrip("\r\n"))


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


@dataclass(frozen=True)
class Overlong:
    """A physical line longer than the line limit: only its first bytes are kept (memory stays
    bounded whatever the file holds), and its real length is known."""

    head: bytes
    length: int

    def text(self) -> str:
        """The head as text, without the digits it may end on: they could be the first digits
        of a card number whose end was cut off, which masking would then not recognise."""
        return _CUT_DIGITS.sub("", self.head.decode("utf-8", errors="replace"))


class LineSource:
    """The physical lines of a binary stream (newline kept), read in large blocks: any codec.

    A line longer than ``cap`` bytes comes out as an ``Overlong`` and the rest of it is skipped
    without being held, so a 10 GB line costs no more memory than a short one. ``cap`` may be
    changed between lines (CSV sets it once the header says how many columns a line has).
    """

    def __init__(self, stream: IO[bytes], cap: int, block: int = 1 << 16) -> None:
        self.stream = stream
        self.cap = cap
        self.block = block

    def __iter__(self) -> Iterator[bytes | Overlong]:
        parts: list[bytes] = []  # the current line so far (no newline seen yet)
        size = 0
        skipped: bytes | None = None  # the head of an overlong line being skipped
        while True:
            data = self.stream.read(self.block)
            if not data:
                break
            pieces = data.split(b"\n")
            last = pieces.pop()  # the start of a line whose end is in a later block
            if pieces and (parts or skipped is not None):
                piece = pieces[0]
                pieces = pieces[1:]
                if skipped is not None:
                    yield Overlong(skipped, size + len(piece) + 1)
                else:
                    line = b"".join((*parts, piece))
                    yield Overlong(line[:RAW_KEEP], len(line) + 1) if len(line) > self.cap else line + b"\n"
                parts, size, skipped = [], 0, None
            for piece in pieces:
                if len(piece) > self.cap:
                    yield Overlong(piece[:RAW_KEEP], len(piece) + 1)
                else:
                    yield piece + b"\n"
            if not last:
                continue
            size += len(last)
            if skipped is None and size > self.cap:
                skipped = b"".join((*parts, last))[:RAW_KEEP]
                parts = []
            elif skipped is None:
                parts.append(last)
        if skipped is not None:
            yield Overlong(skipped, size)
        elif parts:
            yield b"".join(parts)


_READ_FAILURES = (EOFError, OSError, zlib.error, lzma.LZMAError, pa.ArrowInvalid, ValueError)


def _describe_failure(source: SourceFile, exc: BaseException, rows: int) -> str:
    if isinstance(exc, EOFError) or "truncated" in str(exc).lower() or "end of" in str(exc).lower():
        return f"{source.path}: truncated {source.compression or ''} file, it ends after {rows} rows".replace(
            "  ", " "
        )
    return mask_pans(f"{source.path}: unreadable after {rows} rows ({type(exc).__name__}: {exc})")


def _strings(values: list[Any]) -> pa.Array:
    return pa.array(values, type=pa.string())


def _match_names(
    source: SourceFile, table: Table, names: list[str], result: FileResult
) -> dict[int, str] | None:
    """Which position holds which contract column: names matched case-insensitively, trimmed.

    Unknown names are ignored and reported; a contract column named twice (``kind`` and
    ``Kind``) makes the file ambiguous, so it is refused (``result.problem``), never guessed.
    """
    known = {c.lower(): c for c in table.column_names}
    positions: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        folded = name.strip().lower()
        if folded in known:
            positions.setdefault(known[folded], []).append(i)
    twice = {c: p for c, p in positions.items() if len(p) > 1}
    if twice:
        which = "; ".join(f"{c} as {', '.join(repr(names[i].strip()) for i in p)}" for c, p in twice.items())
        result.problem = mask_pans(
            f"{source.path}: the header names a column more than once ({which}; names are matched "
            "without regard to case): the file is refused, rename or drop the extra column"
        )
        return None
    result.ignored_columns = [mask_pans(n.strip()) for n in names if n.strip().lower() not in known]
    return {p[0]: c for c, p in positions.items()}


# --------------------------------------------------------------------------------- CSV
class _RecordTooLong(Exception):
    """A quoted value is still open after ``max_record_lines`` physical lines."""


class _LineTooLong(Exception):
    """A physical line is longer than the line limit."""


class _Physical(NamedTuple):
    """One physical line of a CSV file, decoded (``bad_utf8``: it was not valid UTF-8)."""

    number: int
    text: str
    bad_utf8: bool
    length: int | None  # set for an overlong line (its text is only the head)


class _Feed:
    """The line iterator under ``csv.reader``: it numbers lines, remembers the lines of the record
    being parsed, and can give them back.

    Why: a record that fails (an unterminated quote runs to the next quote or to the end of the
    file, a field over the limit, a wrong field count over several lines) is rejected as the
    physical line where it started, and every later line of it is read again as the start of a
    new record. The reader thus resynchronises at the next line that parses, and no line after a
    malformed one is ever lost. ``csv.reader`` resets its state on every call, so it resumes
    cleanly on the lines given back.
    """

    def __init__(self, lines: Iterator[bytes | Overlong], max_record_lines: int) -> None:
        self._lines = lines
        self._back: deque[_Physical] = deque()
        self.max_record_lines = max_record_lines
        self.number = 0  # physical lines read from the file so far
        self.record: list[_Physical] = []

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        if len(self.record) >= self.max_record_lines:
            raise _RecordTooLong
        line = self._back.popleft() if self._back else self._read()
        self.record.append(line)
        if line.length is not None:
            raise _LineTooLong
        return line.text

    def _read(self) -> _Physical:
        raw = next(self._lines)  # StopIteration: csv.reader sees the end of the input
        self.number += 1
        if isinstance(raw, Overlong):
            return _Physical(self.number, raw.text(), False, raw.length)
        data = raw
        if self.number == 1 and data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            return _Physical(self.number, data.decode("utf-8"), False, None)
        except UnicodeDecodeError:
            return _Physical(self.number, data.decode("utf-8", errors="replace"), True, None)

    def begin(self) -> None:
        self.record = []

    def resync(self) -> _Physical:
        """Give back every line of the failed record but its first, which is returned."""
        first = self.record[0]
        self._back.extendleft(reversed(self.record[1:]))
        self.record = []
        return first


def _next_record(reader: Any, feed: _Feed, limits: Limits) -> list[str] | str | None:
    """The next record's fields, or why it failed (a str), or None at the end of the file."""
    feed.begin()
    try:
        return list(next(reader))
    except StopIteration:
        return None
    except _RecordTooLong:
        return (
            f"not valid CSV: a quoted value opened on this line is still open "
            f"{limits.max_record_lines:,} lines later (unterminated quote?)"
        )
    except _LineTooLong:
        length = feed.record[-1].length or 0
        if len(feed.record) > 1:
            return f"not valid CSV: a quoted value opened on this line runs into a line of {length:,} bytes"
        return (
            f"the line is {length:,} bytes long, more than a valid row can be "
            f"({limits.max_field:,}-character fields, {MAX_FIELD_ENV})"
        )
    except csv.Error as exc:
        text = str(exc)
        if "field larger than field limit" in text:
            return _field_too_long(limits.max_field)
        if "unexpected end of data" in text:
            return "not valid CSV: a quoted value opened on this line is never closed (unterminated quote?)"
        if len(feed.record) > 1:
            return (
                f"not valid CSV ({text}): a quoted value opened on this line runs over "
                f"{len(feed.record)} lines (unterminated quote?)"
            )
        return f"not valid CSV ({text})"


def _read_csv(source: SourceFile, table: Table, result: FileResult, limits: Limits) -> Iterator[Chunk]:
    previous_limit = csv.field_size_limit(limits.max_field)
    try:
        with _open_binary(source.path, source.compression) as stream:
            lines = LineSource(stream, limits.line_limit(0))
            feed = _Feed(iter(lines), limits.max_record_lines)
            try:
                yield from _csv_records(source, table, result, limits, lines, feed)
            finally:
                result.lines = feed.number
    finally:
        csv.field_size_limit(previous_limit)


def _csv_records(
    source: SourceFile, table: Table, result: FileResult, limits: Limits, lines: LineSource, feed: _Feed
) -> Iterator[Chunk]:
    reader = csv.reader(feed, strict=True)
    header = _next_record(reader, feed, limits)
    if header is None:
        return
    if isinstance(header, str):
        result.problem = f"{source.path}: the header line is not valid CSV ({header})"
        return
    columns = _match_names(source, table, header, result)
    if columns is None:
        return
    keep = sorted(columns)
    names = [columns[i] for i in keep]
    width = len(header)
    identity = keep == list(range(width))  # every column known, in any order: no reordering needed
    lines.cap = limits.line_limit(width)
    batch = _TextBatch(source, names)
    row = 0
    while True:
        try:
            record = _next_record(reader, feed, limits)
        except _READ_FAILURES as exc:
            result.problem = _describe_failure(source, exc, row)
            break
        if record is None:
            break
        if isinstance(record, str):
            first = feed.resync()
            row += 1
            batch.errors.append(ReadError(row, first.number, record, raw_text(first.text)))
        elif not record or record == [""]:
            result.blank_lines += 1
            continue
        else:
            row += 1
            lines_of = feed.record
            if len(record) == width and len(lines_of) == 1 and not lines_of[0][2]:
                batch.rows.append(record if identity else [record[i] for i in keep])
                batch.row_numbers.append(row)
                batch.line_numbers.append(lines_of[0][0])
            else:
                _csv_row(batch, feed, header, record, row, keep)
        if len(batch.rows) >= CHUNK_ROWS:
            yield batch.chunk()
            batch = _TextBatch(source, names)
        result.rows = row
    result.rows = row
    if batch.rows or batch.errors:
        yield batch.chunk()


def _csv_row(
    batch: _TextBatch, feed: _Feed, header: list[str], record: list[str], row: int, keep: list[int]
) -> None:
    """One parsed record: a good row of the batch, or a read error (resynchronising if it spans lines)."""
    first = feed.record[0]
    if any(line.bad_utf8 for line in feed.record):
        batch.errors.append(
            ReadError(row, first.number, "not valid UTF-8 text (bad encoding)", [raw_text(f) for f in record])
        )
    elif len(record) != len(header):
        reason = f"{len(record)} fields where the header has {len(header)}"
        span = len(feed.record)
        if span > 1:
            # A quote that should not be there joined this line to the next ones: reject this line
            # only and read the others again.
            feed.resync()
            why = (
                f"not valid CSV: {reason}, a quoted value opened on this line runs over {span} lines "
                "(unterminated quote?)"
            )
            batch.errors.append(ReadError(row, first.number, why, raw_text(first.text)))
            return
        hint = " (truncated line?)" if len(record) < len(header) else ""
        raw: Any = (
            {h: raw_text(v) for h, v in zip(header, record, strict=False)}
            if len(record) < len(header)
            else [raw_text(v) for v in record]
        )
        batch.errors.append(ReadError(row, first.number, reason + hint, raw))
    else:
        batch.rows.append([record[i] for i in keep])
        batch.row_numbers.append(row)
        batch.line_numbers.append(first.number)


@dataclass
class _TextBatch:
    """Rows of a text file gathered for one chunk."""

    source: SourceFile
    names: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    line_numbers: list[int] = field(default_factory=list)
    errors: list[ReadError] = field(default_factory=list)

    def chunk(self) -> Chunk:
        columns = list(zip(*self.rows, strict=True)) if self.rows else [() for _ in self.names]
        arrays = [_strings(list(col)) for col in columns]
        data = pa.table(
            [*arrays, pa.array(self.row_numbers, pa.int64()), pa.array(self.line_numbers, pa.int64())],
            names=[*self.names, ROW_COL, LINE_COL],
        )
        return Chunk(self.source, data, self.errors)


# --------------------------------------------------------------------------------- JSONL
def _scalar(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise TypeError


def _json_row(text: str, known: dict[str, str], names: list[str]) -> list[str | None] | str:
    """The values of one JSON line in contract order, or why it is rejected."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        return f"not valid JSON ({exc.msg}): truncated line?"
    if not isinstance(obj, dict):
        return "not a JSON object"
    values: dict[str, Any] = {}
    given: dict[str, str] = {}
    unknown: list[str] = []
    for key, value in obj.items():
        name = known.get(key.strip().lower())
        if name is None:
            unknown.append(key)
        elif name in given:
            return (
                f"column {name} given twice ({given[name]!r} and {key!r}: "
                "names are matched without regard to case)"
            )
        else:
            given[name] = key
            values[name] = value
    if unknown:
        return f"unknown column(s) {', '.join(sorted(unknown))} (not in the data contract)"
    try:
        return [_scalar(values.get(name)) for name in names]
    except TypeError:
        return "a value is a nested array or object, not a scalar"


def _read_jsonl(source: SourceFile, table: Table, result: FileResult, limits: Limits) -> Iterator[Chunk]:
    names = list(table.column_names)
    known = {n.lower(): n for n in names}
    batch = _TextBatch(source, names)
    row = 0
    with _open_binary(source.path, source.compression) as stream:
        lines = iter(LineSource(stream, limits.line_limit(len(names))))
        while True:
            try:
                raw = next(lines)
            except StopIteration:
                break
            except _READ_FAILURES as exc:
                result.problem = _describe_failure(source, exc, row)
                break
            result.lines += 1
            line_no = result.lines
            if isinstance(raw, Overlong):
                row += 1
                reason = (
                    f"the line is {raw.length:,} bytes long, more than a valid row can be "
                    f"({limits.max_field:,}-character fields, {MAX_FIELD_ENV})"
                )
                batch.errors.append(ReadError(row, line_no, reason, raw_text(raw.text())))
                continue
            if not raw.strip():
                result.blank_lines += 1
                continue
            row += 1
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                why = "not valid UTF-8 text (bad encoding)"
                batch.errors.append(ReadError(row, line_no, why, raw_text(raw.decode("utf-8", "replace"))))
                continue
            values = _json_row(text, known, names)
            if isinstance(values, str):
                batch.errors.append(ReadError(row, line_no, values, raw_text(text)))
                continue
            batch.rows.append(values)
            batch.row_numbers.append(row)
            batch.line_numbers.append(line_no)
            if len(batch.rows) >= CHUNK_ROWS:
                yield batch.chunk()
                batch = _TextBatch(source, names)
            result.rows = row
    result.rows = row
    if batch.rows or batch.errors:
        yield batch.chunk()


# --------------------------------------------------------------------------------- Parquet
def _read_parquet(source: SourceFile, table: Table, result: FileResult, limits: Limits) -> Iterator[Chunk]:
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
        columns = _match_names(source, table, present, result)
        if columns is None:
            return
        selected = [present[i] for i in sorted(columns)]
        renamed = [columns[i] for i in sorted(columns)]
        row = 0
        try:
            for batch in pfile.iter_batches(batch_size=CHUNK_ROWS, columns=selected):
                n = batch.num_rows
                data = (
                    pa.Table.from_batches([batch])
                    .rename_columns(renamed)
                    .append_column(ROW_COL, pa.array(range(row + 1, row + n + 1), pa.int64()))
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


def read_file(source: SourceFile, result: FileResult, limits: Limits | None = None) -> Iterator[Chunk]:
    """Stream one file's chunks; problems that stop the file are left in ``result.problem``.

    ``limits`` defaults to ``Limits.from_env()`` (the field-size limit of the environment).
    """
    table = TABLES[source.table]
    limits = limits or Limits.from_env()
    readers = {"csv": _read_csv, "jsonl": _read_jsonl, "parquet": _read_parquet}
    try:
        yield from readers[source.fmt](source, table, result, limits)
    except _READ_FAILURES as exc:
        result.problem = _describe_failure(source, exc, result.rows)
    finally:
        if result.problem:  # printed and stored on the IngestRun node: never a card number
            result.problem = mask_pans(result.problem)
