"""The shared ``get`` step: read a table's files, validate, reject, and dedupe or stage rows.

Every source module's ``sync`` starts here, so reading, validation, rejects and counting work
the same for every table.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hydrascope.contract import Table
from ingest.clock import reject_future
from ingest.context import IngestContext
from ingest.readers import LINE_COL, ROW_COL, FileResult, SourceFile, read_file
from ingest.rejects import Reject
from ingest.validate import validate


def sha256(path: Path) -> str:
    """Checksum of a source file, recorded on the IngestRun node (which exact export was loaded)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _dedupe(
    table: Table, good: pa.Table, seen: dict[tuple[Any, ...], tuple[str, int]], file: str
) -> tuple[pa.Table, list[Reject]]:
    """Reference tables: a key seen before in this run is a duplicate row, rejected (first wins)."""
    keys = list(zip(*(good.column(k).to_pylist() for k in table.key), strict=True))
    rows = good.column(ROW_COL).to_pylist()
    lines = good.column(LINE_COL).to_pylist()
    keep = np.ones(len(keys), dtype=bool)
    rejects: list[Reject] = []
    for i, key in enumerate(keys):
        first = seen.get(key)
        if first is None:
            seen[key] = (file, rows[i])
            continue
        keep[i] = False
        original = {c: good.column(c)[i].as_py() for c in table.column_names}
        key_text = ", ".join(f"{k}={v}" for k, v in zip(table.key, key, strict=True))
        rejects.append(
            Reject(
                table.name,
                file,
                rows[i],
                lines[i],
                f"duplicate key ({key_text}): already given at row {first[1]} of {first[0]}",
                {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in original.items()},
            )
        )
    if keep.all():
        return good, rejects
    return good.filter(pa.array(keep)), rejects


def get(ctx: IngestContext, table: Table, files: list[SourceFile]) -> pa.Table | None:
    """Read and validate every file of ``table``.

    Reference tables: returns their good, de-duplicated rows (small enough to hold). Event tables:
    stages good rows into the event store and returns None (they can be larger than memory).
    """
    report = ctx.report.table(table.name)
    seen: dict[tuple[Any, ...], tuple[str, int]] = {}
    kept: list[pa.Table] = []
    since = ctx.since.get(table.name)
    progress = ctx.writer.progress
    task = progress.add_task(f"read {table.name}", total=len(files)) if progress is not None else None
    for source in files:
        result = FileResult()
        file = str(source.path)
        for chunk in read_file(source, result):
            checked = validate(chunk, table, ctx.con)
            good, future = reject_future(checked.good, table, ctx.clock, file)
            rejects = checked.rejects + future
            if not table.events:
                good, dupes = _dedupe(table, good, seen, file)
                rejects = rejects + dupes
            elif since is not None and good.num_rows:
                fresh = pc.fill_null(
                    pc.greater_equal(good.column("ts"), pa.scalar(since, good.column("ts").type)), False
                )
                report.skipped += good.num_rows - int(pc.sum(fresh).as_py() or 0)
                good = good.filter(fresh)
            report.rejected += len(rejects)
            ctx.rejects.write(rejects)
            if table.events:
                ctx.store.stage(table.name, good, file)
            else:
                kept.append(good)
                report.loaded += good.num_rows
        report.read += result.rows
        if result.ignored_columns:
            report.ignored_columns.extend(
                c for c in result.ignored_columns if c not in report.ignored_columns
            )
        if result.problem:
            ctx.report.problems.append(result.problem)
        report.files.append(
            {
                "table": table.name,
                "path": file,
                "format": source.fmt,
                "compression": source.compression,
                "bytes": source.path.stat().st_size,
                "sha256": sha256(source.path),
                "rows": result.rows,
                "lines": result.lines,
                "blank_lines": result.blank_lines,
            }
        )
        if progress is not None and task is not None:
            progress.update(task, advance=1)
    if progress is not None and task is not None:
        progress.remove_task(task)
    if table.events:
        return None
    if not kept:
        return None
    return pa.concat_tables(kept)
