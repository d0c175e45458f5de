"""Small persistent ingest state: the last update tag and the per-table watermarks.

Kept as JSON in ``<state_dir>/ingest/state.json`` and only read or written under the ingest lock.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path


@dataclass
class IngestState:
    """``last_update_tag`` keeps tags strictly increasing (cleanup compares them); watermarks are
    the newest event time loaded per event table, for ``--since watermark`` runs."""

    path: Path
    last_update_tag: int = 0
    watermarks: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> IngestState:
        if not path.exists():
            return cls(path)
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(path, int(data.get("last_update_tag", 0)), dict(data.get("watermarks", {})))

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        data = {"last_update_tag": self.last_update_tag, "watermarks": self.watermarks}
        tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
        os.replace(tmp, self.path)

    def next_update_tag(self) -> int:
        """Epoch seconds, but always above the previous run's tag (two runs in one second)."""
        self.last_update_tag = max(int(time.time()), self.last_update_tag + 1)
        return self.last_update_tag

    def watermark(self, table: str) -> datetime | None:
        value = self.watermarks.get(table)
        return datetime.fromisoformat(value) if value else None
