"""What a run did, per table and overall: the summary table, the IngestRun node, the exit code."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any


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

    @contextmanager
    def timed(self, phase: str) -> Iterator[None]:
        """Add the wall time of a block to ``timings[phase]`` (the benchmark reads these)."""
        began = time.perf_counter()
        try:
            yield
        finally:
            self.timings[phase] = self.timings.get(phase, 0.0) + time.perf_counter() - began

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
