"""Honest lookalike kinds: each appears, is labelled, and shows the signals it is meant to share
with a hydra (and the ones that clear it)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import read

from hydrascope.simulate import generate
from hydrascope.simulate.config import LOOKALIKE_ROLES, RATE_LIMIT_PER_HOUR, KindSpec, ScenarioSpec
from hydrascope.simulate.scenarios import SCENARIOS, TINY_POPULATION

LOOKALIKES = (
    KindSpec("enterprise_ci", 150, 150 * 30 * 40, groups=5),
    KindSpec("eval_saas", 60, 60 * 30 * 40, groups=1),
    KindSpec("hackathon", 120, 120 * 80, groups=2),
    KindSpec("classroom", 90, 90 * 100, groups=3),
    KindSpec("household", 90, 90 * 40),
    KindSpec("agency", 60, 6_000, groups=2),
    KindSpec("startup_team", 60, 20_000, groups=5, knobs=(("cron_share", 0.5),)),
    KindSpec("plugin_users", 300, 20_000, groups=2),
    KindSpec("corporate_proxy", 200, 15_000, groups=15),
    KindSpec("gift_cards", 100, 4_000),
    KindSpec("support_desk", 80, 30_000, groups=2),
)
SPEC = ScenarioSpec(
    "lookalikes", "every lookalike kind", TINY_POPULATION + LOOKALIKES, SCENARIOS["tiny"].campaigns
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    out: Path = tmp_path_factory.mktemp("lookalikes")
    generate(SPEC, out, seed=3)
    truth = read(out, "truth/accounts").to_pandas()
    tables = {name: read(out, name).to_pandas() for name in ("accounts", "payment_methods", "requests")}
    return {
        "truth": truth,
        **{k: v.merge(truth[["account_id", "role"]], on="account_id") for k, v in tables.items()},
    }


def test_truth_labels_every_lookalike_kind_with_activity(world: dict[str, pd.DataFrame]) -> None:
    truth = world["truth"]
    for kind in LOOKALIKE_ROLES:
        members = truth[truth["role"] == kind]
        assert len(members) > 0 and members["campaign_id"].isna().all(), kind
        assert members["exchanges"].sum() > 0, kind
    assert set(world["requests"]["role"]) >= set(LOOKALIKE_ROLES)


def test_no_lookalike_account_nears_the_rate_limit(world: dict[str, pd.DataFrame]) -> None:
    req = world["requests"]
    req = req[req["role"].isin(LOOKALIKE_ROLES)]
    per_hour = req.groupby(["account_id", req["ts"].dt.floor("h")]).size()
    assert per_hour.max() < RATE_LIMIT_PER_HOUR


def test_enterprise_ci_shares_card_nat_suite_and_minute_but_keeps_its_identity(
    world: dict[str, pd.DataFrame],
) -> None:
    acc = world["accounts"][world["accounts"]["role"] == "enterprise_ci"]
    assert (acc["tier"] == "enterprise").all() and acc["org_id"].notna().all()
    age = pd.Timestamp("2026-01-05", tz="UTC") - acc["created_at"]
    assert (age.dt.days >= 300).all()  # years-old fleets (default minimum age 365 days)
    assert acc["org_id"].nunique() == 5
    assert (acc.groupby("org_id")["email"].apply(lambda e: e.str.split("@").str[1].nunique()) == 1).all()
    pay = world["payment_methods"].merge(acc[["account_id", "org_id"]], on="account_id")
    assert (pay.groupby("org_id")["instrument_id"].nunique() == 1).all()  # one corporate card
    req = world["requests"].merge(acc[["account_id", "org_id"]], on="account_id")
    assert (req.groupby("org_id")["ip"].nunique() <= 3).all()  # the office NAT or CI cloud
    assert (req.groupby("org_id")["client_fingerprint"].nunique() == 1).all()  # the CI runner
    # the nightly run: each org's requests fall in one short window of the day, every day
    minute = req["ts"].dt.hour * 60 + req["ts"].dt.minute
    spread = req.assign(m=minute).groupby("org_id")["m"].agg(lambda m: m.quantile(0.95) - m.quantile(0.05))
    assert (spread <= 30).all()
    suite = req.groupby("org_id")["prompt_template"].agg(
        lambda t: t.value_counts(normalize=True).head(24).sum()
    )
    assert (suite >= 0.8).all()  # the same dozen-odd eval templates carry the traffic


def test_hackathon_accounts_are_created_within_the_hour_on_a_venue_network(
    world: dict[str, pd.DataFrame],
) -> None:
    acc = world["accounts"][world["accounts"]["role"] == "hackathon"]
    created = acc["created_at"].sort_values()
    # most accounts of an event sign up within the signup window (default 60 minutes)
    gaps = created.diff().dt.total_seconds().fillna(0)
    assert (gaps <= 3600).mean() > 0.8
    req = world["requests"][world["requests"]["role"] == "hackathon"]
    top_ips = req["ip"].value_counts()
    assert top_ips.head(8).sum() / len(req) > 0.4  # the venue's few addresses carry the sessions


def test_household_accounts_share_a_card_and_home_address(world: dict[str, pd.DataFrame]) -> None:
    pay = world["payment_methods"][world["payment_methods"]["role"] == "household"]
    shared = pay.groupby("instrument_id")["account_id"].nunique()
    assert (shared >= 2).sum() >= 10 and shared.max() <= 6


def test_eval_saas_customers_differ_on_payment_but_share_egress_and_client(
    world: dict[str, pd.DataFrame],
) -> None:
    acc = world["accounts"][world["accounts"]["role"] == "eval_saas"]
    pay = world["payment_methods"][world["payment_methods"]["role"] == "eval_saas"]
    assert acc["org_id"].nunique() == len(acc) and pay["instrument_id"].nunique() == len(acc)
    req = world["requests"][world["requests"]["role"] == "eval_saas"]
    top_fp_share = req["client_fingerprint"].value_counts(normalize=True).iloc[0]
    assert top_fp_share > 0.5
    per_ip = req.groupby("ip")["account_id"].nunique()
    pool = per_ip.nlargest(12).index  # the SaaS's few cloud addresses carry every customer
    assert req.loc[req["ip"].isin(pool), "account_id"].nunique() == len(acc)
    assert per_ip.max() >= 10


def test_startup_cron_jobs_fire_on_the_same_minute(world: dict[str, pd.DataFrame]) -> None:
    req = world["requests"][world["requests"]["role"] == "startup_team"]
    # the simulated requests' timestamps, not a measured duration: the second within the minute
    second_of_minute = req["ts"].dt.second + req["ts"].dt.microsecond / 1e6
    # clockwork on the minute (jitter <= 2 s): far more traffic than chance (2 s of 60) puts there
    assert (second_of_minute < 2.0).mean() > 3 * 2 / 60


def test_gift_cards_come_from_one_bin(world: dict[str, pd.DataFrame]) -> None:
    pay = world["payment_methods"][world["payment_methods"]["role"] == "gift_cards"]
    assert pay["bin"].nunique() == 1 and pay["kind"].isin(["prepaid", "virtual_card"]).all()
