"""Clustering the account graph built from multi-family evidence.

Edges exist only between accounts tied by at least ``min_pair_families`` independent families of
evidence (payment, network, client, identity, content, timing, enforcement), so no single shared
attribute can glue an honest crowd to anything. Components of that graph are the candidate
clusters; large components are split with Leiden (modularity objective, explicit resolution,
weights and seed) so that a bridge of a few strong pairs does not merge two campaigns, or a
campaign and a crowd.
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
