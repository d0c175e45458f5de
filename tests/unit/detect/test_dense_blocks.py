"""FRAUDAR peeling finds a planted block even under camouflage, and not in random noise."""

import numpy as np
from scipy import sparse

from hydrascope.detect.signals.dense_blocks import column_weights, dense_blocks, peel


def _matrix(seed: int, camouflage: int):
    rng = np.random.default_rng(seed)
    n_rows, n_cols = 400, 600
    rows, cols = [], []
    # honest noise: 3 random objects each, from a popular-heavy distribution
    for i in range(n_rows):
        for c in rng.zipf(1.5, 3) % n_cols:
            rows.append(i)
            cols.append(int(c))
    # the block: rows 0..29 use the same 15 rare objects 580..594, plus camouflage on popular ones
    for i in range(30):
        for c in range(580, 595):
            rows.append(i)
            cols.append(c)
        for c in rng.zipf(1.5, camouflage) % 50:
            rows.append(i)
            cols.append(int(c))
    return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_rows, n_cols))


def test_column_weights_discount_popular_objects():
    m = sparse.csr_matrix(np.array([[1, 1], [1, 0], [1, 0], [1, 0]]))
    w = column_weights(m)
    assert w[0] < w[1]


def test_peel_finds_the_planted_block_with_and_without_camouflage():
    for camouflage in (0, 30):
        rows, cols, g = peel(_matrix(1, camouflage))
        found = set(rows.tolist())
        assert len(found & set(range(30))) >= 28
        assert len(found - set(range(30))) <= 2
        assert set(range(580, 595)) <= set(cols.tolist())
        assert g > 1.0


def test_dense_blocks_returns_nothing_on_a_sparse_random_matrix():
    rng = np.random.default_rng(2)
    rows = np.repeat(np.arange(300), 2)
    cols = rng.integers(0, 5000, size=600)
    m = sparse.csr_matrix((np.ones(600), (rows, cols)), shape=(300, 5000))
    blocks = dense_blocks(m, blocks=3, min_rows=5)
    assert blocks.empty or blocks["density"].max() < 0.6
