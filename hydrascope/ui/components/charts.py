"""Time charts with model-release markers (Altair; Streamlit ships Vega, so nothing is fetched)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st


def activity(
    series: pd.DataFrame,
    releases: pd.DataFrame,
    *,
    key: str,
    value: str = "exchanges",
    title: str = "",
    height: int = 280,
) -> None:
    """Lines of ``value`` per ``series`` per day, with a dashed rule and a label per model release."""
    if series.empty:
        st.info("No activity recorded for this selection.")
        return
    base = (
        alt.Chart(series)
        .mark_line(point=len(series) < 60, interpolate="monotone")
        .encode(
            x=alt.X("day:T", title=None),
            y=alt.Y(f"{value}:Q", title=value),
            color=alt.Color("series:N", title=None, legend=alt.Legend(orient="top", labelLimit=400)),
            tooltip=["day:T", "series:N", alt.Tooltip(f"{value}:Q", format=",.0f")],
        )
    )
    layers: list[alt.Chart] = [base]
    if not releases.empty:
        rules = (
            alt.Chart(releases)
            .mark_rule(strokeDash=[5, 4], color="#ff9f1c")
            .encode(x="day:T", tooltip=["model:N", "day:T"])
        )
        labels = (
            alt.Chart(releases)
            .mark_text(align="left", dx=4, dy=-6, color="#ff9f1c")
            .encode(x="day:T", y=alt.value(10), text="model:N")
        )
        layers += [rules, labels]
    chart = alt.layer(*layers).properties(height=height, title=title)
    st.altair_chart(chart, key=key)
