"""Regrowth: when an account is banned a new one takes its place on the same infrastructure.

Seeds are the only labels a real deployment has: accounts banned by enforcement, and accounts (or
members of clusters) an analyst marked ``confirmed``. Suspicion flows from each seed over the
rarity-weighted objects it used (cards, fingerprints, non-benign IPs, templates) to accounts that
were *born on them*: created, or first seen on the object, after a seed using it was banned.
Accounts that merely shared a popular object long before the ban get little.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def seed_accounts(accounts: pd.DataFrame, extra: pd.Index | None = None) -> pd.DataFrame:
    """``account_id, seed_time``: banned accounts (at their ban) and confirmed ones (at creation,
    or -inf when unknown: every later account on their objects is "born after")."""
    banned = accounts["banned_at"].notna() | (accounts["status"].astype(str).str.lower() == "banned")
    confirmed = accounts["triage_label"].astype(str) == "confirmed"
    if extra is not None:
        confirmed |= accounts["account_id"].isin(extra)
    seeds = accounts[banned | confirmed]
    when = seeds["banned_at"].where(seeds["banned_at"].notna(), -np.inf)
    return pd.DataFrame({"account_id": seeds["account_id"].to_numpy(), "seed_time": when.to_numpy(float)})


def regrowth_scores(
    links: pd.DataFrame,
    accounts: pd.DataFrame,
    seeds: pd.DataFrame,
    family_min: float = 0.0,
    min_families: int = 1,
) -> pd.DataFrame:
    """Per non-seed account tied to a seed: ``regrowth`` (summed weight, capped at 1) over objects it
    was born on, ``seed_objects`` (how many such objects), ``seeds`` (distinct seeds reached) and
    ``families`` (independent families of evidence whose born-on weight reaches ``family_min``).

    Accounts born on banned infrastructure in fewer than ``min_families`` families get no regrowth:
    a new customer of a proxy service is "born on" the egress IPs every banned proxy user had, and
    that one family says nothing about who runs the account; a replacement worker also inherits
    the banned account's card, client or prompt book.

    ``links`` holds ``account_id, object_key, weight, first_seen`` and, for ``min_families > 1``,
    ``family`` (see ``infra.weighted_links``).
    """
    cols = ["account_id", "regrowth", "seed_objects", "seeds", "families"]
    if seeds.empty or links.empty:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in cols})
    seed_links = links.merge(seeds, on="account_id")
    per_object = seed_links.groupby("object_key").agg(
        first_ban=("seed_time", "min"), n_seeds=("account_id", "nunique")
    )
    others = links[~links["account_id"].isin(seeds["account_id"])]
    others = others.merge(per_object, left_on="object_key", right_index=True)
    created = accounts.set_index("account_id")["created_at"]
    born = others["account_id"].map(created)
    start = np.fmin(born.to_numpy(float), others["first_seen"].to_numpy(float))
    start = np.where(np.isnan(start), others["first_seen"].to_numpy(float), start)
    after = np.nan_to_num(start, nan=-np.inf) >= others["first_ban"].to_numpy(float)
    hit = others[after]
    if hit.empty:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in cols})
    agg = hit.groupby("account_id").agg(
        regrowth=("weight", "sum"), seed_objects=("object_key", "nunique"), seeds=("n_seeds", "max")
    )
    if "family" in hit.columns:
        per_family = hit.groupby(["account_id", "family"])["weight"].sum()
        agg["families"] = (per_family >= family_min).groupby(level=0).sum().reindex(agg.index).fillna(0)
    else:
        agg["families"] = 1
    agg = agg[agg["families"] >= min_families]
    agg["regrowth"] = agg["regrowth"].clip(upper=1.0)
    return agg.reset_index()
