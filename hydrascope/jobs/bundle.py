"""Build a ``Snapshot`` straight from an input bundle, without Neo4j, by ingest's own code.

For experiments and the benchmarks' direct mode. There is no second aggregation here: the bundle
goes through the real ingest pipeline (``ingest.run.run_ingest``: readers, validation, the event
store, DuckDB aggregation, every source's transform) into an in-memory ``GraphImage`` instead of
the graph, and the snapshot is read from that image by the same column declarations
``read_snapshot`` reads the graph with. So bans, TTL, CGNAT, prefixes, active hours and rejected
rows are exactly what the graph would hold (``tests/integration/detect/test_direct_snapshot.py``
compares the two after a real ingest).
"""

from __future__ import annotations

import logging
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from hydrascope.detect.snapshot import Snapshot
from hydrascope.errors import InputError
from hydrascope.jobs.snapshot import snapshot_from_image

log = logging.getLogger(__name__)


def snapshot_from_bundle(
    bundle: Path, *, ttl: timedelta | None = None, now: datetime | None = None
) -> Snapshot:
    """Ingest ``bundle`` into a fresh in-memory image and read the detector's input from it.

    ``ttl`` and ``now`` are ingest's (no TTL by default, as the benchmarks' graph path ingests the
    simulator's fixed-window worlds). The run's event store, state and rejects live in a
    temporary folder removed afterwards; rejected rows are left out, as in the graph, and logged.
    """
    from ingest.image import GraphImage
    from ingest.run import run_ingest

    image = GraphImage()
    with tempfile.TemporaryDirectory(prefix="hydrascope-direct-") as work:
        root = Path(work)
        report = run_ingest(
            bundle, None, image=image, ttl=ttl, now=now, data_root=root / "data", state_root=root / "state"
        )
    if "requests" not in report.tables or "accounts" not in report.tables:
        raise InputError(f"{bundle} has no requests or accounts table")
    if not report.ok:
        log.warning(
            "direct snapshot of %s: %d rows rejected, %d problems (left out, as ingest would)",
            bundle,
            report.rows_rejected,
            len(report.problems),
        )
    return snapshot_from_image(image)
