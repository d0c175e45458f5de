"""Grouping flagged clusters into campaigns."""

import pandas as pd

from hydrascope.detect.campaigns import group_campaigns


def test_clusters_with_cross_ties_or_shared_templates_join_one_campaign_others_stay_apart():
    clusters = pd.DataFrame(
        {
            "cluster_id": ["cl-a", "cl-b", "cl-c", "cl-d", "cl-x"],
            "size": [50, 40, 30, 20, 99],
            "flagged": [True, True, True, True, False],
        }
    )
    ties = pd.DataFrame(
        {"cluster_a": ["cl-a", "cl-c", "cl-a"], "cluster_b": ["cl-b", "cl-d", "cl-x"], "ties": [12, 1, 50]}
    )
    templates = {"cl-c": {"t1", "t2", "t3"}, "cl-d": {"t1", "t2", "t4"}}
    out = group_campaigns(clusters, ties, templates).set_index("cluster_id")["campaign_id"]
    assert out["cl-a"] == out["cl-b"] == "cp-a"
    assert out["cl-c"] == out["cl-d"] == "cp-c"
    assert "cl-x" not in out.index
