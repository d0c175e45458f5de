"""Grouping flagged clusters into campaigns: clusters one operator runs.

Leiden may cut one operator's accounts into several clusters, and an operator may run several
account pools. Two flagged clusters join one campaign when many kept evidence ties still cross
between them, or when they work from the same prompt templates (Jaccard of the templates each
cluster's members commonly use). The campaign id derives from its largest cluster's id, so it is
as stable as cluster identity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components


def group_campaigns(
    clusters: pd.DataFrame,
    cross_ties: pd.DataFrame,
    common_templates: dict[str, set[str]],
    min_ties: int = 3,
    min_template_jaccard: float = 0.3,
) -> pd.DataFrame:
    """``cluster_id, campaign_id, reason`` for the flagged clusters.

    ``clusters``: ``cluster_id, size, flagged``; ``cross_ties``: ``cluster_a, cluster_b, ties``
    (kept pairs between clusters); ``common_templates``: per cluster id, the templates a good share
    of its members use.
    """
    flagged = clusters[clusters["flagged"]].sort_values(["size", "cluster_id"], ascending=[False, True])
    ids = flagged["cluster_id"].tolist()
    if not ids:
        return pd.DataFrame(
            {
                "cluster_id": pd.Series(dtype=str),
                "campaign_id": pd.Series(dtype=str),
                "reason": pd.Series(dtype=str),
            }
        )
    pos = {c: i for i, c in enumerate(ids)}
    rows, cols, why = [], [], {}
    for a, b, n in zip(cross_ties["cluster_a"], cross_ties["cluster_b"], cross_ties["ties"], strict=True):
        if a in pos and b in pos and n >= min_ties:
            rows.append(pos[a])
            cols.append(pos[b])
            why[(pos[a], pos[b])] = f"{int(n)} evidence ties"
    for i, a in enumerate(ids):
        ta = common_templates.get(a, set())
        if not ta:
            continue
        for j in range(i + 1, len(ids)):
            tb = common_templates.get(ids[j], set())
            if tb and len(ta & tb) / len(ta | tb) >= min_template_jaccard:
                rows.append(i)
                cols.append(j)
                why[(i, j)] = f"{len(ta & tb)} shared prompt templates"
    adj = sparse.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(ids), len(ids)))
    _, labels = connected_components(adj, directed=False)
    out = pd.DataFrame({"cluster_id": ids, "label": labels})
    lead = out.groupby("label")["cluster_id"].first()  # largest cluster first (sorted above)
    out["campaign_id"] = ["cp-" + str(lead[lab]).removeprefix("cl-") for lab in out["label"]]
    reasons: dict[str, list[str]] = {}
    for (i, j), text in why.items():
        reasons.setdefault(ids[i], []).append(f"{ids[j]}: {text}")
        reasons.setdefault(ids[j], []).append(f"{ids[i]}: {text}")
    out["reason"] = out["cluster_id"].map(lambda c: "; ".join(reasons.get(c, [])))
    return out[["cluster_id", "campaign_id", "reason"]]
