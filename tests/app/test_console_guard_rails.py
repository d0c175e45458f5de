"""The app's ad-hoc console (Queries page) against the tricks of issue 12, through AppTest.

The page calls the same runner as ``hydrascope query --cypher``; these tests check that what the
analyst sees is a clear refusal (``st.error``), never a file's content, a fetched page, another
session's transaction or a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from hydrascope.db import Graph

APP = str(Path(__file__).resolve().parents[2] / "app.py")
pytestmark = pytest.mark.neo4j


def run_console(cypher: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("hydrascope/ui/pages/queries.py")
    at.run()
    at.text_area(key="adhoc_cypher").set_value(cypher)
    return at.button(key="adhoc_run").click().run()


def shown(at: AppTest) -> str:
    """Everything the page shows: messages, captions, tables and code."""
    parts = [e.value for e in at.error] + [w.value for w in at.warning] + [c.value for c in at.caption]
    parts += [df.value.to_string() for df in at.dataframe] + [c.value for c in at.code]
    return "\n".join(str(p) for p in parts)


ATTEMPTS = {
    "load_csv_file_behind_backtick": (
        "WITH 1 AS x // `\nLOAD CSV FROM 'file:///etc/passwd' AS line RETURN line // `",
        "LOAD CSV",
    ),
    "load_csv_url_behind_quote": (
        "WITH 1 AS x // '\nLOAD CSV FROM 'http://127.0.0.1:8501/_stcore/health' AS l RETURN l // '",
        "LOAD CSV",
    ),
    "terminate_behind_block_comment": (
        "/* ` */ TERMINATE TRANSACTIONS 'neo4j-transaction-1' // `",
        "TERMINATE",
    ),
    "show_transactions": ("SHOW TRANSACTIONS", "SHOW"),
    "show_settings": ("SHOW SETTINGS", "SHOW"),
    "list_config": ("CALL dbms.listConfig()", "dbms.listConfig"),
    "query_collection": ("CALL db.stats.retrieve('QUERIES')", "db.stats.retrieve"),
}


@pytest.mark.parametrize(("cypher", "named"), list(ATTEMPTS.values()), ids=list(ATTEMPTS))
def test_the_console_page_refuses_reaching_outside_the_graph(world: Graph, cypher: str, named: str) -> None:
    at = run_console(cypher)
    assert not at.exception, [e.value for e in at.exception]
    (error,) = at.error
    assert "refused" in error.value and named in error.value
    page = shown(at)
    assert "root:" not in page and "neo4j-transaction" not in page.replace(cypher, "")
    assert "allow_csv_import" not in page and not at.dataframe


def test_a_deep_result_is_a_message_on_the_page_not_a_traceback(world: Graph) -> None:
    at = run_console("RETURN reduce(l = [], i IN range(1, 3000) | [l]) AS deep")
    assert not at.exception, [e.value for e in at.exception]
    (error,) = at.error
    assert "levels deep" in error.value


def test_a_huge_value_is_shortened_on_the_page(world: Graph) -> None:
    at = run_console("RETURN range(1, 200000) AS big")
    assert not at.exception and not at.error
    (cell,) = at.dataframe[0].value["big"]
    assert cell.endswith("(200,000 items in all)") and len(cell) < 3_000


def test_a_cartesian_product_with_limit_1_is_refused_on_the_page(world: Graph) -> None:
    world.write("UNWIND range(1, 1000) AS i CREATE (:CostProbe {i: i})")
    try:
        at = run_console("MATCH (a), (b), (c) RETURN a, b, c LIMIT 1")
    finally:
        world.write("MATCH (n:CostProbe) DELETE n")
    assert not at.exception
    (error,) = at.error
    assert "estimates" in error.value and "--force" in error.value
