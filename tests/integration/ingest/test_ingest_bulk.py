"""Issue #14: ``hydrascope ingest --bulk``, the first load through Neo4j's offline importer.

The bulk path must build the graph the batched MERGE path builds (every node, relationship and
property, compared as snapshots), leave the schema and the run's bookkeeping as a normal run
does (so the next incremental run carries on from it), and refuse the databases it would harm.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from bundle_kit import Runner, base_tables, snapshot, write_bundle

from hydrascope.cli import main
from hydrascope.db import Graph, connect
from hydrascope.db.local import LocalServer
from hydrascope.errors import InputError
from hydrascope.schema.model import LEASE
from ingest.bulk import BulkTarget, write_import_files
from ingest.image import GraphImage

simulate = pytest.importorskip("hydrascope.simulate")
pytestmark = pytest.mark.neo4j


def _local(graph: Graph, server: LocalServer) -> Graph:
    """A driver to ``server`` that knows it is a local server (bulk loads need that)."""
    settings = replace(graph.settings, uri=server.bolt_uri, password=server.read_password(), local=True)
    return connect(settings)


def _schema(graph: Graph) -> tuple[int, int]:
    constraints = graph.read("SHOW CONSTRAINTS YIELD name RETURN count(*) AS n")[0]["n"]
    indexes = graph.read("SHOW INDEXES YIELD name RETURN count(*) AS n")[0]["n"]
    return int(constraints), int(indexes)


@pytest.mark.slow
def test_a_bulk_load_of_tiny_equals_the_merge_path_and_carries_on_incrementally(
    tmp_path: Path, graph: Graph, second_server: LocalServer
) -> None:
    bundle = tmp_path / "tiny"
    simulate.generate("tiny", bundle, scale=0.5, seed=3)  # half of tiny: the suite stays fast
    merged = Runner(tmp_path / "merge", graph)(bundle)
    assert merged.ok, merged.problems
    expected = snapshot(graph)

    with _local(graph, second_server) as other:
        bulk = BulkTarget(second_server, tmp_path / "bulk-work")
        runner = Runner(tmp_path / "bulk", other)
        loaded = runner(bundle, bulk=bulk)
        assert loaded.ok, loaded.problems
        assert loaded.bulk is not None
        nodes, rels = expected
        # the importer's own counts: every node but the run node, every relationship
        assert loaded.bulk["nodes"] == len(nodes) and loaded.bulk["relationships"] == len(rels)
        assert snapshot(other) == expected
        assert _schema(other) == _schema(graph)
        assert other.read("MATCH (r:IngestRun) RETURN count(r) AS n")[0]["n"] == 1
        assert other.read(f"MATCH (l:{LEASE.label}) RETURN count(l) AS n")[0]["n"] == 0  # released
        assert not (tmp_path / "bulk-work" / "files").exists()  # the import files are removed

        # the next run is incremental: nothing rebuilt, nothing new, the same graph
        again = runner(bundle)
        assert again.ok and again.rebuilt is None
        assert again.table("requests").loaded == 0
        assert snapshot(other) == expected


def test_bulk_is_refused_for_a_database_that_holds_data(
    tmp_path: Path, graph: Graph, ingest_runner: Runner
) -> None:
    bundle = write_bundle(tmp_path / "b", base_tables())
    assert ingest_runner(bundle).ok
    before = snapshot(graph)
    work = tmp_path / "work"
    with pytest.raises(InputError, match=r"needs an empty database .* db reset --yes"):
        ingest_runner(bundle, bulk=BulkTarget(LocalServer(), work))
    assert snapshot(graph) == before
    assert not work.exists()  # refused before anything was staged


def test_bulk_is_refused_for_a_remote_server(tmp_path: Path, graph: Graph) -> None:
    bundle = write_bundle(tmp_path / "b", base_tables())
    remote = connect(replace(graph.settings, local=False))  # the same server, seen as remote
    try:
        with pytest.raises(InputError, match=r"remote server.*dump/load.*upload"):
            Runner(tmp_path / "run", remote)(bundle, bulk=BulkTarget(LocalServer(), tmp_path / "work"))
    finally:
        remote.close()
    assert graph.read("MATCH (a:Account) RETURN count(a) AS n")[0]["n"] == 0


@pytest.mark.parametrize("extra", [["--dry-run"], ["--watch"]])
def test_bulk_cli_refuses_dry_runs_and_watches(tmp_path: Path, extra: list[str], capsys) -> None:
    bundle = str(write_bundle(tmp_path / "b", base_tables()))
    args = ["ingest", "--bulk", *extra, bundle, "--no-progress"]
    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == 2
    assert "--bulk is a one-off first load" in capsys.readouterr().err


def test_import_files_carry_types_provenance_and_multiline_strings(tmp_path: Path) -> None:
    tables = base_tables()
    tables["ip_intel"][1]["as_org"] = "Example\nISP"  # free text keeps its line break
    bundle = write_bundle(tmp_path / "b", tables)
    image = GraphImage()
    report = Runner(tmp_path / "run", None)(bundle, image=image)
    assert report.ok
    files = write_import_files(image, 42, tmp_path / "files")
    by_name = {f.name: f for f in files.nodes}
    header = pacsv.read_csv(by_name["Account"].path).column_names
    assert header[:2] == [":ID(Account)", "account_id:string"]
    assert "created_at:datetime" in header and "firstseen:long" in header
    body = by_name["Account"].path.read_text()
    assert ",42,42" in body  # the update tag as firstseen and lastupdated
    assert sum(f.rows for f in files.nodes) == sum(len(v) for v in image.nodes.values())
    assert all(f.path.exists() for f in files.relationships)
    assert files.multiline  # so the importer is told to read quoted line breaks
    written = {
        name: pacsv.read_csv(f.path, parse_options=pacsv.ParseOptions(newlines_in_values=True))
        for name, f in by_name.items()
    }
    strings = {
        v for t in written.values() for c in t.columns if pa.types.is_string(c.type) for v in c.to_pylist()
    }
    assert "Example\nISP" in strings
