"""Release pivot: a cluster moving its traffic to a newly released model within hours.

A distillation campaign wants the newest model's outputs, and its scheduler redirects many accounts
at once (the reported campaign moved half its traffic within 24 hours). Honest users adopt a new
model gradually, each on their own schedule. For each model released before the snapshot's end the
signal asks, per group: which share of members first called it within ``window_s`` of its release
(``early_share``), and which share of the group's model requests it carries (``traffic_share``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

COLUMNS = ("pivot_model", "pivot_early_share", "pivot_traffic_share", "pivot_delay_h")


def cluster_pivots(
    edges: pd.DataFrame,
    models: pd.DataFrame,
    cluster_of: pd.Series,
    sizes: pd.Series,
    window_s: float,
    as_of: float,
) -> pd.DataFrame:
    """The strongest release pivot of every cluster (by ``early_share × traffic_share``).

    ``cluster_of`` maps account_id → cluster label; ``sizes`` cluster label → member count.
    """
    out = pd.DataFrame(index=sizes.index)
    out["pivot_model"] = None
    out["pivot_early_share"] = 0.0
    out["pivot_traffic_share"] = 0.0
    out["pivot_delay_h"] = np.nan
    calls = edges[edges["kind"] == "model"]
    calls = calls.assign(cluster=calls["account_id"].map(cluster_of)).dropna(subset=["cluster"])
    if calls.empty or models.empty:
        return out
    calls["cluster"] = calls["cluster"].astype(np.int64)
    total = calls.groupby("cluster")["requests"].sum().replace(0, np.nan)
    # only releases inside the observed window: adoption of an older model is not observable
    data_start = float(edges.loc[edges["kind"] == "model", "first_seen"].min())
    best = pd.Series(0.0, index=out.index)
    for model, released in zip(models["model"], models["released_at"], strict=True):
        if not (np.isfinite(released) and data_start < released <= as_of):
            continue
        m = calls[calls["object_id"] == str(model)]
        if m.empty:
            continue
        delay = m["first_seen"] - released
        early = (delay >= 0) & (delay <= window_s)
        early_share = (early.groupby(m["cluster"]).sum() / sizes).reindex(out.index).fillna(0.0)
        traffic = (m.groupby("cluster")["requests"].sum() / total).reindex(out.index).fillna(0.0)
        delay_h = (delay[early] / 3600.0).groupby(m.loc[early, "cluster"]).median().reindex(out.index)
        strength = early_share * traffic
        better = strength > best
        out.loc[better, "pivot_model"] = str(model)
        out.loc[better, "pivot_early_share"] = early_share[better]
        out.loc[better, "pivot_traffic_share"] = traffic[better]
        out.loc[better, "pivot_delay_h"] = delay_h[better]
        best = best.where(~better, strength)
    return out
