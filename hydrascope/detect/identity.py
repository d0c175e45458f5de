"""Stable cluster identity across detection runs.

An analyst's notes, triage labels and bookmarks hang on a cluster id, so a cluster that is still
the same group of accounts must keep its id when detection runs again. Each new cluster is matched
to the previous run's clusters by member overlap; the largest overlaps claim ids first, one old id
per new cluster. The lifecycle says what happened:

- ``born``: no previous cluster overlaps it enough (a new id, derived from its members);
- ``stable`` / ``grew`` / ``shrank``: matched one to one, same size within 10% / larger / smaller;
- ``regrew``: matched, and some new members were created after members of the old cluster were
  banned (the hydra grew a head back);
- ``split``: the old cluster's members now sit in several clusters (the biggest piece keeps the id);
- ``merged``: it absorbed enough of several old clusters (it keeps the id of the biggest overlap).
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd


def new_cluster_id(members: list[str]) -> str:
    """A deterministic id for a newborn cluster: the same members give the same id."""
    digest = hashlib.sha1("\x1f".join(sorted(members)).encode()).hexdigest()[:12]
    return f"cl-{digest}"


def match_clusters(
    members: pd.DataFrame,
    previous_members: pd.DataFrame,
    accounts: pd.DataFrame,
    min_overlap: float = 0.3,
) -> pd.DataFrame:
    """Assign ids and lifecycles to this run's clusters.

    ``members``: ``account_id, cluster`` (this run's provisional labels); ``previous_members``:
    ``account_id, cluster_id``; ``accounts``: ``account_id, created_at, banned_at``.
    Returns ``cluster, cluster_id, lifecycle, matched_from`` (old ids overlapping it).
    """
    new_sizes = members.groupby("cluster").size()
    groups = members.groupby("cluster")["account_id"].apply(list)
    prev = previous_members.dropna(subset=["cluster_id"])
    old_sizes = prev.groupby("cluster_id").size()
    overlap = (
        members.merge(prev, on="account_id")
        .groupby(["cluster", "cluster_id"])
        .size()
        .rename("n")
        .reset_index()
    )
    if len(overlap):
        overlap["of_new"] = overlap["n"] / overlap["cluster"].map(new_sizes)
        overlap["of_old"] = overlap["n"] / overlap["cluster_id"].map(old_sizes)
        overlap = overlap[(overlap["of_new"] >= min_overlap) | (overlap["of_old"] >= min_overlap)]
        overlap = overlap.sort_values(["n", "cluster_id"], ascending=[False, True])
    assigned: dict[int, str] = {}
    used: set[str] = set()
    for c, old in zip(overlap["cluster"], overlap["cluster_id"], strict=True):
        if c not in assigned and old not in used:
            assigned[int(c)] = str(old)
            used.add(str(old))
    olds_per_new = (
        overlap.groupby("cluster")["cluster_id"].nunique() if len(overlap) else pd.Series(dtype=int)
    )
    news_per_old = (
        overlap.groupby("cluster_id")["cluster"].nunique() if len(overlap) else pd.Series(dtype=int)
    )
    acc = accounts.set_index("account_id")
    banned = (
        prev.assign(banned_at=prev["account_id"].map(acc["banned_at"]))
        .groupby("cluster_id")["banned_at"]
        .min()
    )
    rows = []
    for c, group in zip(groups.index.to_numpy(), groups.to_numpy(), strict=True):
        cid = assigned.get(int(c))
        matched = (
            sorted(overlap.loc[overlap["cluster"] == c, "cluster_id"].astype(str)) if len(overlap) else []
        )
        if cid is None:
            rows.append((c, new_cluster_id(group), "split" if matched else "born", matched))
            continue
        size, old_size = new_sizes[c], old_sizes.get(cid, 0)
        if news_per_old.get(cid, 0) > 1:
            life = "split"
        elif olds_per_new.get(c, 0) > 1:
            life = "merged"
        else:
            first_ban = banned.get(cid, np.nan)
            old_set = set(prev.loc[prev["cluster_id"] == cid, "account_id"])
            newcomers = [a for a in group if a not in old_set]
            born = acc["created_at"].reindex(newcomers).to_numpy(float) if newcomers else np.zeros(0)
            if np.isfinite(first_ban) and (born > first_ban).any():
                life = "regrew"
            elif size > 1.1 * old_size:
                life = "grew"
            elif size < 0.9 * old_size:
                life = "shrank"
            else:
                life = "stable"
        rows.append((c, cid, life, matched))
    return pd.DataFrame(rows, columns=["cluster", "cluster_id", "lifecycle", "matched_from"])
