"""The ingest state every host must agree on, read from the graph: the last update tag and the
per-table watermarks.

Why the graph: every host writing one database must draw its update tag above every earlier
run's (cleanup deletes what carries an older tag) and resume ``--since watermark`` from the same
point. Each run's ``IngestRun`` node already holds its ``update_tag`` (written before the run
writes anything, so a failed run counts too) and now its ``watermarks`` (JSON, written once the
run had loaded its events). Read under the writer lease, so no other run draws a tag meanwhile.

``<state_dir>/ingest/state.json``, where earlier versions kept both, is read only to migrate: when
the graph has no tag or no watermarks yet, its values are used, and once a run has written both to
the graph the file is renamed ``state.json.migrated``, never to be read again.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from hydrascope.db import Graph
from hydrascope.schema.model import INGEST_RUN
from ingest.load import ident

_RUN = ident(INGEST_RUN.label)
for _prop in ("update_tag", "watermarks", INGEST_RUN.key):
    INGEST_RUN.prop(_prop)
LAST_TAG = f"MATCH (r:{_RUN}) RETURN max(r.update_tag) AS tag"
LAST_WATERMARKS = (
    f"MATCH (r:{_RUN}) WHERE r.watermarks IS NOT NULL "
    "RETURN r.watermarks AS marks ORDER BY r.update_tag DESC LIMIT 1"
)
SET_WATERMARKS = f"MATCH (r:{_RUN} {{{INGEST_RUN.key}: $run_id}}) SET r.watermarks = $marks"


@dataclass
class IngestState:
    """``last_update_tag`` keeps tags strictly increasing (cleanup compares them); watermarks are
    the newest event time loaded per event table, for ``--since watermark`` runs. ``legacy`` is
    the local ``state.json`` this run migrates from, if any."""

    last_update_tag: int = 0
    watermarks: dict[str, str] = field(default_factory=dict)
    legacy: Path | None = None

    @classmethod
    def load(cls, graph: Graph | None, legacy_path: Path) -> IngestState:
        """The graph's state; ``legacy_path`` (an old ``state.json``) fills what the graph lacks.
        Without a graph (a dry run) only the file can tell."""
        tag: int | None = None
        marks: dict[str, str] | None = None
        if graph is not None:
            rows = graph.read(LAST_TAG)
            tag = int(rows[0]["tag"]) if rows and rows[0]["tag"] is not None else None
            found = graph.read(LAST_WATERMARKS)
            marks = dict(json.loads(found[0]["marks"])) if found else None
        state = cls(tag or 0, marks or {})
        if (tag is None or marks is None) and legacy_path.exists():
            data = json.loads(legacy_path.read_text(encoding="utf-8"))
            state.legacy = legacy_path
            state.last_update_tag = max(state.last_update_tag, int(data.get("last_update_tag", 0)))
            if marks is None:
                state.watermarks = dict(data.get("watermarks", {}))
        return state

    def next_update_tag(self) -> int:
        """Epoch seconds, but always above the previous run's tag (two runs in one second, or a
        host whose clock is behind another's)."""
        self.last_update_tag = max(int(time.time()), self.last_update_tag + 1)
        return self.last_update_tag

    def watermark(self, table: str) -> datetime | None:
        value = self.watermarks.get(table)
        return datetime.fromisoformat(value) if value else None

    def record(self, graph: Graph, run_id: str) -> None:
        """Store the watermarks on this run's node; the graph now holds the tag and the watermarks,
        so a migrated ``state.json`` is retired."""
        graph.write(SET_WATERMARKS, {"run_id": run_id, "marks": json.dumps(self.watermarks, sort_keys=True)})
        if self.legacy is not None and self.legacy.exists():
            self.legacy.replace(self.legacy.with_name(self.legacy.name + ".migrated"))
            self.legacy = None
