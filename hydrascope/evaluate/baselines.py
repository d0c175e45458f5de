"""The two simple baselines every detector change is measured against, in the same run.

(a) ``rate_threshold``: per-account volume and rate thresholds — what a per-account rate limiter
    sees. Flags accounts above the ``quantile`` of total requests or of requests per active hour.
(b) ``shared_attribute_components``: connected components over any shared attribute (payment
    instrument, IP, client fingerprint, email domain) — what a naive link analysis sees. Flags
    every account in a component of at least ``min_size`` accounts.

Both return ``account_id, cluster_id, campaign_id`` like the detector's flagged accounts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from hydrascope.detect.snapshot import Snapshot

ATTRIBUTE_KINDS = ("card", "ip", "fingerprint", "email_domain")


def rate_threshold(snapshot: Snapshot, quantile: float = 0.99) -> pd.DataFrame:
    """Accounts whose volume or hourly rate is above the population's ``quantile``."""
    acc = snapshot.accounts
    requests = acc["requests"].astype(float)
    if not (requests > 0).any():
        # no per-account totals in the snapshot: sum the account→model edges instead
        calls = snapshot.edges[snapshot.edges["kind"] == "model"].groupby("account_id")["requests"].sum()
        requests = pd.Series(calls.reindex(acc["account_id"]).fillna(0).to_numpy(float), index=acc.index)
    hours = acc["active_hours"].map(len).astype(float).clip(lower=1)
    rate = requests / hours
    flag = (requests > requests.quantile(quantile)) | (rate > rate.quantile(quantile))
    ids = acc.loc[flag, "account_id"]
    return pd.DataFrame({"account_id": ids, "cluster_id": ids, "campaign_id": ids}).reset_index(drop=True)


def shared_attribute_components(snapshot: Snapshot, min_size: int = 5) -> pd.DataFrame:
    """Accounts in components (over any shared attribute) of at least ``min_size`` accounts."""
    e = snapshot.edges[snapshot.edges["kind"].isin(ATTRIBUTE_KINDS)]
    ids = pd.Index(pd.unique(pd.concat([snapshot.accounts["account_id"], e["account_id"]])))
    if e.empty:
        return pd.DataFrame(columns=["account_id", "cluster_id", "campaign_id"])
    rows = ids.get_indexer(e["account_id"])
    cols, _ = pd.factorize(e["kind"] + "\x1f" + e["object_id"])
    inc = sparse.csr_matrix((np.ones(len(e)), (rows, cols)), shape=(len(ids), cols.max() + 1))
    n = len(ids)
    # bipartite graph accounts + attributes: components join accounts through any shared attribute
    adj = sparse.bmat([[None, inc], [inc.T, None]]).tocsr()
    _, labels = connected_components(adj, directed=False)
    acc_labels = labels[:n]
    sizes = np.bincount(acc_labels)
    keep = sizes[acc_labels] >= min_size
    out = pd.DataFrame({"account_id": ids[keep], "cluster_id": [f"cc-{x}" for x in acc_labels[keep]]})
    out["campaign_id"] = out["cluster_id"]
    return out
