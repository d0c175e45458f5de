"""Rarity-weighted shared infrastructure: who shares what, and how much that says.

A shared object is evidence in proportion to how rare it is: a card shared by 3 accounts says far
more than a carrier IP shared by 30,000, so each object weighs ``kind_weight / ln(1 + degree)``.
Known-benign space (carrier-grade NAT, university networks, commercial VPN egress) is multiplied
down by ``benign_factor`` rather than ignored: a hydra hiding behind a VPN still shares it.
Proxy-service egress and datacenter IPs keep their full weight: they are how hydras reach the API.
"""

from __future__ import annotations

import re

import numba
import numpy as np
import pandas as pd
from scipy import sparse

from hydrascope.detect.params import DetectParams
from hydrascope.detect.snapshot import LINK_FAMILY

FAMILIES: tuple[str, ...] = tuple(dict.fromkeys(LINK_FAMILY.values()))
_UNIVERSITY = re.compile(r"univ|college|school|academ|\.edu\b|institute of tech", re.IGNORECASE)


def ip_benign_class(ips: pd.DataFrame) -> pd.Series:
    """Classify each IP as ``cgnat``, ``university``, ``vpn`` or "" (not known-benign)."""
    if ips.empty:
        return pd.Series(dtype=object)
    as_org = ips["as_org"].fillna("").astype(str)
    proxy_kind = ips["proxy_kind"].fillna("").astype(str)
    cls = np.where(
        ips["is_cgnat"].to_numpy(bool),
        "cgnat",
        np.where(
            as_org.str.contains(_UNIVERSITY).to_numpy(bool),
            "university",
            np.where(ips["is_vpn"].to_numpy(bool) | (proxy_kind == "vpn").to_numpy(bool), "vpn", ""),
        ),
    )
    return pd.Series(cls, index=ips["ip"].to_numpy(), dtype=object)


def object_weights(edges: pd.DataFrame, ips: pd.DataFrame, params: DetectParams) -> pd.DataFrame:
    """One row per linkable object: ``kind, object_id, family, degree, benign, weight``.

    ``degree`` counts distinct accounts; objects used by a single account weigh 0 (nothing shared).
    """
    link = edges[edges["kind"].isin(list(LINK_FAMILY))]
    objects = link.groupby(["kind", "object_id"], as_index=False).agg(degree=("account_id", "nunique"))
    objects["family"] = objects["kind"].map(LINK_FAMILY)
    benign = pd.Series("", index=objects.index, dtype=object)
    if len(ips):
        ip_cls = ip_benign_class(ips)
        is_ip = objects["kind"] == "ip"
        benign[is_ip] = objects.loc[is_ip, "object_id"].map(ip_cls).fillna("")
        # a prefix is benign when most of its known IPs are
        pref = pd.DataFrame({"prefix": ips["prefix"].astype(str).to_numpy(), "cls": ip_cls.to_numpy()})
        pref_cls = pref.groupby("prefix")["cls"].agg(lambda s: s.mode().iloc[0] if len(s) else "")
        is_prefix = objects["kind"] == "prefix"
        benign[is_prefix] = objects.loc[is_prefix, "object_id"].map(pref_cls).fillna("")
    objects["benign"] = benign.astype(str)
    factor = objects["benign"].map(lambda c: params.benign_factor.get(c, 1.0) if c else 1.0).astype(float)
    degree = objects["degree"].to_numpy(float)
    rarity = np.where(degree >= 2, 1.0 / np.log1p(degree), 0.0)
    rarity[degree > params.max_object_degree] = 0.0
    objects["weight"] = objects["kind"].map(params.kind_weight).fillna(0.0).to_numpy(float) * rarity * factor
    return objects


def weighted_links(edges: pd.DataFrame, objects: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
    """Account→object links of the shared objects, with account row numbers and object weights."""
    shared = objects[objects["weight"] > 0]
    link = edges.merge(shared[["kind", "object_id", "family", "weight", "degree"]], on=["kind", "object_id"])
    link = link.drop_duplicates(["kind", "account_id", "object_id"])
    link["row"] = index.get_indexer(pd.Index(link["account_id"]))
    link = link[link["row"] >= 0]
    link["object_key"] = link["kind"] + "\x1f" + link["object_id"]
    return link.reset_index(drop=True)


def candidate_pairs(links: pd.DataFrame, params: DetectParams) -> np.ndarray:
    """Pairs of accounts (``row_a < row_b``) that share at least one weighted object.

    Objects up to ``clique_degree`` users contribute all their pairs. A larger object is covered
    by ``sample_partners`` random *cycles*: ``sample_partners`` global random orderings of all
    accounts are drawn once, and in each ordering every member of the object is paired with the
    next member of the same object. Because the orderings are shared by every object, objects
    with the same (or nearly the same) users yield the same pairs: an account on 500 templates
    of its campaign's prompt book costs about as much as an account on one, where independent
    random partners per object would cost 500 times more (that growth is what made full-scale
    detection quadratic). A union of random cycles is an expander, so big groups stay connected
    without the ring-lattice structure that community detection would cut into arcs.
    """
    if links.empty:
        return np.zeros((0, 2), dtype=np.int64)
    codes, _ = pd.factorize(links["object_key"])
    order = np.argsort(codes, kind="stable")
    rows = links["row"].to_numpy(np.int64)[order]
    codes = codes[order]
    bounds = np.flatnonzero(np.diff(codes)) + 1
    starts = np.concatenate([[0], bounds])
    ends = np.concatenate([bounds, [len(codes)]])
    sizes = ends - starts
    # each pair is collected as one int64 key ``min·width + max``: half the memory of a pair array,
    # and one in-place sort dedupes it (sorted keys are the pairs in lexicographic order)
    width = np.int64(rows.max()) + 1
    out: list[np.ndarray] = []

    def keys(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        k = np.minimum(a, b) * width + np.maximum(a, b)
        k = k[a != b]
        return np.unique(k)

    # small groups: all pairs, vectorised per group size
    for size in np.unique(sizes[(sizes >= 2) & (sizes <= params.clique_degree)]):
        group_starts = starts[sizes == size]
        iu, ju = np.triu_indices(int(size), k=1)
        a = rows[group_starts[:, None] + iu[None, :]].ravel()
        b = rows[group_starts[:, None] + ju[None, :]].ravel()
        out.append(keys(a, b))
    # large groups: shared random cycles
    large = np.repeat(sizes > params.clique_degree, sizes)
    if large.any():
        big_rows, big_codes = rows[large], codes[large]
        rng = np.random.default_rng(params.seed)
        for _ in range(params.sample_partners):
            rank = rng.permutation(int(width))
            by = np.argsort(big_codes.astype(np.int64) * width + rank[big_rows])  # by object, then rank
            r, c = big_rows[by], big_codes[by]
            first = np.concatenate([[True], c[1:] != c[:-1]])
            last = np.concatenate([c[1:] != c[:-1], [True]])
            # each member with the next one in this ordering; the last closes the cycle
            nxt = np.roll(r, -1)
            group_first = r[np.maximum.accumulate(np.where(first, np.arange(len(r)), 0))]
            nxt = np.where(last, group_first, nxt)
            out.append(keys(r, nxt))
    if not out:
        return np.zeros((0, 2), dtype=np.int64)
    key = np.concatenate(out)
    del out
    key.sort()
    if len(key):
        key = key[np.concatenate([[True], key[1:] != key[:-1]])]
    return np.stack([key // width, key % width], axis=1)


def chunk_bounds(n: int, size: int) -> list[tuple[int, int]]:
    """``(start, stop)`` slices covering ``range(n)`` in chunks of at most ``size`` (one empty
    chunk when ``n == 0``, so callers always produce their columns)."""
    if size < 1:
        raise ValueError("chunk size must be positive")
    if n <= 0:
        return [(0, 0)]
    return [(s, min(s + size, n)) for s in range(0, n, size)]


def family_matrices(links: pd.DataFrame, n_accounts: int) -> dict[str, sparse.csr_matrix]:
    """Per family, an accounts × objects matrix holding sqrt(weight): row dot products are the
    summed rarity weight of the objects two accounts share."""
    mats: dict[str, sparse.csr_matrix] = {}
    for family in FAMILIES:
        part = links[links["family"] == family]
        cols, _ = pd.factorize(part["object_key"])
        mats[family] = sparse.csr_matrix(
            (np.sqrt(part["weight"].to_numpy(float)), (part["row"].to_numpy(np.int64), cols)),
            shape=(n_accounts, max(int(cols.max()) + 1 if len(cols) else 0, 1)),
        )
    return mats


def rowwise_dot(mat: sparse.csr_matrix, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``mat[a[i]] · mat[b[i]]`` for every i, without materialising any row (a compiled walk over
    the two rows' sorted column indices; memory is the output alone, however many objects an
    account has or however many pairs it sits in)."""
    if not len(a):
        return np.zeros(0, dtype=np.float64)
    m = sparse.csr_matrix(mat, dtype=np.float64)
    if not m.has_sorted_indices:
        m = m.sorted_indices()
    return _rowwise_dot(
        m.indptr,  # as stored (int32 or int64): no copy of the whole matrix per call
        m.indices,
        m.data,
        np.asarray(a, dtype=np.int64),
        np.asarray(b, dtype=np.int64),
    )


@numba.njit(cache=True, parallel=True)
def _rowwise_dot(
    indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, a: np.ndarray, b: np.ndarray
) -> np.ndarray:
    out = np.zeros(len(a), dtype=np.float64)
    for i in numba.prange(len(a)):
        s1, e1 = indptr[a[i]], indptr[a[i] + 1]
        s2, e2 = indptr[b[i]], indptr[b[i] + 1]
        if e1 - s1 > e2 - s2:  # walk the shorter row
            s1, e1, s2, e2 = s2, e2, s1, e1
        n1, n2 = e1 - s1, e2 - s2
        total = 0.0
        if n1 == 0:
            continue
        if n2 > 16 * n1:  # one long row: binary-search the short row's columns in it
            lo = s2
            for k in range(s1, e1):
                c = indices[k]
                hi = e2
                while lo < hi:
                    mid = (lo + hi) // 2
                    if indices[mid] < c:
                        lo = mid + 1
                    else:
                        hi = mid
                if lo < e2 and indices[lo] == c:
                    total += data[k] * data[lo]
        else:  # similar lengths: merge
            p, q = s1, s2
            while p < e1 and q < e2:
                if indices[p] == indices[q]:
                    total += data[p] * data[q]
                    p += 1
                    q += 1
                elif indices[p] < indices[q]:
                    p += 1
                else:
                    q += 1
        out[i] = total
    return out


def shared_infrastructure(
    links: pd.DataFrame,
    pairs: np.ndarray,
    n_accounts: int,
    mats: dict[str, sparse.csr_matrix] | None = None,
) -> pd.DataFrame:
    """For each candidate pair, the summed rarity weight shared in each family of evidence
    (``mats``: ``family_matrices(links, n_accounts)``, built once when pairs come in chunks)."""
    if mats is None:
        mats = family_matrices(links, n_accounts)
    frame = pd.DataFrame({"a": pairs[:, 0], "b": pairs[:, 1]})
    for family in FAMILIES:
        frame[family] = rowwise_dot(mats[family], pairs[:, 0], pairs[:, 1])
    return frame


def prompt_book_content(links: pd.DataFrame, family_members: pd.Index, rare_degree: int) -> pd.Series:
    """Which content objects (templates, template families) may tie accounts, by ``object_key``.

    A template is evidence of a shared prompt book when it is rare (used by at most
    ``rare_degree`` accounts) or when it belongs to a near-duplicate family (``family_members``:
    templates whose user sets nearly coincide with other templates' — the same group of accounts
    running the same prompts; family objects themselves always count). A popular template that a
    campaign sends as camouflage shares its users with hundreds of unrelated honest accounts and
    with no other template: however many of those two accounts have in common, it says nothing
    about a common operator. Returns a boolean Series indexed by ``object_key``.
    """
    content = links[links["family"] == "content"]
    if content.empty:
        return pd.Series(dtype=bool)
    per = content.drop_duplicates("object_key").set_index("object_key")
    keep = (
        (per["degree"] <= rare_degree)
        | (per["kind"] == "template_family")
        | ((per["kind"] == "template") & per["object_id"].isin(family_members))
    )
    return keep.astype(bool)


def tie_links(links: pd.DataFrame, keep: pd.Series) -> pd.DataFrame:
    """The links that may tie two accounts: every non-content link, and the content links whose
    object is in ``keep`` (``prompt_book_content``). Content objects outside it weigh nothing in
    any family, so they neither score pairs nor propose candidates."""
    is_content = (links["family"] == "content").to_numpy(bool)
    kept = links["object_key"].isin(keep.index[keep.to_numpy(bool)]).to_numpy(bool)
    return links[~is_content | kept]
