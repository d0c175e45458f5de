"""Rejected rows: the original row, its file and line, and the reason, in a JSONL file.

Card numbers never reach this file: every string in a reject record is masked to its last four
digits first (``ingest.pan.mask_value``), and only then cut to ``RAW_KEEP`` characters (a 10 MB
field is not copied whole into the rejects file; cutting after masking can never leave part of a
card number unmasked).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ingest.pan import mask_pans, mask_value

RAW_KEEP = 2_000  # characters of a rejected value or line kept in the rejects file


def cut(value: Any) -> Any:
    """Strings longer than ``RAW_KEEP`` cut, with their length said (recursively)."""
    if isinstance(value, str):
        return value if len(value) <= RAW_KEEP else f"{value[:RAW_KEEP]}… (cut: {len(value):,} characters)"
    if isinstance(value, dict):
        return {k: cut(v) for k, v in value.items()}
    if isinstance(value, list):
        return [cut(v) for v in value]
    return value


def kept_text(text: str) -> str:
    """A rejected line or value as the rejects file keeps it: masked, then cut."""
    return str(cut(mask_pans(text)))


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
        return dict(cut(masked))


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
