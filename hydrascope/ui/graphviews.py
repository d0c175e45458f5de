"""The view model of a network drawing: nodes, edges, group nodes and a server-side layout.

Pure (no Streamlit, no Neo4j). The read layer (``hydrascope.ui.data``) returns plain rows; this
module turns them into a ``GraphView``, collapses what would drown the picture (many IPs of one
proxy service or one CGNAT range, hundreds of accounts hanging off one corporate card) into counted
group nodes that the analyst expands on demand, and computes coordinates with igraph so the browser
draws with physics off: vis-network's live physics needs tens of seconds to settle a few hundred
nodes, a fixed layout appears at once.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import igraph as ig
import numpy as np

from hydrascope.triage import CLEARING

GROUP = "Group"
COHORT = "Cohort"

# Node kinds the drawing knows; anything else is drawn as a plain dot.
INFRASTRUCTURE = ("IP", "PaymentInstrument", "ClientFingerprint", "ProxyService", "ASN", "PromptTemplate")

# States, strongest first: a node shows the first that applies.
STATES = ("banned", "confirmed", "flagged", "allowlisted", "false_positive", "normal")


@dataclass(frozen=True)
class ViewNode:
    """One drawn node. ``count`` > 1 for group and cohort nodes (how many things it stands for)."""

    id: str
    kind: str
    key: str
    caption: str
    props: Mapping[str, Any] = field(default_factory=dict)
    state: str = "normal"
    count: int = 1
    members: tuple[str, ...] = ()
    x: float | None = None
    y: float | None = None


@dataclass(frozen=True)
class ViewEdge:
    """One drawn edge; ``weight`` counts the underlying relationships when edges were merged."""

    source: str
    target: str
    type: str
    weight: int = 1


@dataclass(frozen=True)
class GraphView:
    """What a network drawing shows. ``groups`` maps a group node id to the ids it hides."""

    nodes: tuple[ViewNode, ...]
    edges: tuple[ViewEdge, ...]
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    title: str = ""

    def node(self, node_id: str) -> ViewNode:
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    def kinds(self) -> dict[str, int]:
        """Nodes per kind, for captions and tests."""
        out: dict[str, int] = defaultdict(int)
        for n in self.nodes:
            out[n.kind] += 1
        return dict(out)


def node_id(kind: str, key: object) -> str:
    """The id of a node in a view: its label and key (keys are unique per label only)."""
    return f"{kind}:{key}"


def node_state(kind: str, props: Mapping[str, Any]) -> str:
    """Banned, confirmed, flagged, allowlisted, false positive, or normal, from a node's properties."""
    triage = props.get("triage_label")
    if kind == "Account" and (props.get("status") == "banned" or props.get("banned_at")):
        return "banned"
    if triage == "confirmed":
        return "confirmed"
    if triage in CLEARING:
        return str(triage)
    if props.get("flagged") or (props.get("risk_score") or 0) >= 0.5:
        return "flagged"
    return "normal"


def caption(kind: str, key: str, props: Mapping[str, Any]) -> str:
    """A short label for the drawing: names where they exist, shortened hashes otherwise."""
    if kind == "ProxyService" and props.get("name"):
        return str(props["name"])
    if kind == "ASN":
        org = props.get("as_org")
        return f"AS{key}" + (f" {org}" if org else "")
    if kind in ("PromptTemplate", "ClientFingerprint", "PaymentInstrument") and len(key) > 14:
        return key[:12] + "…"
    return key


def build_view(
    nodes: Iterable[Mapping[str, Any]], edges: Iterable[Mapping[str, Any]], title: str = ""
) -> GraphView:
    """A view from the read layer's rows.

    ``nodes``: ``{"kind", "key", "props"}``; ``edges``: ``{"source_kind", "source_key", "type",
    "target_kind", "target_key"}`` and optionally ``"weight"``. Duplicate nodes and edges (the same
    neighbour reached from two members) are merged; edges to nodes not in the list are dropped.
    """
    seen: dict[str, ViewNode] = {}
    for row in nodes:
        kind, key = str(row["kind"]), str(row["key"])
        props = dict(row.get("props") or {})
        nid = node_id(kind, key)
        if nid not in seen:
            seen[nid] = ViewNode(nid, kind, key, caption(kind, key, props), props, node_state(kind, props))
    merged: dict[tuple[str, str, str], int] = {}
    for row in edges:
        src = node_id(row["source_kind"], row["source_key"])
        dst = node_id(row["target_kind"], row["target_key"])
        if src in seen and dst in seen and src != dst:
            k = (src, dst, str(row["type"]))
            merged[k] = merged.get(k, 0) + int(row.get("weight") or 1)
    return GraphView(
        tuple(seen.values()),
        tuple(ViewEdge(s, d, t, w) for (s, d, t), w in merged.items()),
        {},
        title,
    )


def _ip_group_key(n: ViewNode, proxy_of: Mapping[str, str]) -> tuple[str, str] | None:
    """Which group an IP joins: its proxy service, the CGNAT range, or its /24 (or /64)."""
    if n.kind != "IP":
        return None
    if n.id in proxy_of:
        return (f"group:egress:{proxy_of[n.id]}", f"egress IPs of {proxy_of[n.id]}")
    if n.props.get("is_cgnat"):
        return ("group:cgnat", "CGNAT 100.64.0.0/10 IPs")
    prefix = n.props.get("prefix")
    if prefix:
        return (f"group:prefix:{prefix}", f"IPs in {prefix}")
    return None


def collapse(
    view: GraphView,
    expanded: Iterable[str] = (),
    min_ips: int = 4,
    max_leaves: int = 12,
) -> GraphView:
    """Collapse IP ranges and leaf fans into counted group nodes; ids in ``expanded`` stay open.

    Two rules, applied in order:
    1. IPs that share a proxy service, the CGNAT range or a /24 collapse into one group node when
       there are at least ``min_ips`` of them (a proxy's 40 egress IPs are one fact, not 40).
    2. More than ``max_leaves`` nodes of one kind with exactly the same neighbours (the 800
       employees on one corporate card behind one NAT range) collapse into one group node.
    Edges to collapsed nodes are rerouted to their group, merged, and weighted by how many they
    stand for. ``view.groups`` tells the caller which ids each group hides, for "expand" controls.
    """
    keep_open = set(expanded)
    by_id = {n.id: n for n in view.nodes}
    proxy_of: dict[str, str] = {}
    for e in view.edges:
        if e.type == "EGRESS_OF" and e.target in by_id:
            proxy_of[e.source] = by_id[e.target].caption

    target: dict[str, str] = {}  # collapsed node id -> group id
    groups: dict[str, list[str]] = defaultdict(list)
    group_caption: dict[str, str] = {}
    group_kind: dict[str, str] = {}

    ip_buckets: dict[str, list[ViewNode]] = defaultdict(list)
    for n in view.nodes:
        gk = _ip_group_key(n, proxy_of)
        if gk:
            ip_buckets[gk[0]].append(n)
            group_caption[gk[0]] = gk[1]
    for gid, bucket in ip_buckets.items():
        if len(bucket) >= min_ips and gid not in keep_open:
            for n in bucket:
                target[n.id] = gid
                groups[gid].append(n.id)
            group_kind[gid] = "IP"

    adjacency: dict[str, set[str]] = defaultdict(set)
    for e in view.edges:
        a, b = target.get(e.source, e.source), target.get(e.target, e.target)
        if a != b:
            adjacency[a].add(b)
            adjacency[b].add(a)
    # Nodes of one kind with exactly the same neighbours are interchangeable in the picture.
    twins: dict[tuple[str, frozenset[str]], list[str]] = defaultdict(list)
    for nid, around in adjacency.items():
        if nid in by_id and nid not in target and around:
            twins[(by_id[nid].kind, frozenset(around))].append(nid)
    for (kind, shared), same in twins.items():
        digest = hashlib.sha1("|".join(sorted(shared)).encode()).hexdigest()[:10]
        gid = f"group:same:{kind}:{digest}"
        if len(same) > max_leaves and gid not in keep_open:
            for member in same:
                target[member] = gid
                groups[gid].append(member)
            names = sorted(by_id[x].caption if x in by_id else group_caption.get(x, x) for x in shared)
            shown = " + ".join(names[:2]) + (f" + {len(names) - 2} more" if len(names) > 2 else "")
            group_caption[gid] = f"{_plural(kind)} only on {shown}"
            group_kind[gid] = kind

    if not groups:
        return replace(view, groups={})
    nodes = [n for n in view.nodes if n.id not in target]
    for gid, members in groups.items():
        states = [by_id[m].state for m in members]
        worst = min(states, key=STATES.index)
        nodes.append(
            ViewNode(
                gid,
                GROUP,
                gid,
                f"{len(members)} {group_caption[gid]}",
                {"hides_kind": group_kind[gid], "hides": len(members)},
                worst,
                len(members),
                tuple(sorted(members)),
            )
        )
    merged: dict[tuple[str, str, str], int] = {}
    for e in view.edges:
        a, b = target.get(e.source, e.source), target.get(e.target, e.target)
        if a != b:
            k = (a, b, e.type)
            merged[k] = merged.get(k, 0) + e.weight
    return GraphView(
        tuple(nodes),
        tuple(ViewEdge(a, b, t, w) for (a, b, t), w in merged.items()),
        {g: tuple(sorted(m)) for g, m in groups.items()},
        view.title,
    )


def _plural(kind: str) -> str:
    names = {"Account": "accounts", "IP": "IPs", "PaymentInstrument": "cards", "PromptTemplate": "templates"}
    return names.get(kind, kind.lower() + "s")


def skeleton_view(
    cohorts: Sequence[Mapping[str, Any]], links: Sequence[Mapping[str, Any]], title: str = ""
) -> GraphView:
    """The infrastructure skeleton of a cluster too big to draw account by account.

    ``cohorts``: ``{"cohort", "accounts", "banned", "mean_score"}`` — the server grouped the member
    accounts by their main egress network. ``links``: ``{"cohort", "kind", "key", "props",
    "accounts"}`` — how many accounts of the cohort use each infrastructure node. A 20,000-account
    cluster becomes a few dozen cohort nodes and the infrastructure they share, with counts.
    """
    nodes: dict[str, ViewNode] = {}
    edges: list[ViewEdge] = []
    for c in cohorts:
        cid = node_id(COHORT, c["cohort"])
        count = int(c["accounts"])
        banned = int(c.get("banned") or 0)
        state = (
            "banned"
            if banned and banned >= count / 2
            else ("flagged" if c.get("mean_score", 0) >= 0.5 else "normal")
        )
        nodes[cid] = ViewNode(
            cid, COHORT, str(c["cohort"]), f"{count} accounts via {c['cohort']}", dict(c), state, count
        )
    for link in links:
        cid = node_id(COHORT, link["cohort"])
        if cid not in nodes:
            continue
        kind, key = str(link["kind"]), str(link["key"])
        props = dict(link.get("props") or {})
        nid = node_id(kind, key)
        if nid not in nodes:
            nodes[nid] = ViewNode(nid, kind, key, caption(kind, key, props), props, node_state(kind, props))
        edges.append(ViewEdge(cid, nid, "USES", int(link["accounts"])))
    return GraphView(tuple(nodes.values()), tuple(edges), {}, title)


def _iterations(n: int) -> int:
    """FR iterations: 500 up to 1,000 nodes, fewer above (the grid variant settles big drawings
    sooner, and 500 iterations on 2,700 nodes cost ~0.5 s of a first render)."""
    return 500 if n <= 1000 else max(200, int(500 * 1000 / n))


def layout(view: GraphView, seed: int = 7, spacing: float = 70.0) -> GraphView:
    """Coordinates for every node, computed once on the server with igraph (deterministic by seed).

    Fruchterman–Reingold from seeded random starting points (igraph switches to its grid variant
    on big graphs, so 2,000 nodes take a fraction of a second); coordinates are scaled so the
    average node has ``spacing`` pixels of room.
    """
    n = len(view.nodes)
    if n == 0:
        return view
    index = {node.id: i for i, node in enumerate(view.nodes)}
    pairs = np.array(
        [(index[e.source], index[e.target]) for e in view.edges if e.source in index and e.target in index],
        dtype=np.int64,
    ).reshape(-1, 2)
    g = ig.Graph(n=n, edges=pairs, directed=False)
    rng = np.random.default_rng(seed)
    # Start in a box of side ~sqrt(n), igraph's own scale: a tiny box makes repulsion explode and
    # FR then spends seconds spreading the nodes out.
    half = max(2.0, math.sqrt(n) / 2)
    start = rng.uniform(-half, half, size=(n, 2)).tolist()
    weights = [math.log1p(e.weight) + 1.0 for e in view.edges if e.source in index and e.target in index]
    # FR also draws random displacements from igraph's generator (Python's ``random`` by default):
    # a private generator for the call makes the layout depend on ``seed`` only.
    ig.set_random_number_generator(random.Random(seed))
    try:
        coords = np.array(
            g.layout_fruchterman_reingold(
                seed=start, niter=_iterations(n), weights=weights or None, grid="auto"
            ).coords
        )
    finally:
        ig.set_random_number_generator(random)
    coords -= coords.mean(axis=0)
    radius = float(np.sqrt((coords**2).sum(axis=1)).max()) or 1.0
    target_radius = spacing * math.sqrt(n) / 1.5 + spacing
    coords *= target_radius / radius
    nodes = tuple(
        replace(node, x=round(float(coords[i, 0]), 1), y=round(float(coords[i, 1]), 1))
        for i, node in enumerate(view.nodes)
    )
    return replace(view, nodes=nodes)


def degree_table(view: GraphView) -> list[tuple[str, int]]:
    """Node ids with their degree in the view, highest first (for "biggest hubs" captions)."""
    deg: dict[str, int] = defaultdict(int)
    for e in view.edges:
        deg[e.source] += 1
        deg[e.target] += 1
    return sorted(deg.items(), key=lambda kv: (-kv[1], kv[0]))


def _key_of(kind: str, props: Mapping[str, Any], keys: Mapping[str, str], fallback: str) -> str:
    key_prop = keys.get(kind)
    value = props.get(key_prop) if key_prop else None
    return str(value) if value is not None else fallback


def view_from_records(rows: Iterable[Iterable[Any]], keys: Mapping[str, str], title: str = "") -> GraphView:
    """A view from query results holding graph values (nodes, relationships, paths).

    Duck-typed on the driver's objects (``labels``/``element_id``, ``type``/``start_node``,
    ``nodes``/``relationships``) so this module never imports the driver. ``keys`` maps a label to
    its key property (from the graph model); nodes without a known label are keyed by element id.
    """
    node_rows: dict[str, dict[str, Any]] = {}
    edge_rows: list[dict[str, Any]] = []
    ident: dict[str, tuple[str, str]] = {}

    def add_node(n: Any) -> tuple[str, str]:
        if n.element_id in ident:
            return ident[n.element_id]
        labels = sorted(n.labels)
        kind = next((label for label in labels if label in keys), labels[0] if labels else "Node")
        props = {k: v for k, v in dict(n).items() if k != "active_hours"}
        key = _key_of(kind, props, keys, n.element_id)
        ident[n.element_id] = (kind, key)
        node_rows[node_id(kind, key)] = {"kind": kind, "key": key, "props": props}
        return kind, key

    def add_rel(r: Any) -> None:
        if r.start_node is None or r.end_node is None:
            return
        a, b = add_node(r.start_node), add_node(r.end_node)
        edge_rows.append(
            {"source_kind": a[0], "source_key": a[1], "type": r.type, "target_kind": b[0], "target_key": b[1]}
        )

    def visit(value: Any) -> None:
        if hasattr(value, "relationships") and hasattr(value, "nodes") and hasattr(value, "start_node"):
            for n in value.nodes:
                add_node(n)
            for r in value.relationships:
                add_rel(r)
        elif hasattr(value, "labels") and hasattr(value, "element_id"):
            add_node(value)
        elif hasattr(value, "type") and hasattr(value, "start_node") and hasattr(value, "end_node"):
            add_rel(value)
        elif isinstance(value, list | tuple):
            for v in value:
                visit(v)

    for row in rows:
        for value in row:
            visit(value)
    return build_view(node_rows.values(), edge_rows, title)
