"""Templates one account sent alone arrive as counts on the account (ingest keeps no node for
them); the snapshot turns them into one edge per account, and the personal share the defence
weighs is what the per-template edges gave."""

from __future__ import annotations

import pandas as pd

from hydrascope.detect.signals.distillation import personal_share
from hydrascope.detect.snapshot import SOLO_TEMPLATE_PREFIX, Snapshot

DAY = 86_400.0


def _edges(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        [("template", a, o, n, DAY, 2 * DAY) for a, o, n in rows],
        columns=["kind", "account_id", "object_id", "requests", "first_seen", "last_seen"],
    )


def _share(snap: Snapshot) -> float:
    users = snap.edges.groupby(["kind", "object_id"])["account_id"].nunique()
    cluster_of = pd.Series(0, index=pd.Index(["a", "b"], name="account_id"))
    return float(personal_share(snap.edges, cluster_of, users).iloc[0])


def test_solo_counts_give_the_personal_share_the_per_template_edges_gave() -> None:
    accounts = pd.DataFrame({"account_id": ["a", "b"], "created_at": [0.0, 0.0]})
    shared = [("a", "tpl-book", 4), ("b", "tpl-book", 4)]
    per_template = Snapshot(
        accounts, _edges([*shared, ("a", "own-1", 1), ("a", "own-2", 2), ("a", "own-3", 3)])
    )
    counted = Snapshot(
        accounts.assign(
            solo_template_requests=[6, 0],
            solo_template_first_seen=[DAY, None],
            solo_template_last_seen=[2 * DAY, None],
        ),
        _edges(shared),
    )
    solo = counted.edges[counted.edges["object_id"].str.startswith(SOLO_TEMPLATE_PREFIX)]
    assert solo[["account_id", "requests", "first_seen", "last_seen"]].values.tolist() == [
        ["a", 6, DAY, 2 * DAY]
    ]
    assert _share(counted) == _share(per_template) == 6 / 14


def test_a_snapshot_without_solo_counts_has_no_solo_edges() -> None:
    snap = Snapshot(pd.DataFrame({"account_id": ["a"], "created_at": [0.0]}), _edges([("a", "tpl-1", 2)]))
    assert snap.edges["object_id"].tolist() == ["tpl-1"]
