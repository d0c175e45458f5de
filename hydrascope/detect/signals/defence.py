"""Evidence for the defence: what clears a group that looks coordinated.

A real provider knows things about its customers that a hydra cannot fake cheaply: an established
organisation that many of the accounts belong to, and accounts that are years old. An enterprise
CI fleet (30 accounts of one organisation on one card, one NAT and one nightly schedule) and a
support desk (one shift starting at the same minute) look like operators on timing and payment;
they are one organisation whose accounts have existed for a year. A campaign's accounts are new
(it replaces the banned ones), and a shell company it sets up is as new as its accounts; hijacked
aged accounts belong to many unrelated organisations, never to one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hydrascope.detect.params import DetectParams

DAY_S = 86_400.0


def defence_features(members: pd.DataFrame, accounts: pd.DataFrame, as_of: float) -> pd.DataFrame:
    """Per cluster (``members``: ``account_id, cluster``): ``org_share`` (the share of members in
    the cluster's most common organisation), ``org`` (that organisation) and ``median_age_days``
    (members' account age at ``as_of``)."""
    acc = accounts.set_index("account_id")
    frame = members[["account_id", "cluster"]].copy()
    org = acc["org_id"].reindex(frame["account_id"]).to_numpy(object) if "org_id" in acc else None
    frame["org"] = [o if isinstance(o, str) and o else None for o in org] if org is not None else None
    created = acc["created_at"].reindex(frame["account_id"]).to_numpy(float)
    frame["age_days"] = (as_of - created) / DAY_S
    sizes = frame.groupby("cluster").size()
    with_org = frame.dropna(subset=["org"])
    top = with_org.groupby(["cluster", "org"]).size().rename("n").reset_index()
    top = top.sort_values(["cluster", "n", "org"], ascending=[True, False, True]).drop_duplicates("cluster")
    top = top.set_index("cluster")
    out = pd.DataFrame(index=sizes.index)
    out["org_share"] = (top["n"] / sizes).reindex(out.index).fillna(0.0)
    out["org"] = top["org"].reindex(out.index)
    out["median_age_days"] = frame.groupby("cluster")["age_days"].median().reindex(out.index)
    out["median_age_days"] = out["median_age_days"].fillna(0.0).clip(lower=0.0)
    return out


def _ramp(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return np.clip((x - lo) / (hi - lo), 0.0, 1.0)


def defence_parts(features: pd.DataFrame, params: DetectParams) -> pd.DataFrame:
    """Each part of the defence in [0, 1], per cluster:

    - ``organisation``: most members in one organisation (0.5 -> 0.9) *and* accounts that have
      existed for months (median ``params.established_age_days``); a shell company is as new as its
      accounts;
    - ``personal``: members who write their own prompts (``distillation.personal_share``, ramp
      ``params.personal_ramp``): nobody else ever sent them."""
    org = _ramp(features["org_share"].to_numpy(float), 0.5, 0.9)
    age_days = features["median_age_days"].to_numpy(float)
    parts = pd.DataFrame(index=features.index)
    parts["organisation"] = org * _ramp(age_days, *params.established_age_days)
    if "personal_share" in features:
        personal = features["personal_share"].fillna(0.0).to_numpy(float)
    else:
        personal = np.zeros(len(features))
    parts["personal"] = _ramp(personal, params.personal_ramp[0], params.personal_ramp[1])
    return parts


def defence_strength(features: pd.DataFrame, params: DetectParams) -> np.ndarray:
    """In [0, 1]: the strongest part of the defence (any one clears a cluster without enforcement
    evidence; see ``defence_parts``)."""
    return np.asarray(defence_parts(features, params).max(axis=1).to_numpy(float), dtype=float)
