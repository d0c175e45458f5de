"""One aggregation: the benchmarks' direct snapshot equals what ``read_snapshot`` reads from the
graph after a real ingest of the same bundle, every frame, row for row.

Both sides run ingest's own code (``run_ingest``); the direct side writes into an in-memory image
instead of Neo4j and reads it by the same column declarations. A difference here means the two
paths disagree about what the detector sees, which is what the old re-implementation did.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from hydrascope.detect.snapshot import Snapshot
from hydrascope.jobs.bundle import snapshot_from_bundle
from hydrascope.jobs.snapshot import read_snapshot
from hydrascope.simulate import generate
from ingest.run import run_ingest

pytestmark = pytest.mark.neo4j

FRAMES = ("accounts", "edges", "ips", "instruments", "models", "previous_members", "previous_clusters")


def _normalised(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in one order (by every column's text), lists as tuples, nulls as None: the graph
    returns rows in its own order, and that order is not part of the snapshot's meaning."""
    out = frame.copy()
    for c in out.columns:
        out[c] = [
            tuple(int(x) for x in v) if hasattr(v, "__len__") and not isinstance(v, str) else v
            for v in out[c]
        ]
    key = pd.Series(["\x1f".join(map(repr, row)) for row in out.itertuples(index=False)], index=out.index)
    return out.loc[key.sort_values(kind="stable").index].reset_index(drop=True)


def _last_request(bundle: Path) -> datetime:
    path = bundle / "requests.parquet"
    ts = pd.read_parquet(path if path.exists() else bundle / "requests", columns=["ts"])["ts"]
    return pd.to_datetime(ts, utc=True).max().to_pydatetime()


def _assert_same(graph_side: Snapshot, direct: Snapshot) -> None:
    for name in FRAMES:
        got, want = _normalised(getattr(direct, name)), _normalised(getattr(graph_side, name))
        assert list(got.columns) == list(want.columns), name
        assert len(got) == len(want), (name, len(got), len(want))
        pd.testing.assert_frame_equal(got, want, check_dtype=False, obj=name)


@pytest.mark.parametrize(
    ("scenario", "seed", "ttl_days"),
    [("tiny", 1, None), ("tiny", 2, 10), ("demo", 7, None)],
    ids=["tiny", "tiny-ttl-10d", "demo"],
)
def test_direct_snapshot_equals_the_graph_after_a_real_ingest(
    tmp_path: Path, graph, scenario: str, seed: int, ttl_days: int | None
) -> None:
    bundle = tmp_path / scenario
    generate(scenario, bundle, seed=seed)
    ttl = timedelta(days=ttl_days) if ttl_days else None
    # a TTL needs a fixed clock: the world's last day (plus one), so some edges age out and some do not
    now = _last_request(bundle) + timedelta(days=1) if ttl else None
    report = run_ingest(
        bundle, graph, ttl=ttl, now=now, data_root=tmp_path / "data", state_root=tmp_path / "state"
    )
    assert report.ok, (report.problems, report.rows_rejected)
    from_graph = read_snapshot(graph)
    direct = snapshot_from_bundle(bundle, ttl=ttl, now=now)

    assert len(from_graph.accounts) > 100 and len(from_graph.edges) > 1000
    assert (from_graph.accounts["status"] == "banned").any()  # the enforcement history reached both
    assert from_graph.ips["is_cgnat"].any() or scenario == "tiny"
    _assert_same(from_graph, direct)


def test_ttl_leaves_old_edges_out_of_the_direct_snapshot(tmp_path: Path) -> None:
    """The TTL is ingest's, not ignored as the old copy did: with a 10-day TTL the direct snapshot
    holds fewer edges than without, none last seen before the cutoff (the parametrised test above
    shows they are the graph's)."""
    bundle = tmp_path / "tiny"
    generate("tiny", bundle, seed=2)
    now = _last_request(bundle)
    aged = snapshot_from_bundle(bundle, ttl=timedelta(days=10), now=now)
    everything = snapshot_from_bundle(bundle)
    assert 0 < len(aged.kind("template")) < len(everything.kind("template"))
    cutoff = (now - timedelta(days=10)).timestamp()
    assert (aged.kind("template")["last_seen"] >= int(cutoff) - 1).all()
