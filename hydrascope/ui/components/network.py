"""The network drawing: a ``GraphView`` drawn by pyvis in an iframe, with a legend and counts."""

from __future__ import annotations

import streamlit as st

from hydrascope.inert import md
from hydrascope.ui.graphviews import GraphView
from hydrascope.ui.privacy import mask_view
from hydrascope.ui.pyvis_html import KIND_STYLE, STATE_BORDER, build_network_html
from hydrascope.ui.state import hide_personal

_SHAPE_ICON = {
    "dot": "●",
    "triangle": "▲",
    "square": "■",
    "diamond": "◆",
    "star": "★",
    "hexagon": "⬢",
    "triangleDown": "▼",
    "database": "⛁",
}


def legend(view: GraphView) -> str:
    """A one-line legend of the kinds and states present in the view.

    The only Markdown the app renders with HTML allowed: its tags and colours are constants
    (``KIND_STYLE``, ``STATE_BORDER``), and the kind and state names pass through ``md`` too.
    """
    kinds = view.kinds()
    icon = {k: _SHAPE_ICON.get(str(style["shape"]), "●") for k, style in KIND_STYLE.items()}
    parts = [
        f"<span style='color:{KIND_STYLE[k]['color']}'>{icon[k]}</span> {md(k)} {n}"
        for k, n in sorted(kinds.items(), key=lambda kv: -kv[1])
        if k in KIND_STYLE
    ]
    states = sorted({n.state for n in view.nodes} - {"normal"})
    parts += [f"<span style='color:{STATE_BORDER[s]}'>◯</span> {md(s.replace('_', ' '))}" for s in states]
    return " &nbsp; ".join(parts)


def show(view: GraphView, *, key: str, height: int = 620) -> GraphView:
    """Draw ``view`` (masked when personal data is hidden) and return what was drawn.

    The HTML is self-contained (no CDN) and positions are precomputed, so the browser draws at
    once with physics off. Edges and nodes are counted in a caption the tests and analysts read.
    """
    shown = mask_view(view, hide_personal())
    if not shown.nodes:
        st.info("Nothing to draw.")
        return shown
    st.caption(
        f"Drawing {len(shown.nodes):,} nodes and {len(shown.edges):,} edges"
        + (f" ({len(shown.groups)} collapsed groups)" if shown.groups else "")
    )
    st.markdown(legend(shown), unsafe_allow_html=True)
    with st.container(key=f"network-{key}"):
        st.iframe(build_network_html(shown, height_px=height - 20), height=height)
    return shown
