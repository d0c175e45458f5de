"""Clustering: a cluster is judged by its core; accounts hanging on it by a few ties are not it."""

import itertools

import numpy as np
import pandas as pd

from hydrascope.detect.cluster import cluster_accounts, split_periphery
from hydrascope.detect.params import DetectParams


def _clique(rows: range) -> list[tuple[int, int]]:
    return list(itertools.combinations(rows, 2))


def test_leaves_tied_to_a_clique_by_one_or_two_ties_become_their_own_cluster():
    # rows 0-9: a campaign (clique); 10: a reseller hub tied to 8 of them; 11-14: honest leaves
    edges = _clique(range(10)) + [(10, j) for j in range(8)] + [(11, 0), (12, 1), (12, 2), (13, 3), (14, 4)]
    labels = np.array([0] * 15, dtype=np.int64)
    out = split_periphery(labels, np.array(edges, dtype=np.int64), core_share=0.5)
    core = set(np.flatnonzero(out == 0))
    assert core == set(range(11))  # the hub is tied to most of the core: membership judges it
    # the leaves are not tied to each other: each is its own (later dropped) piece
    assert len(set(out[11:15])) == 4 and not {0, -1} & set(out[11:15].tolist())


def test_periphery_accounts_tied_to_each_other_stay_one_group():
    # rows 11-13 hang on the clique by one tie each but form a triangle of their own
    edges = [*_clique(range(10)), (11, 0), (11, 12), (12, 13), (11, 13), (14, 1)]
    labels = np.array([0] * 15, dtype=np.int64)
    out = split_periphery(labels, np.array(edges, dtype=np.int64), core_share=0.5)
    assert (out[:10] == 0).all()
    assert len(set(out[11:14])) == 1 and out[14] != out[11] and out[11] != 0


def test_a_uniform_group_and_unclustered_accounts_are_left_alone():
    # a company: everyone tied to everyone (shared card, NAT, domain); row 6: no cluster
    edges = np.array(_clique(range(6)), dtype=np.int64)
    labels = np.array([3] * 6 + [-1], dtype=np.int64)
    assert (split_periphery(labels, edges, core_share=0.5) == labels).all()


def test_each_cluster_is_judged_against_its_own_core():
    # a 10-clique (core 9) and a 4-ring (core 2): the ring's members are its core, not periphery
    ring = [(10, 11), (11, 12), (12, 13), (13, 10)]
    edges = np.array(_clique(range(10)) + ring, dtype=np.int64)
    labels = np.array([0] * 10 + [1] * 4, dtype=np.int64)
    assert (split_periphery(labels, edges, core_share=0.5) == labels).all()


def test_cluster_accounts_leaves_the_split_to_the_pipeline():
    edges = [*_clique(range(10)), (10, 0), (11, 1), (12, 2)]
    pairs = pd.DataFrame(edges, columns=["a", "b"]).assign(weight=1.0)
    labels, components = cluster_accounts(13, pairs, DetectParams(cluster_method="components"))
    assert len(set(labels)) == 1 and len(set(components)) == 1


def test_the_pipeline_gives_back_periphery_accounts_that_run_the_cores_prompt_book():
    """A low-volume worker (one tie) runs the core's prompt book and goes back to its cluster; an
    honest leaf (a reseller's customer on the same proxy) that sent one of its templates once
    stays out."""
    from hydrascope.detect.pipeline import _split_and_reattach
    from hydrascope.detect.snapshot import normalise_edges

    core = [f"c{i}" for i in range(6)]
    ids = pd.Index([*core, "worker", "leaf"])
    rows = [("template", a, t, 10) for a in core for t in ("b1", "b2", "b3")]
    rows += [("template", "worker", "b1", 10), ("template", "worker", "b2", 10)]
    rows += [("template", "leaf", "popular", 40), ("template", "leaf", "b1", 1)]
    rows += [("capability", a, "coding", 30) for a in ids]
    edges = normalise_edges(pd.DataFrame(rows, columns=["kind", "account_id", "object_id", "requests"]))
    labels = np.zeros(len(ids), dtype=np.int64)
    split = np.array([0] * 6 + [1, 1], dtype=np.int64)
    component_of = pd.Series(0, index=ids)
    out = _split_and_reattach(
        labels, split, edges, ids, component_of, pd.Series(dtype=object), DetectParams()
    )
    assert out.tolist() == [0] * 7 + [1]
