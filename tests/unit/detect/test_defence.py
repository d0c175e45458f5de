"""Evidence for the defence: one established organisation is cleared, a new shell company is not;
members who write their own prompts are cleared, a prompt book with nothing of their own is not."""

import numpy as np
import pandas as pd

from hydrascope.detect.explain import defence_evidence
from hydrascope.detect.params import DetectParams
from hydrascope.detect.signals.defence import defence_features, defence_strength

DAY = 86_400.0
NOW = 1_000 * DAY
PARAMS = DetectParams()


def _cluster(org: list[str | None], age_days: float) -> pd.DataFrame:
    ids = [f"a{i}" for i in range(len(org))]
    accounts = pd.DataFrame({"account_id": ids, "org_id": org, "created_at": NOW - age_days * DAY})
    members = pd.DataFrame({"account_id": ids, "cluster": 0})
    return defence_features(members, accounts, NOW)


def test_a_years_old_enterprise_fleet_of_one_organisation_is_cleared_and_the_weighing_is_explained():
    feats = _cluster(["acme"] * 30, age_days=410)
    assert feats.loc[0, "org_share"] == 1.0 and feats.loc[0, "org"] == "acme"
    strength = defence_strength(feats, PARAMS)
    assert strength[0] == 1.0
    row = feats.iloc[0].copy()
    row["size"], row["s_defence"] = 30, strength[0]
    (text,) = defence_evidence(row)
    assert "30 of 30 accounts belong to one organisation (acme)" in text and "410 days" in text
    assert "cleared: not flagged without enforcement evidence" in text


def test_a_new_shell_company_and_aged_accounts_of_many_organisations_are_not_cleared():
    shell = defence_strength(_cluster(["shell-co"] * 30, age_days=12), PARAMS)
    hijacked = defence_strength(_cluster([f"victim-{i}" for i in range(30)], age_days=900), PARAMS)
    no_org = defence_strength(_cluster([None] * 30, age_days=900), PARAMS)
    assert shell[0] == 0.0 and hijacked[0] == 0.0 and no_org[0] == 0.0


def test_defence_strength_grows_with_cohesion_and_age():
    values = [
        defence_strength(_cluster(["o"] * k + [None] * (30 - k), age_days=a), PARAMS)[0]
        for k, a in ((18, 365), (30, 200), (24, 365), (30, 365))
    ]
    assert values == sorted(values) and values[-1] == 1.0 and np.isclose(values[0], 0.25)


def _weighed_text(personal_share: float) -> tuple[float, str]:
    """A new, organisation-less cluster of 30 with this personal share: its defence and its text."""
    feats = _cluster([None] * 30, age_days=20)
    feats["personal_share"] = [personal_share]
    strength = defence_strength(feats, PARAMS)
    row = feats.iloc[0].copy()
    row["size"], row["s_defence"] = 30, strength[0]
    (text,) = defence_evidence(row)
    return float(strength[0]), text


def test_members_who_write_their_own_prompts_are_cleared_and_the_share_is_explained():
    strength, text = _weighed_text(0.45)
    assert strength == 1.0
    assert "45% of their templated requests on prompts only the sender ever used" in text
    assert "median account age 20 days" in text and "cleared" in text


def test_a_prompt_book_with_nothing_of_their_own_is_not_cleared_and_is_explained_as_weighed():
    strength, text = _weighed_text(0.03)
    assert strength == 0.0
    assert text.startswith("weighed: median account age 20 days") and "cleared" not in text
