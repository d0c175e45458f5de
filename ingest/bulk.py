"""The first load through Neo4j's offline importer (``hydrascope ingest --bulk``).

Why: a first load of the public campaign through batched MERGE spends most of its time in graph
writes (``bench/results/ingest.md``); ``neo4j-admin database import full`` writes the store files
directly, an order of magnitude faster, but only into a stopped server's empty database.

How: the run is an ordinary ingest (readers, validation, rejects, event store, DuckDB
aggregation, the source modules' transforms) whose writes land in a ``GraphImage`` (the writer the
direct snapshot uses, with the generated statements' MERGE semantics). The image becomes one CSV
file per label and relationship type, with the model's types in the headers and the run's update
tag as provenance; the local server is stopped, the importer (already on its classpath: the
``neo4j`` artifact pulls in ``neo4j-import-tool``) replaces the empty database, the server starts
again, and the schema's constraints and indexes are applied after (Community's importer cannot
create them). What a normal run keeps outside the image (the ``IngestRun`` node, watermarks, the
store's sync record, values the server computes such as ``EmailDomain.accounts``) is written
through Bolt afterwards, so the next incremental run carries on from a bulk load as from any run.

Refused: a remote server (its store files are not ours to replace: import into a local Neo4j,
then ``neo4j-admin database dump`` / ``upload``), and a database holding anything but the writer
lease (the importer would erase it).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from hydrascope.db import Graph
from hydrascope.db.local import LocalServer
from hydrascope.errors import ConfigError, InputError
from hydrascope.schema.model import LEASE, NODES, RELATIONSHIPS, NodeType, PropertyType, RelType
from ingest.image import GraphImage

# The importer's column types for the model's property types (times travel as ISO instants).
_HEADER_TYPES: dict[PropertyType, str] = {
    "string": "string",
    "integer": "long",
    "float": "double",
    "boolean": "boolean",
    "datetime": "datetime",
    "list<string>": "string[]",
    "list<integer>": "long[]",
}
_ARROW_TYPES: dict[PropertyType, pa.DataType] = {
    "string": pa.string(),
    "integer": pa.int64(),
    "float": pa.float64(),
    "boolean": pa.bool_(),
}
ARRAY_DELIMITER = ";"
_DONE = re.compile(r"IMPORT DONE in (?P<took>.+?)\.")
_IMPORTED = re.compile(r"^\s*(?P<n>\d+) (?P<what>nodes|relationships|properties)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class ImportFile:
    """One CSV file for the importer: ``Label=path`` or ``TYPE=path`` and its row count."""

    name: str
    path: Path
    rows: int


@dataclass
class ImportFiles:
    nodes: list[ImportFile] = field(default_factory=list)
    relationships: list[ImportFile] = field(default_factory=list)
    multiline: bool = False  # some string holds a line break: the importer must be told

    @property
    def node_rows(self) -> int:
        return sum(f.rows for f in self.nodes)

    @property
    def relationship_rows(self) -> int:
        return sum(f.rows for f in self.relationships)


@dataclass(frozen=True)
class ImportResult:
    nodes: int
    relationships: int
    properties: int
    seconds: float  # the importer's own run
    log: Path
    files_seconds: float = 0.0  # writing the import files
    server_seconds: float = 0.0  # stopping and starting the server around the import


@dataclass(frozen=True)
class BulkTarget:
    """The local server whose database the importer replaces, and where the files go."""

    server: LocalServer
    work_dir: Path
    heap: str = field(default_factory=lambda: os.environ.get("HYDRASCOPE_IMPORT_HEAP", "2g"))
    keep_files: bool = False


# ----------------------------------------------------------------------------------- refusals
def refusal(graph: Graph) -> str | None:
    """Why a bulk load cannot go into ``graph`` (None: it can)."""
    if not graph.settings.local:
        return (
            f"--bulk replaces the store files of a server this machine runs, and {graph.settings.uri} "
            "is a remote server: ingest without --bulk (batched writes over Bolt), or bulk-load into "
            "the local Neo4j (unset NEO4J_URI) and move the database with neo4j-admin database "
            "dump/load (Aura: neo4j-admin database upload)"
        )
    rows = graph.read(
        f"MATCH (n) WHERE NOT n:{LEASE.label} RETURN count(n) AS n, "
        "collect(DISTINCT head(labels(n)))[..5] AS labels"
    )
    held = int(rows[0]["n"]) if rows else 0
    if held:
        labels = ", ".join(rows[0]["labels"])
        return (
            f"--bulk needs an empty database (the importer erases it) and this one holds {held:,} "
            f"nodes ({labels}): ingest without --bulk to add to it, or empty it first with "
            "`hydrascope db reset --yes`"
        )
    return None


# ----------------------------------------------------------------------------------- files
def _column(values: Sequence[Any], kind: PropertyType) -> pa.Array:
    """One property column as the importer reads it (None: the row has no such property)."""
    if kind == "datetime":
        return _iso(pa.array(values, type=pa.int64()))
    if kind.startswith("list<"):
        return pa.array(
            [None if v is None else ARRAY_DELIMITER.join(str(x) for x in v) for v in values], pa.string()
        )
    return pa.array(values, type=_ARROW_TYPES[kind])


def _header(name: str, kind: PropertyType) -> str:
    return f"{name}:{_HEADER_TYPES[kind]}"


def _provenance(rows: int, tag: int) -> dict[str, pa.Array]:
    column = pa.array([tag] * rows, type=pa.int64())
    return {"firstseen:long": column, "lastupdated:long": column}


def _id_space(node: NodeType) -> str:
    return node.label


def _ids(values: Sequence[Any] | pa.Array) -> pa.Array:
    """Keys as the importer's string ids (the typed key is a property column of its own)."""
    array = values if isinstance(values, pa.Array | pa.ChunkedArray) else pa.array(values)
    return pc.cast(array, pa.string())


def _has_line_break(table: pa.Table) -> bool:
    for column in table.columns:
        if pa.types.is_string(column.type) and pc.any(pc.match_substring_regex(column, r"[\r\n]")).as_py():
            return True
    return False


def _write(table: pa.Table, path: Path) -> None:
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))


def node_table(node: NodeType, entries: Mapping[Any, Mapping[str, Any]], tag: int) -> pa.Table:
    """The nodes of one label: id, typed key, every declared property some node has, provenance."""
    keys = list(entries)
    columns: dict[str, pa.Array] = {f":ID({_id_space(node)})": _ids(keys)}
    columns[_header(node.key, node.key_type)] = _column(keys, node.key_type)
    props = [entries[k] for k in keys]
    for prop in node.properties:
        values = [p.get(prop.name) for p in props]
        if any(v is not None for v in values):
            columns[_header(prop.name, prop.type)] = _column(values, prop.type)
    columns.update(_provenance(len(keys), tag))
    return pa.table(columns)


def _frame_column(series: pd.Series, kind: PropertyType) -> pa.Array:
    """``_column`` for a frame column, vectorised (a relationship type has millions of rows):
    None and NaN are "never set"; integers and times that pandas holds as floats (a column with
    gaps) are cast back exactly."""
    array = pa.array(series, from_pandas=True)
    if kind in ("integer", "datetime"):
        array = array.cast(pa.int64())
        return _iso(array) if kind == "datetime" else array
    if kind.startswith("list<"):
        return _column(array.to_pylist(), kind)
    return array.cast(_ARROW_TYPES[kind])


def _iso(millis: pa.Array) -> pa.Array:
    """Epoch milliseconds as the importer's ISO datetimes (``2026-01-05T10:00:00.000Z``): a naive
    timestamp's string with a ``T`` and a ``Z`` is three times faster than ``strftime`` in UTC."""
    text = pc.replace_substring(millis.cast(pa.timestamp("ms")).cast(pa.string()), " ", "T")
    return pc.binary_join_element_wise(text, pa.scalar("Z"), "")


def relationship_table(rel: RelType, image: GraphImage, tag: int) -> pa.Table:
    """The relationships of one type, folded as the MERGE path folds them (one per pair)."""
    frame = image.relationships(rel)
    columns: dict[str, pa.Array] = {
        f":START_ID({_id_space(rel.start)})": _ids(pa.array(frame["start"], from_pandas=True)),
        f":END_ID({_id_space(rel.end)})": _ids(pa.array(frame["end"], from_pandas=True)),
    }
    for prop in rel.properties:
        array = _frame_column(frame[prop.name], prop.type)
        if array.null_count < len(array):
            columns[_header(prop.name, prop.type)] = array
    columns.update(_provenance(len(frame), tag))
    return pa.table(columns)


def write_import_files(image: GraphImage, tag: int, directory: Path) -> ImportFiles:
    """One CSV per label and per relationship type of ``image`` (labels the run never wrote, and
    types without rows, get none)."""
    directory.mkdir(parents=True, exist_ok=True)
    files = ImportFiles()

    def add(into: list[ImportFile], name: str, table: pa.Table, path: Path) -> None:
        _write(table, path)
        files.multiline |= _has_line_break(table)
        into.append(ImportFile(name, path, table.num_rows))

    for node in NODES:
        if entries := image.nodes.get(node.label):
            table = node_table(node, entries, tag)
            add(files.nodes, node.label, table, directory / f"nodes-{node.label}.csv")
    for rel in RELATIONSHIPS:
        if image.rel_parts.get(rel.type):
            table = relationship_table(rel, image, tag)
            add(files.relationships, rel.type, table, directory / f"rels-{rel.type}.csv")
    return files


# ----------------------------------------------------------------------------------- import
def import_command(target: BulkTarget, files: ImportFiles, database: str) -> list[str]:
    java = shutil.which("java")
    if java is None:
        raise ConfigError("Java is not installed: the offline importer needs Java 17 or newer")
    return [
        java,
        f"-Xmx{target.heap}",
        "-cp",
        target.server.launcher_classpath(),
        "org.neo4j.cli.AdminTool",
        "database",
        "import",
        "full",
        *(f"--nodes={f.name}={f.path}" for f in files.nodes),
        *(f"--relationships={f.name}={f.path}" for f in files.relationships),
        f"--array-delimiter={ARRAY_DELIMITER}",
        f"--multiline-fields={'true' if files.multiline else 'false'}",
        "--bad-tolerance=0",
        f"--report-file={target.work_dir / 'import.report'}",
        "--overwrite-destination=true",
        database,
    ]


def run_importer(target: BulkTarget, files: ImportFiles, database: str = "neo4j") -> ImportResult:
    """Run the offline importer into the (stopped) local server's home; raise with the tail of its
    output if it fails."""
    log = target.work_dir / "import.log"
    began = time.perf_counter()
    env = {**os.environ, "NEO4J_HOME": str(target.server.data_home)}
    with log.open("w") as out:
        proc = subprocess.run(
            import_command(target, files, database),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            check=False,
        )
    text = log.read_text(errors="replace")
    if proc.returncode != 0 or not _DONE.search(text):
        tail = "\n".join([line for line in text.splitlines() if not line.startswith(".")][-15:])
        raise InputError(f"the offline import failed (exit {proc.returncode}); see {log}:\n{tail}")
    counts = {m["what"]: int(m["n"]) for m in _IMPORTED.finditer(text)}
    return ImportResult(
        counts.get("nodes", 0),
        counts.get("relationships", 0),
        counts.get("properties", 0),
        time.perf_counter() - began,
        log,
    )


def load_image(target: BulkTarget, image: GraphImage, tag: int, database: str = "neo4j") -> ImportResult:
    """Files from ``image``, the server stopped, the import, the server started again. The server
    is started again whatever happened, so a failed import leaves it running (on the store the
    importer left, which is empty or the previous one)."""
    began = time.perf_counter()
    files = write_import_files(image, tag, target.work_dir / "files")
    files_seconds = time.perf_counter() - began
    target.server.stop()
    try:
        result = run_importer(target, files, database)
    finally:
        target.server.start()
    server_seconds = time.perf_counter() - began - files_seconds - result.seconds
    result = replace(result, files_seconds=files_seconds, server_seconds=server_seconds)
    if result.nodes != files.node_rows or result.relationships != files.relationship_rows:
        raise InputError(
            f"the importer wrote {result.nodes:,} nodes and {result.relationships:,} relationships, "
            f"the files hold {files.node_rows:,} and {files.relationship_rows:,}; see {result.log}"
        )
    if not target.keep_files:
        shutil.rmtree(target.work_dir / "files", ignore_errors=True)
    return result
