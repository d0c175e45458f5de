"""The event store: raw request, login and enforcement events as Parquet, partitioned by day.

``<data_dir>/events/<table>/date=YYYY-MM-DD/part-<run>-<n>.parquet``. Every stored event carries
``event_hash``/``event_hash_lo`` (the 128-bit MD5 of its contract columns, typed: the same event
from CSV or Parquet hashes the same), and its provenance: ``source_file``, ``source_row``,
``source_line``, ``run_id``. So every edge of the graph can be traced back to its rows with one DuckDB query.

Why a content hash: re-reading an export must not count its events twice. A run stages its
validated events, drops identical repeats within the input (rejected as duplicates) and events
already stored, and appends only the rest. Graph aggregates are then recomputed from the store
for the accounts those new events touch, and SET (never incremented).

Crash safety: before new part files are moved into the store, the accounts they touch are written
to a pending journal (``<data_dir>/pending/``). A run that dies between the store and the graph
leaves the journal behind; the next run adopts it and recomputes those accounts too, so a killed
run followed by a re-run ends with the same graph as one clean run.
"""

# SQL here is assembled only from contract column names, store paths and constants; values
# (times, cutoffs) are parameters. Hence no per-line S608 markers.
# ruff: noqa: S608
from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from hydrascope.contract import TABLES
from ingest.readers import LINE_COL, ROW_COL
from ingest.rejects import Reject

HASH_COL = "event_hash"  # upper 64 bits of the MD5 of the event's contract columns
HASH_LO = "event_hash_lo"  # lower 64 bits
_LOW64 = "CAST(18446744073709551615 AS UHUGEINT)"
PROVENANCE_COLS = ("source_file", "source_row", "source_line", "run_id")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@dataclass
class CommitResult:
    """What committing one table's staged events did."""

    staged: int = 0
    new: int = 0
    already_stored: int = 0
    duplicates: int = 0


class EventStore:
    """Parquet event store under ``root`` (``data_dir()``), with per-run staging and journals."""

    def __init__(self, root: Path, run_id: str) -> None:
        self.root = root
        self.run_id = run_id
        self.events = root / "events"
        self.pending = root / "pending"
        self.staging = root / "staging" / run_id
        self._parts: dict[str, int] = {}

    # ------------------------------------------------------------------ paths
    def table_dir(self, table: str) -> Path:
        return self.events / table

    def has_events(self, table: str) -> bool:
        return any(self.table_dir(table).glob("date=*/*.parquet"))

    def scan(self, table: str) -> str:
        """SQL for all stored events of a table (an empty typed relation when there are none)."""
        if not self.has_events(table):
            cols = ", ".join(f"NULL::{_sql_type(c.type)} AS {_ident(c.name)}" for c in TABLES[table].columns)
            return (
                f"(SELECT {cols}, NULL::UBIGINT AS {HASH_COL}, NULL::UBIGINT AS {HASH_LO}, "
                "NULL::VARCHAR AS date WHERE false)"
            )
        pattern = _lit(str(self.table_dir(table) / "date=*" / "*.parquet"))
        return f"read_parquet({pattern}, hive_partitioning = true, hive_types = {{'date': VARCHAR}})"

    # ------------------------------------------------------------------ staging
    def stage(self, table: str, good: pa.Table, source_file: str) -> None:
        """Append validated rows to this run's staging area (Parquet, so memory stays bounded)."""
        if good.num_rows == 0:
            return
        directory = self.staging / table
        directory.mkdir(parents=True, exist_ok=True)
        n = self._parts.get(table, 0)
        self._parts[table] = n + 1
        data = good.append_column("source_file", pa.array([source_file] * good.num_rows, pa.string()))
        pq.write_table(data, directory / f"part-{n:06d}.parquet", compression="zstd")

    def staged_tables(self) -> list[str]:
        return [t for t in TABLES if (self.staging / t).is_dir()]

    # ------------------------------------------------------------------ commit
    def commit(
        self, table: str, con: duckdb.DuckDBPyConnection, dry_run: bool = False, reject_limit: int = 100_000
    ) -> tuple[CommitResult, list[Reject]]:
        """Move this run's new events of ``table`` into the store; return counts and duplicates.

        Also leaves the accounts of the new events in the pending journal (see module docstring)
        and in the DuckDB table ``touched_<table>``.
        """
        result = CommitResult()
        columns = TABLES[table].column_names
        staged = _lit(str(self.staging / table / "*.parquet"))
        key = (
            "concat_ws(chr(31), "
            + ", ".join(
                f"coalesce(CAST({_ident(c)} AS VARCHAR), chr(0))"
                if TABLES[table].column(c).type != "timestamp"
                else f"coalesce(CAST(epoch_us({_ident(c)}) AS VARCHAR), chr(0))"
                for c in columns
            )
            + ")"
        )
        # One pass computes the 128-bit content hash (two integers: cheap to join and to store).
        # MD5 is computed once: md5_number's low/high 64 bits are md5_number_upper/_lower, the
        # values every stored event already carries (the same hashes as before this change).
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE staged AS
            SELECT * EXCLUDE (h), CAST(h & {_LOW64} AS UBIGINT) AS {HASH_COL},
                   CAST(h >> 64 AS UBIGINT) AS {HASH_LO}, strftime(ts, '%Y-%m-%d') AS date
            FROM (SELECT *, md5_number({key}) AS h FROM read_parquet({staged}))"""
        )
        result.staged = _scalar(con, "SELECT count(*) FROM staged")
        # Repeats within the input are rare: find candidate groups on one 64-bit half first (a
        # cheap aggregate), then the exact groups and their first row among those few rows only.
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE repeats AS
            SELECT {HASH_COL}, {HASH_LO}, arg_min(source_file, (source_file, {ROW_COL})) AS first_file,
                   arg_min({ROW_COL}, (source_file, {ROW_COL})) AS first_row
            FROM staged
            WHERE {HASH_COL} IN (SELECT {HASH_COL} FROM staged GROUP BY {HASH_COL} HAVING count(*) > 1)
            GROUP BY ALL HAVING count(*) > 1"""
        )
        later = (
            f"JOIN repeats d USING ({HASH_COL}, {HASH_LO}) "
            f"WHERE NOT (s.source_file = d.first_file AND s.{ROW_COL} = d.first_row)"
        )
        dup_rows = con.sql(
            f"SELECT s.source_file, s.{ROW_COL}, s.{LINE_COL}, d.first_file, d.first_row, "
            f"{', '.join('s.' + _ident(c) for c in columns)} FROM staged s {later} "
            f"ORDER BY s.source_file, s.{ROW_COL} LIMIT {int(reject_limit)}"
        ).fetchall()
        result.duplicates = _scalar(con, f"SELECT count(*) FROM staged s {later}")
        rejects = [
            Reject(
                table,
                r[0],
                r[1],
                r[2],
                f"duplicate: identical to row {r[4]} of {r[3]} (an event is counted once)",
                {
                    c: (v.isoformat() if hasattr(v, "isoformat") else v)
                    for c, v in zip(columns, r[5:], strict=True)
                },
            )
            for r in dup_rows
        ]
        # What is left in ``staged`` is this run's new events: later repeats and events already
        # in the store are deleted from it (in place: no second copy of millions of rows).
        if result.duplicates:
            con.execute(
                f"""DELETE FROM staged s USING repeats d
                WHERE s.{HASH_COL} = d.{HASH_COL} AND s.{HASH_LO} = d.{HASH_LO}
                  AND NOT (s.source_file = d.first_file AND s.{ROW_COL} = d.first_row)"""
            )
        if self.has_events(table):
            con.execute(
                f"""DELETE FROM staged s USING (
                    SELECT {HASH_COL}, {HASH_LO} FROM {self.scan(table)}
                    WHERE date IN (SELECT DISTINCT date FROM staged)) e
                WHERE e.{HASH_COL} = s.{HASH_COL} AND e.{HASH_LO} = s.{HASH_LO}"""
            )
        con.execute("CREATE OR REPLACE TEMP VIEW fresh AS SELECT * FROM staged")
        result.new = _scalar(con, "SELECT count(*) FROM fresh")
        result.already_stored = result.staged - result.duplicates - result.new
        con.execute(f"CREATE OR REPLACE TEMP TABLE touched_{table} AS SELECT DISTINCT account_id FROM fresh")
        if result.new == 0 or dry_run:
            return result, rejects
        self.pending.mkdir(parents=True, exist_ok=True)
        journal = self.pending / f"{self.run_id}-{table}.parquet"
        con.execute(f"COPY touched_{table} TO {_lit(str(journal))} (FORMAT parquet)")
        out = self.staging / "out" / table
        shutil.rmtree(out, ignore_errors=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        cols = ", ".join(_ident(c) for c in columns)
        con.execute(
            f"""COPY (SELECT {cols}, {HASH_COL}, {HASH_LO}, source_file, {ROW_COL} AS source_row,
                      {LINE_COL} AS source_line, {_lit(self.run_id)} AS run_id, date
                      FROM fresh ORDER BY date, account_id, ts)
            TO {_lit(str(out))} (FORMAT parquet, PARTITION_BY (date), COMPRESSION zstd,
                                 FILENAME_PATTERN {_lit("part-" + self.run_id + "-{i}")})"""
        )
        for part in sorted(out.rglob("*.parquet")):
            target = self.table_dir(table) / part.parent.name / part.name
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
            shutil.copyfile(part, tmp)
            os.replace(tmp, target)  # atomic: a reader sees a whole part file or none
        return result, rejects

    # ------------------------------------------------------------------ journal
    def pending_journals(self, table: str) -> list[Path]:
        """Journals of this table left by runs that died before finishing their graph writes."""
        return sorted(self.pending.glob(f"*-{table}.parquet")) if self.pending.is_dir() else []

    def journal_scan(self, table: str) -> str | None:
        """SQL listing the accounts of every pending journal of ``table`` (None when there is none)."""
        journals = self.pending_journals(table)
        if not journals:
            return None
        return f"(SELECT account_id FROM read_parquet([{', '.join(_lit(str(j)) for j in journals)}]))"

    def touched(
        self,
        con: duckdb.DuckDBPyConnection,
        tables: tuple[str, ...],
        name: str,
        dry_run: bool,
        everything: bool = False,
    ) -> int:
        """Create table ``name``: accounts of this run's new events of ``tables`` (``touched_<t>``
        from ``commit``) plus those of pending journals, or with ``everything`` every account the
        store holds events of (a rebuild); returns how many."""
        parts = [f"SELECT account_id FROM touched_{t}" for t in tables if t in self.staged_tables()]
        parts += [scan for t in tables if (scan := self.journal_scan(t))]
        if everything:
            parts += [f"SELECT account_id FROM {self.scan(t)}" for t in tables if self.has_events(t)]
        if dry_run or not parts:
            parts = ["SELECT NULL::VARCHAR AS account_id WHERE false"]
        union = " UNION ".join(parts)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT DISTINCT account_id FROM ({union})")
        return _scalar(con, f"SELECT count(*) FROM {name}")

    def latest_run(self, con: duckdb.DuckDBPyConnection) -> str | None:
        """The newest run id among stored events (ids start with their UTC start time)."""
        scans = [f"SELECT max(run_id) AS r FROM {self.scan(t)}" for t in TABLES if self.has_events(t)]
        if not scans:
            return None
        row = con.execute(f"SELECT max(r) FROM ({' UNION ALL '.join(scans)})").fetchall()
        return str(row[0][0]) if row and row[0][0] is not None else None

    def has_any_events(self) -> bool:
        return any(self.has_events(t) for t in TABLES if TABLES[t].events)

    def clear_journals(self, journals: list[Path]) -> None:
        for journal in journals:
            journal.unlink(missing_ok=True)

    def remove_stale_staging(self) -> None:
        """Delete staging folders of earlier runs (only call under the ingest lock)."""
        parent = self.staging.parent
        if parent.is_dir():
            for old in parent.iterdir():
                if old != self.staging:
                    shutil.rmtree(old, ignore_errors=True)

    def clean_staging(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchall()
    return int(row[0][0]) if row and row[0][0] is not None else 0


def _sql_type(kind: str) -> str:
    return {"timestamp": "TIMESTAMPTZ", "integer": "BIGINT", "boolean": "BOOLEAN"}.get(kind, "VARCHAR")
