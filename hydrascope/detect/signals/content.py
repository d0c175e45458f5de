"""Content focus: what accounts ask for, and whether many accounts ask for it the same way.

A distillation worker asks a narrow set of capabilities (low entropy), often elicits the model's
chain of thought, and fills a handful of prompt templates that the whole campaign shares. Honest
crowds ask for everything. A campaign that paraphrases its prompts gets new template hashes per
paraphrase; the paraphrases of one skeleton are used by the same accounts, so templates whose
account sets overlap strongly are grouped into near-duplicate *families* and compared as one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

#: Capability classes the provider labels requests with: the entropy of a mix over all of them
#: is ``log2(CAPABILITY_CLASSES)`` bits, the widest mix there is.
CAPABILITY_CLASSES = 12


def focus(entropy_bits: pd.Series) -> pd.Series:
    """How narrow a capability mix is, from its entropy: 1 for one capability, 0 for an even mix
    over every class (an account's ``cap_entropy`` or a cluster's)."""
    return (1 - entropy_bits / np.log2(CAPABILITY_CLASSES)).clip(lower=0)


def account_content(edges: pd.DataFrame, cot_capabilities: Sequence[str]) -> pd.DataFrame:
    """Per account: ``requests, cap_entropy`` (bits), ``cot_share, n_capabilities, n_templates,
    top_template_share``. Accounts with no capability edges are absent."""
    caps = edges[edges["kind"] == "capability"]
    if caps.empty:
        return pd.DataFrame(
            columns=["account_id", "cap_requests", "cap_entropy", "cot_share", "n_capabilities"]
        ).set_index("account_id")
    grouped = caps.groupby("account_id")
    total = grouped["requests"].sum()
    cot = caps[caps["object_id"].isin(list(cot_capabilities))].groupby("account_id")["requests"].sum()
    p = caps["requests"] / caps["account_id"].map(total).replace(0, np.nan)
    ent = (-(p * np.log2(p.where(p > 0)))).fillna(0.0).groupby(caps["account_id"]).sum()
    out = pd.DataFrame(
        {
            "cap_requests": total,
            "cap_entropy": ent,
            "cot_share": (cot.reindex(total.index).fillna(0) / total.replace(0, np.nan)).fillna(0.0),
            "n_capabilities": grouped["object_id"].nunique(),
        }
    )
    tpl = edges[edges["kind"] == "template"]
    if not tpl.empty:
        tg = tpl.groupby("account_id")["requests"]
        out["n_templates"] = tg.size().reindex(out.index).fillna(0).astype(int)
        out["top_template_share"] = (tg.max() / tg.sum().replace(0, np.nan)).reindex(out.index).fillna(0.0)
    else:
        out["n_templates"] = 0
        out["top_template_share"] = 0.0
    out.index.name = "account_id"
    return out


def template_families(
    edges: pd.DataFrame,
    min_jaccard: float = 0.5,
    min_degree: int = 3,
    max_degree: int = 5000,
    min_users: int = 10,
) -> pd.DataFrame:
    """Group templates into near-duplicate families by the overlap of the accounts that use them.

    Two templates are near-duplicates when their user sets overlap by Jaccard ≥ ``min_jaccard``
    *and* share at least ``min_users`` accounts: the same group of accounts running the same
    skeletons. Jaccard alone is chance among omnivores: a reseller or researcher sends thousands of
    long-tail templates, so two tail templates of 3–4 users that share the same two heavy users
    reach 0.5, and the connected components of such pairs chain an honest world into one family of
    thousands of templates (a "prompt book" nobody runs, owned by whatever crowd it lands in).

    Returns ``template, family`` for every template (singletons are their own family). Templates
    used by fewer than ``max(min_degree, min_users)`` accounts (nothing to compare) or more than
    ``max_degree`` (everyone's boilerplate) stay alone.
    """
    tpl = edges[edges["kind"] == "template"][["account_id", "object_id"]].drop_duplicates()
    if tpl.empty:
        return pd.DataFrame({"template": pd.Series(dtype=str), "family": pd.Series(dtype=str)})
    deg = tpl.groupby("object_id")["account_id"].size()
    eligible = deg[(deg >= max(min_degree, min_users)) & (deg <= max_degree)].index
    part = tpl[tpl["object_id"].isin(eligible)]
    families = pd.Series(deg.index.to_numpy(), index=deg.index, dtype=object)
    if len(part):
        acc_codes, _ = pd.factorize(part["account_id"])
        tpl_codes, tpl_names = pd.factorize(part["object_id"])
        inc = sparse.csr_matrix(
            (np.ones(len(part)), (acc_codes, tpl_codes)), shape=(acc_codes.max() + 1, len(tpl_names))
        )
        rows, cols = similar_column_pairs(inc, min_jaccard, min_overlap=min_users)
        adj = sparse.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(tpl_names), len(tpl_names)))
        _, labels = connected_components(adj, directed=False)
        # name a family after its lexicographically first template: stable across runs
        names = pd.Series(np.asarray(tpl_names), dtype=object)
        first = names.groupby(labels).transform("min")
        families[names.to_numpy()] = first.to_numpy()
    return pd.DataFrame({"template": families.index.astype(str), "family": families.to_numpy().astype(str)})


def similar_column_pairs(
    inc: sparse.spmatrix, min_jaccard: float, block_nnz: int = 500_000, min_overlap: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of columns ``(i, j)``, ``i < j``, of a 0/1 matrix whose row sets have Jaccard
    similarity ≥ ``min_jaccard`` (``0 < min_jaccard ≤ 1``) and at least ``min_overlap`` rows in
    common; exact: the same pairs as filtering the full co-occurrence ``incᵀ·inc``, without
    materialising it.

    That product is quadratic in the busiest rows (an account using 9,000 templates co-occurs them
    all: 80M entries), so candidates come from *prefix filtering*: rows are ranked rarest first
    (fewest columns), and two columns with Jaccard ≥ t must share a row among the first
    ``|c| − ⌈t·|c|⌉ + 1`` of each column's rows in that order. Candidates are also pruned by degree
    (Jaccard ≤ min/max degree), generated in column blocks of about ``block_nnz`` prefix nonzeros,
    and verified with their exact overlap.
    """
    csc = sparse.csc_matrix(inc, dtype=np.float64)
    csc.sum_duplicates()
    csc.data[:] = 1.0
    n_rows, n_cols = csc.shape
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    if n_cols < 2 or csc.nnz == 0:
        return empty
    deg = np.diff(csc.indptr).astype(np.int64)
    # columns sorted by degree: a block only meets lower-sorted columns of reachable degree
    order = np.argsort(deg, kind="stable")
    sdeg = deg[order]
    sinc = csc[:, order].tocsc()
    # rows ranked rarest first; each column keeps its prefix under that ranking
    row_deg = np.bincount(sinc.indices, minlength=n_rows)
    rank = np.empty(n_rows, dtype=np.int64)
    rank[np.lexsort((np.arange(n_rows), row_deg))] = np.arange(n_rows)
    col_of = np.repeat(np.arange(n_cols), np.diff(sinc.indptr))
    by = np.lexsort((rank[sinc.indices], col_of))
    pos = np.arange(len(by)) - sinc.indptr[col_of[by]]
    prefix_len = sdeg - np.ceil(min_jaccard * sdeg - 1e-9).astype(np.int64) + 1
    keep_p = pos < prefix_len[col_of[by]]
    pre = sparse.csc_matrix(
        (np.ones(int(keep_p.sum())), (sinc.indices[by][keep_p], col_of[by][keep_p])), shape=(n_rows, n_cols)
    )
    rows_of = sinc.T.tocsr()  # column → its rows, for exact overlaps
    cum = np.concatenate([[0], np.cumsum(np.diff(pre.indptr))])
    out_r: list[np.ndarray] = []
    out_c: list[np.ndarray] = []
    j0 = 0
    while j0 < n_cols:
        j1 = min(n_cols, max(j0 + 1, int(np.searchsorted(cum, cum[j0] + block_nnz, side="right")) - 1))
        lo = int(np.searchsorted(sdeg, np.floor(min_jaccard * sdeg[j0]), side="left"))
        co = (pre[:, lo:j1].T.tocsr() @ pre[:, j0:j1]).tocoo()
        r = co.row.astype(np.int64) + lo
        c = co.col.astype(np.int64) + j0
        cand = (r < c) & (sdeg[r] >= min_jaccard * sdeg[c] - 1e-9)
        r, c = r[cand], c[cand]
        # verify in chunks of about block_nnz fetched nonzeros (popular columns are long rows)
        cost = np.cumsum(sdeg[r] + sdeg[c])
        last = int(cost[-1]) if len(r) else 0
        cuts = np.searchsorted(cost, np.arange(block_nnz, last + block_nnz, block_nnz)).astype(np.int64)
        for s, e in zip(np.concatenate([[0], cuts]), np.concatenate([cuts, [len(r)]]), strict=True):
            if e <= s:
                continue
            rr, cc = r[s:e], c[s:e]
            inter = np.asarray(rows_of[rr].multiply(rows_of[cc]).sum(axis=1)).ravel()
            union = sdeg[rr] + sdeg[cc] - inter
            ok = (inter / np.maximum(union, 1) >= min_jaccard) & (inter >= min_overlap)
            if ok.any():
                a, b = order[rr[ok]], order[cc[ok]]
                out_r.append(np.minimum(a, b))
                out_c.append(np.maximum(a, b))
        j0 = j1
    if not out_r:
        return empty
    return np.concatenate(out_r), np.concatenate(out_c)


def family_edges(edges: pd.DataFrame, families: pd.DataFrame) -> pd.DataFrame:
    """Account→template-family edges (``kind="template_family"``) for families of 2+ templates."""
    sizes = families.groupby("family")["template"].size()
    multi = families[families["family"].map(sizes) >= 2]
    tpl = edges[edges["kind"] == "template"].merge(multi, left_on="object_id", right_on="template")
    if tpl.empty:
        return edges.iloc[0:0].copy()
    out = tpl.groupby(["account_id", "family"], as_index=False).agg(
        requests=("requests", "sum"), first_seen=("first_seen", "min"), last_seen=("last_seen", "max")
    )
    out = out.rename(columns={"family": "object_id"})
    out["kind"] = "template_family"
    return out[list(edges.columns)]
