"""One ingest at a time: an OS file lock in the state folder.

Two overlapping runs would count each other's events and clean up each other's data. ``flock``
is released by the kernel when the holder dies, so a killed run never leaves a stale lock; the
file's content (pid, start time, bundle) only serves the message of a second run.
"""

from __future__ import annotations

import fcntl
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO

from hydrascope.errors import LockHeld


class IngestLock:
    """``with IngestLock(path, source):`` holds the lock or raises ``LockHeld`` at once."""

    def __init__(self, path: Path, source: str = "") -> None:
        self.path = path
        self.source = source
        self._fh: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            fh.seek(0)
            holder = fh.read().strip()
            fh.close()
            try:
                info = json.loads(holder)
                who = f"pid {info.get('pid')}, started {info.get('started_at')}, bundle {info.get('source')}"
            except ValueError:
                who = "holder unknown"
            raise LockHeld(
                f"another ingest is running ({who}); this run did nothing: try again later"
            ) from exc
        fh.seek(0)
        fh.truncate()
        info = {"pid": os.getpid(), "started_at": datetime.now(UTC).isoformat(), "source": self.source}
        fh.write(json.dumps(info))
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            self._fh.seek(0)
            self._fh.truncate()
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None

    def __enter__(self) -> IngestLock:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
