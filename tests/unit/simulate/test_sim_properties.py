"""Properties of generated worlds that a broken simulator would violate."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from conftest import read

from hydrascope.simulate.config import CLASSIC_HONEST_ROLES, RATE_LIMIT_PER_HOUR, RELEASE_MS

HOUR = pd.Timedelta(hours=1)
RELEASE = pd.Timestamp(RELEASE_MS, unit="ms", tz="UTC")
SCALE = 0.02


def _requests(out: Path) -> pd.DataFrame:
    req = read(out, "requests").to_pandas()
    truth = read(out, "truth/accounts").to_pandas()
    return req.merge(truth[["account_id", "campaign_id", "role"]], on="account_id")


@pytest.fixture(scope="module")
def anthropic(bundle: Callable[..., Path]) -> pd.DataFrame:
    return _requests(bundle("anthropic", SCALE))


def test_anthropic_campaign_volumes_scale_faithfully(anthropic: pd.DataFrame) -> None:
    counts = anthropic.groupby("campaign_id").size()
    for cid, target in zip(("camp_01", "camp_02", "camp_03"), (150_000, 3_400_000, 13_000_000), strict=True):
        assert abs(counts[cid] - target * SCALE) <= 0.05 * target * SCALE, (cid, counts[cid])
    honest = anthropic["campaign_id"].isna()
    assert honest.sum() >= 20_000_000 * SCALE


def test_one_proxy_service_runs_most_hydra_accounts_and_honest_customers(
    anthropic: pd.DataFrame, bundle: Callable[..., Path]
) -> None:
    intel = read(bundle("anthropic", SCALE), "ip_intel").to_pandas()
    services = read(bundle("anthropic", SCALE), "proxy_services").to_pandas()
    relay = services.loc[services["kind"] == "reseller", "service_id"].item()
    via = anthropic.merge(intel[["ip", "proxy_service"]], on="ip")
    on_relay = via[via["proxy_service"] == relay]
    assert on_relay["account_id"].nunique() >= 20_000 * SCALE
    assert on_relay.loc[on_relay["campaign_id"].isna(), "account_id"].nunique() >= 1_000 * SCALE


def test_cgnat_addresses_are_shared_by_many_honest_users(anthropic: pd.DataFrame) -> None:
    honest = anthropic[
        anthropic["campaign_id"].isna()
        & anthropic["ip"].str.match(r"100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.")
    ]
    assert honest.groupby("ip")["account_id"].nunique().max() >= 1_000 * SCALE


def test_largest_campaign_pivots_to_the_new_model_within_a_day(anthropic: pd.DataFrame) -> None:
    new = anthropic["model"] == "model-c-2026"
    assert not new[anthropic["ts"] < RELEASE].any()
    window = anthropic["ts"].between(RELEASE + 18 * HOUR, RELEASE + 24 * HOUR)
    share = new[window].groupby(anthropic.loc[window, "campaign_id"].fillna("honest")).mean()
    assert share["camp_03"] >= 0.40
    assert share["camp_01"] == 0 and share["camp_02"] == 0
    assert share["honest"] < 0.15  # honest users adopt gradually


def test_hydra_accounts_stay_under_the_rate_limit(anthropic: pd.DataFrame) -> None:
    hourly = anthropic.groupby(["account_id", anthropic["ts"].dt.floor("h")]).size().groupby(level=0).max()
    roles = anthropic.groupby("account_id")["role"].first()
    hydra = roles.isin(["worker", "regrown", "hijacked", "operator"])
    assert hourly[hydra].max() < RATE_LIMIT_PER_HOUR / 5
    assert hourly[~hydra & (roles != "reseller")].max() < RATE_LIMIT_PER_HOUR
    # A volume threshold at the median hydra account would also hit many honest heavy users.
    per_acct = anthropic.groupby("account_id").size()
    heavy = (per_acct[~hydra] >= per_acct[hydra].median()).mean()
    assert heavy > 0.01


def test_regrowth_within_hours_on_partly_reused_infrastructure(bundle: Callable[..., Path]) -> None:
    out = bundle("regrowth")
    truth = read(out, "truth/accounts").to_pandas()
    accounts = read(out, "accounts").to_pandas().merge(truth, on="account_id")
    bans = read(out, "enforcement").to_pandas().merge(truth, on="account_id")
    bans = bans[bans["campaign_id"].notna()]
    regrown = accounts[accounts["role"] == "regrown"]
    assert len(regrown) >= 0.5 * len(bans) > 0
    lag = regrown["created_at"].map(lambda t: (t - bans.loc[bans["ts"] <= t, "ts"].max()) / HOUR)
    assert lag.between(0, 12).all() and lag.median() < 6
    req = read(out, "requests").to_pandas()
    pm = read(out, "payment_methods").to_pandas()
    banned = set(bans["account_id"])

    def attrs(frame: pd.DataFrame, col: str) -> dict[str, set[str]]:
        return frame.groupby("account_id")[col].agg(set).to_dict()

    reused = []
    for table, col in ((req, "ip"), (req, "client_fingerprint"), (pm, "instrument_id")):
        by_acct = attrs(table, col)
        banned_vals = set().union(*(by_acct.get(a, set()) for a in banned))
        reused.append(
            regrown["account_id"].map(lambda a, m=by_acct, v=banned_vals: bool(m.get(a, set()) & v))
        )
    any_reuse = pd.concat(reused, axis=1).any(axis=1)
    all_reuse = pd.concat(reused, axis=1).all(axis=1)
    assert any_reuse.mean() >= 0.6  # partly reused infrastructure...
    assert all_reuse.mean() < 0.9  # ...not a clone of the banned account


def test_hard_negatives_at_strategy_scale(bundle: Callable[..., Path]) -> None:
    out = bundle("naive")
    req = _requests(out)
    honest = req[req["campaign_id"].isna()]
    assert set(honest["role"]) == set(CLASSIC_HONEST_ROLES)
    pm = (
        read(out, "payment_methods")
        .to_pandas()
        .merge(read(out, "truth/accounts").to_pandas(), on="account_id")
    )
    corp = pm[pm["role"] == "corporate"].groupby("instrument_id")["account_id"].nunique()
    assert corp.max() >= 50
    cgnat = honest[honest["ip"].str.startswith("100.")].groupby("ip")["account_id"].nunique()
    assert cgnat.max() >= 200
    intel = read(out, "ip_intel").to_pandas().set_index("ip")
    researchers = honest[honest["role"] == "researcher"]
    assert intel.loc[researchers["ip"].unique(), "is_datacenter"].mean() > 0.5
    bench = researchers.groupby("prompt_template")["account_id"].nunique()
    assert bench.max() >= 3  # the same public benchmark run by unrelated labs
    auto = honest[honest["role"] == "automation"].sort_values("ts")
    gaps = auto.groupby("account_id")["ts"].diff().dt.total_seconds().dropna()
    assert (gaps.groupby(auto["account_id"]).std() < 2).mean() > 0.9  # clockwork
    resellers = honest[honest["role"] == "reseller"].groupby("account_id")
    assert (resellers["prompt_template"].nunique() > 500).all()
    assert (resellers["capability"].nunique() >= 6).all()


def test_campaign_traffic_is_synchronised_and_honest_is_not(bundle: Callable[..., Path]) -> None:
    req = _requests(bundle("naive"))
    minute = req["ts"].dt.floor("min")

    def concentration(frame: pd.Series) -> float:
        """Share of the traffic in the busiest tenth of the window's minutes."""
        counts = frame.value_counts().sort_values(ascending=False)
        return counts.iloc[: 30 * 24 * 60 // 10].sum() / counts.sum()

    hydra = req["campaign_id"].notna()
    assert concentration(minute[hydra]) > 0.6
    assert concentration(minute[req["role"] == "individual"]) < 0.35


def test_ids_and_emails_do_not_reveal_campaigns(bundle: Callable[..., Path]) -> None:
    out = bundle("naive")
    accounts = (
        read(out, "accounts").to_pandas().merge(read(out, "truth/accounts").to_pandas(), on="account_id")
    )
    number = accounts["account_id"].str[5:].astype(int) / len(accounts)
    hydra = accounts["campaign_id"].notna()
    assert 0.35 < number[hydra].mean() < 0.65
    assert number[hydra].diff().abs().median() > 0.001 or hydra.sum() < 10
    domain = accounts["email"].str.split("@").str[1]
    assert set(domain[hydra]) <= set(domain[~hydra])


def test_diversified_accounts_share_no_card_address_or_client(bundle: Callable[..., Path]) -> None:
    out = bundle("diversified")
    req = _requests(out)
    hydra = req[req["campaign_id"].notna() & (req["role"] != "operator")]
    for col in ("ip", "client_fingerprint"):
        assert (hydra.groupby(col)["account_id"].nunique() == 1).all(), col
    pm = read(out, "payment_methods").to_pandas()
    pm = pm[pm["account_id"].isin(hydra["account_id"])]
    assert (pm.groupby("instrument_id")["account_id"].nunique() == 1).all()


def test_paraphrases_break_template_reuse_but_keep_families(bundle: Callable[..., Path]) -> None:
    def per_template(name: str) -> tuple[float, pd.DataFrame]:
        out = bundle(name)
        req = _requests(out)
        hydra = req[req["campaign_id"].notna()]
        fam = read(out, "truth/templates").to_pandas()
        assert set(hydra["prompt_template"]) <= set(fam["prompt_template"])
        return hydra.groupby("prompt_template")["account_id"].nunique().median(), hydra.merge(
            fam, on="prompt_template"
        )

    naive_median, _ = per_template("naive")
    para_median, para = per_template("paraphrase")
    assert para_median * 5 < naive_median
    assert para.groupby("family")["account_id"].nunique().median() >= naive_median / 2


def test_camouflage_volume_and_aged_accounts(bundle: Callable[..., Path]) -> None:
    out = bundle("camouflage_2x")
    req = _requests(out)
    fam = set(read(out, "truth/templates").to_pandas()["prompt_template"])
    workers = req[req["role"] == "worker"]
    share = workers["prompt_template"].isin(fam).mean()
    assert share == pytest.approx(1 / 3, abs=0.03)
    out = bundle("aged_accounts")
    req = _requests(out)
    accounts = read(out, "accounts").to_pandas().set_index("account_id")
    fam = set(read(out, "truth/templates").to_pandas()["prompt_template"])
    hij = req[req["role"] == "hijacked"]
    created = accounts.loc[hij["account_id"].unique(), "created_at"]
    assert (created < pd.Timestamp("2025-07-01", tz="UTC")).all()
    first_campaign = hij[hij["prompt_template"].isin(fam)].groupby("account_id")["ts"].min()
    honest_before = hij[~hij["prompt_template"].isin(fam)].join(first_campaign.rename("t"), on="account_id")
    assert (honest_before["ts"] < honest_before["t"]).mean() > 0.95
    assert honest_before["account_id"].nunique() > 0.8 * hij["account_id"].nunique()
