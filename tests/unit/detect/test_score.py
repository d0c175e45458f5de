"""The scoring rule: several independent kinds of evidence, distillation and an operator both."""

import pandas as pd

from hydrascope.detect.params import DetectParams
from hydrascope.detect.score import score_clusters

BASE = {
    "size": 50,
    "tie_payment": 0.0,
    "tie_client": 0.0,
    "tie_identity": 0.0,
    "tie_network": 0.0,
    "tie_timing": 0.0,
    "hour_jaccard": 0.0,
    "creation_burst": 0.1,
    "enforcement_share": 0.0,
    "shared_templates": 0,
    "shared_families": 0,
    "template_members": 0.0,
    "template_requests": 0.0,
    "focus": 0.1,
    "cot_share": 0.0,
    "pivot_traffic_share": 0.0,
    "pivot_early_share": 0.0,
    "dense_share": 0.0,
}


def _score(**kw):
    return score_clusters(pd.DataFrame([{**BASE, **kw}]), DetectParams()).iloc[0]


def test_a_hydra_with_shared_cards_templates_and_synchrony_is_flagged():
    s = _score(
        tie_payment=0.9,
        tie_client=0.8,
        shared_templates=6,
        template_members=0.95,
        focus=0.6,
        cot_share=0.7,
        hour_jaccard=0.7,
    )
    assert s["flagged"] and s["score"] >= 0.9
    assert {"payment", "client", "templates", "focus", "synchrony"} <= set(s["kinds"])


def test_a_company_sharing_card_nat_domain_and_office_hours_is_not_flagged():
    s = _score(tie_payment=1.0, tie_network=1.0, tie_identity=1.0, hour_jaccard=0.5, tie_timing=0.6)
    assert not s["flagged"]
    assert s["score"] < DetectParams().flag_threshold


def test_a_company_with_internal_templates_is_not_flagged():
    s = _score(
        tie_payment=1.0, tie_network=1.0, shared_templates=20, template_members=0.9, template_requests=0.12
    )
    assert not s["flagged"]
    assert "templates" in s["kinds"] and "scripted" not in s["kinds"]


def test_a_prompt_book_on_provisioned_clients_with_nothing_of_their_own_is_flagged():
    s = _score(
        shared_templates=72,
        template_members=1.0,
        template_requests=1.0,
        focus=0.58,
        tie_client=0.6,
        personal_share=0.02,
    )
    assert s["flagged"] and {"scripted", "templates", "focus", "client"} <= set(s["kinds"])
    assert s["s_harvest"] == 1.0


def test_a_plugins_users_sending_its_default_prompts_are_no_operator():
    """A prompt book alone (no shared payment, client, identity or network) is not an operator."""
    s = _score(shared_templates=72, template_members=1.0, template_requests=1.0, focus=0.58)
    assert not s["flagged"] and "scripted" in s["kinds"]


def test_a_shared_tutorial_is_no_harvest_when_members_write_their_own_prompts():
    book = dict(shared_templates=30, template_members=1.0, template_requests=0.5, tie_client=0.6)
    assert _score(**book, personal_share=0.05)["s_harvest"] == 1.0
    assert _score(**book, personal_share=0.45)["s_harvest"] == 0.0


def test_long_answers_are_distillation_evidence_and_no_distillation_means_no_flag():
    infra = dict(tie_payment=0.9, tie_client=0.8, hour_jaccard=0.7, creation_burst=0.9)
    without = _score(**infra, output_ratio=1.0)
    with_volume = _score(**infra, output_ratio=3.0)
    assert not without["flagged"] and "volume" not in without["kinds"]
    assert with_volume["flagged"] and "volume" in with_volume["kinds"]


def test_a_few_researchers_with_shared_benchmark_templates_and_reasoning_are_not_flagged():
    s = _score(size=4, shared_templates=5, template_members=1.0, focus=0.7, cot_share=0.5, tie_network=0.6)
    assert not s["flagged"]


def test_a_single_kind_never_flags_and_small_groups_never_flag():
    assert not _score(tie_payment=1.0)["flagged"]
    tiny = _score(
        size=3, tie_payment=0.9, tie_client=0.8, shared_templates=6, template_members=0.95, focus=0.6
    )
    assert not tiny["flagged"]


def test_member_volume_is_harvest_evidence_only_for_young_accounts_sharing_a_prompt_book():
    book = dict(shared_templates=30, template_members=1.0, template_requests=0.5, personal_share=0.3)
    young = _score(**book, member_volume=20.0, median_age_days=30.0)
    aged = _score(**book, member_volume=20.0, median_age_days=400.0)
    no_book = _score(member_volume=20.0, median_age_days=30.0)
    assert young["s_volume"] == 1.0 and aged["s_volume"] == 0.0 and no_book["s_volume"] == 0.0


def test_a_book_with_nothing_of_their_own_is_an_operator_even_on_unique_infrastructure():
    """The diversified campaign: every worker on its own card, IP and client, all on one book."""
    book = dict(shared_templates=72, template_members=1.0, template_requests=1.0, focus=0.58, dense_share=1.0)
    assert _score(**book, personal_share=0.0)["flagged"]
    assert not _score(**book, personal_share=0.15)["flagged"]
