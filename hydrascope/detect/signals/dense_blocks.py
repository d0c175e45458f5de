"""Camouflage-resistant dense blocks (FRAUDAR, Hooi et al. 2016): greedy peeling.

Over an accounts × evidence-objects matrix, find the subset of rows and columns maximising
``g(S) = f(S) / |S|`` with ``f(S) = Σ row priors + Σ edge weights inside S``. Each edge to object
``j`` weighs ``1 / ln(degree_j + 5)``: edges to popular objects (what camouflage adds — a hydra
account also calling popular templates or honest destinations) count little, so a block stays
dense however much camouflage its rows carry. Row priors carry content suspicion (chain-of-thought
share, narrow focus) so that the peeling starts from behaviour, not only from structure.

The peeling removes, at each step, the node whose removal costs ``f`` least, and keeps the best
prefix; ``dense_blocks`` repeats it on what is left to find several blocks.
"""

from __future__ import annotations

import heapq

import numba
import numpy as np
import pandas as pd
from scipy import sparse


def column_weights(matrix: sparse.csr_matrix) -> np.ndarray:
    """FRAUDAR's camouflage-resistant column weights ``1 / ln(deg + 5)``."""
    deg = np.asarray((matrix > 0).sum(axis=0)).ravel()
    return 1.0 / np.log(deg + 5.0)


def peel(
    matrix: sparse.csr_matrix, row_prior: np.ndarray | None = None, col_weight: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, float]:
    """One greedy peeling pass. Returns (rows, columns, density g) of the densest prefix found."""
    m = sparse.csr_matrix(matrix, dtype=float)
    m.data[:] = 1.0
    n_rows = m.shape[0]
    if m.nnz == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), 0.0
    cw = column_weights(m) if col_weight is None else np.asarray(col_weight, dtype=float)
    prior = np.zeros(n_rows) if row_prior is None else np.asarray(row_prior, dtype=float)
    weighted = m.multiply(cw[None, :]).tocsr()
    wc = weighted.tocsc()
    row_pri = np.asarray(weighted.sum(axis=1)).ravel() + prior
    col_pri = np.asarray(weighted.sum(axis=0)).ravel()
    # node ids: rows 0..n_rows-1, columns n_rows..n_rows+n_cols-1
    pri = np.concatenate([row_pri, col_pri])
    alive = np.concatenate([np.asarray(m.getnnz(axis=1) > 0), np.asarray(m.getnnz(axis=0) > 0)])
    f = float(weighted.sum() + prior[alive[:n_rows]].sum())
    order_arr, best_step, best_g = _peel_order(
        weighted.indptr.astype(np.int64),
        weighted.indices.astype(np.int64),
        weighted.data,
        wc.indptr.astype(np.int64),
        wc.indices.astype(np.int64),
        wc.data,
        pri,
        alive.copy(),
        n_rows,
        f,
    )
    # the densest prefix: what is left after the first best_step removals
    kept_arr = np.sort(order_arr[best_step:])
    rows = kept_arr[kept_arr < n_rows]
    cols = kept_arr[kept_arr >= n_rows] - n_rows
    return rows, cols, float(best_g)


@numba.njit(cache=True)
def _peel_order(
    indptr_r: np.ndarray,
    indices_r: np.ndarray,
    data_r: np.ndarray,
    indptr_c: np.ndarray,
    indices_c: np.ndarray,
    data_c: np.ndarray,
    pri: np.ndarray,
    alive: np.ndarray,
    n_rows: int,
    f: float,
) -> tuple[np.ndarray, int, float]:
    """The greedy peeling loop, compiled: removes the live node of least priority until none is
    left (a lazy-deletion heap), and returns the removal order, the step after which the density
    ``f / size`` was best, and that density. Rows are nodes ``0..n_rows-1``, columns follow."""
    pri = pri.copy()
    size = 0
    heap = [(0.0, -1)]
    heap.pop()
    for i in range(len(alive)):
        if alive[i]:
            heap.append((pri[i], i))
            size += 1
    heapq.heapify(heap)
    order = np.empty(size, dtype=np.int64)
    n_removed = 0
    best_g = f / max(size, 1)
    best_step = 0
    while len(heap) > 0:
        p, node = heapq.heappop(heap)
        if not alive[node] or p != pri[node]:
            continue
        alive[node] = False
        order[n_removed] = node
        n_removed += 1
        f -= pri[node]
        size -= 1
        if node < n_rows:
            for k in range(indptr_r[node], indptr_r[node + 1]):
                j = n_rows + indices_r[k]
                if alive[j]:
                    pri[j] -= data_r[k]
                    heapq.heappush(heap, (pri[j], j))
        else:
            c = node - n_rows
            for k in range(indptr_c[c], indptr_c[c + 1]):
                i = indices_c[k]
                if alive[i]:
                    pri[i] -= data_c[k]
                    heapq.heappush(heap, (pri[i], i))
        if size > 0:
            g = f / size
            if g > best_g:
                best_g = g
                best_step = n_removed
    return order[:n_removed], best_step, best_g


def dense_blocks(
    matrix: sparse.csr_matrix,
    row_prior: np.ndarray | None = None,
    blocks: int = 5,
    min_rows: int = 5,
) -> pd.DataFrame:
    """Up to ``blocks`` dense blocks, found one after another on the rows left over.

    Returns ``row, block, density`` for the rows of every block with at least ``min_rows`` rows;
    column weights are computed once on the whole matrix so later blocks are judged alike.
    """
    m = sparse.csr_matrix(matrix, dtype=float)
    cw = column_weights(m)
    prior = np.zeros(m.shape[0]) if row_prior is None else np.asarray(row_prior, dtype=float)
    remaining = np.ones(m.shape[0], dtype=bool)
    out: list[pd.DataFrame] = []
    for b in range(blocks):
        masked = sparse.diags(remaining.astype(float)) @ m
        masked.eliminate_zeros()
        if masked.nnz == 0:
            break
        rows, _, g = peel(masked, prior * remaining, cw)
        if len(rows) < min_rows:
            break
        out.append(pd.DataFrame({"row": rows, "block": b, "density": g}))
        remaining[rows] = False
    if not out:
        return pd.DataFrame(
            {
                "row": pd.Series(dtype=np.int64),
                "block": pd.Series(dtype=np.int64),
                "density": pd.Series(dtype=float),
            }
        )
    return pd.concat(out, ignore_index=True)
