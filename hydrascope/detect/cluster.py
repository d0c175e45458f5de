"""Clustering the account graph built from multi-family evidence.

Edges exist only between accounts tied by at least ``min_pair_families`` independent families of
evidence (payment, network, client, identity, content, timing, enforcement), so no single shared
attribute can glue an honest crowd to anything. Components of that graph are the candidate
clusters; large components are split with Leiden (modularity objective, explicit resolution,
weights and seed) so that a bridge of a few strong pairs does not merge two campaigns, or a
campaign and a crowd.

Modularity keeps a leaf with the only community it is tied to, so a campaign's community also
holds every honest account that happens to share a couple of ties with it (a reseller's long tail,
a proxy customer on the same egress). ``split_periphery`` cuts each cluster into its *core* — the
members whose coreness within the cluster reaches ``core_share`` of the cluster's highest — and its
*periphery*; the pipeline gives back to the core the periphery accounts that run its prompt book
and judges the rest as clusters of their own, one per connected piece.
"""

from __future__ import annotations

import random

import igraph as ig
import numpy as np
import pandas as pd

from hydrascope.detect.params import DetectParams


def cluster_accounts(
    n_accounts: int, pairs: pd.DataFrame, params: DetectParams
) -> tuple[np.ndarray, np.ndarray]:
    """A cluster label and a component label per account row (-1 for accounts without a kept edge).

    ``pairs`` holds the kept edges: ``a, b`` (account rows) and ``weight``.
    """
    labels = np.full(n_accounts, -1, dtype=np.int64)
    if pairs.empty:
        return labels, labels.copy()
    edges = pairs[["a", "b"]].to_numpy(np.int64)
    graph = ig.Graph(n=n_accounts, edges=edges, directed=False)
    graph.es["weight"] = pairs["weight"].to_numpy(float)
    # igraph draws from Python's RNG interface: give it a seeded one so a run is reproducible
    ig.set_random_number_generator(random.Random(params.seed))
    components = np.asarray(graph.connected_components(mode="weak").membership, dtype=np.int64)
    degree = np.asarray(graph.degree(), dtype=np.int64)
    order = np.argsort(components, kind="stable")
    comp_sorted = components[order]
    bounds = np.flatnonzero(np.diff(comp_sorted)) + 1
    next_label = 0
    for nodes in np.split(order, bounds):
        if len(nodes) == 0 or degree[nodes[0]] == 0:
            continue
        if params.cluster_method == "leiden" and len(nodes) >= params.leiden_min_component:
            sub = graph.induced_subgraph(nodes.tolist())
            parts = sub.community_leiden(
                objective_function="modularity",
                weights="weight",
                resolution=params.leiden_resolution,
                n_iterations=-1,
            )
            membership = np.asarray(parts.membership, dtype=np.int64)
            labels[nodes] = membership + next_label
            next_label += int(membership.max()) + 1
        else:
            labels[nodes] = next_label
            next_label += 1
    return labels, np.where(degree > 0, components, -1)


def split_periphery(labels: np.ndarray, edges: np.ndarray, core_share: float) -> np.ndarray:
    """Move each cluster's periphery — the members whose coreness in the cluster's own graph is
    below ``core_share`` of the cluster's highest — to new clusters, one per connected piece of the
    periphery's own ties.

    Why: a cluster is judged by its members' shared signals (creation burst, owned templates,
    synchrony...), and a campaign of 150 near-clique workers with 800 honest accounts hanging on
    it by one or two chance ties each (``demo``) looks like the honest crowd; the same leaves on
    a hydra's proxy egress were flagged with it (``anthropic``). Coreness, not degree, because a
    large campaign is covered by random cycles (an expander of degree ~60 whatever its size), and
    relative to the cluster because cores differ by orders of magnitude between a 6-account
    company and a 2,000-account hydra. A reseller tied to most of the campaign stays in the
    core; membership then judges it on its own evidence (it does not run the prompt book).

    The split relies on timing beyond chance (``excess_hour_jaccard``): with raw hour Jaccard the
    core of an honest crowd around resellers (always-on accounts overlapping by ~0.45 by chance),
    judged without its periphery, reached "synchrony" and was flagged.

    A periphery is not a group by itself: six proxy customers each tied to a hydra by a few
    egress ties, and not to each other, judged as one cluster showed a "creation burst" and
    "templates" by chance (``anthropic`` 0.1). Only periphery accounts tied to each other stay
    together.

    ``edges``: kept pairs as account rows; ``labels``: cluster per row (-1: none). Returns new
    labels; periphery clusters are numbered after the existing ones.
    """
    out = labels.copy()
    if not len(edges):
        return out
    la, lb = labels[edges[:, 0]], labels[edges[:, 1]]
    inside = edges[(la == lb) & (la >= 0)]
    graph = ig.Graph(n=len(labels), edges=inside, directed=False)
    core = np.asarray(graph.coreness(), dtype=np.int64)
    clustered = labels >= 0
    top = pd.Series(core[clustered]).groupby(labels[clustered]).max()
    peak = np.zeros(len(labels), dtype=np.int64)
    peak[clustered] = top.reindex(labels[clustered]).to_numpy(np.int64)
    periphery = clustered & (core < core_share * peak)
    if periphery.any():
        # the periphery is a group only where its accounts are tied to each other: one cluster
        # per connected piece (leaves tied only to the core are singletons, later dropped)
        both = periphery[inside[:, 0]] & periphery[inside[:, 1]]
        pieces = ig.Graph(n=len(labels), edges=inside[both], directed=False).connected_components()
        piece = np.asarray(pieces.membership, dtype=np.int64)
        codes, _ = pd.factorize(pd.MultiIndex.from_arrays([labels[periphery], piece[periphery]]))
        out[periphery] = int(labels.max()) + 1 + codes
    return out
