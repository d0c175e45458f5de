"""Every library query, every section, on the hand-built graph: EXPLAIN, run, and find the plant.

Each query has an expectation below that would fail if the query lost its point (the planted
hydra accounts found, hard negatives left out, counts equal to what was seeded). A query added to
the library without an expectation fails ``test_every_query_has_an_expectation``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from query_fixture_graph import CORP, HYDRA, HYDRA_ALL, IP_DC1, IP_DC2, IP_NAT

from hydrascope.db import Graph
from queries import QueryResult, get_query, list_queries, preview_cost, run_query

pytestmark = pytest.mark.neo4j

Check = Callable[[QueryResult], None]


def col(result: QueryResult, name: str) -> list[Any]:
    return [row[name] for row in result.rows]


def by(result: QueryResult, key: str) -> dict[Any, dict[str, Any]]:
    return {row[key]: row for row in result.rows}


def _payment_shared(r: QueryResult) -> None:
    rows = by(r, "instrument_id")
    assert set(rows) == {"vc-1", "vc-2", "vc-3", "tok-corp"}
    assert rows["vc-1"]["rarity_weight"] == 1.0 and rows["tok-corp"]["rarity_weight"] == pytest.approx(
        1 / 3, abs=1e-3
    )
    assert rows["tok-corp"]["orgs"] == 1 and rows["tok-corp"]["accounts"] == 4
    assert col(r, "instrument_id")[-1] == "tok-corp"  # rarest sharing first


def _bursts(r: QueryResult) -> None:
    assert len(r.rows) == 1
    row = r.rows[0]
    assert row["bin"] == "555555" and row["card_count"] == 3
    assert sorted(row["instrument_ids"]) == ["vc-1", "vc-2", "vc-3"]
    assert sorted(row["account_ids"]) == HYDRA


def _ip_fan_in(r: QueryResult) -> None:
    rows = by(r, "ip")
    assert list(rows) == [IP_DC1, IP_NAT, IP_DC2]  # the CGNAT IP is left out by default
    assert (
        rows[IP_DC1]["accounts"] == 6 and rows[IP_DC1]["asn"] == 64500 and rows[IP_DC1]["datacenter"] is True
    )
    assert rows[IP_DC1]["proxy_services"] == ["ExampleProxy"] and rows[IP_DC1]["banned"] == 1


def _proxy_accounts(r: QueryResult) -> None:
    assert set(col(r, "account_id")) == set(HYDRA_ALL)
    assert by(r, "account_id")["h5"]["egress_ips"] == 2


def _proxy_summary(r: QueryResult) -> None:
    assert len(r.rows) == 1
    row = r.rows[0]
    assert (row["service_id"], row["egress_ips"], row["accounts"], row["banned"]) == ("px-1", 2, 7, 1)
    assert row["in_flagged_clusters"] == 7


def _asn(r: QueryResult) -> None:
    rows = by(r, "asn")
    assert set(rows) == {64500, 64502}
    assert rows[64500]["accounts"] == 7 and rows[64500]["datacenter_share"] == 1.0


def _prefix(r: QueryResult) -> None:
    assert col(r, "prefix") == ["203.0.113.0/24"] and r.rows[0]["accounts"] == 7


def _newest_bad(r: QueryResult) -> None:
    # Newest first; the CGNAT neighbours of banned u1 are not "bad infrastructure".
    assert col(r, "account_id") == ["h6", "h5", "h4", "h3", "h2", "h1"]


def _fingerprint(r: QueryResult) -> None:
    rows = by(r, "fingerprint")
    assert set(rows) == {"fp-hydra", "fp-sdk-python"}
    assert rows["fp-hydra"]["accounts"] == 7 and rows["fp-sdk-python"]["orgs"] == 2


def _email(r: QueryResult) -> None:
    assert col(r, "domain") == ["mailbox.example.com", "mail.example.com", "acme.example.com"]
    assert by(r, "domain")["mailbox.example.com"]["flagged"] == 7


def _templates(r: QueryResult) -> None:
    assert col(r, "template") == ["tpl-hydra"] and r.rows[0]["accounts"] == 7 and r.rows[0]["orgs"] == 0


def _focus_account(r: QueryResult) -> None:
    assert col(r, "capability") == ["cot_elicitation", "reasoning"]
    assert r.rows[0]["share"] == 0.8 and r.rows[0]["entropy_bits"] == pytest.approx(0.722, abs=1e-3)


def _focus_cluster(r: QueryResult) -> None:
    rows = by(r, "capability")
    assert rows["cot_elicitation"]["requests"] == 5600 and rows["cot_elicitation"]["members"] == 7
    assert set(rows) == {"cot_elicitation", "reasoning"}


def _narrow(r: QueryResult) -> None:
    assert set(col(r, "account_id")) == set(HYDRA_ALL)
    assert {row["top_capability"] for row in r.rows} == {"cot_elicitation"}


def _cot(r: QueryResult) -> None:
    rows = by(r, "account_id")
    assert set(rows) == {*HYDRA_ALL, "r1"}
    assert rows["h1"]["share"] == 0.8 and rows["r1"]["share"] == 0.5 and rows["r1"]["org_id"] == "org-uni"
    assert col(r, "account_id")[-1] == "r1"


def _regrowth(r: QueryResult) -> None:
    # u2 was created 5 hours after u1's ban on the same IP, but that IP is carrier NAT.
    assert [(row["account_id"], row["banned_account"]) for row in r.rows] == [("h5", "hb0"), ("h6", "hb0")]
    assert r.rows[0]["hours_after_ban"] == 6.0
    assert f"IP {IP_DC1}" in r.rows[0]["shared_infrastructure"]


def _pivot(r: QueryResult) -> None:
    assert set(col(r, "account_id")) == set(HYDRA) and set(col(r, "model")) == {"m-new"}
    assert {row["hours_after_release"] for row in r.rows} == {6.0}
    assert {row["share_to_model"] for row in r.rows} == {0.5}


def _signup_bursts(r: QueryResult) -> None:
    rows = by(r, "infrastructure")
    assert set(rows) == {IP_DC1, "fp-hydra"}
    assert sorted(rows["fp-hydra"]["account_ids"]) == ["h1", "h2", "h3", "h4"]
    assert sorted(rows[IP_DC1]["account_ids"]) == ["h1", "h2", "h3"]


def _cluster_summary(r: QueryResult) -> None:
    (row,) = r.rows
    assert row["members"] == 7 and row["banned"] == 1 and row["campaigns"] == ["camp-1"]
    assert (
        row["shared_instruments"],
        row["shared_ips"],
        row["shared_fingerprints"],
        row["shared_templates"],
    ) == (
        3,
        2,
        1,
        1,
    )
    assert row["evidence"][0].startswith("3 virtual cards")


def _cluster_top(r: QueryResult) -> None:
    assert col(r, "cluster_id") == ["cl-hydra", "cl-corp"]
    assert r.rows[0]["members"] == 7 and r.rows[0]["campaigns"] == ["camp-1"]


def _triage(r: QueryResult) -> None:
    assert col(r, "cluster_id") == ["cl-hydra"] and r.rows[0]["newest_member_created"] is not None


def _campaign(r: QueryResult) -> None:
    (row,) = r.rows
    assert (row["campaign_id"], row["cluster_count"], row["accounts"], row["banned"]) == ("camp-1", 1, 7, 1)
    assert row["top_capabilities"] == ["cot_elicitation", "reasoning"]


def _top_accounts(r: QueryResult) -> None:
    assert set(col(r, "account_id")) == set(HYDRA)  # hb0 is banned already; c1/c2 score 0.1
    assert r.rows[0]["campaigns"] == ["camp-1"]


def _ego(r: QueryResult) -> None:
    found = {(row["label"], row["id"]) for row in r.rows}
    assert {(row["label"], row["id"]) for row in r.rows if row["distance"] == 1} == {
        ("IP", IP_DC1),
        ("PaymentInstrument", "vc-1"),
        ("ClientFingerprint", "fp-hydra"),
        ("Cluster", "cl-hydra"),
    }
    assert {i for label, i in found if label == "Account"} == set(HYDRA_ALL) - {"h1"}
    assert not {i for _, i in found} & set(CORP)


def _shortest(r: QueryResult) -> None:
    (row,) = r.rows
    assert row["hops"] == 2 and row["nodes"] == ["Account h1", "ClientFingerprint fp-hydra", "Account h4"]


def _profile(r: QueryResult) -> None:
    (row,) = r.rows
    assert (row["instruments"], row["ips"], row["fingerprints"], row["templates"]) == (1, 1, 1, 1)
    assert row["accounts_sharing_infrastructure"] == 6 and row["clusters"] == ["cl-hydra"]


def _freshness(r: QueryResult) -> None:
    (row,) = r.rows
    assert (row["run_id"], row["status"], row["rows_rejected"]) == ("run-1", "succeeded", 1)
    assert row["newest_activity"] is not None and row["age_hours"] > 0


def _quality(r: QueryResult) -> None:
    rows = by(r, "check_name")
    assert (rows["IPs without ASN"]["failing"], rows["IPs without ASN"]["total"]) == (1, 5)
    assert rows["accounts without created_at"]["failing"] == 0
    assert rows["IPs without country"]["failing"] == 1


# query id -> (parameters, table check, expected (matched, total) of the count section or None)
EXPECTATIONS: dict[str, tuple[dict[str, Any], Check, tuple[int, int] | None]] = {
    "payment_shared_instruments": ({}, _payment_shared, (4, 11)),
    "payment_virtual_card_bursts": ({}, _bursts, (1, 1)),
    "ip_fan_in": ({}, _ip_fan_in, (3, 5)),
    "proxy_service_accounts": ({}, _proxy_accounts, (7, 17)),
    "proxy_service_summary": ({}, _proxy_summary, (1, 1)),
    "asn_account_concentration": ({}, _asn, (2, 3)),
    "ip_prefix_fan_in": ({}, _prefix, (1, 3)),
    "account_newest_on_bad_infrastructure": ({}, _newest_bad, (6, 15)),
    "fingerprint_shared": ({}, _fingerprint, (2, 2)),
    "email_domain_concentration": ({}, _email, (3, 4)),
    "template_reuse": ({}, _templates, (1, 6)),
    "capability_focus_account": ({"account_id": "h1"}, _focus_account, (2, 6)),
    "capability_focus_cluster": ({"cluster_id": "cl-hydra"}, _focus_cluster, (2, 6)),
    "capability_narrow_accounts": ({"max_entropy": "0.8"}, _narrow, (7, 12)),
    "cot_elicitation_share": ({}, _cot, (8, 12)),
    "regrowth_after_ban": ({"hours": "24"}, _regrowth, (2, 17)),
    "model_release_pivot": ({"model": "m-new"}, _pivot, (6, 7)),
    "account_signup_bursts": ({}, _signup_bursts, None),
    "cluster_summary": ({"cluster_id": "cl-hydra"}, _cluster_summary, (7, 17)),
    "cluster_top_risk": ({}, _cluster_top, (2, 2)),
    "cluster_triage_queue": ({}, _triage, (1, 1)),
    "campaign_summary": ({}, _campaign, (7, 17)),
    "account_top_risk": ({}, _top_accounts, (6, 17)),
    "ego_network": ({"node_id": "h1", "hops": "2"}, _ego, None),
    "account_shortest_path": ({"from_account": "h1", "to_account": "h4"}, _shortest, None),
    "account_profile": ({"account_id": "h1"}, _profile, None),
    "ingest_freshness": ({}, _freshness, (1, 1)),
    "data_quality_checks": ({}, _quality, None),
}

SPECS = list_queries()
SECTION_CASES = [(spec.id, section) for spec in SPECS for section, _ in spec.sections]


def test_every_query_has_an_expectation() -> None:
    assert {s.id for s in SPECS} == set(EXPECTATIONS)
    assert len(SPECS) >= 25


@pytest.mark.parametrize(("query_id", "section"), SECTION_CASES, ids=[f"{q}-{s}" for q, s in SECTION_CASES])
def test_section_explains_and_runs(seeded: Graph, query_id: str, section: str) -> None:
    spec = get_query(query_id)
    params, _, _ = EXPECTATIONS[query_id]
    preview = preview_cost(seeded, spec.section(section), spec.bind(params))
    assert preview.read_only and preview.operators[0] == "ProduceResults"
    result = run_query(seeded, spec, params, section=section)  # type: ignore[arg-type]
    assert result.rows, f"{query_id} {section} found nothing on the seeded graph"
    if section == "graph":
        assert all(hasattr(v, "relationships") for row in result.rows for v in row.values())


@pytest.mark.parametrize("query_id", list(EXPECTATIONS))
def test_table_finds_the_plant(seeded: Graph, query_id: str) -> None:
    params, check, _ = EXPECTATIONS[query_id]
    check(run_query(seeded, get_query(query_id), params))


@pytest.mark.parametrize("query_id", [q for q, (_, _, c) in EXPECTATIONS.items() if c is not None])
def test_count_is_x_of_n(seeded: Graph, query_id: str) -> None:
    params, _, expected = EXPECTATIONS[query_id]
    result = run_query(seeded, get_query(query_id), params, section="count")
    assert result.columns == ("matched", "total")
    assert (result.rows[0]["matched"], result.rows[0]["total"]) == expected


def test_count_agrees_with_table(seeded: Graph) -> None:
    """The count section and the table section describe the same set."""
    for query_id in ("payment_shared_instruments", "ip_fan_in", "template_reuse", "cot_elicitation_share"):
        spec = get_query(query_id)
        table = run_query(seeded, spec, {})
        count = run_query(seeded, spec, {}, section="count")
        assert count.rows[0]["matched"] == len(table.rows), query_id


def test_parameters_change_the_answer(seeded: Graph) -> None:
    spec = get_query("ip_fan_in")
    with_cgnat = run_query(seeded, spec, {"include_cgnat": "true"})
    assert "192.0.2.200" in col(with_cgnat, "ip")
    regrowth = run_query(seeded, get_query("regrowth_after_ban"), {"hours": "5"})
    assert col(regrowth, "account_id") == []  # h5 came 6 hours after the ban
    ego = run_query(seeded, get_query("ego_network"), {"node_id": IP_NAT, "kind": "ip", "hops": "1"})
    assert set(col(ego, "id")) == set(CORP)
    wrong_kind = run_query(seeded, get_query("ego_network"), {"node_id": IP_NAT, "kind": "account"})
    assert wrong_kind.rows == []
    no_path = run_query(
        seeded, get_query("account_shortest_path"), {"from_account": "h1", "to_account": "c1"}
    )
    assert no_path.rows == []
    capped = run_query(seeded, get_query("ego_network"), {"node_id": "h1", "hops": "2", "max_degree": "3"})
    # The ring's IP, fingerprint and cluster have more than 3 edges: shown, not crossed; the card is.
    assert {row["id"] for row in capped.rows} == {IP_DC1, "vc-1", "fp-hydra", "cl-hydra", "h2"}


def test_row_limit_truncates_and_says_so(seeded: Graph) -> None:
    result = run_query(seeded, get_query("cot_elicitation_share"), {}, limit=3)
    assert len(result.rows) == 3 and result.truncated
    full = run_query(seeded, get_query("cot_elicitation_share"), {}, limit=8)
    assert len(full.rows) == 8 and not full.truncated
    assert col(full, "account_id")[:3] == col(result, "account_id")


def test_suggestion_queries_offer_real_values(seeded: Graph) -> None:
    from queries import suggest_values

    assert "cl-hydra" in suggest_values(seeded, get_query("cluster_summary"), "cluster_id")
    assert suggest_values(seeded, get_query("capability_focus_account"), "account_id")[0] == "hb0"
    assert suggest_values(seeded, get_query("model_release_pivot"), "model")[0] == "m-new"
