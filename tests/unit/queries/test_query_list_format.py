"""``hydrascope query --list --format json|csv``: the library listing for tools (no database)."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from hydrascope.cli.query import query
from queries.library import list_queries


def test_list_as_json_is_the_whole_library_as_data() -> None:
    result = CliRunner().invoke(query, ["--list", "--format", "json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)  # nothing but JSON on stdout
    assert [q["id"] for q in listed] == [spec.id for spec in list_queries()]
    by_id = {q["id"]: q for q in listed}
    regrowth = by_id["regrowth_after_ban"]
    hours = next(p for p in regrowth["parameters"] if p["name"] == "hours")
    spec = next(s for s in list_queries() if s.id == "regrowth_after_ban")
    assert hours["type"] == spec.param("hours").type and hours["default"] == spec.param("hours").default
    assert regrowth["sections"][0] == "table" and regrowth["category"] == spec.category
    assert set(regrowth) >= {"id", "title", "category", "description", "revision", "parameters", "sections"}


def test_list_json_honours_the_category() -> None:
    category = list_queries()[0].category
    result = CliRunner().invoke(query, ["--list", "--category", category, "--format", "json"])
    listed = json.loads(result.stdout)
    assert listed and {q["category"] for q in listed} == {category}
    assert len(listed) < len(list_queries())


def test_list_as_csv_has_one_row_per_query() -> None:
    result = CliRunner().invoke(query, ["--list", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["id"] for r in rows] == [spec.id for spec in list_queries()]
    assert all(r["sections"].split()[0] == "table" for r in rows)
