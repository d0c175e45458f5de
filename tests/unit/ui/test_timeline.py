"""Activity estimates from edge aggregates."""

from __future__ import annotations

import pandas as pd

from hydrascope.ui import timeline


def test_spread_daily_keeps_the_total_and_spreads_evenly() -> None:
    rows = pd.DataFrame(
        {
            "series": ["atlas", "atlas", "other"],
            "first_seen": ["2026-01-01", "2026-01-02", "2026-01-03"],
            "last_seen": ["2026-01-03", "2026-01-02", "2026-01-03"],
            "requests": [30, 5, 7],
        }
    )
    out = timeline.spread_daily(rows)
    assert out["exchanges"].sum() == 42
    atlas = out[out["series"] == "atlas"].set_index("day")["exchanges"]
    assert atlas.tolist() == [10.0, 15.0, 10.0]


def test_empty_inputs_give_empty_frames() -> None:
    empty = pd.DataFrame(columns=["series", "first_seen", "last_seen", "requests"])
    assert timeline.spread_daily(empty).empty
    assert timeline.daily_counts(pd.Series([None]), "x").empty


def test_releases_in_range() -> None:
    releases = pd.DataFrame(
        {"model": ["old", "new"], "released_at": ["2025-01-01T00:00:00Z", "2026-02-10T12:00:00Z"]}
    )
    days = pd.Series(pd.to_datetime(["2026-02-01", "2026-02-20"]))
    assert timeline.releases_in_range(releases, days)["model"].tolist() == ["new"]


def test_daily_counts_with_and_without_aggregated_rows() -> None:
    times = pd.Series(["2026-01-05", "2026-01-05", None, "2026-01-07"])
    plain = timeline.daily_counts(times, "sign-ups")
    assert plain["count"].tolist() == [2, 1]
    weighted = timeline.daily_counts(times, "sign-ups", pd.Series([3, 4, 9, 1]))
    assert weighted["count"].tolist() == [7, 1]
    assert weighted["day"].dt.day.tolist() == [5, 7] and set(weighted["series"]) == {"sign-ups"}
