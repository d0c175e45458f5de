"""What distillation leaves behind, and what honest groups keep: per-cluster measures against the
data's own population, never against a constant of the simulator.

- ``output_ratio``: output tokens per request of the members against the median account's. A
  harvest wants long answers (reasoning traces, full solutions); an office, a class or a support
  desk asks what it needs. The reference is the population's median account (with at least
  ``MIN_REQUESTS`` requests), so it moves with the provider's own traffic mix.
- ``member_volume``: the median member's output tokens over the median account's (same
  reference): a harvest is paid for by the answer, so each worker pulls far more output than
  the ordinary customer, whatever camouflage it mixes into its prompts.
- ``personal_share``: the share of the members' templated requests sent on templates that nobody
  else ever sent. People write their own prompts, whatever tutorial, plugin or office library they
  share as well (a hackathon's 40-55%, a support desk's 35-45% on the development worlds); a
  worker account runs its operator's prompt book and nothing of its own (0-6%). Hijacked aged
  accounts keep their owner's history, so a campaign of mostly hijacked accounts is cleared by it:
  that is a miss the review tier has to carry (``docs/detection.md``).
Account age weighs only together with one organisation (``defence.py``): a campaign can buy or
hijack aged accounts, so age alone clears nobody.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# an account with fewer requests says nothing about its typical answer length
MIN_REQUESTS = 10


def output_ratio(accounts: pd.DataFrame, cluster_of: pd.Series) -> pd.Series:
    """Per cluster: members' output tokens per request over the population's median account's."""
    acc = accounts.set_index("account_id")
    if "output_tokens" not in acc:
        return pd.Series(0.0, index=pd.Index(pd.unique(cluster_of.to_numpy())))
    req = acc["requests"].astype(float)
    out = acc["output_tokens"].astype(float)
    busy = req >= MIN_REQUESTS
    reference = float(np.median(out[busy] / req[busy])) if busy.any() else 0.0
    members = pd.DataFrame(
        {
            "cluster": cluster_of.to_numpy(),
            "req": req.reindex(cluster_of.index).fillna(0.0).to_numpy(),
            "out": out.reindex(cluster_of.index).fillna(0.0).to_numpy(),
        }
    )
    sums = members.groupby("cluster")[["req", "out"]].sum()
    if reference <= 0:
        return pd.Series(0.0, index=sums.index)
    return (sums["out"] / sums["req"].replace(0, np.nan) / reference).fillna(0.0)


def member_volume(accounts: pd.DataFrame, cluster_of: pd.Series) -> pd.Series:
    """Per cluster: the median member's output tokens over the population's median account's
    (accounts with at least ``MIN_REQUESTS`` requests)."""
    acc = accounts.set_index("account_id")
    if "output_tokens" not in acc:
        return pd.Series(0.0, index=pd.Index(pd.unique(cluster_of.to_numpy())))
    out = acc["output_tokens"].astype(float)
    busy = acc["requests"].astype(float) >= MIN_REQUESTS
    reference = float(np.median(out[busy])) if busy.any() else 0.0
    members = pd.DataFrame(
        {"cluster": cluster_of.to_numpy(), "out": out.reindex(cluster_of.index).fillna(0.0).to_numpy()}
    )
    medians = members.groupby("cluster")["out"].median()
    if reference <= 0:
        return pd.Series(0.0, index=medians.index)
    return medians / reference


def personal_share(edges: pd.DataFrame, cluster_of: pd.Series, users_of: pd.Series) -> pd.Series:
    """Per cluster: share of members' templated requests on templates only that account sent
    (``users_of``: distinct users per ``(kind, object_id)``). NaN for a cluster without templates."""
    tpl = edges[(edges["kind"] == "template") & edges["account_id"].isin(cluster_of.index)]
    if tpl.empty:
        return pd.Series(np.nan, index=pd.Index(pd.unique(cluster_of.to_numpy())))
    users = users_of.reindex(pd.MultiIndex.from_arrays([tpl["kind"], tpl["object_id"]])).to_numpy()
    req = tpl["requests"].to_numpy(float)
    frame = pd.DataFrame(
        {
            "cluster": tpl["account_id"].map(cluster_of).to_numpy(),
            "req": req,
            "solo": np.where(users == 1, req, 0.0),
        }
    )
    sums = frame.groupby("cluster")[["req", "solo"]].sum()
    return sums["solo"] / sums["req"].replace(0, np.nan)
