"""What a run did, per table and overall: the summary table, the IngestRun node, the exit code."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

PROGRESS = logging.getLogger("ingest.progress")
"""Live progress of a run: one INFO line as each stage starts and ends (and, from the command
line's batch hook, as graph batches commit). Silent unless a caller attaches a handler, as
``hydrascope demo prepare`` does, so library use and tests print nothing."""


def batch_progress(every: float = 5.0) -> Callable[[str, int], None]:
    """An ``after_batch`` hook (``run_ingest(after_batch=...)``) that says on :data:`PROGRESS` how
    many rows each write step has committed: on its first batch, then at most once every
    ``every`` seconds per step, so a step of millions of edges shows it is moving without
    printing a line per batch."""
    last: dict[str, float] = {}

    def hook(step: str, rows_done: int) -> None:
        now = time.monotonic()
        if step in last and now - last[step] < every:
            return
        last[step] = now
        PROGRESS.info("write %s: %s rows committed", step, f"{rows_done:,}")

    return hook


@dataclass
class TableReport:
    """Rows of one table. ``read = loaded + rejected + skipped + already_stored`` always holds:
    that equation is how a run proves it lost no row silently."""

    read: int = 0
    loaded: int = 0
    rejected: int = 0
    skipped: int = 0
    already_stored: int = 0
    files: list[dict[str, Any]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


@dataclass
class IngestReport:
    """The outcome of ``run_ingest``. ``ok`` is false when any row or file was refused."""

    run_id: str
    source: str
    update_tag: int
    started_at: datetime
    dry_run: bool = False
    ended_at: datetime | None = None
    status: str = "running"
    tables: dict[str, TableReport] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    rejects_file: Path | None = None
    written: dict[str, int] = field(default_factory=dict)
    cleaned: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    write_seconds: dict[str, float] = field(default_factory=dict)  # graph write time per step
    rebuilt: str | None = None  # why the graph was rebuilt from the event store, if it was
    cleanup_refused: str | None = None  # why the TTL cleanup guard deleted nothing, if it did
    # a bulk load's import: nodes, relationships, properties and seconds as the importer reported
    bulk: dict[str, float] | None = None

    @contextmanager
    def timed(self, phase: str) -> Iterator[None]:
        """Add the wall time of a block to ``timings[phase]`` (the benchmark reads these), and say
        on :data:`PROGRESS` when it starts and how long it took."""
        began = time.perf_counter()
        PROGRESS.info("%s ...", phase)
        try:
            yield
        finally:
            took = time.perf_counter() - began
            self.timings[phase] = self.timings.get(phase, 0.0) + took
            PROGRESS.info("%s: %.1f s", phase, took)

    def table(self, name: str) -> TableReport:
        return self.tables.setdefault(name, TableReport())

    @property
    def rows_read(self) -> int:
        return sum(t.read for t in self.tables.values())

    @property
    def rows_loaded(self) -> int:
        return sum(t.loaded for t in self.tables.values())

    @property
    def rows_rejected(self) -> int:
        return sum(t.rejected for t in self.tables.values())

    @property
    def ok(self) -> bool:
        return self.status == "succeeded"

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def tables_json(self) -> str:
        return json.dumps(
            {
                name: {k: v for k, v in asdict(t).items() if k not in ("files", "ignored_columns")}
                for name, t in self.tables.items()
            },
            sort_keys=True,
        )

    def files_json(self) -> str:
        return json.dumps([f for t in self.tables.values() for f in t.files], sort_keys=True)
