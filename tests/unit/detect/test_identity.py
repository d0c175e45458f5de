"""Stable cluster identity: ids kept by overlap, lifecycle recorded."""

import pandas as pd

from hydrascope.detect.identity import match_clusters, new_cluster_id
from hydrascope.detect.snapshot import normalise_accounts


def _members(groups):
    return pd.DataFrame(
        [(a, c) for c, accs in groups.items() for a in accs], columns=["account_id", "cluster"]
    )


def _prev(groups):
    return pd.DataFrame(
        [(a, c) for c, accs in groups.items() for a in accs], columns=["account_id", "cluster_id"]
    )


def _accounts(ids, created=None, banned=None):
    created = created or {}
    banned = banned or {}
    return normalise_accounts(
        pd.DataFrame(
            {
                "account_id": ids,
                "created_at": [created.get(i, 0.0) for i in ids],
                "banned_at": [banned.get(i) for i in ids],
            }
        )
    )


A = [f"a{i}" for i in range(10)]
B = [f"b{i}" for i in range(10)]


def test_first_run_is_born_with_member_derived_ids():
    out = match_clusters(_members({0: A}), _prev({}), _accounts(A))
    assert out.loc[0, "lifecycle"] == "born"
    assert out.loc[0, "cluster_id"] == new_cluster_id(A)


def test_same_members_keep_the_id_growth_and_shrinkage_are_recorded():
    prev = _prev({"cl-A": A, "cl-B": B})
    out = match_clusters(_members({0: A, 1: B[:5]}), prev, _accounts(A + B)).set_index("cluster")
    assert out.loc[0, "cluster_id"] == "cl-A" and out.loc[0, "lifecycle"] == "stable"
    assert out.loc[1, "cluster_id"] == "cl-B" and out.loc[1, "lifecycle"] == "shrank"
    grown = match_clusters(_members({0: [*A, "new1", "new2"]}), prev, _accounts([*A, "new1", "new2"]))
    assert grown.loc[0, "lifecycle"] == "grew" and grown.loc[0, "cluster_id"] == "cl-A"


def test_split_keeps_the_id_on_the_biggest_piece_and_merge_on_the_biggest_overlap():
    prev = _prev({"cl-A": A, "cl-B": B})
    split = match_clusters(_members({0: A[:6], 1: A[6:]}), prev, _accounts(A)).set_index("cluster")
    assert split.loc[0, "cluster_id"] == "cl-A"
    assert set(split["lifecycle"]) == {"split"}
    assert split.loc[1, "cluster_id"] != "cl-A"
    merged = match_clusters(_members({0: A + B[:8]}), prev, _accounts(A + B))
    assert merged.loc[0, "cluster_id"] == "cl-A" and merged.loc[0, "lifecycle"] == "merged"


def test_new_members_born_after_a_ban_of_old_members_mean_regrew():
    prev = _prev({"cl-A": A})
    accounts = _accounts([*A, "fresh"], created={"fresh": 100.0}, banned={"a0": 50.0})
    out = match_clusters(_members({0: [*A[1:], "fresh"]}), prev, accounts)
    assert out.loc[0, "cluster_id"] == "cl-A" and out.loc[0, "lifecycle"] == "regrew"
