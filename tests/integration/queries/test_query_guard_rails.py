"""The read-only console through the command line: writes refused, graph unchanged, values inert.

Every case runs ``hydrascope query`` (click's runner, the test server) against the seeded graph and
compares a fingerprint of the whole graph (nodes, relationships, properties) before and after.
"""

from __future__ import annotations

import http.server
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner, Result
from query_fixture_graph import HYDRA, graph_fingerprint

from hydrascope.cli import cli
from hydrascope.config import Neo4jSettings
from hydrascope.db import Graph
from hydrascope.db.local import LAUNCHER_DIR, _sources_digest
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
    failed = "MATCH (e:AuditEvent {action: 'console', outcome: 'failed'}) RETURN count(e)"
    recorded = seeded.count(failed)
    result = invoke("--cypher", cypher)
    assert result.exit_code != 0
    assert isinstance(result.exception, WriteRefused | QueryError) or "refuse" in str(result.exception)
    assert "read-only" in str(result.exception) or "one statement" in str(result.exception)
    assert graph_fingerprint(seeded) == before
    assert seeded.count(failed) == recorded + 1  # the attempt is on the record
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


# ----------------------------------------------------------------- issue 12: reaching outside
# Every attempt below got through before: a quote or a backtick inside a comment hid the rest of
# the query from the old text check (strings were blanked before comments were removed).


class _Listener(http.server.BaseHTTPRequestHandler):
    """Counts requests: any request at all means a URL was fetched."""

    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"fetched\n")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """A web server on loopback: its URL and the paths it was asked for."""
    hits: list[str] = []
    handler = type("Handler", (_Listener,), {"hits": hits})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/probe", hits
    server.shutdown()
    server.server_close()


HIDDEN_LOAD_CSV = {
    "backtick_in_line_comment": "WITH 1 AS x // `\nLOAD CSV FROM '{url}' AS line RETURN line // `",
    "quote_in_line_comment": "WITH 1 AS x // '\nLOAD CSV FROM \"{url}\" AS line RETURN line // '",
    "backtick_in_block_comment": "WITH 1 AS x /* ` */ LOAD CSV FROM '{url}' AS line RETURN line // `",
    "carriage_return_ends_comment": "WITH 1 AS x // c\rLOAD CSV FROM '{url}' AS line RETURN line",
    "comment_between_words": "WITH 1 AS x LOAD/* */CSV FROM '{url}' AS line RETURN line",
}


@pytest.mark.parametrize("template", list(HIDDEN_LOAD_CSV.values()), ids=list(HIDDEN_LOAD_CSV))
def test_hidden_load_csv_reads_no_file(seeded: Graph, template: str) -> None:
    result = invoke("--cypher", template.format(url="file:///etc/passwd"), "--format", "json")
    assert result.exit_code == 1 and isinstance(result.exception, WriteRefused)
    assert "LOAD CSV" in str(result.exception) and "root:" not in result.output


@pytest.mark.parametrize("template", list(HIDDEN_LOAD_CSV.values()), ids=list(HIDDEN_LOAD_CSV))
def test_hidden_load_csv_fetches_no_url(
    seeded: Graph, template: str, listener: tuple[str, list[str]]
) -> None:
    url, hits = listener
    result = invoke("--cypher", template.format(url=url), "--format", "json")
    assert result.exit_code == 1 and isinstance(result.exception, WriteRefused)
    assert hits == [] and "fetched" not in result.output


def test_the_plan_check_refuses_load_csv_the_text_check_missed(seeded: Graph) -> None:
    """Past the text check (called directly), the plan's LoadCSV operator is refused anywhere."""
    preview = preview_cost(seeded, "CALL { LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l } RETURN l")
    assert preview.read_only and "LoadCSV" in preview.operators  # a read to the server...
    assert preview.refusal is not None and "LOAD CSV" in preview.refusal  # ...refused by the plan check


@pytest.fixture
def victim(session_graph: Graph) -> Iterator[Any]:
    """Another session's open transaction (as a running ingest or detection would hold)."""
    with session_graph.driver.session(database=session_graph.database) as session:
        tx = session.begin_transaction(metadata={"app": "victim"})
        tx.run("MATCH (n) RETURN count(n) AS victim_marker").consume()
        yield tx
        tx.rollback()


def _transaction_ids(graph: Graph) -> list[str]:
    rows = graph.read("SHOW TRANSACTIONS YIELD transactionId, currentQuery RETURN *")
    return [str(r["transactionId"]) for r in rows if "SHOW TRANSACTIONS" not in str(r["currentQuery"])]


@pytest.mark.parametrize(
    "template",
    [
        "/* ` */ TERMINATE TRANSACTIONS $ids // `",
        "/* ` */ TERMINATE TRANSACTIONS '{id}' // `",
        "TERMINATE TRANSACTIONS '{id}'",
    ],
    ids=["hidden_with_parameter", "hidden_with_id", "plain"],
)
def test_the_console_cannot_terminate_another_sessions_transaction(
    seeded: Graph, victim: Any, template: str
) -> None:
    (victim_id,) = _transaction_ids(seeded)
    cypher = template.replace("{id}", victim_id)
    result = invoke("--cypher", cypher, "--param", f"ids={victim_id}")
    assert result.exit_code == 1 and isinstance(result.exception, WriteRefused)
    assert "TERMINATE" in str(result.exception)
    assert victim.run("RETURN 'still alive' AS s").single()["s"] == "still alive"


SESSION_AND_SERVER_PEEKS = {
    "show_transactions": "SHOW TRANSACTIONS",
    "show_transactions_hidden": "/* ` */ SHOW TRANSACTIONS YIELD * RETURN * // `",
    "show_settings": "SHOW SETTINGS YIELD name, value RETURN name, value",
    "show_users": "SHOW USERS",
    "show_procedures": "SHOW PROCEDURES",
    "show_functions": "SHOW FUNCTIONS",
    "show_indexes": "SHOW INDEXES",
    "show_databases": "SHOW DATABASES",
    "list_config": "CALL dbms.listConfig()",
    "list_config_hidden": "/* ` */ CALL dbms.listConfig() YIELD name, value RETURN name, value // `",
    "list_config_quoted": "CALL `dbms`.`listConfig`()",
    "list_connections": "CALL dbms.listConnections()",
    "kill_connection": "CALL dbms.killConnection('bolt-1')",
    "query_collection": "CALL db.stats.collect('QUERIES')",
    "query_collection_read": "CALL db.stats.retrieve('QUERIES')",
    "set_metadata": "CALL tx.setMetaData({app: 'x'})",
}


@pytest.mark.parametrize(
    "cypher", list(SESSION_AND_SERVER_PEEKS.values()), ids=list(SESSION_AND_SERVER_PEEKS)
)
def test_the_console_sees_no_other_session_and_no_server_setting(
    seeded: Graph, victim: Any, cypher: str
) -> None:
    result = invoke("--cypher", cypher, "--format", "json")
    assert result.exit_code == 1 and isinstance(result.exception, WriteRefused), result.output
    # Nothing of another session (its query; the schema statements `db start` ran, which the
    # server's query collection keeps) and nothing of the server's configuration is shown.
    assert "victim_marker" not in result.output and "CREATE CONSTRAINT" not in result.output
    assert "allow_csv_import" not in result.output


def test_schema_procedures_on_the_allowlist_still_run(seeded: Graph) -> None:
    labels = invoke("--cypher", "CALL db.labels() YIELD label RETURN label", "--format", "json")
    assert labels.exit_code == 0, labels.output
    assert {"label": "Account"} in json.loads(labels.stdout)
    drawn = invoke("--cypher", "CALL db.schema.visualization()", "--format", "json")
    assert drawn.exit_code == 0, drawn.output


def test_a_deeply_nested_result_gets_a_message_not_a_traceback(seeded: Graph) -> None:
    deep = "RETURN reduce(l = [], i IN range(1, 3000) | [l]) AS deep"
    for fmt in ("table", "json", "csv"):
        result = invoke("--cypher", deep, "--format", fmt)
        assert result.exit_code == 1 and isinstance(result.exception, QueryError), result.exception
        assert "levels deep" in str(result.exception)
    # The same session keeps working, and a shallow nesting is shown whole.
    ok = invoke("--cypher", "RETURN reduce(l = [], i IN range(1, 20) | [l]) AS shallow", "--format", "json")
    assert ok.exit_code == 0 and ok.stdout.count("[") == 1 + 21  # the rows, then [] wrapped 20 times


def test_a_result_too_deep_for_the_server_to_pack_is_a_message(seeded: Graph) -> None:
    # Deep enough that the server fails to pack it and never answers: the console reports the
    # dropped connection once (no retries) instead of waiting minutes or printing a traceback.
    deeper_than_the_server_packs = "RETURN reduce(l = [], i IN range(1, 300000) | [l]) AS deep"
    result = invoke("--cypher", deeper_than_the_server_packs, "--format", "json")
    assert result.exit_code == 1 and isinstance(result.exception, QueryError), result.exception
    assert "stopped answering" in str(result.exception) and "flatter value" in str(result.exception)
    ok = invoke("--cypher", "RETURN 1 AS one", "--format", "json")
    assert ok.exit_code == 0 and json.loads(ok.stdout) == [{"one": 1}]


def test_a_huge_value_is_shortened_in_the_table_and_whole_in_json(seeded: Graph) -> None:
    for cypher, note in (
        ("RETURN range(1, 200000) AS big", "(200,000itemsinall)"),
        ("RETURN reduce(s = '', i IN range(1, 5000) | s + 'x') AS long", "(5,000charactersinall)"),
    ):
        table = invoke("--cypher", cypher)
        assert table.exit_code == 0, table.output
        assert note in re.sub(r"[\s│]", "", table.stdout)  # the table folds a cell over lines
        assert len(table.stdout) < 20_000
    whole = invoke(
        "--cypher",
        "RETURN range(1, 200000) AS big, reduce(s = '', i IN range(1, 5000) | s + 'x') AS long",
        "--format",
        "json",
    )
    (row,) = json.loads(whole.stdout)
    assert len(row["big"]) == 200_000 and len(row["long"]) == 5_000


@pytest.fixture
def crowd(seeded: Graph) -> Iterator[Graph]:
    """A thousand extra nodes (a cartesian product of three is then 10^9 rows); removed after."""
    seeded.write("UNWIND range(1, 1000) AS i CREATE (:CostProbe {i: i})")
    yield seeded
    seeded.write("MATCH (n:CostProbe) DELETE n")


@pytest.mark.parametrize(
    "cypher",
    [
        "MATCH (a), (b), (c) RETURN a, b, c LIMIT 1",
        "MATCH (a), (b), (c) WHERE a.i + b.i + c.i = -1 RETURN a.i LIMIT 1",
        "MATCH (a), (b), (c) WITH a, b, c LIMIT $n RETURN count(*) AS n",
    ],
    ids=["limit_1", "filter_that_never_passes", "limit_in_with"],
)
def test_a_cartesian_product_is_costed_whatever_its_limit(crowd: Graph, cypher: str) -> None:
    result = invoke("--cypher", cypher, "--param", "n:integer=1", "--timeout", "5")
    assert result.exit_code == 1 and isinstance(result.exception, QueryError)
    assert "--force" in str(result.exception) and "estimates" in str(result.exception)
    # A bounded read of one label is not caught by it.
    ok = invoke("--cypher", "MATCH (p:CostProbe) RETURN p.i AS i ORDER BY i LIMIT 1", "--format", "json")
    assert ok.exit_code == 0 and json.loads(ok.stdout) == [{"i": 1}]


# ------------------------------------------------------------------ the server's own guarantee


def test_the_server_reads_no_file_even_in_a_plain_read_transaction(seeded: Graph) -> None:
    """Straight to the server, past every check of this program: its configuration refuses."""
    with pytest.raises(QueryError, match="allow_csv_import_from_file_urls"):
        seeded.read("LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line LIMIT 1")
    with pytest.raises(QueryError, match="allow_csv_import_from_file_urls"):
        seeded.read("LOAD CSV FROM 'file:///password' AS line RETURN line LIMIT 1")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
def test_the_server_fetches_no_url_even_in_a_plain_read_transaction(
    seeded: Graph, listener: tuple[str, list[str]], host: str
) -> None:
    url, hits = listener
    with pytest.raises(QueryError, match="cypher_ip_blocklist"):
        seeded.read("LOAD CSV FROM $url AS line RETURN line", {"url": url.replace("127.0.0.1", host)})
    assert hits == []


def test_db_status_says_the_server_gives_the_guarantee(neo4j_settings_for_tests: Neo4jSettings) -> None:
    result = CliRunner().invoke(cli, ["db", "status"])
    assert result.exit_code == 0, result.output
    assert "LOAD CSV lock-down: held" in result.output
    for part in ("file URLs: ok", "import directory: ok", "IP block list: ok"):
        assert part in result.output
    assert "allow_csv_import_from_file_urls=false" in result.output


def test_the_launcher_build_matches_its_sources(neo4j_settings_for_tests: Neo4jSettings) -> None:
    """The build stamp is a digest of the sources: a changed launcher is rebuilt, never skipped."""
    if not neo4j_settings_for_tests.local:
        pytest.skip("NEO4J_URI points at another server")
    stamp = LAUNCHER_DIR / "target" / "sources.sha256"
    assert stamp.read_text().strip() == _sources_digest()
