"""Every library query on the simulator's ``tiny`` world, ingested and detected for real.

The simulator writes a bundle plus the truth (account -> campaign, role); ingest loads it and
detection writes clusters and campaigns. Assertions compare with that truth and with counts
computed straight from the bundle's tables, so a query that lost its point fails here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from hydrascope.cli import cli
from hydrascope.db import Graph
from hydrascope.db.schema_apply import reset_graph
from queries import QueryResult, get_query, list_queries, run_query

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]


@pytest.fixture(scope="module")
def tiny(session_graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Graph, Path]]:
    """Simulate ``tiny`` (seed 1), ingest it and run detection, once for the module."""
    from hydrascope.jobs.detect import run_detection
    from ingest.run import run_ingest

    root = tmp_path_factory.mktemp("tiny")
    previous = os.environ.get("HYDRASCOPE_DATA_DIR")
    os.environ["HYDRASCOPE_DATA_DIR"] = str(root / "data")
    try:
        result = CliRunner().invoke(
            cli, ["simulate", "--scenario", "tiny", "--seed", "1", "--out", str(root / "bundle")]
        )
        assert result.exit_code == 0, result.output
        reset_graph(session_graph)
        run_ingest(root / "bundle", session_graph, ttl=None)
        run_detection(session_graph)
        yield session_graph, root / "bundle"
    finally:
        if previous is None:
            os.environ.pop("HYDRASCOPE_DATA_DIR", None)
        else:
            os.environ["HYDRASCOPE_DATA_DIR"] = previous


def truth(bundle: Path) -> pd.DataFrame:
    return pd.read_parquet(bundle / "truth" / "accounts.parquet")


def accounts(result: QueryResult) -> set[str]:
    return {row["account_id"] for row in result.rows}


def _first_param_values(graph: Graph, bundle: Path) -> dict[str, dict[str, str]]:
    t = truth(bundle)
    camp = sorted(t[t.campaign_id == "camp_01"].account_id)
    cluster = graph.read("MATCH (k:Cluster) RETURN k.cluster_id AS id ORDER BY k.score DESC, id LIMIT 1")[0][
        "id"
    ]
    return {
        "capability_focus_account": {"account_id": camp[0]},
        "account_profile": {"account_id": camp[0]},
        "ego_network": {"node_id": camp[0]},
        "account_shortest_path": {"from_account": camp[0], "to_account": camp[1]},
        "capability_focus_cluster": {"cluster_id": cluster},
        "cluster_summary": {"cluster_id": cluster},
    }


def test_every_query_and_section_runs_on_the_tiny_world(tiny: tuple[Graph, Path]) -> None:
    graph, bundle = tiny
    params = _first_param_values(graph, bundle)
    empty = []
    for spec in list_queries():
        for section, _ in spec.sections:
            result = run_query(graph, spec, params.get(spec.id, {}), section=section)
            if not result.rows:
                empty.append(f"{spec.id}:{section}")
    assert empty == []


def test_regrowth_finds_the_regrown_accounts(tiny: tuple[Graph, Path]) -> None:
    graph, bundle = tiny
    t = truth(bundle)
    regrown = set(t[t.role == "regrown"].account_id)
    found = accounts(run_query(graph, get_query("regrowth_after_ban"), {}))
    assert regrown and regrown <= found
    assert len(found & regrown) / len(found) >= 0.8  # precision: carrier NAT and big egress are left out
    count = run_query(graph, get_query("regrowth_after_ban"), {}, section="count").rows[0]
    assert count["matched"] == len(found) and count["total"] == len(t)
    newest = accounts(run_query(graph, get_query("account_newest_on_bad_infrastructure"), {}))
    assert regrown <= newest


def test_proxy_service_accounts_cover_the_proxied_campaign(tiny: tuple[Graph, Path]) -> None:
    graph, bundle = tiny
    t = truth(bundle)
    campaigns = pd.read_parquet(bundle / "truth" / "campaigns.parquet")
    proxied = set(campaigns[campaigns.proxy_service.notna()].campaign_id)
    expected = set(t[t.campaign_id.isin(proxied) & (t.role != "operator")].account_id)
    found = accounts(run_query(graph, get_query("proxy_service_accounts"), {}))
    assert expected and expected <= found


def test_release_pivot_and_cot_share_point_at_campaigns(tiny: tuple[Graph, Path]) -> None:
    graph, bundle = tiny
    t = truth(bundle)
    hydra = set(t[t.campaign_id.notna()].account_id)
    pivot = accounts(run_query(graph, get_query("model_release_pivot"), {}))
    assert len(pivot & hydra) / len(pivot) >= 0.75
    cot = accounts(run_query(graph, get_query("cot_elicitation_share"), {}))
    assert len(cot & hydra) / len(cot) >= 0.8


def test_sharing_counts_match_the_bundle(tiny: tuple[Graph, Path]) -> None:
    graph, bundle = tiny
    payments = pd.read_parquet(bundle / "payment_methods.parquet")
    per_instrument = payments.groupby("instrument_id").account_id.nunique()
    count = run_query(graph, get_query("payment_shared_instruments"), {}, section="count").rows[0]
    assert (count["matched"], count["total"]) == (int((per_instrument >= 2).sum()), len(per_instrument))

    requests = pd.read_parquet(bundle / "requests.parquet", columns=["account_id", "prompt_template"])
    per_template = requests.dropna().groupby("prompt_template").account_id.nunique()
    count = run_query(graph, get_query("template_reuse"), {"min_accounts": "3"}, section="count").rows[0]
    # templates only one account sent are no nodes (counts on the account): not in the total
    assert (count["matched"], count["total"]) == (
        int((per_template >= 3).sum()),
        int((per_template >= 2).sum()),
    )


def test_detector_output_is_summarised_consistently(tiny: tuple[Graph, Path]) -> None:
    graph, _ = tiny
    members = graph.count(
        "MATCH (a:Account)-[:MEMBER_OF]->(:Cluster)-[:PART_OF]->(:Campaign) RETURN count(DISTINCT a)"
    )
    campaigns = run_query(graph, get_query("campaign_summary"), {})
    assert sum(row["accounts"] for row in campaigns.rows) == members
    assert run_query(graph, get_query("campaign_summary"), {}, section="count").rows[0]["matched"] == members
    clusters = run_query(graph, get_query("cluster_top_risk"), {})
    scores = [row["score"] for row in clusters.rows]
    assert scores == sorted(scores, reverse=True) and len(scores) == graph.count(
        "MATCH (k:Cluster) RETURN count(k)"
    )


def test_account_profile_counts_every_template_shared_or_its_own(tiny: tuple[Graph, Path]) -> None:
    graph, bundle = tiny
    requests = pd.read_parquet(
        bundle / "requests.parquet", columns=["account_id", "prompt_template"]
    ).dropna()
    senders = requests.groupby("prompt_template").account_id.nunique()
    own = requests[requests.prompt_template.map(senders) == 1].groupby("account_id").prompt_template.nunique()
    account = str(own.idxmax())  # the account with the most templates nobody else sent
    row = run_query(graph, get_query("account_profile"), {"account_id": account}).rows[0]
    mine = requests[requests.account_id == account].prompt_template
    assert (row["templates"], row["own_templates"]) == (mine.nunique(), int(own.max())) and own.max() > 1
