"""The local Neo4j is real, loopback-only, password-protected, and the schema applies idempotently."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from dataclasses import replace

import pytest
from click.testing import CliRunner

from hydrascope.cli import cli
from hydrascope.config import Neo4jSettings
from hydrascope.db import Graph, connect
from hydrascope.db.schema_apply import apply_schema
from hydrascope.errors import AuthenticationFailed, DatabaseUnavailable
from hydrascope.schema.model import NODES

pytestmark = pytest.mark.neo4j


def test_server_is_neo4j_5_26(graph: Graph) -> None:
    rows = graph.read("CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition")
    kernel = next(r for r in rows if r["name"] == "Neo4j Kernel")
    assert kernel["versions"][0].startswith("5.26.")


def test_schema_apply_is_idempotent_and_complete(graph: Graph) -> None:
    apply_schema(graph)
    apply_schema(graph)
    constraints = graph.read("SHOW CONSTRAINTS YIELD labelsOrTypes, properties, type RETURN *")
    unique = {(c["labelsOrTypes"][0], c["properties"][0]) for c in constraints if c["type"] == "UNIQUENESS"}
    assert {(n.label, n.key) for n in NODES} <= unique


def test_uniqueness_is_enforced(graph: Graph) -> None:
    graph.write("CREATE (:Account {account_id: 'acct_1'})")
    with pytest.raises(Exception, match="already exists"):
        graph.write("CREATE (:Account {account_id: 'acct_1'})")


def _non_loopback_address() -> str | None:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # no packet is sent for UDP connect
            address = s.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address


def test_bolt_listens_on_loopback_only(neo4j_settings_for_tests: Neo4jSettings) -> None:
    if not neo4j_settings_for_tests.local:
        pytest.skip("NEO4J_URI points at another server")
    port = int(neo4j_settings_for_tests.uri.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=2):
        pass
    address = _non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address to probe")
    with pytest.raises(OSError), socket.create_connection((address, port), timeout=2):
        pass


def test_wrong_password_gives_a_clear_error(neo4j_settings_for_tests: Neo4jSettings) -> None:
    wrong = replace(neo4j_settings_for_tests, password="not-the-password")
    with pytest.raises(AuthenticationFailed, match="refused the credentials"):
        connect(wrong)


def test_stopped_server_tells_how_to_start_it(neo4j_settings_for_tests: Neo4jSettings) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free_port = s.getsockname()[1]
    down = replace(neo4j_settings_for_tests, uri=f"bolt://127.0.0.1:{free_port}", local=True)
    with pytest.raises(DatabaseUnavailable, match="hydrascope db start"):
        connect(down)


def test_cli_wrong_password_is_one_line_not_a_traceback(neo4j_settings_for_tests: Neo4jSettings) -> None:
    env = {**os.environ, "NEO4J_URI": neo4j_settings_for_tests.uri, "NEO4J_PASSWORD": "wrong"}
    proc = subprocess.run(
        [sys.executable, "-m", "hydrascope", "schema", "apply"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().startswith("error:") and "refused the credentials" in proc.stderr
    assert "wrong" not in proc.stderr  # the password is never echoed


def test_status_reports_running_with_uri(neo4j_settings_for_tests: Neo4jSettings) -> None:
    if not neo4j_settings_for_tests.local:
        pytest.skip("NEO4J_URI points at another server")
    result = CliRunner().invoke(cli, ["db", "status"])
    assert result.exit_code == 0
    assert result.output.startswith("running") and neo4j_settings_for_tests.uri in result.output


def test_reset_requires_confirmation_and_keeps_schema(graph: Graph) -> None:
    graph.write("CREATE (:Account {account_id: 'acct_2'})")
    refused = CliRunner().invoke(cli, ["db", "reset"])
    assert refused.exit_code != 0 and graph.count("MATCH (n) RETURN count(n)") == 1
    done = CliRunner().invoke(cli, ["db", "reset", "--yes"])
    assert done.exit_code == 0, done.output
    assert graph.count("MATCH (n) RETURN count(n)") == 0
    assert graph.count("SHOW CONSTRAINTS YIELD name RETURN count(name)") >= len(NODES)
