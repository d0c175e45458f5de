"""Issue #12, findings 3 and 7, through the real ``hydrascope ingest`` / ``hydrascope db reset``.

3: a row dated far in the future is a rejected row, never the clock the TTL is measured from, and
a TTL cleanup that would remove most of an edge type deletes nothing until ``--force``.
7: the event store and the graph know each other: a reset graph, a new server and a restored
older backup are rebuilt from the store instead of staying empty or stale.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from bundle_kit import base_tables, req, snapshot, write_bundle

from hydrascope.cli import main
from hydrascope.db import Graph, connect
from hydrascope.db.local import LocalServer
from hydrascope.db.schema_apply import apply_schema, reset_graph
from hydrascope.schema.model import NODE_BY_LABEL, REL_BY_TYPE

pytestmark = pytest.mark.neo4j
BEHAVIOUR = "CONNECTED_FROM|SENT|USED_CLIENT|ASKED_FOR|CALLED"


def _cli(args: list[str]) -> int:
    with pytest.raises(SystemExit) as exited:
        main(args)
        raise SystemExit(0)
    return int(exited.value.code or 0)


def _text(captured: str) -> str:
    """The output with the console's line wrapping undone."""
    return " ".join(captured.split())


def _behaviour(graph: Graph) -> int:
    return graph.count(f"MATCH ()-[r:{BEHAVIOUR}]->() RETURN count(r) AS c")


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own event store (the CLI finds it through HYDRASCOPE_DATA_DIR)."""
    monkeypatch.setenv("HYDRASCOPE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "200")
    return tmp_path / "data"


# ----------------------------------------------------------------------------- finding 3
def test_a_row_from_the_future_is_rejected_and_ages_out_nothing(tmp_path: Path, graph, data, capsys) -> None:
    tables = base_tables()
    assert _cli(["ingest", str(write_bundle(tmp_path / "b1", tables)), "--no-progress"]) == 0
    before = _behaviour(graph)
    assert before > 0
    later = {
        "requests": [
            req("2999-01-01T00:00:00Z", "acct-1", "192.0.2.10", "fp-1", "model-a", "coding", "tpl-1", 1, 1),
            req(
                "2026-02-14T08:00:00Z", "acct-3", "198.51.100.7", "fp-3", "model-b", "general", "tpl-1", 2, 3
            ),
        ]
    }
    capsys.readouterr()
    assert _cli(["ingest", str(write_bundle(tmp_path / "b2", later)), "--no-progress"]) == 3
    out = _text(capsys.readouterr().out)
    assert "1 rows rejected" in out and "cleanup:" not in out
    # Nothing aged out, and the good row of the same run became edges.
    assert _behaviour(graph) == before + 3  # acct-3 -> 198.51.100.7, model-b, tpl-1 are new pairs
    assert (
        graph.count(
            "MATCH (:Account {account_id: 'acct-3'})-[r:SENT]->(:PromptTemplate {template: 'tpl-1'}) "
            "RETURN count(r)"
        )
        == 1
    )
    rejects = [
        json.loads(line) for f in (data / "rejects").glob("*.jsonl") for line in f.read_text().splitlines()
    ]
    assert len(rejects) == 1
    [reject] = rejects
    assert reject["file"].endswith("b2/requests.csv") and reject["line"] == 2
    assert reject["reason"].startswith("ts: 2999-01-01T00:00:00+00:00 is in the future")


def test_a_cleanup_removing_most_edges_stops_until_forced(tmp_path: Path, graph, data, capsys) -> None:
    bundle = str(write_bundle(tmp_path / "b", base_tables()))
    assert _cli(["ingest", bundle, "--no-progress", "--ttl", "0"]) == 0  # 0: keep every edge
    before = _behaviour(graph)
    capsys.readouterr()
    # A TTL of one day, against today's clock, ages out every edge of a February 2026 bundle.
    assert _cli(["ingest", bundle, "--no-progress", "--ttl", "1d"]) == 4
    captured = capsys.readouterr()
    out = _text(captured.out)
    assert "cleanup refused" in out and "TTL cleanup stopped before deleting anything" in out
    assert "--force" in captured.err and "Traceback" not in captured.err
    assert _behaviour(graph) == before
    assert graph.count("MATCH (r:IngestRun {status: 'cleanup_refused'}) RETURN count(r)") == 1
    assert _cli(["ingest", bundle, "--no-progress", "--ttl", "1d", "--force"]) == 0
    assert _behaviour(graph) == 0


# ----------------------------------------------------------------------------- finding 7
def test_reset_then_ingest_rebuilds_the_behaviour_from_the_store(tmp_path: Path, graph, data, capsys) -> None:
    bundle = str(write_bundle(tmp_path / "b", base_tables()))
    assert _cli(["ingest", bundle, "--no-progress", "--ttl", "0"]) == 0
    full = snapshot(graph)
    behaviour = _behaviour(graph)
    assert _cli(["db", "reset", "--yes"]) == 0
    assert graph.count("MATCH (n) RETURN count(n) AS c") == 0
    capsys.readouterr()
    assert _cli(["ingest", bundle, "--no-progress", "--ttl", "0"]) == 0
    out = _text(capsys.readouterr().out)
    assert "rebuilt:" in out and "it was reset or emptied" in out
    assert _behaviour(graph) == behaviour > 0
    assert snapshot(graph) == full
    # In sync again: the next run rebuilds nothing.
    assert _cli(["ingest", bundle, "--no-progress", "--ttl", "0"]) == 0
    assert "rebuilt:" not in capsys.readouterr().out


def _backup(graph: Graph) -> dict[str, Any]:
    """Every node and relationship with its properties: what a backup of the database holds."""
    nodes = graph.read("MATCH (n) RETURN elementId(n) AS id, labels(n)[0] AS label, properties(n) AS props")
    rels = graph.read(
        "MATCH (a)-[r]->(b) "
        "RETURN elementId(a) AS a, elementId(b) AS b, type(r) AS type, properties(r) AS props"
    )
    return {"nodes": nodes, "rels": rels}


def _restore(graph: Graph, backup: dict[str, Any]) -> None:
    """Empty the graph and write the backup back (labels and types checked against the model)."""
    reset_graph(graph)
    labels = {n["label"] for n in backup["nodes"]} - {"IngestRun"}
    for label in [*sorted(labels), "IngestRun"]:
        assert label in NODE_BY_LABEL
        rows = [n for n in backup["nodes"] if n["label"] == label]
        graph.write(
            f"UNWIND $rows AS row CREATE (n:{label}) SET n = row.props, n._backup = row.id", {"rows": rows}
        )
    for rel in {r["type"] for r in backup["rels"]}:
        assert rel in REL_BY_TYPE
        rows = [r for r in backup["rels"] if r["type"] == rel]
        graph.write(
            f"UNWIND $rows AS row MATCH (a {{_backup: row.a}}), (b {{_backup: row.b}}) "
            f"CREATE (a)-[r:{rel}]->(b) SET r = row.props",
            {"rows": rows},
        )
    graph.write("MATCH (n) REMOVE n._backup")


def test_a_restored_older_backup_is_brought_up_to_the_store(tmp_path: Path, graph, data, capsys) -> None:
    """Simulation of a restore: the graph after run 1 is read back in full (every node and edge
    with its properties, the ``IngestRun`` node included), run 2 adds a day of events, then the
    graph is emptied and the run-1 copy written back, as restoring that backup would."""
    tables = base_tables()
    day1 = {**tables, "requests": [r for r in tables["requests"] if r["ts"] < "2026-02-11"]}
    assert _cli(["ingest", str(write_bundle(tmp_path / "d1", day1)), "--no-progress", "--ttl", "0"]) == 0
    backup = _backup(graph)
    day2 = str(write_bundle(tmp_path / "d2", tables))
    assert _cli(["ingest", day2, "--no-progress", "--ttl", "0"]) == 0
    current = snapshot(graph)
    _restore(graph, backup)
    assert snapshot(graph) != current  # the restored graph lacks day 2
    capsys.readouterr()
    assert _cli(["ingest", day2, "--no-progress", "--ttl", "0"]) == 0
    out = _text(capsys.readouterr().out)
    assert "rebuilt:" in out and "restored from an older backup" in out
    assert snapshot(graph) == current


@pytest.mark.slow
def test_pointing_at_a_new_server_rebuilds_it_from_the_store(
    tmp_path: Path, graph, data, capsys, monkeypatch: pytest.MonkeyPatch, second_server: LocalServer
) -> None:
    bundle = str(write_bundle(tmp_path / "b", base_tables()))
    assert _cli(["ingest", bundle, "--no-progress", "--ttl", "0"]) == 0
    full = snapshot(graph)
    monkeypatch.setenv("NEO4J_URI", second_server.bolt_uri)
    monkeypatch.setenv("NEO4J_PASSWORD", second_server.read_password())
    with connect() as other:
        apply_schema(other)  # what `hydrascope db start` does for a new local server
        capsys.readouterr()
        assert _cli(["ingest", bundle, "--no-progress", "--ttl", "0"]) == 0
        out = _text(capsys.readouterr().out)
        assert "rebuilt:" in out and "a new or replaced server" in out
        assert snapshot(other) == full
        assert _behaviour(other) > 0
