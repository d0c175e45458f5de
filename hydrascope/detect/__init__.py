"""The detection engine: pure signals, clustering, scoring and explanations over a ``Snapshot``.

Nothing here talks to a database or a UI: DataFrames in, DataFrames out. ``hydrascope.jobs`` reads
the snapshot from Neo4j and writes the result back.
"""

from hydrascope.detect.params import DetectParams
from hydrascope.detect.pipeline import DetectionResult, detect
from hydrascope.detect.snapshot import Snapshot

__all__ = ["DetectParams", "DetectionResult", "Snapshot", "detect"]
