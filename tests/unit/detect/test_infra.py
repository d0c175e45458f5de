"""Rarity-weighted shared infrastructure on tiny hand-built frames."""

import numpy as np
import pandas as pd

from hydrascope.detect.params import DetectParams
from hydrascope.detect.signals.infra import (
    candidate_pairs,
    ip_benign_class,
    object_weights,
    shared_infrastructure,
    weighted_links,
)
from hydrascope.detect.snapshot import normalise_edges


def _edges(rows):
    return normalise_edges(pd.DataFrame(rows, columns=["kind", "account_id", "object_id"]))


def _ips(rows):
    frame = pd.DataFrame(rows)
    for c in ("is_datacenter", "is_vpn", "is_cgnat"):
        frame[c] = frame.get(c, False)
        frame[c] = frame[c].fillna(False)
    for c in ("as_org", "proxy_kind", "prefix"):
        if c not in frame:
            frame[c] = None
    return frame


def test_rare_card_weighs_more_than_a_crowded_ip_and_singletons_weigh_nothing():
    rows = [("card", f"a{i}", "card-1") for i in range(3)]
    rows += [("ip", f"b{i}", "192.0.2.1") for i in range(300)]
    rows += [("card", "c0", "card-solo")]
    obj = object_weights(_edges(rows), _ips([{"ip": "192.0.2.1"}]), DetectParams()).set_index("object_id")
    assert obj.loc["card-1", "weight"] > 5 * obj.loc["192.0.2.1", "weight"]
    assert obj.loc["card-solo", "weight"] == 0.0


def test_cgnat_university_and_vpn_space_is_down_weighted_not_ignored():
    rows = []
    for ip in ("100.64.0.1", "192.0.2.7", "198.51.100.9", "203.0.113.5"):
        rows += [("ip", f"{ip}-{i}", ip) for i in range(10)]
    ips = _ips(
        [
            {"ip": "100.64.0.1", "is_cgnat": True},
            {"ip": "192.0.2.7", "as_org": "Example State University"},
            {"ip": "198.51.100.9", "is_vpn": True},
            {"ip": "203.0.113.5", "is_datacenter": True},
        ]
    )
    assert ip_benign_class(ips).to_dict() == {
        "100.64.0.1": "cgnat",
        "192.0.2.7": "university",
        "198.51.100.9": "vpn",
        "203.0.113.5": "",
    }
    obj = object_weights(_edges(rows), ips, DetectParams()).set_index("object_id")["weight"]
    plain = obj["203.0.113.5"]
    for benign in ("100.64.0.1", "192.0.2.7", "198.51.100.9"):
        assert 0 < obj[benign] < 0.2 * plain


def test_candidate_pairs_small_objects_give_all_pairs_large_ones_stay_linear():
    params = DetectParams(clique_degree=5, sample_partners=3)
    rows = [("card", f"s{i}", "card-small") for i in range(4)]
    rows += [("fingerprint", f"l{i}", "fp-large") for i in range(200)]
    edges = _edges(rows)
    objects = object_weights(edges, _ips([]), params)
    index = pd.Index(edges["account_id"].unique())
    links = weighted_links(edges, objects, index)
    pairs = candidate_pairs(links, params)
    named = list(zip(index[pairs[:, 0]], index[pairs[:, 1]], strict=True))
    small = {p for p in named if p[0].startswith("s")}
    assert len(small) == 6  # all pairs of 4
    large = pairs[np.isin(pairs[:, 0], index.get_indexer([f"l{i}" for i in range(200)]))]
    assert len(large) <= 200 * 3
    # the expander keeps the 200 accounts connected
    import igraph as ig

    g = ig.Graph(n=len(index), edges=large, directed=False)
    sizes = sorted(len(c) for c in g.connected_components())
    assert sizes[-1] == 200


def test_candidate_pairs_of_objects_with_the_same_users_coincide():
    """Shared random cycles: 30 templates of one 200-account prompt book cost what one costs, and
    a second group's cycles stay inside that group."""
    params = DetectParams(clique_degree=5, sample_partners=4)
    book = [f"w{i}" for i in range(200)]
    one = [("template", a, "book-0") for a in book]
    many = [("template", a, f"book-{k}") for a in book for k in range(30)]
    crowd = [("ip", f"h{i}", "crowd-ip") for i in range(100)]

    def pairs_of(rows):
        edges = _edges(rows)
        index = pd.Index(edges["account_id"].unique())
        pairs = candidate_pairs(weighted_links(edges, object_weights(edges, _ips([]), params), index), params)
        return {(index[a], index[b]) for a, b in pairs}

    assert pairs_of(one) == pairs_of(many)
    assert len(pairs_of(one)) <= 200 * 4
    mixed = pairs_of(many + crowd)
    assert all(a[0] == b[0] for a, b in mixed)  # no pair across the two groups: they share nothing


def test_shared_infrastructure_sums_weights_per_family():
    rows = [
        ("card", "a", "c1"),
        ("card", "b", "c1"),
        ("ip", "a", "192.0.2.1"),
        ("ip", "b", "192.0.2.1"),
        ("ip", "c", "192.0.2.1"),
        ("template", "a", "t1"),
        ("template", "c", "t1"),
    ]
    edges = _edges(rows)
    objects = object_weights(edges, _ips([{"ip": "192.0.2.1"}]), DetectParams())
    index = pd.Index(["a", "b", "c"])
    links = weighted_links(edges, objects, index)
    pairs = candidate_pairs(links, DetectParams())
    sims = shared_infrastructure(links, pairs, 3).set_index(["a", "b"])
    w = objects.set_index("object_id")["weight"]
    assert np.isclose(sims.loc[(0, 1), "payment"], w["c1"])
    assert np.isclose(sims.loc[(0, 1), "network"], w["192.0.2.1"])
    assert sims.loc[(0, 1), "content"] == 0
    assert np.isclose(sims.loc[(0, 2), "content"], w["t1"])


def test_chunk_bounds_cover_the_range_once() -> None:
    from hydrascope.detect.signals.infra import chunk_bounds

    assert chunk_bounds(0, 5) == [(0, 0)]
    assert chunk_bounds(5, 5) == [(0, 5)]
    assert chunk_bounds(11, 5) == [(0, 5), (5, 10), (10, 11)]


def test_candidate_pairs_are_unique_sorted_and_ordered() -> None:
    params = DetectParams(clique_degree=4, sample_partners=2)
    rows = [("card", f"x{i}", "c1") for i in range(4)] + [("ip", f"x{i}", "ip1") for i in range(2, 10)]
    edges = _edges(rows)
    objects = object_weights(edges, _ips([]), params)
    index = pd.Index(edges["account_id"].unique())
    pairs = candidate_pairs(weighted_links(edges, objects, index), params)
    assert (pairs[:, 0] < pairs[:, 1]).all()
    assert len({tuple(p) for p in pairs.tolist()}) == len(pairs)
    assert pairs.tolist() == sorted(pairs.tolist())
    assert {(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)} <= {tuple(p) for p in pairs.tolist()}


def test_rowwise_dot_matches_dense_products_for_short_and_long_rows() -> None:
    from scipy import sparse

    from hydrascope.detect.signals.infra import rowwise_dot

    rng = np.random.default_rng(5)
    dense = rng.random((30, 400)) * (rng.random((30, 400)) < 0.03)
    dense[0] = rng.random(400)  # one account on every object: the binary-search path
    dense[1] = 0.0  # and one on none
    mat = sparse.csr_matrix(dense)
    a, b = rng.integers(0, 30, 500), rng.integers(0, 30, 500)
    a[:30], b[:30] = 0, np.arange(30)
    want = np.einsum("ij,ij->i", dense[a], dense[b])
    np.testing.assert_allclose(rowwise_dot(mat, a, b), want)
    shuffled = mat.copy()  # column indices out of order within rows: sorted first
    for r in range(shuffled.shape[0]):
        s, e = shuffled.indptr[r], shuffled.indptr[r + 1]
        perm = rng.permutation(e - s) + s
        shuffled.indices[s:e], shuffled.data[s:e] = shuffled.indices[perm], shuffled.data[perm]
    shuffled.has_sorted_indices = False
    np.testing.assert_allclose(rowwise_dot(shuffled, a, b), want)
    assert len(rowwise_dot(mat, a[:0], b[:0])) == 0
