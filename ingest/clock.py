"""The run's clock: the one notion of "now" a run checks timestamps and ages edges against.

Why one clock, taken once: an event can never be later than the moment it was exported, so a
timestamp after the run's wall-clock time (plus a small allowance for clocks that disagree) is
an error in the data, and such a row is rejected with its file, line and reason. Without this
rule one bogus row dated ``2999-01-01`` once became the "newest event" the TTL was measured from
and aged out every edge of the graph. Tests inject ``now`` to make runs reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hydrascope.contract import Table
from ingest.readers import LINE_COL, ROW_COL
from ingest.rejects import Reject

DEFAULT_SKEW = timedelta(minutes=15)


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RunClock:
    """``now`` (aware, UTC) and the ``skew`` a source's clock may be ahead of ours."""

    now: datetime = field(default_factory=_utc_now)
    skew: timedelta = DEFAULT_SKEW

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("the run clock needs an aware datetime (UTC)")
        if self.skew < timedelta(0):
            raise ValueError("the clock skew cannot be negative")

    @property
    def latest(self) -> datetime:
        """The latest timestamp a row may carry."""
        return self.now + self.skew


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def reject_future(good: pa.Table, table: Table, clock: RunClock, file: str) -> tuple[pa.Table, list[Reject]]:
    """Split validated (typed) rows into those whose every timestamp is at most ``clock.latest``
    and rejects for the others, each naming the columns that lie in the future."""
    columns = [c.name for c in table.columns if c.type == "timestamp" and c.name in good.column_names]
    if good.num_rows == 0 or not columns:
        return good, []
    late: dict[str, np.ndarray] = {}
    for name in columns:
        column = good.column(name)
        limit = pa.scalar(clock.latest, column.type)
        hits = pc.fill_null(pc.greater(column, limit), False).to_numpy(zero_copy_only=False)
        if hits.any():
            late[name] = hits
    if not late:
        return good, []
    bad = np.logical_or.reduce(list(late.values()))
    limit_text = f"{clock.now:%Y-%m-%dT%H:%M:%SZ} plus {int(clock.skew.total_seconds() // 60)} min"
    rejects = []
    for i in np.flatnonzero(bad):
        row = {c: _plain(good.column(c)[i].as_py()) for c in table.column_names if c in good.column_names}
        names = [n for n, hits in late.items() if hits[i]]
        reason = "; ".join(
            f"{n}: {row[n]} is in the future (later than this run's clock, {limit_text} of allowed skew)"
            for n in names
        )
        row_no, line = good.column(ROW_COL)[i].as_py(), good.column(LINE_COL)[i].as_py()
        rejects.append(Reject(table.name, file, row_no, line, reason, row))
    return good.filter(pa.array(~bad)), rejects
