"""Regrowth from bans and confirmed triage; release pivot against gradual adoption."""

import numpy as np
import pandas as pd

from hydrascope.detect.signals.pivot import cluster_pivots
from hydrascope.detect.signals.regrowth import regrowth_scores, seed_accounts
from hydrascope.detect.snapshot import normalise_accounts, normalise_edges

DAY = 86_400.0


def test_accounts_born_on_a_banned_accounts_card_after_the_ban_are_suspect_earlier_ones_not():
    accounts = normalise_accounts(
        pd.DataFrame(
            {
                "account_id": ["banned", "after", "before", "elsewhere", "confirmed"],
                "created_at": [0.0, 10 * DAY, 1 * DAY, 10 * DAY, 0.0],
                "banned_at": [5 * DAY, None, None, None, None],
                "status": ["banned", "active", "active", "active", "active"],
                "triage_label": [None, None, None, None, "confirmed"],
            }
        )
    )
    links = pd.DataFrame(
        {
            "account_id": ["banned", "after", "before", "elsewhere", "confirmed"],
            "object_key": ["card\x1fc1", "card\x1fc1", "card\x1fc1", "card\x1fc2", "card\x1fc2"],
            "weight": [0.7] * 5,
            "first_seen": [0.0, 10 * DAY, 1 * DAY, 10 * DAY, 0.0],
        }
    )
    seeds = seed_accounts(accounts)
    assert set(seeds["account_id"]) == {"banned", "confirmed"}
    scores = regrowth_scores(links, accounts, seeds).set_index("account_id")
    assert scores.loc["after", "regrowth"] == 0.7
    assert "before" not in scores.index
    assert "elsewhere" in scores.index  # a confirmed seed taints its objects from the start


def test_pivot_fires_on_a_group_that_moves_within_hours_not_on_gradual_adopters():
    release = 100 * DAY
    rows = []
    for i in range(20):
        rows.append(("model", f"h{i}", "old", 100, 0.0, release + 10 * DAY))
        rows.append(("model", f"h{i}", "new", 100, release + (2 + i % 4) * 3600, release + 10 * DAY))
        rows.append(("model", f"p{i}", "old", 100, 0.0, release + 10 * DAY))
        rows.append(("model", f"p{i}", "new", 20, release + (1 + i) * DAY / 2, release + 10 * DAY))
    edges = normalise_edges(
        pd.DataFrame(rows, columns=["kind", "account_id", "object_id", "requests", "first_seen", "last_seen"])
    )
    models = pd.DataFrame({"model": ["old", "new"], "released_at": [0.0, release]})
    cluster_of = pd.Series(
        [0] * 20 + [1] * 20, index=[f"h{i}" for i in range(20)] + [f"p{i}" for i in range(20)]
    )
    sizes = pd.Series([20, 20], index=[0, 1])
    out = cluster_pivots(edges, models, cluster_of, sizes, 24 * 3600, release + 20 * DAY)
    assert out.loc[0, "pivot_model"] == "new"
    assert out.loc[0, "pivot_early_share"] == 1.0 and out.loc[0, "pivot_traffic_share"] == 0.5
    assert out.loc[1, "pivot_early_share"] <= 0.1
    assert np.isfinite(out.loc[0, "pivot_delay_h"])


def test_a_proxy_customer_born_on_banned_egress_with_popular_templates_is_not_regrowth():
    """The pipeline scores regrowth on the links that may tie accounts (``tie_links``): popular
    templates a banned worker sent as camouflage are not an inherited prompt book."""
    from hydrascope.detect.signals.infra import prompt_book_content, tie_links

    names = ["banned", "regrown", "customer"]
    accounts = normalise_accounts(
        pd.DataFrame(
            {
                "account_id": names,
                "created_at": [0.0, 6 * DAY, 9 * DAY],
                "banned_at": [5 * DAY, None, None],
                "status": ["banned", "active", "active"],
                "triage_label": [None, None, None],
            }
        )
    )
    rows = [  # (account, kind, object, family, degree, weight)
        ("banned", "ip", "egress", "network", 20, 0.5),
        ("banned", "template", "book", "content", 12, 0.5),
        ("banned", "template", "popular", "content", 900, 0.5),
        ("regrown", "ip", "egress", "network", 20, 0.5),
        ("regrown", "template", "book", "content", 12, 0.5),
        ("customer", "ip", "egress", "network", 20, 0.5),
        ("customer", "template", "popular", "content", 900, 0.5),
    ]
    links = pd.DataFrame(rows, columns=["account_id", "kind", "object_id", "family", "degree", "weight"])
    links["object_key"] = links["kind"] + "\x1f" + links["object_id"]
    links["first_seen"] = links["account_id"].map(dict(zip(names, [0.0, 6 * DAY, 9 * DAY], strict=True)))
    seeds = seed_accounts(accounts)
    every = regrowth_scores(links, accounts, seeds, 0.3, 2).set_index("account_id")
    assert {"regrown", "customer"} <= set(every.index)  # every link: the customer looks regrown
    tied = tie_links(links, prompt_book_content(links, pd.Index([]), rare_degree=40))
    scores = regrowth_scores(tied, accounts, seeds, 0.3, 2).set_index("account_id")
    assert set(scores.index) == {"regrown"}
