"""The pyvis HTML of a ``GraphView``: fixed positions, physics off, every asset inlined.

Pure (no Streamlit): the page embeds the returned string in an iframe. pyvis's ``in_line`` mode
inlines vis-network but its template still links Bootstrap from a CDN (and keeps a commented-out
``node_modules`` reference); the app must work without internet access, so those tags are removed
and links in the inlined libraries' licence comments are defanged. What remains that looks like a
URL is the SVG XML namespace identifier inside vis-network, which a browser never fetches
(``REMAINING_URL_LITERALS``); the tests and the real-browser test check exactly that.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from pyvis.network import Network

from hydrascope.ui.graphviews import COHORT, GROUP, GraphView, ViewNode

# Strings in inlined vis-network that look like URLs but are identifiers, never requested.
REMAINING_URL_LITERALS = frozenset({"http://www.w3.org/2000/svg"})

KIND_STYLE: Mapping[str, Mapping[str, Any]] = {
    "Account": {"shape": "dot", "color": "#4e79a7", "size": 10},
    "IP": {"shape": "triangle", "color": "#59a14f", "size": 12},
    "PaymentInstrument": {"shape": "square", "color": "#edc948", "size": 12},
    "ClientFingerprint": {"shape": "diamond", "color": "#b07aa1", "size": 12},
    "ProxyService": {"shape": "star", "color": "#f28e2b", "size": 20},
    "ASN": {"shape": "hexagon", "color": "#76b7b2", "size": 14},
    "PromptTemplate": {"shape": "triangleDown", "color": "#ff9da7", "size": 12},
    "EmailDomain": {"shape": "dot", "color": "#9c755f", "size": 10},
    "Capability": {"shape": "dot", "color": "#bab0ac", "size": 10},
    "Model": {"shape": "dot", "color": "#d4a6c8", "size": 12},
    "ApiKey": {"shape": "dot", "color": "#86bcb6", "size": 8},
    "Cluster": {"shape": "dot", "color": "#e15759", "size": 22},
    "Campaign": {"shape": "star", "color": "#e15759", "size": 26},
    GROUP: {"shape": "dot", "color": "#8cd17d", "size": 16},
    COHORT: {"shape": "dot", "color": "#4e79a7", "size": 14},
}
STATE_BORDER: Mapping[str, str] = {
    "banned": "#ff2d2d",
    "confirmed": "#ff00c8",
    "flagged": "#ff9f1c",
    "allowlisted": "#2ecc71",
    "false_positive": "#aaaaaa",
    "normal": "#1b1f27",
}
STATE_BG_OVERRIDE: Mapping[str, str] = {"banned": "#7a1010", "confirmed": "#8e1f7a"}

_EXTERNAL_TAG = re.compile(
    r"<(?:script|link)\b[^>]*?(?:src|href)\s*=\s*\"(?:https?:)?//[^\"]*\"[^>]*>(?:\s*</script>)?",
    re.IGNORECASE | re.DOTALL,
)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_URL = re.compile(r"https?://[^\s\"'<>)]+")
_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>", re.IGNORECASE)


def _size(node: ViewNode, base: float) -> float:
    """Group and cohort nodes grow with what they stand for (log scale, so 20,000 still fits)."""
    if node.count > 1:
        return base + 6.0 * len(str(node.count))
    return base


def _tooltip(node: ViewNode) -> str:
    """Plain-text tooltip (vis-network shows string titles as text, never as HTML)."""
    lines = [f"{node.kind}: {node.caption}"]
    if node.state != "normal":
        lines.append(f"state: {node.state}")
    if node.count > 1:
        lines.append(f"stands for {node.count}")
    for key, value in node.props.items():
        if key in ("active_hours", "signals", "tables", "files") or value in (None, "", []):
            continue
        text = ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
        lines.append(f"{key}: {text[:160]}")
        if len(lines) > 14:
            break
    return "\n".join(lines)


def vis_options(directed: bool = True) -> dict[str, Any]:
    """vis-network options: no physics (positions come from the server), straight edges, hover."""
    return {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "edges": {
            "smooth": False,
            "color": {"inherit": False, "color": "#6b7280", "opacity": 0.6},
            "arrows": {"to": {"enabled": directed, "scaleFactor": 0.4}},
        },
        "nodes": {"borderWidth": 2, "font": {"color": "#e5e7eb", "size": 11, "strokeWidth": 0}},
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": True,
            "navigationButtons": False,
        },
    }


def _json(value: Any) -> str:
    """JSON safe inside a ``<script>`` (what Jinja's ``tojson`` does), URLs defanged like the page's."""
    text = json.dumps(value)
    text = (
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("'", "\\u0027")
    )
    return _URL.sub(
        lambda m: m.group(0) if m.group(0) in REMAINING_URL_LITERALS else _defang(m.group(0)), text
    )


_NODES_SLOT = "nodes = new vis.DataSet([]);"
_EDGES_SLOT = "edges = new vis.DataSet([]);"


@lru_cache(maxsize=8)
def _shell(height_px: int, directed: bool) -> str:
    """pyvis's page with the libraries inlined and made offline, with empty node and edge sets.

    Rendered once per (height, direction): the page is ~2.7 MB of inlined vis-network that pyvis
    would re-render, and ``make_offline`` re-scan, on every drawing; only the data changes.
    """
    net = Network(
        height=f"{height_px}px",
        width="100%",
        directed=directed,
        cdn_resources="in_line",
        bgcolor="#0e1117",
        font_color="#e5e7eb",
    )
    net.set_options(json.dumps(vis_options(directed)))
    html = make_offline(net.generate_html())
    if html.count(_NODES_SLOT) != 1 or html.count(_EDGES_SLOT) != 1:  # pragma: no cover - pyvis changed
        raise RuntimeError("pyvis template changed: cannot find the node and edge data sets")
    return html


def node_data(view: GraphView) -> list[dict[str, Any]]:
    """vis-network node objects (what pyvis's ``add_node`` would produce, without its O(n²) checks)."""
    out: list[dict[str, Any]] = []
    many = len(view.nodes) > 300
    for node in view.nodes:
        style = KIND_STYLE.get(node.kind, {"shape": "dot", "color": "#bab0ac", "size": 10})
        background = STATE_BG_OVERRIDE.get(node.state, style["color"])
        out.append(
            {
                "title": _tooltip(node),
                "size": _size(node, float(style["size"])),
                "color": {"background": background, "border": STATE_BORDER.get(node.state, "#1b1f27")},
                "borderWidth": 4 if node.state != "normal" else 1,
                "x": node.x if node.x is not None else 0.0,
                "y": node.y if node.y is not None else 0.0,
                "physics": False,
                "kind": node.kind,
                "state": node.state,
                "id": node.id,
                # Above 300 nodes accounts go unlabelled (hover shows them): thousands of ids are noise.
                "label": "" if node.kind == "Account" and many else node.caption,
                "shape": style["shape"],
                "font": {"color": "#e5e7eb"},
            }
        )
    return out


def edge_data(view: GraphView, directed: bool = True) -> list[dict[str, Any]]:
    """vis-network edge objects; every edge must join two nodes of the view."""
    ids = {n.id for n in view.nodes}
    out: list[dict[str, Any]] = []
    for edge in view.edges:
        if edge.source not in ids or edge.target not in ids:
            raise ValueError(f"edge {edge.source} -> {edge.target} joins a node the view does not hold")
        item: dict[str, Any] = {
            "title": f"{edge.type}" + (f" ×{edge.weight}" if edge.weight > 1 else ""),
            "width": 1.0 + min(6.0, edge.weight**0.5 / 2) if edge.weight > 1 else 1.0,
            "from": edge.source,
            "to": edge.target,
        }
        if directed:
            item["arrows"] = "to"
        out.append(item)
    return out


def build_network_html(view: GraphView, height_px: int = 640, directed: bool = True) -> str:
    """Self-contained HTML drawing ``view`` (which must be laid out: every node has x and y)."""
    html = _shell(height_px, directed)
    nodes = f"nodes = new vis.DataSet({_json(node_data(view))});"
    edges = f"edges = new vis.DataSet({_json(edge_data(view, directed))});"
    head, rest = html.split(_NODES_SLOT, 1)
    middle, tail = rest.split(_EDGES_SLOT, 1)
    return head + nodes + middle + edges + tail


def make_offline(html: str) -> str:
    """Remove every tag that loads from another host and defang URLs left in licence comments."""
    html = _HTML_COMMENT.sub("", html)
    html = _EXTERNAL_TAG.sub("", html)
    html = _HEADING.sub("", html)
    html = _URL.sub(
        lambda m: m.group(0) if m.group(0) in REMAINING_URL_LITERALS else _defang(m.group(0)), html
    )
    # A tight frame: no page margin around the canvas inside the iframe.
    return html.replace(
        "<head>",
        "<head><style>body{margin:0;background:#0e1117}.card{border:0}#mynetwork{border:0!important}</style>",
        1,
    )


def _defang(url: str) -> str:
    """``https://github.com/visjs`` → ``github.com/visjs`` (kept readable, no longer a link)."""
    return url.split("://", 1)[1]


def external_urls(html: str) -> list[str]:
    """URLs in ``html`` other than the known non-fetched identifiers (for tests and checks)."""
    return [u for u in _URL.findall(html) if u not in REMAINING_URL_LITERALS]
