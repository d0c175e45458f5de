"""The data contract in code is the one documented, covers the design's tables, and is a leaf.

``hydrascope.contract`` is the single declaration: ingest validates against it, the simulator's
Arrow schemas are generated from it (``test_sim_bundle`` checks the simulator's files against
it), and the two documents that describe the bundle are checked against it here.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pyarrow as pa

import hydrascope.contract as contract_module
from hydrascope.contract import EVENT_TABLES, TABLES, TRUTH_TABLES, arrow_schemas, contract_markdown
from hydrascope.simulate.tables import SCHEMAS

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_docs_show_the_contract_generated_from_code() -> None:
    assert contract_markdown() in (DOCS / "ingest.md").read_text(encoding="utf-8")


def test_the_scenario_docs_list_every_table_with_the_contract_columns() -> None:
    """``docs/scenarios.md`` lists the bundle's files; each row's columns are the contract's."""
    rows = re.findall(r"^\| `([a-z_/]+)` \| ([^|]+) \|$", (DOCS / "scenarios.md").read_text(), re.M)
    documented = {name: re.sub(r"\s*\([^)]*\)", "", cols).split(", ") for name, cols in rows}
    declared = TABLES | TRUTH_TABLES
    assert set(declared) <= set(documented)
    for name, table in declared.items():
        assert [c.strip() for c in documented[name]] == list(table.column_names), name


def test_every_design_table_and_enumeration_is_declared() -> None:
    assert set(TABLES) == {
        "accounts",
        "payment_methods",
        "api_keys",
        "ip_intel",
        "proxy_services",
        "requests",
        "logins",
        "enforcement",
        "model_releases",
    }
    assert set(EVENT_TABLES) == {"requests", "logins", "enforcement"}
    assert TABLES["payment_methods"].column("kind").enum == ("card", "virtual_card", "prepaid", "bank")
    assert TABLES["proxy_services"].column("kind").enum == ("reseller", "residential_proxy", "vpn")
    assert TABLES["logins"].column("kind").enum == ("signup", "console", "key_created")
    assert TABLES["logins"].one_of == ("ip", "client_fingerprint")


def test_arrow_schemas_are_generated_from_the_columns() -> None:
    requests = TABLES["requests"].arrow_schema
    assert requests.names == list(TABLES["requests"].column_names)
    assert requests.field("ts").type == pa.timestamp("ms", tz="UTC")
    assert requests.field("ip").type == pa.string()
    assert requests.field("input_tokens").type == pa.int32()
    assert TABLES["ip_intel"].arrow_schema.field("asn").type == pa.int64()
    assert TABLES["ip_intel"].arrow_schema.field("is_vpn").type == pa.bool_()
    assert set(arrow_schemas()) == set(TABLES) | {"truth/accounts", "truth/campaigns", "truth/templates"}


def test_the_simulator_schemas_are_the_contract_not_a_copy() -> None:
    assert set(SCHEMAS) == set(TABLES) | set(TRUTH_TABLES)
    for name, schema in SCHEMAS.items():
        assert schema.equals((TABLES | TRUTH_TABLES)[name].arrow_schema), name


def test_the_contract_is_a_leaf_module() -> None:
    """It imports only the standard library and pyarrow, so ingest, simulate and tests may all
    depend on it without a cycle."""
    tree = ast.parse(Path(contract_module.__file__).read_text(encoding="utf-8"))
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
        if not isinstance(node, ast.ImportFrom) or node.module
    }
    assert imported - {"pyarrow", "__future__"} <= set(sys.stdlib_module_names)
