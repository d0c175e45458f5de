"""The review tier: rare ties to seeds, the enforcement model, the anomaly fallback, triage."""

import numpy as np
import pandas as pd

from hydrascope.detect.examples import card_testing_world
from hydrascope.detect.leads import account_features, anomaly_pvalues, rank_leads, seed_ties
from hydrascope.detect.params import DetectParams
from hydrascope.detect.pipeline import detect
from hydrascope.detect.snapshot import Snapshot

NO_CLUSTERS = pd.DataFrame(columns=["cluster_id", "score", "size", "flagged"])
NO_MEMBERS = pd.DataFrame(columns=["account_id", "cluster_id"])


def _leads(snapshot: Snapshot, params: DetectParams | None = None) -> pd.DataFrame:
    seeds = pd.Index(snapshot.accounts.loc[snapshot.accounts["status"] == "banned", "account_id"])
    return rank_leads(snapshot, set(), seeds, NO_MEMBERS, NO_CLUSTERS, params or DetectParams()).set_index(
        "account_id"
    )


def test_enforcement_model_ranks_unbanned_fraud_above_honest_accounts_and_never_lists_seeds():
    leads = _leads(card_testing_world())
    assert set(leads["basis"]) == {"enforcement model"}
    assert not any(a.startswith("f00") and int(a[1:]) < 30 for a in leads.index)  # seeds are not leads
    review = set(leads.index[leads["tier"] == "review"])
    unbanned_fraud = {f"f{i:04d}" for i in range(30, 60)}
    assert len(review & unbanned_fraud) >= 25
    assert len(review - unbanned_fraud) <= 4  # an honest account is rarely a lead
    reason = " ".join(leads.loc["f0045", "reasons"])
    assert "payment instruments" in reason and "base rate" in reason


def test_a_rare_device_shared_with_a_banned_account_is_a_lead_with_its_reason_and_ranks_first():
    leads = _leads(card_testing_world(banned=31))
    # f0031 shares device fd15 with f0030, banned
    assert leads.loc["f0031", "seed_tie"] > 0
    assert any("rare client fingerprint" in r for r in leads.loc["f0031", "reasons"])
    tied = leads[leads["seed_tie"] > 0]
    assert list(leads.index[: len(tied)]) == list(tied.index)  # ties lead the ranking


def test_ties_count_only_through_rare_objects():
    snap = card_testing_world()
    # one popular device used by a banned account and 30 honest ones is no lead for any of them
    extra = pd.DataFrame(
        {
            "kind": "fingerprint",
            "account_id": ["f0000", *[f"h{i:04d}" for i in range(30)]],
            "object_id": "office-kiosk",
            "requests": 0,
            "first_seen": 0.0,
            "last_seen": 0.0,
        }
    )
    snap = Snapshot(accounts=snap.accounts, edges=pd.concat([snap.edges, extra], ignore_index=True))
    ties = seed_ties(snap, pd.Index(["f0000"]), max_degree=10)
    assert not any(a.startswith("h") for a in ties.index)


def test_without_enough_seeds_the_anomaly_fallback_ranks_and_uses_a_chosen_p_value():
    snap = card_testing_world(banned=0)
    leads = _leads(snap)
    assert set(leads["basis"]) == {"anomaly"}
    top = leads.index[:30]
    assert sum(a.startswith("f") for a in top) >= 28
    review = leads[leads["tier"] == "review"]
    assert all(a.startswith("f") for a in review.index)
    assert all(any("unusual for this data" in r for r in rs) for rs in review["reasons"])


def test_anomaly_pvalues_are_uniformish_on_an_unremarkable_population():
    rng = np.random.default_rng(3)
    n = 5_000
    feats = pd.DataFrame(
        {
            "card_n": rng.integers(1, 4, n).astype(float),
            "card_burst": rng.integers(1, 3, n).astype(float),
            "card_rarity": rng.random(n),
        }
    )
    p = anomaly_pvalues(feats)
    # discrete features make the test conservative: far fewer than 1% of accounts reach p <= 0.001
    assert (p <= 1e-3).mean() < 0.01
    assert 0.0 < np.median(p) < 1.0


def test_accounts_cleared_by_an_analyst_are_never_leads():
    snap = card_testing_world(banned=31)
    assert _leads(snap).loc["f0031", "tier"] == "review"
    snap.accounts.loc[snap.accounts["account_id"] == "f0031", "triage_label"] = "false_positive"
    leads = _leads(snap)
    assert "f0031" not in leads.index


def test_account_features_count_instruments_and_bursts():
    snap = card_testing_world()
    feats = account_features(snap, pd.Index(["f0000", "h0000"]))
    assert feats.loc["f0000", "card_n"] >= 12
    assert feats.loc["f0000", "card_burst"] == feats.loc["f0000", "card_n"]
    assert feats.loc["h0000", "card_n"] <= 3
    assert feats.loc["f0000", "fingerprint_shared"] == 1


def test_detect_returns_tiers_and_flagged_accounts_are_not_leads():
    result = detect(card_testing_world())
    assert len(result.leads) > 0
    assert set(result.leads["tier"]) <= {"review", "clear"}
    assert not (result.review_accounts & result.flagged_accounts)
    assert "leads" in result.timings
