"""The review tier: ranked leads for analysts, between "ban" and "clear".

The cluster detector flags only groups with several independent kinds of evidence, which is right
for a ban list and wrong for a work queue: on data with two kinds of evidence (cards and devices,
no request content) it flags nobody, and an analyst falls back to "everything tied to a banned
user". This module ranks every account that is neither flagged nor already a seed, on evidence that
needs no request content:

- **ties to seeds** (banned or ``confirmed`` accounts) through *rare* objects: a card or device a
  banned account used, shared by at most ``review_max_tie_degree`` accounts. Weighted by rarity
  (``1 / ln(1 + degree)``) like every other tie, so a shared office NAT says little;
- **an enforcement model** when there are enough seeds: gradient-boosted trees (scikit-learn's
  ``HistGradientBoostingClassifier``; trees on per-account aggregates beat fraud-specific GNNs on
  GADBench) learn from past enforcement what banned accounts' infrastructure looks like (how many
  instruments, how fast they were added, how shared and how rare their objects are). Every
  account is scored by a model that never saw it (``review_folds``-fold cross-fitting), so a seed's
  own label never scores it, and the noisy labels (today's unbanned fraud counts as a negative)
  only make the model conservative. The model never sees seed ties: the labels sit in them;
- **anomaly** when there are too few seeds to learn from: how surprising the account's
  instrument count, instrument burst and rarity-weighted sharing are *in this data's own
  distribution* (``-ln`` of the empirical upper-tail share, summed, read against a Gamma null).

An account is ``review`` when a rare tie to a seed exists, or the model's out-of-fold probability
reaches ``review_min_lift`` times the seeds' base rate (or ``review_max_threshold``, whichever is
lower), or (no model) its anomaly p-value is at most
``review_max_p``, or it belongs to an unflagged cluster scoring at least ``review_cluster_score``.
The threshold is a lift or a p-value chosen up front, not a constant fitted to one simulator.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from hydrascope.detect.params import DO_NOT_FLAG, DetectParams
from hydrascope.detect.snapshot import Snapshot

# Account→object kinds whose per-account aggregates feed the model and the anomaly score (none of
# them needs request content).
LEAD_KINDS = ("card", "fingerprint", "ip", "prefix", "email_domain")
# Kinds through which a tie to a seed makes a lead: an instrument or a device a banned account
# used. Networks and domains are shared honestly by offices, campuses and carriers.
TIE_KINDS = ("card", "fingerprint")
TIE_LABEL = {"card": "payment instrument", "fingerprint": "client fingerprint"}
LEAD_COLUMNS = ("account_id", "tier", "lead_score", "basis", "seed_tie", "reasons")
DAY_S = 86_400.0


def account_features(snapshot: Snapshot, index: pd.Index) -> pd.DataFrame:
    """Per-account aggregates of the infrastructure it uses, one row per ``index`` account.

    For every kind in ``LEAD_KINDS``: distinct objects, objects shared with another account, the
    rarity-weighted sum over shared objects and the largest object's degree; plus the most
    instruments first seen on one day (card testing), requests, active hours and age.
    """
    edges = snapshot.edges[snapshot.edges["kind"].isin(LEAD_KINDS)]
    edges = edges.drop_duplicates(["kind", "account_id", "object_id"])
    degree = edges.groupby(["kind", "object_id"])["account_id"].transform("size").to_numpy(float)
    rarity = np.where(degree >= 2, 1.0 / np.log1p(degree), 0.0)
    frame = pd.DataFrame(index=index)
    for kind in LEAD_KINDS:
        mask = (edges["kind"] == kind).to_numpy()
        acc = edges["account_id"].to_numpy()[mask]
        deg = degree[mask]
        per = pd.DataFrame({"a": acc, "shared": deg >= 2, "rarity": rarity[mask], "deg": deg}).groupby("a")
        agg = per.agg(
            n=("deg", "size"), shared=("shared", "sum"), rarity=("rarity", "sum"), maxdeg=("deg", "max")
        )
        for col in agg.columns:
            frame[f"{kind}_{col}"] = agg[col].reindex(index).fillna(0.0).to_numpy(float)
    cards = edges[edges["kind"] == "card"]
    day = np.floor(cards["first_seen"].to_numpy(float) / DAY_S)
    known = np.isfinite(day)
    burst = (
        pd.DataFrame({"a": cards["account_id"].to_numpy()[known], "d": day[known]})
        .groupby(["a", "d"])
        .size()
        .groupby(level=0)
        .max()
    )
    frame["card_burst"] = burst.reindex(index).fillna(0.0).to_numpy(float)
    accounts = snapshot.accounts.set_index("account_id")
    frame["requests"] = accounts["requests"].reindex(index).fillna(0).to_numpy(float)
    frame["active_hours"] = (
        accounts["active_hours"]
        .reindex(index)
        .map(lambda h: float(len(h)) if isinstance(h, np.ndarray) else 0.0)
    )
    age = (snapshot.as_of - accounts["created_at"].reindex(index).to_numpy(float)) / DAY_S
    frame["age_days"] = np.nan_to_num(age, nan=-1.0)
    return frame


def seed_ties(snapshot: Snapshot, seeds: pd.Index, max_degree: int) -> pd.DataFrame:
    """``tie, objects, kind, example`` per non-seed account that shares a rare ``TIE_KINDS`` object
    (at most ``max_degree`` accounts) with a seed; ``tie`` is the rarity-weighted sum."""
    edges = snapshot.edges[snapshot.edges["kind"].isin(TIE_KINDS)]
    edges = edges.drop_duplicates(["kind", "account_id", "object_id"])
    is_seed = edges["account_id"].isin(seeds)
    seeded = edges.loc[is_seed, ["kind", "object_id"]].drop_duplicates()
    degree = edges.groupby(["kind", "object_id"]).size().rename("degree").reset_index()
    rare = seeded.merge(degree, on=["kind", "object_id"])
    rare = rare[(rare["degree"] >= 2) & (rare["degree"] <= max_degree)]
    hits = edges[~is_seed].merge(rare, on=["kind", "object_id"])
    cols = ["tie", "objects", "kind", "example"]
    if hits.empty:
        return pd.DataFrame({c: pd.Series(dtype=float if c in ("tie", "objects") else object) for c in cols})
    hits["weight"] = 1.0 / np.log1p(hits["degree"].to_numpy(float))
    hits = hits.sort_values(["account_id", "weight"], ascending=[True, False], kind="stable")
    per = hits.groupby("account_id")
    return pd.DataFrame(
        {
            "tie": per["weight"].sum(),
            "objects": per["object_id"].size().astype(float),
            "kind": per["kind"].first(),
            "example": per["degree"].first().astype(int),
        }
    )


def enforcement_model(features: pd.DataFrame, labels: np.ndarray, params: DetectParams) -> np.ndarray:
    """Out-of-fold probabilities of "looks like a seed" for every row (cross-fitted trees)."""
    from sklearn.model_selection import StratifiedKFold
    from threadpoolctl import threadpool_limits

    scores = np.zeros(len(features))
    folds = StratifiedKFold(params.review_folds, shuffle=True, random_state=params.seed)
    x = features.to_numpy(float)
    # one OpenMP thread: on a busy 2-core machine the trees' thread pool made a 5k-row fit 18x
    # slower (9 s against 0.5 s), and the folds are small
    with threadpool_limits(1):
        for train, test in folds.split(x, labels):
            scores[test] = _fit_one(x[train], labels[train], params.seed).predict_proba(x[test])[:, 1]
    return scores


def _fit_one(x: np.ndarray, y: np.ndarray, seed: int) -> Any:
    """One fold's trees: shallow and regularised (the labels are few and noisy)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        max_iter=200,
        learning_rate=0.05,
        max_leaf_nodes=15,
        min_samples_leaf=40,
        l2_regularization=1.0,
        random_state=seed,
    ).fit(x, y)


def anomaly_pvalues(features: pd.DataFrame) -> np.ndarray:
    """Combined upper-tail p-value of instrument count, instrument burst and shared rarity.

    Each feature's surprisal is ``-ln`` of the share of accounts at or above the account's value
    (the data is its own null model: a value most accounts reach is no surprise); under
    independence the sum of k surprisals is Gamma(k, 1), whose survival function is the p-value.
    """
    columns = [
        features["card_n"],
        features["card_burst"],
        features[[c for c in features.columns if c.endswith("_rarity")]].sum(axis=1),
    ]
    n = len(features)
    total = np.zeros(n)
    for values in columns:
        at_or_above = values.rank(method="max", ascending=False).to_numpy(float)
        total += -np.log(at_or_above / n)
    return np.asarray(stats.gamma.sf(total, a=len(columns)), dtype=float)


def rank_leads(
    snapshot: Snapshot,
    flagged: set[str],
    seeds: pd.Index,
    members: pd.DataFrame,
    clusters: pd.DataFrame,
    params: DetectParams,
) -> pd.DataFrame:
    """The review tier, best lead first: ``LEAD_COLUMNS`` for every ranked account that is not
    flagged, not a seed and not cleared by an analyst. ``tier`` is ``review`` or ``clear``; every
    scored account is returned so that a ranking can be read beyond the tier."""
    accounts = snapshot.accounts
    cleared = set(accounts.loc[accounts["triage_label"].isin(DO_NOT_FLAG), "account_id"])
    index = pd.Index(accounts["account_id"].astype(str))
    if len(index) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in LEAD_COLUMNS})
    features = account_features(snapshot, index)
    is_seed = index.isin(seeds)
    ties = seed_ties(snapshot, seeds, params.review_max_tie_degree).reindex(index)
    n_seeds = int(is_seed.sum())
    trained = n_seeds >= params.review_min_seeds and (len(index) - n_seeds) >= 5 * n_seeds
    if trained:
        prior = n_seeds / len(index)
        score = enforcement_model(features, is_seed.astype(int), params)
        # a lift over the base rate, capped: when seeds are common, ten times their rate is out of
        # reach, and unbanned look-alikes of the seeds (labelled "not a seed" in training) hold the
        # model's probability for their kind near the share of that kind that was banned
        above = score >= min(params.review_min_lift * prior, params.review_max_threshold)
        basis = "enforcement model"
    else:
        prior = 0.0
        pvalue = anomaly_pvalues(features)
        score = 1.0 - pvalue
        above = pvalue <= params.review_max_p
        basis = "anomaly"
    tie = ties["tie"].fillna(0.0).to_numpy(float)
    cluster_of, cluster_score = _unflagged_cluster(index, members, clusters, params)
    in_cluster = cluster_score >= params.review_cluster_score
    eligible = ~is_seed & ~index.isin(list(flagged)) & ~index.isin(list(cleared))
    review = (above | (tie > 0) | in_cluster) & eligible
    evidence = {
        "tie": tie,
        "kind": ties["kind"].to_numpy(object),
        "objects": ties["objects"].fillna(0).to_numpy(float),
        "example": ties["example"].fillna(0).to_numpy(float),
        "cards": features["card_n"].to_numpy(float),
        "burst": features["card_burst"].to_numpy(float),
    }
    reasons = [
        _reasons(i, evidence, score, prior, basis, above, cluster_of, cluster_score, in_cluster)
        if review[i]
        else []
        for i in range(len(index))
    ]
    # rank: a rare tie to a seed first (the analyst's strongest lead), then the score
    rank_key = np.where(tie > 0, 1.0 + tie, 0.0) + score
    out = pd.DataFrame(
        {
            "account_id": index.to_numpy(),
            "tier": np.where(review, "review", "clear"),
            "lead_score": np.round(score, 6),
            "basis": basis,
            "seed_tie": np.round(tie, 4),
            "reasons": reasons,
            "_key": rank_key,
        }
    )
    out = out[eligible].sort_values(["_key", "account_id"], ascending=[False, True], kind="stable")
    return out.drop(columns="_key").reset_index(drop=True)


def _unflagged_cluster(
    index: pd.Index, members: pd.DataFrame, clusters: pd.DataFrame, params: DetectParams
) -> tuple[np.ndarray, np.ndarray]:
    """Each account's unflagged cluster of at least ``min_flag_size`` (id, score; '' and 0 if none)."""
    cluster_of = np.full(len(index), "", dtype=object)
    cluster_score = np.zeros(len(index))
    if members.empty or clusters.empty:
        return cluster_of, cluster_score
    near = clusters[~clusters["flagged"].astype(bool) & (clusters["size"] >= params.min_flag_size)]
    joined = members[["account_id", "cluster_id"]].merge(near[["cluster_id", "score"]], on="cluster_id")
    joined = joined.sort_values("score", ascending=False).drop_duplicates("account_id")
    rows = index.get_indexer(pd.Index(joined["account_id"]))
    ok = rows >= 0
    cluster_of[rows[ok]] = joined["cluster_id"].to_numpy()[ok]
    cluster_score[rows[ok]] = joined["score"].to_numpy(float)[ok]
    return cluster_of, cluster_score


def _reasons(
    i: int,
    ev: dict[str, np.ndarray],
    score: np.ndarray,
    prior: float,
    basis: str,
    above: np.ndarray,
    cluster_of: np.ndarray,
    cluster_score: np.ndarray,
    in_cluster: np.ndarray,
) -> list[str]:
    """The account's own reasons, each with its numbers (``ev``: per-account evidence arrays)."""
    out: list[str] = []
    if ev["tie"][i] > 0:
        kind = str(ev["kind"][i])
        objects = int(ev["objects"][i])
        out.append(
            f"shares {objects} rare {TIE_LABEL.get(kind, kind)}{'s' if objects > 1 else ''} with "
            f"banned or confirmed accounts (the rarest used by {int(ev['example'][i])} accounts)"
        )
    if above[i]:
        cards, burst = int(ev["cards"][i]), int(ev["burst"][i])
        if basis == "enforcement model":
            out.append(
                f"its infrastructure resembles enforced accounts': {score[i]:.1%} against a base "
                f"rate of {prior:.2%} ({score[i] / prior:.0f}x); {cards} payment instruments, "
                f"{burst} added on one day"
            )
        else:
            out.append(
                f"unusual for this data (p = {1.0 - score[i]:.1e}): {cards} payment instruments, "
                f"{burst} added on one day"
            )
    if in_cluster[i]:
        out.append(f"member of unflagged cluster {cluster_of[i]} (score {cluster_score[i]:.2f})")
    return out
