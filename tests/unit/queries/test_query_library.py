"""The query library without a database: headers, sections, model names, coercion, docs, guards."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hydrascope.errors import InputError, WriteRefused
from hydrascope.schema.check import model_violations
from queries.docs import DOCS_PATH, render_markdown
from queries.lexer import tokenize
from queries.library import (
    CATEGORIES,
    QueryFileError,
    QuerySpec,
    coerce_value,
    get_query,
    list_queries,
    parse_assignments,
    parse_query_text,
    query_files,
)
from queries.runner import _bounded, _limits_lifted, check_read_only_text

SPECS = list_queries()

# ------------------------------------------------------------------------------ every real file


def test_library_is_complete_and_ids_are_unique() -> None:
    assert len(SPECS) >= 25
    assert len({s.id for s in SPECS}) == len(SPECS) == len(query_files())
    assert {s.category for s in SPECS} == set(CATEGORIES)


@pytest.mark.parametrize("spec", SPECS, ids=[s.id for s in SPECS])
def test_header_and_sections_are_valid(spec: QuerySpec) -> None:
    assert spec.id == spec.path.stem and spec.category in CATEGORIES and spec.revision >= 1
    assert spec.title and len(spec.description) > 60
    assert spec.has_section("table")
    for _, cypher in spec.sections:
        assert re.search(r"LIMIT\s+(\$limit|\d+)\s*$", cypher), "a section must end in LIMIT"
        check_read_only_text(cypher)  # the library itself passes the console's own read-only rules
    for p in spec.params:
        if p.choices and not p.required and p.default is not None:
            assert p.default in p.choices


# The checker is shared with the test of the Python code's Cypher (tests/unit/schema/test_python_cypher.py).
_model_violations = model_violations


@pytest.mark.parametrize("spec", SPECS, ids=[s.id for s in SPECS])
def test_queries_use_only_names_from_the_model(spec: QuerySpec) -> None:
    texts = [c for _, c in spec.sections] + [p.suggest for p in spec.params if p.suggest]
    assert [v for text in texts for v in _model_violations(text)] == []


def test_the_model_check_catches_mistakes() -> None:
    assert _model_violations("MATCH (a:Acount)-[:PAYS_WITH]->(p:PaymentInstrument) RETURN p.pan LIMIT 1") == [
        "label Acount",
        "relationship type PAYS_WITH",
        "p.pan",
    ]
    assert _model_violations("MATCH (a:Account {acct: $x})-[r:SENT]->() RETURN r.score LIMIT 1") == [
        "Account.acct",
        "r.score",
    ]


def test_docs_are_in_sync_with_the_headers() -> None:
    assert DOCS_PATH.read_text(encoding="utf-8") == render_markdown(), "run `hydrascope query --docs`"
    for spec in SPECS:
        assert f"### {spec.id}" in render_markdown()


# ------------------------------------------------------------------------------- header parsing

GOOD = """// id: demo_query
// title: Demo
// category: payment
// revision: 2
// description: A demo query
//   on two lines.
// param: n integer = 3 | how many
// param: who string | the account
// param: kind string = card | kind
// choices: kind = card, bank
// suggest: who = MATCH (a:Account) RETURN a.account_id AS value LIMIT 5
// --- table
MATCH (a:Account {account_id: $who}) WHERE $n > 0 AND $kind <> ''
RETURN a.account_id LIMIT $limit;
// --- count
MATCH (a:Account) RETURN count(a) AS matched, count(a) AS total LIMIT 1;
"""


def parse(text: str, name: str = "demo_query") -> QuerySpec:
    return parse_query_text(text, Path(f"/x/{name}.cypher"))


def test_a_good_file_parses() -> None:
    spec = parse(GOOD)
    assert spec.description == "A demo query on two lines." and spec.revision == 2
    assert [s for s, _ in spec.sections] == ["table", "count"]
    assert spec.section("table").endswith("LIMIT $limit")
    n, who, kind = spec.params
    assert (n.default, n.required, who.required, kind.choices) == (3, False, True, ("card", "bank"))
    assert who.suggest and who.suggest.startswith("MATCH")
    assert spec.bind({"who": "h1", "n": "7"}) == {"n": 7, "who": "h1", "kind": "card"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("category: payment", "category: money"), "category"),
        (("id: demo_query", "id: other_query"), "file name"),
        (("RETURN a.account_id LIMIT $limit;", "RETURN a.account_id;"), "LIMIT"),
        (("WHERE $n > 0", "WHERE $m > 0"), "undeclared"),
        (
            (
                "// param: n integer = 3 | how many\n",
                "// param: n integer = 3 | how many\n// param: z float = 1 | z\n",
            ),
            "no section uses",
        ),
        (("// --- count", "// --- table"), "twice"),
        (("n integer = 3", "n int = 3"), "type"),
        (("n integer = 3", "n integer = three"), "default"),
        (("n integer = 3", "limit integer = 3"), "reserved"),
        (("kind string = card", "kind string = cash"), "choices"),
        (("// --- count", "// --- chart"), "unknown section"),
        (("// revision: 2\n", ""), "revision"),
        (("value LIMIT 5", "value"), "suggestion"),
        (("// title: Demo", "// owner: Demo"), "header line"),
    ],
)
def test_bad_files_are_refused_with_a_reason(change: tuple[str, str], message: str) -> None:
    old, new = change
    assert old in GOOD
    with pytest.raises(QueryFileError, match=message):
        parse(GOOD.replace(old, new, 1))


def test_bind_refuses_unknown_and_missing_parameters() -> None:
    spec = parse(GOOD)
    with pytest.raises(InputError, match="needs --param who"):
        spec.bind({})
    with pytest.raises(InputError, match="no parameter bogus"):
        spec.bind({"who": "h1", "bogus": "1"})
    with pytest.raises(InputError, match="one of card, bank"):
        spec.bind({"who": "h1", "kind": "cash"})


def test_unknown_query_gets_a_hint() -> None:
    with pytest.raises(InputError, match="did you mean ip_fan_in"):
        get_query("ip_fanin")
    with pytest.raises(InputError, match="unknown category"):
        list_queries("nope")


# ------------------------------------------------------------------------------------ coercion


@pytest.mark.parametrize(
    ("value", "type_", "expected"),
    [
        ("42", "integer", 42),
        ("1_000", "integer", 1000),
        ("0.25", "float", 0.25),
        ("yes", "boolean", True),
        ("false", "boolean", False),
        ("null", "integer", None),
        ("a, b,c", "list<string>", ["a", "b", "c"]),
        ('["x", "y"]', "list<string>", ["x", "y"]),
        ("2026-02-01T00:00:00Z", "datetime", datetime(2026, 2, 1, tzinfo=UTC)),
        ("2026-02-01T06:00", "datetime", datetime(2026, 2, 1, 6, tzinfo=UTC)),
        ("x' OR 1=1 //", "string", "x' OR 1=1 //"),
    ],
)
def test_coercion(value: str, type_: str, expected: object) -> None:
    assert coerce_value(value, type_) == expected


@pytest.mark.parametrize(
    ("value", "type_"),
    [("4.5", "integer"), ("nan", "float"), ("maybe", "boolean"), ("1st May", "datetime"), (True, "integer")],
)
def test_bad_values_are_refused(value: object, type_: str) -> None:
    with pytest.raises(InputError, match="must be"):
        coerce_value(value, type_, "p")


def test_assignments() -> None:
    assert parse_assignments(["a=1", "b=x=y", "c="]) == {"a": "1", "b": "x=y", "c": ""}
    with pytest.raises(InputError):
        parse_assignments(["novalue"])
    with pytest.raises(InputError, match="twice"):
        parse_assignments(["a=1", "a=2"])


# ---------------------------------------------------------------------------- the lexical guard


@pytest.mark.parametrize(
    "cypher",
    [
        "CREATE (n:Account {account_id: 'x'})",
        "MERGE (n:Account {account_id: 'x'}) RETURN n",
        "MATCH (n) DETACH DELETE n",
        "MATCH (n:Account) SET n.status = 'banned' RETURN n",
        "MATCH (n:Account) REMOVE n.status",
        "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10 ROWS",
        "MATCH (n) CALL { WITH n RETURN n.x AS x } IN TRANSACTIONS RETURN x",
        "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
        "load   csv with headers from 'https://example.com/x.csv' AS r RETURN r",
        "CREATE INDEX foo IF NOT EXISTS FOR (n:Account) ON (n.email)",
        "DROP CONSTRAINT account_account_id_unique",
        "MATCH (n) FOREACH (x IN [1] | SET n.a = x)",
        "CALL apoc.periodic.iterate('MATCH (n) RETURN n', 'DELETE n', {})",
        "CALL dbms.setConfigValue('x', 'y')",
        "MATCH (n) RETURN n; MATCH (m) RETURN m",
        "PROFILE MATCH (n) RETURN n",
        "USE system SHOW USERS",
        # Comments, strings and quoted names cannot hide a clause from the one-pass tokeniser.
        "WITH 1 AS x // `\nLOAD CSV FROM 'file:///etc/passwd' AS line RETURN line // `",
        "WITH 1 AS x // '\nLOAD CSV FROM 'file:///etc/passwd' AS line RETURN line // '",
        'WITH 1 AS x // "\nLOAD CSV FROM "file:///etc/passwd" AS line RETURN line // "',
        "WITH 1 AS x /* ` */ LOAD CSV FROM 'http://127.0.0.1:8501/' AS l RETURN l // `",
        "WITH 1 AS x // c\rLOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
        "WITH 1 AS x LOAD/**/CSV FROM 'file:///etc/passwd' AS line RETURN line",
        "WITH 1 AS x LIMIT 1LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
        "RETURN '\\\\' AS a LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l",
        "/* ` */ TERMINATE TRANSACTIONS 'neo4j-transaction-1' // `",
        "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
        "SHOW TRANSACTIONS",
        "SHOW SETTINGS",
        "SHOW PROCEDURES",
        "SHOW INDEXES",
        "show  /* x */ users",
        "CALL dbms.listConfig()",
        "CALL dbms.listConnections()",
        "CALL `dbms`.`killConnection`('bolt-1')",
        "CALL tx.setMetaData({a: 1})",
        "CALL db.clearQueryCaches()",
        "CALL db.stats.retrieve('GRAPH COUNTS')",
        "MATCH (n) CALL { USE system RETURN 1 AS x } RETURN x",
        "RETURN 'unterminated",
        "RETURN 1 /* unterminated",
        "RETURN `unterminated",
    ],
)
def test_writing_cypher_is_refused_before_it_is_sent(cypher: str) -> None:
    with pytest.raises((WriteRefused, InputError)):  # WriteRefused for clauses, InputError for shape
        check_read_only_text(cypher)


def test_write_clauses_raise_write_refused_naming_the_clause() -> None:
    with pytest.raises(WriteRefused, match="LOAD CSV"):
        check_read_only_text("LOAD CSV FROM 'file:///x' AS l RETURN l")


@pytest.mark.parametrize(
    "cypher",
    [
        "MATCH (a:Account) WHERE a.email CONTAINS 'create' RETURN a LIMIT 5",
        "MATCH (a:Account) RETURN a.account_id AS `set`, {delete: 1} AS m LIMIT 5",
        "MATCH (a:Account) // we never DELETE here\nRETURN a LIMIT 5",
        "RETURN $set AS x, 'MERGE; DELETE' AS y",
        "MATCH (k:Cluster) WHERE k.lifecycle = 'merged' RETURN k.cluster_id;",
        "CALL db.labels() YIELD label RETURN label",
        "CALL `db`.`schema`.visualization()",
        "RETURN 'it\\'s // not a comment' AS a, \"/* nor this */\" AS b, `show` AS c",
        "MATCH (n:Account) RETURN n.show, n.load, {terminate: 1} AS m, [x IN [1] | x] AS l",
    ],
)
def test_reads_that_mention_write_words_pass(cypher: str) -> None:
    check_read_only_text(cypher)


def test_the_tokeniser_sees_what_the_server_sees() -> None:
    words = [t.value for t in tokenize("RETURN 'a\\'b' // c\rAS `x``y` /* z */, $p")]
    assert words == ["RETURN", "a\\'b", "AS", "x`y", ",", "p"]
    assert [t.kind for t in tokenize("MATCH (n) RETURN n.x LIMIT 10")][-2:] == ["word", "number"]
    assert [t.text for t in tokenize("RETURN 1.5e-3, 0x1F, [1..3], 2AS")][1:] == [
        *("1.5e-3", ",", "0x1F", ",", "[", "1", "..", "3", "]", ",", "2", "AS"),
    ]


def test_limits_are_lifted_only_for_the_cost_preview() -> None:
    lifted = _limits_lifted("MATCH (a), (b) WITH a LIMIT 1 RETURN a, 'LIMIT 2' AS s LIMIT $limit")
    assert lifted.count("1000000000000") == 2 and "'LIMIT 2'" in lifted and "$limit" not in lifted


def test_bounding_appends_limit_only_where_it_is_safe() -> None:
    assert _bounded("MATCH (a:Account) RETURN a ORDER BY a.account_id").endswith("LIMIT $limit")
    assert _bounded("MATCH (a) RETURN a LIMIT 5;") == "MATCH (a) RETURN a LIMIT 5"
    assert _bounded("RETURN 1 AS x UNION RETURN 2 AS x") == "RETURN 1 AS x UNION RETURN 2 AS x"
    assert _bounded("CALL db.labels()") == "CALL db.labels()"
    assert _bounded("MATCH (a) RETURN a // RETURN all").endswith("\nLIMIT $limit")
    assert _bounded("MATCH (a) RETURN a; // done") == "MATCH (a) RETURN a\nLIMIT $limit"
    assert _bounded("MATCH (a) RETURN a LIMIT 2 + 3") == "MATCH (a) RETURN a LIMIT 2 + 3"
    assert _bounded("MATCH (a) CALL (a) { RETURN a AS b } RETURN b").endswith("\nLIMIT $limit")
