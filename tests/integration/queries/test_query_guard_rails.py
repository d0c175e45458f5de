"""The read-only console through the command line: writes refused, graph unchanged, values inert.

Every case runs ``hydrascope query`` (click's runner, the test server) against the seeded graph and
compares a fingerprint of the whole graph (nodes, relationships, properties) before and after.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from query_fixture_graph import HYDRA, graph_fingerprint

from hydrascope.cli import cli
from hydrascope.db import Graph
from hydrascope.errors import QueryError, WriteRefused
from queries import get_query, preview_cost, run_adhoc, run_query
from queries.library import parse_query_text

pytestmark = pytest.mark.neo4j


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, ["query", *args])


WRITES = {
    "create": "CREATE (n:Account {account_id: 'intruder'}) RETURN n",
    "merge": "MERGE (n:Account {account_id: 'intruder'}) RETURN n",
    "delete": "MATCH (n:Account {account_id: 'h1'}) DETACH DELETE n",
    "set": "MATCH (n:Account {account_id: 'h1'}) SET n.status = 'banned' RETURN n",
    "remove": "MATCH (n:Account {account_id: 'h1'}) REMOVE n.status RETURN n",
    "in_transactions": "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10 ROWS",
    "load_csv": "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    "create_index": "CREATE INDEX intruder IF NOT EXISTS FOR (n:Account) ON (n.email)",
    "drop_constraint": "DROP CONSTRAINT account_account_id_unique",
    "foreach": "MATCH (n:Account) FOREACH (x IN [1] | SET n.status = 'x')",
    "two_statements": "MATCH (n) RETURN n; MATCH (n) DETACH DELETE n",
}


@pytest.mark.parametrize("cypher", list(WRITES.values()), ids=list(WRITES))
def test_writes_through_the_command_line_are_refused_and_change_nothing(seeded: Graph, cypher: str) -> None:
    before = graph_fingerprint(seeded)
    result = invoke("--cypher", cypher)
    assert result.exit_code != 0
    assert isinstance(result.exception, WriteRefused | QueryError) or "refuse" in str(result.exception)
    assert "read-only" in str(result.exception) or "one statement" in str(result.exception)
    assert graph_fingerprint(seeded) == before
    constraints = seeded.read("SHOW CONSTRAINTS YIELD name RETURN collect(name) AS names")[0]["names"]
    assert "account_account_id_unique" in constraints


def test_the_server_is_the_real_guard(seeded: Graph, tmp_path: Path) -> None:
    """A library file that writes (past the text checks) is refused by the read transaction."""
    before = graph_fingerprint(seeded)
    path = tmp_path / "evil_query.cypher"
    path.write_text(
        "// id: evil_query\n// title: t\n// category: payment\n// revision: 1\n// description: d\n"
        "// --- table\nCREATE (n:Account {account_id: 'intruder'}) RETURN n.account_id AS id LIMIT $limit;\n"
    )
    with pytest.raises(WriteRefused, match="read-only"):
        run_query(seeded, parse_query_text(path.read_text(), path), {})
    # The plan preview says the same before anything runs.
    assert not preview_cost(seeded, "MERGE (n:Account {account_id: 'x'}) RETURN n").read_only
    assert graph_fingerprint(seeded) == before


def test_cypher_in_a_parameter_value_is_inert(seeded: Graph) -> None:
    before = graph_fingerprint(seeded)
    injected = "h1'}) DETACH DELETE a //"
    result = invoke("account_profile", "--param", f"account_id={injected}", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []
    payload = "MATCH (n) DETACH DELETE n"
    result = invoke("--cypher", "RETURN $v AS v", "--param", f"v={payload}", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"v": payload}]
    assert graph_fingerprint(seeded) == before


def test_adhoc_rows_are_limited_and_the_cut_is_reported(seeded: Graph) -> None:
    result = run_adhoc(seeded, "UNWIND range(1, 5000) AS x RETURN x", limit=10)
    assert [row["x"] for row in result.rows] == list(range(1, 11)) and result.truncated
    assert result.cypher.endswith("LIMIT $limit")
    cli_result = invoke("--cypher", "UNWIND range(1, 50) AS x RETURN x", "--limit", "5", "--format", "csv")
    assert cli_result.exit_code == 0
    assert cli_result.stdout.splitlines() == ["x", "1", "2", "3", "4", "5"]
    assert "truncated" in cli_result.stderr
    union = run_adhoc(
        seeded, "UNWIND range(1, 20) AS x RETURN x UNION UNWIND range(21, 40) AS x RETURN x", limit=7
    )
    assert len(union.rows) == 7 and union.truncated


def test_adhoc_typed_parameters(seeded: Graph) -> None:
    result = invoke(
        "--cypher",
        "MATCH (a:Account) WHERE a.risk_score >= $min AND a.created_at >= $since "
        "RETURN a.account_id AS id ORDER BY id",
        "--param",
        "min:float=0.5",
        "--param",
        "since:datetime=2026-02-01T02:00:00Z",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    assert [row["id"] for row in json.loads(result.stdout)] == ["h3", "h4", "h5", "h6"]


def test_cost_preview_refuses_a_runaway_query(seeded: Graph) -> None:
    runaway = "MATCH (a), (b), (c), (d), (e) RETURN count(a.x) AS n"
    preview = preview_cost(seeded, runaway)
    assert preview.refused and preview.read_only and "CartesianProduct" in preview.operators
    assert any("CartesianProduct" in w for w in preview.warnings)
    with pytest.raises(QueryError, match="--force"):
        run_adhoc(seeded, runaway)
    result = invoke("--cypher", runaway, "--explain")
    assert result.exit_code == 0 and "estimated rows" in result.stdout and "CartesianProduct" in result.stdout
    small = preview_cost(seeded, "MATCH (a:Account {account_id: $id}) RETURN a", {"id": "h1"})
    assert not small.refused and not small.warnings and small.estimated_rows <= 1
    typo = preview_cost(seeded, "MATCH (a:Acount) RETURN a LIMIT 1")
    assert any("Acount" in w for w in typo.warnings)


def test_library_queries_through_the_command_line(seeded: Graph) -> None:
    listed = invoke("--list")
    assert listed.exit_code == 0 and "regrowth_after_ban" in listed.stdout
    as_json = invoke("regrowth_after_ban", "--param", "hours=24", "--format", "json")
    assert as_json.exit_code == 0, as_json.output
    assert [row["account_id"] for row in json.loads(as_json.stdout)] == ["h5", "h6"]
    table = invoke("template_reuse")
    assert table.exit_code == 0 and "tpl-hydra" in table.stdout
    graph = invoke(
        "account_shortest_path",
        "-p",
        "from_account=h1",
        "-p",
        "to_account=h4",
        "--section",
        "graph",
        "--format",
        "json",
    )
    assert graph.exit_code == 0, graph.output
    (row,) = json.loads(graph.stdout)
    assert [n["properties"].get("account_id") for n in row["path"]["nodes"]] == ["h1", None, "h4"]
    count = invoke("account_top_risk", "--section", "count", "--format", "json")
    assert json.loads(count.stdout) == [{"matched": len(HYDRA), "total": 17}]
    suggest = invoke("cluster_summary", "--suggest", "cluster_id")
    assert suggest.stdout.split() == ["cl-hydra", "cl-corp"]
    explained = invoke("ip_fan_in", "--explain")
    assert "read-only" in explained.stdout


def test_command_line_mistakes_get_clear_messages(seeded: Graph) -> None:
    missing = invoke("cluster_summary")
    assert "needs --param cluster_id" in str(missing.exception)
    typo = invoke("ip_fanin")
    assert "did you mean ip_fan_in" in str(typo.exception)
    bad_value = invoke("ip_fan_in", "--param", "min_accounts=many")
    assert "must be an integer" in str(bad_value.exception)
    both = invoke("ip_fan_in", "--cypher", "RETURN 1 AS x")
    assert both.exit_code == 2 and "not both" in both.output
    limit = invoke("ip_fan_in", "--limit", "0")
    assert "row limit" in str(limit.exception)


def test_show_prints_browser_ready_cypher() -> None:
    result = invoke("cluster_summary", "--show", "--param", "cluster_id=cl-hydra")
    assert result.exit_code == 0
    assert result.stdout.startswith(':param cluster_id => "cl-hydra"\n:param limit => 1000\n')
    assert get_query("cluster_summary").section("table") in result.stdout
