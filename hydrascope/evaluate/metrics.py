"""Account-level and campaign-level metrics of a set of flagged accounts against the truth.

Positives are accounts the truth assigns to a campaign (operators, workers, regrown and hijacked
accounts); everything else is honest, with its hard-negative kind in ``role``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

HONEST_GROUP_SIZE = 20


def adjusted_rand_index(labels_true: np.ndarray, labels_pred: np.ndarray) -> float:
    """Hubert and Arabie's adjusted Rand index of two labelings of the same items
    (scikit-learn's ``adjusted_rand_score``; labels of any hashable type are coded first, as
    scikit-learn sorts them and a mix of strings and numbers cannot be sorted)."""
    if len(labels_true) < 2:
        return 1.0
    t_codes, _ = pd.factorize(pd.Series(labels_true, dtype=object))
    p_codes, _ = pd.factorize(pd.Series(labels_pred, dtype=object))
    return float(adjusted_rand_score(t_codes, p_codes))


@dataclass
class Metrics:
    """Every number the benchmark reports for one detector on one scenario."""

    accounts: int
    positives: int
    flagged: int
    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    f1: float
    honest_fpr: float
    honest_fpr_by_kind: dict[str, float] = field(default_factory=dict)
    campaign_ari: float = float("nan")
    exchange_recall: float = float("nan")
    regrown_recall: float = float("nan")
    honest_groups_flagged: int = 0

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def account_metrics(truth: pd.DataFrame, flagged: pd.DataFrame) -> Metrics:
    """Score ``flagged`` (``account_id`` plus optional ``campaign_id`` and ``cluster_id``) against
    ``truth`` (``account_id, campaign_id, role`` and optional ``exchanges``)."""
    truth = truth.drop_duplicates("account_id").set_index("account_id")
    positive = truth["campaign_id"].notna() & (truth["campaign_id"].astype(str) != "")
    flagged = flagged.drop_duplicates("account_id")
    is_flagged = truth.index.isin(flagged["account_id"])
    tp = int((positive & is_flagged).sum())
    fp_mask = ~positive & is_flagged
    fp = int(fp_mask.sum()) + int((~flagged["account_id"].isin(truth.index)).sum())
    fn = int((positive & ~is_flagged).sum())
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    honest = ~positive
    by_kind = {
        str(kind): float(fp_mask[honest & (truth["role"] == kind)].mean())
        for kind in sorted(truth.loc[honest, "role"].dropna().unique())
    }
    out = Metrics(
        accounts=len(truth),
        positives=int(positive.sum()),
        flagged=len(flagged),
        tp=tp,
        fp=fp,
        fn=fn,
        precision=precision,
        recall=recall,
        f1=f1,
        honest_fpr=float(fp_mask[honest].mean()) if honest.any() else 0.0,
        honest_fpr_by_kind=by_kind,
    )
    if "exchanges" in truth.columns and positive.any():
        ex = truth["exchanges"].fillna(0).astype(float)
        total = ex[positive].sum()
        out.exchange_recall = float(ex[positive & is_flagged].sum() / total) if total else float("nan")
    regrown = truth["role"] == "regrown"
    if regrown.any():
        out.regrown_recall = float(is_flagged[regrown.to_numpy()].mean())
    # campaign purity: ARI over every account (honest and unflagged are one label each), so that a
    # single-campaign scenario is not degenerate
    pred = flagged.set_index("account_id")
    pred_label = (
        pred["campaign_id"] if "campaign_id" in pred.columns else pd.Series("flagged", index=pred.index)
    )
    universe = truth.index
    if len(universe):
        t_lab = truth.loc[universe, "campaign_id"].where(positive[universe], "honest").astype(str).to_numpy()
        p_lab = pred_label.reindex(universe).fillna("unflagged").astype(str).to_numpy()
        out.campaign_ari = adjusted_rand_index(t_lab, p_lab)
    if "cluster_id" in pred.columns:
        honest_members = pred["cluster_id"][pred.index.isin(truth.index[honest])]
        counts = honest_members.value_counts()
        out.honest_groups_flagged = int((counts >= HONEST_GROUP_SIZE).sum())
    return out


def pivot_metrics(truth: pd.DataFrame, members: pd.DataFrame, pivot_clusters: set[str]) -> dict[str, object]:
    """Which truth campaigns the release-pivot signal fired on, and on how many honest clusters.

    ``members``: ``account_id, cluster_id``; ``pivot_clusters``: ids of clusters whose pivot signal
    is strong. A cluster is attributed to the truth label of the majority of its members.
    """
    t = truth.drop_duplicates("account_id").set_index("account_id")
    label = t["campaign_id"].where(t["campaign_id"].notna(), "honest").astype(str)
    m = members[members["cluster_id"].isin(pivot_clusters)].copy()
    m["label"] = m["account_id"].map(label).fillna("honest")
    majority = (
        m.groupby("cluster_id")["label"].agg(lambda s: s.mode().iloc[0]) if len(m) else pd.Series(dtype=str)
    )
    return {
        "pivot_campaigns": sorted(set(majority[majority != "honest"])),
        "pivot_honest_clusters": int((majority == "honest").sum()),
    }
