"""Evaluation metrics and baselines."""

import numpy as np
import pandas as pd

from hydrascope.detect.examples import tiny_world
from hydrascope.evaluate.baselines import rate_threshold, shared_attribute_components
from hydrascope.evaluate.metrics import account_metrics, adjusted_rand_index, pivot_metrics


def test_adjusted_rand_index_known_values():
    assert adjusted_rand_index(np.array([0, 0, 1, 1]), np.array([5, 5, 7, 7])) == 1.0
    # the classic example (sklearn's docs): 0.5714...
    assert abs(adjusted_rand_index(np.array([0, 0, 1, 2]), np.array([0, 0, 1, 1])) - 0.5714285714) < 1e-6
    assert adjusted_rand_index(np.array([0, 0, 0, 0]), np.array([0, 1, 2, 3])) == 0.0


def test_account_metrics_counts_and_per_kind_false_positive_rates():
    truth = pd.DataFrame(
        {
            "account_id": ["w1", "w2", "w3", "r1", "c1", "c2", "u1", "u2"],
            "campaign_id": ["A", "A", "B", "A", None, None, None, None],
            "role": ["worker", "worker", "worker", "regrown", "corporate", "corporate", "cgnat", "cgnat"],
            "exchanges": [100, 100, 800, 0, 5, 5, 5, 5],
        }
    )
    flagged = pd.DataFrame(
        {"account_id": ["w1", "w2", "r1", "c1"], "campaign_id": ["X", "X", "X", "X"], "cluster_id": ["k"] * 4}
    )
    m = account_metrics(truth, flagged)
    assert (m.tp, m.fp, m.fn) == (3, 1, 1)
    assert m.precision == 0.75 and m.recall == 0.75
    assert m.honest_fpr == 0.25
    assert m.honest_fpr_by_kind == {"cgnat": 0.0, "corporate": 0.5}
    assert m.exchange_recall == 200 / 1000
    assert m.regrown_recall == 1.0
    assert m.honest_groups_flagged == 0


def test_pivot_metrics_attributes_clusters_by_majority():
    truth = pd.DataFrame({"account_id": ["a", "b", "c", "d"], "campaign_id": ["P", "P", None, None]})
    members = pd.DataFrame({"account_id": ["a", "b", "c", "d"], "cluster_id": ["k1", "k1", "k2", "k2"]})
    out = pivot_metrics(truth, members, {"k1", "k2"})
    assert out == {"pivot_campaigns": ["P"], "pivot_honest_clusters": 1}


def test_baselines_behave_as_documented_on_the_tiny_world():
    snap = tiny_world()
    rate = set(rate_threshold(snap)["account_id"])
    assert rate and {a.split("-")[0] for a in rate} <= {"auto", "research", "hydra"}
    comps = shared_attribute_components(snap)
    # the naive link analysis glues the CGNAT crowd and the company into groups, flagging them
    kinds = {a.split("-")[0] for a in comps["account_id"]}
    assert {"cgnat", "corp", "hydra"} <= kinds
