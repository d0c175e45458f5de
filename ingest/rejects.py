"""Rejected rows: the original row, its file and line, and the reason, in a JSONL file.

Card numbers never reach this file: every string in a reject record is masked to its last four
digits first (``ingest.pan.mask_value``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ingest.pan import mask_value


@dataclass(frozen=True)
class Reject:
    """One refused row."""

    table: str
    file: str
    row: int | None
    line: int | None
    reason: str
    raw: Any

    def record(self) -> dict[str, Any]:
        """The JSON record written for the row, with card numbers masked everywhere."""
        masked = mask_value(
            {
                "table": self.table,
                "file": self.file,
                "row": self.row,
                "line": self.line,
                "reason": self.reason,
                "original": self.raw,
            }
        )
        assert isinstance(masked, dict)
        return masked


class RejectsWriter:
    """Appends reject records to one file per run, created only when a row is rejected."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._fh: IO[str] | None = None

    def write(self, rejects: list[Reject]) -> None:
        if not rejects:
            return
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = self.path.open("a", encoding="utf-8")
        for reject in rejects:
            self._fh.write(json.dumps(reject.record(), default=str, ensure_ascii=False) + "\n")
        self.count += len(rejects)
        self._fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    @property
    def written(self) -> bool:
        return self.count > 0
