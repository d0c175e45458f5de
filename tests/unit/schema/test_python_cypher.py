"""Every Cypher string in the Python code names only labels, relationship types and properties
the model declares, checked as the query library is (``hydrascope.schema.check``)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from hydrascope.schema.check import PLACEHOLDER, cypher_strings, model_violations, python_cypher

ROOT = Path(__file__).resolve().parents[3]
# the product's code and the benchmarks; tests hold deliberately wrong Cypher of their own
FOLDERS = ("hydrascope", "ingest", "queries", "app.py", "bench")
FOUND = python_cypher(ROOT, FOLDERS)


def _where(c) -> str:
    return f"{c.path.relative_to(ROOT)}:{c.line}"


def test_every_cypher_string_in_the_python_code_uses_only_model_names() -> None:
    problems = [(_where(c), v) for c in FOUND if (v := model_violations(c.text))]
    assert problems == []


def test_the_strings_the_issue_names_are_found_and_rendered() -> None:
    by_file: dict[str, list[str]] = {}
    for c in FOUND:
        by_file.setdefault(str(c.path.relative_to(ROOT)), []).append(c.text)
    for name in (
        "hydrascope/jobs/detect.py",
        "hydrascope/jobs/snapshot.py",
        "ingest/run.py",
        "ingest/sources/accounts.py",
        "ingest/identity.py",
    ):
        assert by_file.get(name), name
    # the app's read layer, split by page concern (hydrascope/ui/data/)
    app_reads = sum(len(texts) for name, texts in by_file.items() if name.startswith("hydrascope/ui/data/"))
    assert app_reads >= 25
    assert len(FOUND) >= 90
    # constants rendered as sent: the labels are the model's, not placeholders
    snapshot = " ".join(by_file["hydrascope/jobs/snapshot.py"])
    assert "MATCH (a:Account) RETURN a.account_id AS account_id" in snapshot
    # a loop over constant node types gives one text per type
    triaged = [t for t in by_file["hydrascope/ui/data/labels.py"] if "n.triage_label IS NOT NULL" in t]
    assert any("(n:Cluster)" in t for t in triaged) and any("(n:Account)" in t for t in triaged)
    # prose that mentions MERGE is not Cypher; docstrings are skipped
    assert not any(t.lstrip().startswith("<!--") for t in by_file.get("hydrascope/cli/schema.py", []))


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A throwaway package whose module writes Cypher the ways the project does."""
    pkg = tmp_path / "cyphercheck_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "mod.py").write_text(
        textwrap.dedent(
            '''
            """A module with Cypher: MERGE in a docstring is prose."""
            from hydrascope.schema import model as m

            GOOD = f"MATCH (a:{m.ACCOUNT.label}) RETURN a.{m.ACCOUNT.key} AS id, a.status AS status"
            BAD_PROP = f"MATCH (a:{m.ACCOUNT.label})-[r:{m.SENT.type}]->(t) RETURN a.colour, r.score"
            BAD_LABEL = "MATCH (a:Acount) RETURN a"
            BAD_KEY = "UNWIND $rows AS row MATCH (a:Account {acct: row.key}) SET a.status = row.status"


            def built(kind: str) -> str:
                also = "n.email" if kind else "n.nmae"
                return f"MATCH (n:{kind}) RETURN {also} AS also, n.{kind} AS x"


            def looped() -> list[str]:
                return [f"MATCH (n:{node.label}) RETURN n.org_id" for node in (m.ACCOUNT, m.CLUSTER)]
            '''
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_the_check_catches_a_wrong_name_in_python_code(package: Path) -> None:
    found = list(cypher_strings(package / "cyphercheck_pkg" / "mod.py", package))
    by_text = {c.text: model_violations(c.text) for c in found}
    assert by_text["MATCH (a:Account) RETURN a.account_id AS id, a.status AS status"] == []
    assert by_text["MATCH (a:Account)-[r:SENT]->(t) RETURN a.colour, r.score"] == ["a.colour", "r.score"]
    assert by_text["MATCH (a:Acount) RETURN a"] == ["label Acount"]
    assert by_text["UNWIND $rows AS row MATCH (a:Account {acct: row.key}) SET a.status = row.status"] == [
        "Account.acct"
    ]
    # a runtime label is a placeholder (it names nothing); a local string's branches are checked
    built = next(t for t in by_text if "AS also" in t)
    assert PLACEHOLDER in built and by_text[built] == ["n.nmae"]
    # one text per value of a loop over model constants: org_id is an Account's, not a Cluster's
    assert by_text["MATCH (n:Account) RETURN n.org_id"] == []
    assert by_text["MATCH (n:Cluster) RETURN n.org_id"] == ["n.org_id"]
    assert not any("docstring" in t for t in by_text)
