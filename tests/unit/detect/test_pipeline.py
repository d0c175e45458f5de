"""The whole pipeline on a tiny world with every hard negative (no database)."""

import pandas as pd
import pytest

from hydrascope.detect import DetectParams, detect
from hydrascope.detect.examples import WorldBuilder, tiny_world

HONEST = ("corp", "cgnat", "research", "proxycust", "auto", "indiv")


def _kinds(ids):
    return {a.split("-")[0] for a in ids}


@pytest.mark.parametrize("camouflage", [0.0, 2.0])
def test_flags_the_hydra_and_no_hard_negative(camouflage):
    result = detect(tiny_world(camouflage=camouflage))
    flagged = set(result.accounts["account_id"])
    assert {a for a in flagged if a.startswith("hydra")} == {f"hydra-{i:03d}" for i in range(33)}
    assert not _kinds(flagged) & set(HONEST)
    top = result.clusters[result.clusters["flagged"]].iloc[0]
    assert any("payment instruments" in e for e in top["evidence"])
    assert any("%" in e for e in top["evidence"])
    assert result.accounts["risk_reasons"].map(len).min() >= 1


def test_release_pivot_is_evidence_on_the_pivoting_hydra_only():
    result = detect(tiny_world(pivot=True))
    pivoting = result.clusters[result.clusters["s_pivot"] >= 0.5]
    assert len(pivoting) == 1 and pivoting.iloc[0]["flagged"]
    assert any("model-c" in e for e in pivoting.iloc[0]["evidence"])


def test_allowlisted_accounts_are_not_flagged_and_confirmed_seed_regrowth():
    w = WorldBuilder(4)
    w.add_hydra(n=25, banned=0, regrown=0)
    w.add_individuals(60)
    snap = w.snapshot()
    snap.accounts.loc[snap.accounts["account_id"] == "hydra-000", "triage_label"] = "allowlisted"
    result = detect(snap)
    flagged = set(result.accounts["account_id"])
    assert "hydra-000" not in flagged
    assert len({a for a in flagged if a.startswith("hydra")}) == 24


def test_an_allowlisted_cluster_keeps_its_id_but_is_not_flagged():
    first = detect(tiny_world())
    top = first.clusters[first.clusters["flagged"]].iloc[0]
    members = first.members[first.members["cluster_id"] == top["cluster_id"]][["account_id", "cluster_id"]]
    snap = tiny_world()
    snap.previous_members = members
    snap.previous_clusters = pd.DataFrame(
        {
            "cluster_id": [top["cluster_id"]],
            "triage_label": ["allowlisted"],
            "first_detected_at": [None],
            "flagged": [True],
        }
    )
    second = detect(snap)
    again = second.clusters.set_index("cluster_id").loc[top["cluster_id"]]
    assert not again["flagged"]
    assert again["lifecycle"] == "stable"
    assert second.accounts.empty


def test_runs_are_reproducible_with_a_seed():
    a = detect(tiny_world(), DetectParams(seed=3))
    b = detect(tiny_world(), DetectParams(seed=3))
    assert a.clusters["cluster_id"].tolist() == b.clusters["cluster_id"].tolist()
    assert a.accounts.equals(b.accounts)


def test_runs_on_infrastructure_only_data_without_request_content():
    """Payment-platform data (cards and devices, no prompts) must not crash the pipeline."""
    world = tiny_world()
    content_kinds = ("template", "template_family", "capability", "model")
    world.edges = world.edges[~world.edges["kind"].isin(content_kinds)].reset_index(drop=True)
    result = detect(world)
    assert len(result.clusters) > 0
    assert not result.accounts["account_id"].str.startswith(HONEST).any()


def _marked_false_positive(n: int):
    snap = tiny_world()
    marked = [f"hydra-{i:03d}" for i in range(n)]
    snap.accounts.loc[snap.accounts["account_id"].isin(marked), "triage_label"] = "false_positive"
    return detect(snap), set(marked)


def test_false_positives_clear_the_infrastructure_they_share_not_a_few_mistakes():
    # two members marked by mistake: the rest of the hydra keeps its shared cards, egress, prompts
    result, marked = _marked_false_positive(2)
    flagged = {a for a in result.accounts["account_id"] if a.startswith("hydra")}
    assert flagged == {f"hydra-{i:03d}" for i in range(33)} - marked
    # most of the group marked: what they share is cleared evidence, and ties none of the others
    result, marked = _marked_false_positive(24)
    assert not {a for a in result.accounts["account_id"] if a.startswith("hydra")}


def _without(snap, kinds):
    snap.edges = snap.edges[~snap.edges["kind"].isin(kinds)].reset_index(drop=True)
    return snap


def test_ban_evasion_is_flagged_without_a_distillation_signature_a_family_card_is_not():
    from hydrascope.detect.examples import DAY, T0

    w = WorldBuilder(5)
    w.add_hydra(n=30, banned=10, regrown=8)
    w.add_individuals(80)
    for i in range(5):  # a household on one card, device and address; one member banned
        aid, created = f"house-{i}", T0 - 300 * DAY
        ban = T0 + 10 * DAY if i == 0 else None
        w.account(aid, created, w.random_hours(), 200, status="banned" if ban else "active", banned_at=ban)
        w.edge("card", aid, "card-house", 0, created, created)
        w.edge("fingerprint", aid, "fp-house", 200, T0, T0 + 20 * DAY)
        w.edge("ip", aid, w.ip("192.0.2.77"), 200, T0, T0 + 20 * DAY)
    snap = _without(w.snapshot(), ["template", "capability"])  # no content: no distillation kind
    flagged = set(detect(snap).accounts["account_id"])
    assert {f"hydra-{i:03d}" for i in range(30, 38)} <= flagged  # the replacements
    assert not {a for a in flagged if a.startswith("house")}
    assert detect(snap, DetectParams(evasion_min_regrown=10**6)).accounts.empty  # the rule is what flags


def test_a_focused_campaign_without_templates_flags_its_core_members():
    w = WorldBuilder(6)
    w.add_hydra(n=30, banned=0, regrown=0)
    w.add_individuals(80)
    snap = _without(w.snapshot(), ["template", "card", "fingerprint"])  # network and timing only
    flagged = set(detect(snap).accounts["account_id"])
    assert flagged == {f"hydra-{i:03d}" for i in range(30)}
    assert detect(snap, DetectParams(member_focus_min_requests=10**9)).accounts.empty


def test_a_household_with_one_banned_member_stays_cleared_by_its_own_prompts():
    from hydrascope.detect.examples import DAY, T0

    w = WorldBuilder(7)
    w.add_individuals(80)
    for i in range(6):  # one card, device and address; old accounts writing their own prompts
        aid = f"house-{i}"
        created = T0 + 12 * DAY if i == 5 else T0 - 300 * DAY  # a child signs up after the ban
        ban = T0 + 10 * DAY if i == 0 else None
        w.account(aid, created, w.random_hours(), 200, status="banned" if ban else "active", banned_at=ban)
        w.edge("card", aid, "card-house", 0, created, created)
        w.edge("fingerprint", aid, "fp-house", 200, T0, T0 + 20 * DAY)
        w.edge("ip", aid, w.ip("192.0.2.77"), 200, T0, T0 + 20 * DAY)
        own = {f"tpl-own-{aid}-{k}": 50 for k in range(4)}
        w.content(aid, {"coding": 150, "general": 50}, own, T0, T0 + 20 * DAY)
    snap = w.snapshot()
    assert detect(snap).accounts.empty
    # when any enforcement overrode the defence, the family was flagged
    assert len(detect(snap, DetectParams(evasion_min_regrown=0, evasion_min_share=0.0)).accounts) == 6
