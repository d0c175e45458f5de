"""Content focus: entropy, chain-of-thought share, near-duplicate template families."""

import numpy as np
import pandas as pd
from scipy import sparse

from hydrascope.detect.signals.content import (
    account_content,
    family_edges,
    similar_column_pairs,
    template_families,
)
from hydrascope.detect.snapshot import normalise_edges


def _edges(rows):
    return normalise_edges(pd.DataFrame(rows, columns=["kind", "account_id", "object_id", "requests"]))


def test_entropy_and_cot_share_per_account():
    e = _edges(
        [
            ("capability", "worker", "cot_elicitation", 90),
            ("capability", "worker", "reasoning", 10),
            *[
                ("capability", "person", c, 10)
                for c in ("coding", "writing", "general", "vision", "translation")
            ],
        ]
    )
    c = account_content(e, ["cot_elicitation"])
    assert c.loc["worker", "cot_share"] == 0.9
    assert c.loc["person", "cot_share"] == 0.0
    assert c.loc["worker", "cap_entropy"] < 0.5 < c.loc["person", "cap_entropy"]


def test_paraphrases_used_by_the_same_accounts_form_one_family_popular_templates_do_not():
    rows = []
    for i in range(30):  # a campaign: each account uses some paraphrases of one skeleton
        for p in (f"para-{i % 3}", f"para-{(i + 1) % 3}"):
            rows.append(("template", f"w{i}", p, 5))
    for i in range(40):  # an honest crowd: popular template plus personal ones
        rows.append(("template", f"h{i}", "popular", 5))
        rows.append(("template", f"h{i}", f"own-{i}", 5))
    e = _edges(rows)
    fam = template_families(e, min_jaccard=0.3).set_index("template")["family"]
    assert fam["para-0"] == fam["para-1"] == fam["para-2"]  # 10 shared workers per pair
    assert fam["popular"] == "popular"
    fe = family_edges(e, fam.reset_index())
    assert set(fe["account_id"]) == {f"w{i}" for i in range(30)}
    assert (fe["kind"] == "template_family").all()


def test_honest_heavy_users_long_tail_templates_do_not_chain_into_one_family():
    """Resellers send thousands of long-tail templates: two tail templates of three users that
    share the same two resellers have Jaccard 0.5, and a chain of them used to become one family
    of every template the resellers touched. A family needs a group of shared users."""
    rows = []
    resellers = [f"r{k}" for k in range(6)]
    for t in range(60):  # tail template t: two resellers (rotating) and one light user
        users = (resellers[t % 6], resellers[(t + 1) % 6], f"light{t}")
        rows += [("template", a, f"tail-{t}", 1) for a in users]
    for i in range(12):  # a campaign book: 4 skeletons every worker fills
        rows += [("template", f"w{i}", f"book-{b}", 20) for b in range(4)]
    e = _edges(rows)
    chained = template_families(e, min_users=1).set_index("template")["family"]
    assert chained[[f"tail-{t}" for t in range(60)]].nunique() < 10  # the old chain
    fam = template_families(e).set_index("template")["family"]
    assert (fam[[f"tail-{t}" for t in range(60)]] == [f"tail-{t}" for t in range(60)]).all()
    assert fam[[f"book-{b}" for b in range(4)]].nunique() == 1


def _brute_similar_pairs(
    inc: sparse.csr_matrix, min_jaccard: float, min_overlap: int = 1
) -> set[tuple[int, int]]:
    co = (inc.T @ inc).tocoo()
    sizes = np.asarray(inc.sum(axis=0)).ravel()
    union = sizes[co.row] + sizes[co.col] - co.data
    keep = (co.row < co.col) & (co.data / np.maximum(union, 1) >= min_jaccard) & (co.data >= min_overlap)
    return set(zip(co.row[keep].tolist(), co.col[keep].tolist(), strict=True))


def test_similar_column_pairs_matches_the_full_cooccurrence_in_any_block_size() -> None:
    rng = np.random.default_rng(3)
    for trial in range(6):
        n_rows, n_cols = 60, 40
        dense = rng.random((n_rows, n_cols)) < rng.uniform(0.03, 0.3)
        dense[0, :] = True  # a hub row using every column
        dense[:, 5] = dense[:, 6]  # identical columns
        dense[:, 7] = False  # an empty column
        inc = sparse.csr_matrix(dense.astype(float))
        for t in (0.3, 0.5, 0.8, 1.0):
            want = _brute_similar_pairs(inc, t)
            for block in (1, 7, 10_000):
                rows, cols = similar_column_pairs(inc, t, block_nnz=block)
                got = set(zip(rows.tolist(), cols.tolist(), strict=True))
                assert len(got) == len(rows), (trial, t, block)  # no duplicates
                assert got == want, (trial, t, block)
            for overlap in (2, 4):
                rows, cols = similar_column_pairs(inc, t, block_nnz=7, min_overlap=overlap)
                got = set(zip(rows.tolist(), cols.tolist(), strict=True))
                assert got == _brute_similar_pairs(inc, t, overlap), (trial, t, overlap)
    assert len(similar_column_pairs(sparse.csr_matrix((3, 1)), 0.5)[0]) == 0
