"""Scenario registry and planned worlds: targets checked on exact plan counts, no events needed."""

from __future__ import annotations

import numpy as np
import pytest

from hydrascope.errors import InputError
from hydrascope.simulate import SCENARIOS, build_world, get_scenario, list_scenarios
from hydrascope.simulate.config import (
    CLASSIC_HONEST_ROLES,
    DAYS,
    RATE_LIMIT_PER_HOUR,
    ROLE_INDEX,
    CampaignSpec,
)
from hydrascope.simulate.world import World

STRATEGIES = [
    "naive",
    "camouflage",
    "camouflage_2x",
    "camouflage_popular",
    "proxy_mixing",
    "diversified",
    "low_and_slow",
    "aged_accounts",
    "regrowth",
    "release_pivot",
    "paraphrase",
]


def test_registry_has_exactly_the_agreed_names() -> None:
    assert list(SCENARIOS) == ["tiny", "demo", "anthropic", *STRATEGIES]
    assert [n for n, _ in list_scenarios()] == list(SCENARIOS)
    with pytest.raises(InputError, match="unknown scenario"):
        get_scenario("nope")


def _campaign_exchanges(w: World) -> list[int]:
    ex = w.exchanges_per_account()
    return [int(ex[w.accounts["campaign"] == c.index].sum()) for c in w.campaigns]


@pytest.mark.parametrize("name", ["tiny", "demo", *STRATEGIES])
def test_each_scenario_has_every_hard_negative_and_bounded_size(name: str) -> None:
    w = build_world(name, 1.0, 0)
    roles = w.accounts["role"]
    ex = w.exchanges_per_account()
    for kind in CLASSIC_HONEST_ROLES:
        members = roles == ROLE_INDEX[kind]
        assert members.sum() > 0 and ex[members].sum() > 0, f"{name}: no active {kind}"
    assert w.campaigns, name
    limit = 60_000 if name == "tiny" else 1_000_000
    assert w.n_requests < limit
    # No hydra account is over the rate limit on average over its life.
    st = w.streams
    camp = w.accounts["campaign"][st["acct"]] >= 0
    hours = (st["end"] - st["start"])[camp] / 3_600_000
    assert (st["n"][camp] / np.maximum(hours, 1) < RATE_LIMIT_PER_HOUR / 10).all()


def _pool_pairs(w: World) -> tuple[np.ndarray, np.ndarray]:
    """(account, ip) pairs of every stream's address pool."""
    st = w.streams
    acct = np.repeat(st["acct"], st["ip_cnt"])
    idx = np.concatenate([np.arange(o, o + c) for o, c in zip(st["ip_off"], st["ip_cnt"], strict=True)])
    pairs = np.unique(np.stack([acct, w.ip_pool[idx]], axis=1), axis=0)
    return pairs[:, 0], pairs[:, 1]


@pytest.fixture(scope="module")
def anthropic_full() -> World:
    return build_world("anthropic", 1.0, 0)


def test_anthropic_full_scale_targets(anthropic_full: World) -> None:
    w = anthropic_full
    for got, target in zip(_campaign_exchanges(w), (150_000, 3_400_000, 13_000_000), strict=True):
        assert abs(got - target) <= 0.05 * target, (got, target)
    campaign = w.accounts["campaign"] >= 0
    assert abs(int(campaign.sum()) - 24_000) <= 0.1 * 24_000
    ex = w.exchanges_per_account()
    assert int((~campaign).sum()) >= 250_000
    assert int(ex[~campaign].sum()) >= 20_000_000
    assert w.n_requests > 36_000_000


def test_anthropic_full_scale_shared_infrastructure(anthropic_full: World) -> None:
    w = anthropic_full
    acct, ip = _pool_pairs(w)
    honest = w.accounts["campaign"][acct] < 0
    # One proxy service runs 20,000+ accounts and also carries honest customers.
    relay = [i for i, (_n, kind) in enumerate(w.services) if kind == "reseller"]
    assert len(relay) == 1
    on_relay = w.ips["svc"][ip] == relay[0]
    assert np.unique(acct[on_relay]).size >= 20_000
    assert np.unique(acct[on_relay & honest]).size >= 1_000
    # Carrier CGNAT addresses shared by thousands of unrelated honest users.
    cgnat = (w.ips["value"][ip] >> np.uint64(22)) == np.uint64((100 << 2) | 1)  # 100.64.0.0/10
    per_ip = np.bincount(ip[cgnat & honest])
    assert per_ip.max() >= 1_000
    # A corporate card shared by >= 50 honest accounts.
    p = w.payments
    honest_pay = w.accounts["campaign"][p["acct"]] < 0
    pairs = np.unique(np.stack([p["acct"][honest_pay], p["instr"][honest_pay]], axis=1), axis=0)
    assert np.bincount(pairs[:, 1]).max() >= 50


def test_scale_is_faithful() -> None:
    small, large = build_world("anthropic", 0.01, 0), build_world("anthropic", 0.02, 0)
    for a, b in zip(_campaign_exchanges(small), _campaign_exchanges(large), strict=True):
        assert b == pytest.approx(2 * a, rel=0.05)
    assert large.n_accounts == pytest.approx(2 * small.n_accounts, rel=0.05)
    assert large.n_requests == pytest.approx(2 * small.n_requests, rel=0.05)


def test_specs_refuse_what_breaks_the_adversary_model() -> None:
    base = dict(campaign_id="c", name="c", strategy="s", capabilities=(("coding", 1.0),))
    with pytest.raises(InputError, match="rate limit"):
        CampaignSpec(accounts=10, exchanges=10 * 30 * 24 * 100, **base).validate()  # type: ignore[arg-type]
    with pytest.raises(InputError, match="capabilities"):
        CampaignSpec(accounts=10, exchanges=10, **{**base, "capabilities": (("mining", 1.0),)}).validate()  # type: ignore[arg-type]
    with pytest.raises(InputError, match="end_day"):
        CampaignSpec(accounts=10, exchanges=10, end_day=DAYS + 1, **base).validate()  # type: ignore[arg-type]
    with pytest.raises(InputError, match="scale"):
        build_world("tiny", 0.0, 0)
