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


def entropy_bits(counts: np.ndarray) -> float:
    """Shannon entropy (bits) of a vector of counts."""
    total = counts.sum()
    if total <= 0:
        return 0.0
    p = counts[counts > 0] / total
    return float(-(p * np.log2(p)).sum())


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
    edges: pd.DataFrame, min_jaccard: float = 0.5, min_degree: int = 3, max_degree: int = 5000
) -> pd.DataFrame:
    """Group templates into near-duplicate families by the overlap of the accounts that use them.

    Returns ``template, family`` for every template (singletons are their own family). Templates
    used by fewer than ``min_degree`` accounts (nothing to compare) or more than ``max_degree``
    (everyone's boilerplate) stay alone.
    """
    tpl = edges[edges["kind"] == "template"][["account_id", "object_id"]].drop_duplicates()
    if tpl.empty:
        return pd.DataFrame({"template": pd.Series(dtype=str), "family": pd.Series(dtype=str)})
    deg = tpl.groupby("object_id")["account_id"].size()
    eligible = deg[(deg >= min_degree) & (deg <= max_degree)].index
    part = tpl[tpl["object_id"].isin(eligible)]
    families = pd.Series(deg.index.to_numpy(), index=deg.index, dtype=object)
    if len(part):
        acc_codes, _ = pd.factorize(part["account_id"])
        tpl_codes, tpl_names = pd.factorize(part["object_id"])
        inc = sparse.csr_matrix(
            (np.ones(len(part)), (acc_codes, tpl_codes)), shape=(acc_codes.max() + 1, len(tpl_names))
        )
        co = (inc.T @ inc).tocoo()
        sizes = np.asarray(inc.sum(axis=0)).ravel()
        union = sizes[co.row] + sizes[co.col] - co.data
        keep = (co.row < co.col) & (co.data / np.maximum(union, 1) >= min_jaccard)
        adj = sparse.coo_matrix(
            (np.ones(int(keep.sum())), (co.row[keep], co.col[keep])), shape=(len(tpl_names), len(tpl_names))
        )
        _, labels = connected_components(adj, directed=False)
        # name a family after its lexicographically first template: stable across runs
        names = pd.Series(np.asarray(tpl_names), dtype=object)
        first = names.groupby(labels).transform("min")
        families[names.to_numpy()] = first.to_numpy()
    return pd.DataFrame({"template": families.index.astype(str), "family": families.to_numpy().astype(str)})


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
