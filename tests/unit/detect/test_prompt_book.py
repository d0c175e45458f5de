"""Popular-template camouflage, proxy-only regrowth and member evidence (the fixes of the second
detection change), on tiny hand-built frames and worlds."""

import numpy as np
import pandas as pd

from hydrascope.detect import DetectParams, detect
from hydrascope.detect.examples import DAY, HOUR, T0, WorldBuilder
from hydrascope.detect.params import DetectParams as Params
from hydrascope.detect.signals.infra import (
    object_weights,
    prompt_book_content,
    shared_infrastructure,
    tie_links,
    weighted_links,
)
from hydrascope.detect.signals.regrowth import regrowth_scores, seed_accounts
from hydrascope.detect.snapshot import normalise_accounts, normalise_edges
from hydrascope.jobs.detect import link_statement
from hydrascope.schema import model as m


def _links(rows, accounts):
    edges = normalise_edges(pd.DataFrame(rows, columns=["kind", "account_id", "object_id"]))
    objects = object_weights(edges, pd.DataFrame(), Params())
    return weighted_links(edges, objects, pd.Index(accounts))


def test_popular_templates_do_not_tie_but_rare_and_family_templates_do():
    crowd = [f"u{i}" for i in range(60)]
    rows = [("template", a, f"pop-{k}") for a in crowd for k in range(20)]  # 20 templates of degree 60
    rows += [("template", a, f"rare-{k}") for a in ("u0", "u1") for k in range(3)]
    rows += [("template", a, "book-1") for a in crowd[:50]]  # a popular template in a family
    links = _links(rows, crowd)
    keep = prompt_book_content(links, pd.Index(["book-1"]), rare_degree=40)
    assert not keep["template\x1fpop-0"]
    assert keep["template\x1frare-0"]
    assert keep["template\x1fbook-1"]
    pairs = np.array([[0, 1], [2, 3]])
    sim = shared_infrastructure(tie_links(links, keep), pairs, len(crowd))["content"].to_numpy()
    assert sim[1] > 0  # u2-u3 share book-1 only
    assert sim[0] > sim[1]  # u0-u1 also share three rare templates
    everything = shared_infrastructure(links, pairs, len(crowd))["content"].to_numpy()
    assert everything[1] > 2 * sim[1]  # the 20 popular templates would have dominated


BANNED_OBJECTS = ["ip\x1fegress", "prefix\x1fp", "card\x1fc"]
BANNED_FAMILIES = ["network", "network", "payment"]


def test_regrowth_on_proxy_egress_alone_is_not_regrowth():
    accounts = normalise_accounts(
        pd.DataFrame(
            {
                "account_id": ["banned", "customer", "worker"],
                "created_at": [0.0, 10 * DAY, 10 * DAY],
                "banned_at": [5 * DAY, None, None],
                "status": ["banned", "active", "active"],
            }
        )
    )
    links = pd.DataFrame(
        {
            "account_id": ["banned"] * 3 + ["customer"] * 2 + ["worker"] * 3,
            "object_key": [*BANNED_OBJECTS, "ip\x1fegress", "prefix\x1fp", *BANNED_OBJECTS],
            "family": [*BANNED_FAMILIES, "network", "network", *BANNED_FAMILIES],
            "weight": [0.6] * 8,
            "first_seen": [0.0, 0.0, 0.0, 10 * DAY, 10 * DAY, 10 * DAY, 10 * DAY, 10 * DAY],
        }
    )
    seeds = seed_accounts(accounts)
    one = regrowth_scores(links, accounts, seeds).set_index("account_id")
    assert {"customer", "worker"} <= set(one.index)  # the old rule: any family
    two = regrowth_scores(links, accounts, seeds, family_min=0.3, min_families=2).set_index("account_id")
    assert "customer" not in two.index
    assert two.loc["worker", "families"] == 2


def _popular_world(seed: int = 3):
    """A camouflaged hydra whose camouflage runs on popular templates, and 150 honest heavy users
    of the same popular templates, five on the hydra's popular SDK fingerprint."""
    w = WorldBuilder(seed)
    w.add_hydra(camouflage=1.0)
    w.add_corporate(20)
    w.add_individuals(60)
    popular = [f"tpl-popular-{k}" for k in range(100)]
    rng = np.random.default_rng(seed)
    hydras = sorted({e["account_id"] for e in w.edges if e["account_id"].startswith("hydra")})
    for aid in hydras:  # camouflage: a quarter of each worker's traffic on popular templates
        for t in rng.choice(popular, size=50, replace=False):
            w.edge("template", aid, str(t), 20, T0 + HOUR, T0 + 20 * DAY)
    for i in range(150):
        aid = f"popuser-{i:03d}"
        created = T0 - rng.uniform(10, 400) * DAY
        w.account(aid, created, w.random_hours(60), 600)
        w.edge("card", aid, f"card-{aid}", 0, created, created)
        w.edge("ip", aid, w.ip(f"192.0.{3 + i // 200}.{i % 200 + 1}"), 600, T0, T0 + 20 * DAY)
        w.edge("fingerprint", aid, "fp-hydra-0" if i < 5 else f"fp-{aid}", 600, T0, T0 + 20 * DAY)
        tpl = {str(t): 10 for t in rng.choice(popular, size=50, replace=False)}
        tpl.update({f"tpl-{aid}-{k}": 20 for k in range(10)})
        w.content(aid, {"coding": 300, "general": 200, "writing": 100}, tpl, T0 + HOUR, T0 + 20 * DAY)
    return w.snapshot()


def test_honest_users_of_the_hydras_popular_templates_stay_out():
    world = _popular_world()
    result = detect(world)
    flagged = set(result.accounts["account_id"])
    assert {f"hydra-{i:03d}" for i in range(33)} <= flagged
    assert not {a for a in flagged if not a.startswith("hydra")}
    # with every template counted, the popular crowd swallows the hydra (the world is a real test)
    old = set(detect(world, DetectParams(prompt_book_content=False)).accounts["account_id"])
    assert old != flagged


def test_detection_links_match_both_ends():
    for rel in (m.MEMBER_OF, m.PART_OF):
        statement = link_statement(rel)
        assert "MERGE (a:" not in statement and "MERGE (b:" not in statement
        assert statement.count("MATCH (") == 2 and f"MERGE (a)-[r:{rel.type}]->(b)" in statement


def test_a_few_owned_templates_carrying_almost_no_traffic_are_not_a_prompt_book():
    """A paraphrasing campaign: thousands of templates, each sent by a few workers; when a Leiden
    piece happens to "own" a handful, judging workers on them flagged none. Such a cluster has no
    book to judge by (like one that owns nothing); a real book carries most of the traffic, and
    there an honest member pulled in (popular and personal templates) is still judged by it."""
    from hydrascope.detect.pipeline import _has_prompt_book

    mf = pd.DataFrame(
        {
            "cluster": [0, 0, 1, 1, 2],
            "shared_templates": [3, 3, 4, 4, 0],
            "shared_families": [0, 0, 1, 1, 0],
        }
    )
    tpl = pd.DataFrame(
        {
            "cluster": [0, 0, 1, 1, 1, 2],
            "object_id": ["chance", "para-x", "book", "popular", "personal", "t"],
            "requests": [2, 98, 80, 10, 10, 5],
        }
    )
    on_book = tpl[tpl["object_id"].isin(["chance", "book"])]
    got = _has_prompt_book(mf, on_book, tpl, Params())
    assert got.tolist() == [False, False, True, True, False]
