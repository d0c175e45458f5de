"""Panels: evidence with numbers, a node's detail, a privacy-aware table.

Every value from the graph that goes into Markdown (headings, alerts, evidence and reasons) goes
through ``md`` (``hydrascope.inert``): outsiders wrote it. Tables show raw values (plain text).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from hydrascope.inert import md
from hydrascope.ui.data.common import as_date
from hydrascope.ui.privacy import mask_email, mask_frame, pseudonym, scrub_text
from hydrascope.ui.state import hide_personal


def table(frame: pd.DataFrame, *, key: str, height: int | None = None, **kwargs: Any) -> None:
    """A dataframe with personal data masked when the privacy switch is on."""
    shown = mask_frame(frame, hide_personal())
    if height is not None:
        kwargs["height"] = height
    st.dataframe(shown, key=key, hide_index=True, **kwargs)


def evidence(items: Sequence[str], signals: pd.DataFrame, *, key: str) -> None:
    """The detector's evidence items (each with its numbers) and its per-signal values."""
    with st.container(border=True, key=f"evidence-{key}"):
        st.markdown("**Evidence**")
        if not items:
            st.caption("No evidence recorded.")
        for item in items:
            st.markdown(f"- {md(scrub_text(item) if hide_personal() else item)}")
        if not signals.empty:
            st.dataframe(signals, hide_index=True, key=f"signals-{key}")


def node_detail(detail: Mapping[str, Any], *, key: str) -> None:
    """Properties, first/last seen, risk and reasons of one node, and its relationship counts."""
    props = dict(detail["props"])
    hide = hide_personal()
    kind = detail["kind"]
    shown_key = pseudonym(detail["key"]) if hide and kind == "Account" else detail["key"]
    st.subheader(f"{md(kind)} {md(shown_key)}")
    cols = st.columns(4)
    cols[0].metric("Risk score", f"{props['risk_score']:.2f}" if props.get("risk_score") is not None else "—")
    cols[1].metric("Requests", f"{props['requests']:,}" if props.get("requests") is not None else "—")
    cols[2].metric("First seen", as_date(props.get("first_seen") or props.get("created_at"))[:10] or "—")
    cols[3].metric("Last seen", as_date(props.get("last_seen"))[:10] or "—")
    reasons = props.pop("risk_reasons", None) or []
    if props.get("status") == "banned":
        reason = md(props.get("ban_reason")) or "no reason recorded"
        st.error(f"Banned {md(as_date(props.get('banned_at')))}: {reason}")
    if props.get("triage_label"):
        st.info(
            f"Triage: **{md(props['triage_label'])}** by {md(props.get('triage_by')) or '?'} "
            f"({md(as_date(props.get('triage_at')))}): {md(props.get('triage_note'))}"
        )
    if reasons:
        items = (md(scrub_text(r) if hide else r) for r in reasons)
        st.markdown("**Risk reasons**\n" + "\n".join(f"- {item}" for item in items))
    left, right = st.columns(2)
    with left:
        st.markdown("**Properties**")
        rows = []
        for k, v in sorted(props.items()):
            if k in ("account_id",) and hide:
                v = pseudonym(str(v))
            elif k == "email" and hide:
                v = mask_email(str(v))
            rows.append(
                {"property": k, "value": as_date(v) if not isinstance(v, list) else ", ".join(map(str, v))}
            )
        st.dataframe(pd.DataFrame(rows, columns=["property", "value"]), hide_index=True, key=f"props-{key}")
    with right:
        st.markdown("**Relationships**")
        st.dataframe(detail["rel_counts"], hide_index=True, key=f"rels-{key}")
        if detail.get("clusters"):
            st.markdown("**Clusters**")
            st.dataframe(pd.DataFrame(detail["clusters"]), hide_index=True, key=f"clusters-{key}")
