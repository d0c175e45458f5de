"""Cleanup Cypher is generated in one place, ``hydrascope.schema.cypher``, from the model."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from hydrascope.jobs import detect as detect_job
from hydrascope.schema import cypher
from hydrascope.schema.check import python_files
from hydrascope.schema.model import ASN, CAMPAIGN, CLUSTER, PAID_WITH, SENT
from ingest import load

ROOT = Path(__file__).resolve().parents[3]
# resetting the whole database is not cleanup (and the benchmarks reset their throwaway servers)
RESETS = {"hydrascope/db/schema_apply.py", "bench/bench_ingest.py"}
# not a cleanup: releasing the writer lease deletes its own node (one, by its token)
LEASE = {"hydrascope/db/lease.py"}


def _writes_delete(path: Path) -> bool:
    """Whether a string literal of the file's code (docstrings aside) deletes in Cypher
    (``DELETE r``, ``DETACH DELETE n``: a clause on a variable, not SQL's ``DELETE FROM`` nor a
    list of keywords)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(n.body[0].value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef)
        and n.body
        and isinstance(n.body[0], ast.Expr)
    }
    return any(
        isinstance(n, ast.Constant)
        and isinstance(n.value, str)
        and id(n) not in docstrings
        and re.search(r"\bDELETE\s+(?!FROM\b)[a-z]\w*", n.value)
        for n in ast.walk(tree)
    )


def test_no_module_but_the_schema_writes_a_delete() -> None:
    deleting = {
        str(path.relative_to(ROOT))
        for path in python_files(ROOT, ("hydrascope", "ingest", "queries", "app.py", "bench"))
        if _writes_delete(path)
    }
    # the schema composes its deletes from parts (DELETE or DETACH DELETE, per statement)
    assert deleting <= RESETS | LEASE
    assert "DETACH DELETE" in (ROOT / "hydrascope/schema/cypher.py").read_text(encoding="utf-8")
    # and the old copies are gone (their own identifier check too)
    assert not hasattr(load, "ident") or load.ident is cypher.ident


def test_stale_and_aged_statements() -> None:
    batched = "IN TRANSACTIONS OF 10000 ROWS"
    assert cypher.stale_relationships(SENT) == (
        f"MATCH ()-[r:SENT]->() WHERE r.lastupdated < $update_tag CALL (r) {{ DELETE r }} {batched}"
    )
    # reference data: only orphans, and never DETACH (a node still in use stays)
    assert cypher.stale_nodes(ASN, orphans_only=True) == (
        f"MATCH (n:ASN) WHERE n.lastupdated < $update_tag AND NOT (n)--() CALL (n) {{ DELETE n }} {batched}"
    )
    assert cypher.stale_nodes(CAMPAIGN) == (
        f"MATCH (n:Campaign) WHERE n.lastupdated < $update_tag CALL (n) {{ DETACH DELETE n }} {batched}"
    )
    assert cypher.aged_relationships(SENT) == (
        f"MATCH ()-[r:SENT]->() WHERE r.last_seen < $cutoff CALL (r) {{ DELETE r }} {batched}"
    )
    assert "count(r) AS total" in cypher.count_aged_relationships(SENT)


def test_triaged_clusters_are_kept_and_retired_not_deleted() -> None:
    assert "n.triage_label IS NULL CALL (n) { DETACH DELETE n }" in cypher.stale_nodes(
        CLUSTER, kept_if=("triage_label",)
    )
    retire = cypher.retire_stale_nodes(CLUSTER, ("triage_label",), ("flagged", "size"))
    assert retire == (
        "MATCH (n:Cluster) WHERE n.lastupdated < $update_tag AND n.triage_label IS NOT NULL SET n += $retired"
    )
    # detection's cleanup is these statements, not copies
    assert cypher.stale_nodes(CLUSTER, kept_if=("triage_label",)) == detect_job.STALE_CLUSTERS
    assert cypher.stale_nodes(CAMPAIGN) == detect_job.STALE_CAMPAIGNS
    assert retire == detect_job.VANISHED_TRIAGED and detect_job.RETIRED == {"flagged": False, "size": 0}


def test_names_outside_the_model_are_refused() -> None:
    with pytest.raises(ValueError, match="declare them"):
        cypher.stale_nodes(CLUSTER, kept_if=("triage",))
    with pytest.raises(ValueError, match="declare them"):
        cypher.retire_stale_nodes(CLUSTER, ("triage_label",), ("colour",))
    with pytest.raises(ValueError, match="declare them"):
        cypher.aged_relationships(PAID_WITH)  # no last_seen: it never ages out
