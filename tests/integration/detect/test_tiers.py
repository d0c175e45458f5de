"""Account tiers in the real graph: flagged, review (ranked leads with reasons), clear."""

import csv

import pytest
from click.testing import CliRunner

from hydrascope.cli.export import export
from hydrascope.detect.examples import card_testing_world, tiny_world
from hydrascope.jobs.detect import run_detection

pytestmark = pytest.mark.neo4j

TIERS = "MATCH (a:Account) RETURN a.account_id AS id, a.risk_tier AS tier, a.lead_reasons AS reasons"


def _tiers(graph) -> dict[str, tuple[str | None, list[str]]]:
    return {r["id"]: (r["tier"], r["reasons"] or []) for r in graph.read(TIERS)}


def test_leads_are_written_ranked_exported_and_cleared_when_an_analyst_clears_them(graph, load, tmp_path):
    load(graph, card_testing_world(banned=31))
    run = run_detection(graph)
    tiers = _tiers(graph)
    review = {a for a, (t, _) in tiers.items() if t == "review"}
    assert review == run.result.review_accounts and "f0031" in review
    assert all(tiers[a][1] for a in review)  # every lead says why
    assert not any(a.startswith("f") and int(a[1:]) < 31 for a in review)  # banned are not leads
    out = tmp_path / "leads.csv"
    said = CliRunner().invoke(export, ["leads", "--out", str(out)])
    assert said.exit_code == 0 and f"{len(review)} leads" in said.output
    with out.open() as fh:
        rows = list(csv.DictReader(fh))
    assert [r["account_id"] for r in rows] == list(
        run.result.leads.loc[run.result.leads["tier"] == "review", "account_id"]
    )  # in the detector's order, strongest lead first
    assert [int(r["rank"]) for r in rows] == list(range(1, len(rows) + 1)) and all(r["reasons"] for r in rows)
    graph.write("MATCH (a:Account {account_id: 'f0031'}) SET a.triage_label = 'false_positive'")
    run_detection(graph)
    assert _tiers(graph)["f0031"] == ("clear", [])


def test_flagged_accounts_carry_the_flagged_tier_and_never_the_review_tier(graph, load):
    load(graph, tiny_world())
    run = run_detection(graph)
    tiers = _tiers(graph)
    flagged = {a for a, (t, _) in tiers.items() if t == "flagged"}
    assert flagged == run.result.flagged_accounts and flagged
    assert not flagged & {a for a, (t, _) in tiers.items() if t == "review"}
