"""Activity over time from the graph's edge aggregates.

Pure (pandas only). The graph keeps no raw events, only per-edge aggregates: a ``CALLED`` edge
says an account sent ``requests`` to a model between ``first_seen`` and ``last_seen``. Spreading
each aggregate evenly over its days gives an estimate of daily exchanges per campaign or model
that is good enough to see a campaign's volume and a pivot to a new model after its release.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SPREAD_COLUMNS = ("series", "first_seen", "last_seen", "requests")


def spread_daily(rows: pd.DataFrame) -> pd.DataFrame:
    """``series, first_seen, last_seen, requests`` → ``day, series, exchanges`` (summed per day)."""
    if rows.empty:
        return pd.DataFrame({"day": pd.Series(dtype="datetime64[ns]"), "series": [], "exchanges": []})
    first = pd.to_datetime(rows["first_seen"], utc=True).dt.tz_localize(None).dt.normalize()
    last = pd.to_datetime(rows["last_seen"], utc=True).dt.tz_localize(None).dt.normalize()
    last = last.where(last >= first, first)
    ndays = ((last - first).dt.days + 1).clip(lower=1).to_numpy()
    per_day = rows["requests"].fillna(0).astype(float).to_numpy() / ndays
    idx = np.repeat(np.arange(len(rows)), ndays)
    offsets = np.concatenate([np.arange(k) for k in ndays]) if len(ndays) else np.array([], dtype=int)
    days = first.to_numpy()[idx] + offsets.astype("timedelta64[D]")
    out = pd.DataFrame(
        {"day": days, "series": rows["series"].astype(str).to_numpy()[idx], "exchanges": per_day[idx]}
    )
    summed = pd.DataFrame(out.groupby(["day", "series"], as_index=False)["exchanges"].sum())
    return summed.sort_values(["day", "series"]).reset_index(drop=True)


def daily_counts(times: pd.Series, name: str, counts: pd.Series | None = None) -> pd.DataFrame:
    """Events per day from a column of timestamps (account creations, bans) → ``day, series, count``.

    ``counts``, aligned with ``times``, says how many events each row stands for (rows already
    aggregated by the database); one each without it.
    """
    keep = times.notna()
    t = pd.to_datetime(times[keep], utc=True)
    if t.empty:
        return pd.DataFrame({"day": pd.Series(dtype="datetime64[ns]"), "series": [], "count": []})
    days = t.dt.tz_localize(None).dt.normalize()
    weight = pd.Series(1, index=times.index) if counts is None else counts.fillna(0).astype("int64")
    out = (
        weight[keep].groupby(days.to_numpy()).sum().sort_index().rename_axis("day").reset_index(name="count")
    )
    out["series"] = name
    return out[["day", "series", "count"]]


def releases_in_range(releases: pd.DataFrame, days: pd.Series) -> pd.DataFrame:
    """Model releases (``model, released_at``) that fall inside the charted days, as ``model, day``."""
    if releases.empty or days.empty:
        return pd.DataFrame({"model": [], "day": pd.Series(dtype="datetime64[ns]")})
    r = releases.dropna(subset=["released_at"]).copy()
    r["day"] = pd.to_datetime(r["released_at"], utc=True).dt.tz_localize(None)
    lo, hi = pd.to_datetime(days).min(), pd.to_datetime(days).max() + pd.Timedelta(days=1)
    return r[(r["day"] >= lo) & (r["day"] <= hi)][["model", "day"]].reset_index(drop=True)
