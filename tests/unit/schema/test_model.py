"""The graph model is consistent, and everything generated from it stays in sync."""

from __future__ import annotations

import re

import pytest

from hydrascope.config import PROJECT_ROOT
from hydrascope.schema import cypher
from hydrascope.schema.docs import render_markdown
from hydrascope.schema.model import NODE_BY_LABEL, NODES, RELATIONSHIPS

DESIGN_NODES = {
    "Account": "account_id",
    "PaymentInstrument": "instrument_id",
    "IP": "ip",
    "ASN": "asn",
    "ProxyService": "service_id",
    "ClientFingerprint": "fingerprint",
    "EmailDomain": "domain",
    "PromptTemplate": "template",
    "Capability": "name",
    "Model": "name",
    "IngestRun": "run_id",
    "Cluster": "cluster_id",
    "Campaign": "campaign_id",
}
DESIGN_RELS = {
    ("Account", "PAID_WITH", "PaymentInstrument"),
    ("Account", "CONNECTED_FROM", "IP"),
    ("IP", "IN_ASN", "ASN"),
    ("IP", "EGRESS_OF", "ProxyService"),
    ("Account", "USED_CLIENT", "ClientFingerprint"),
    ("Account", "REGISTERED_WITH", "EmailDomain"),
    ("Account", "SENT", "PromptTemplate"),
    ("Account", "ASKED_FOR", "Capability"),
    ("Account", "CALLED", "Model"),
    ("Account", "MEMBER_OF", "Cluster"),
    ("Cluster", "PART_OF", "Campaign"),
}


def test_model_covers_the_design() -> None:
    keys = {n.label: n.key for n in NODES}
    for label, key in DESIGN_NODES.items():
        assert keys.get(label) == key, f"{label} must be keyed by {key}"
    declared = {(r.start.label, r.type, r.end.label) for r in RELATIONSHIPS}
    assert declared >= DESIGN_RELS


def test_names_follow_the_conventions() -> None:
    for node in NODES:
        assert re.fullmatch(r"[A-Z][A-Za-z]*", node.label) or node.label in {"IP", "ASN"}
        names = node.property_names
        assert len(names) == len(set(names)), f"{node.label} declares a property twice"
        for name in names:
            assert re.fullmatch(r"[a-z][a-z0-9_]*", name), name
    for rel in RELATIONSHIPS:
        assert re.fullmatch(r"[A-Z][A-Z_]*", rel.type)
        assert rel.start.label in NODE_BY_LABEL and rel.end.label in NODE_BY_LABEL


def test_one_uniqueness_constraint_per_node_key() -> None:
    statements = cypher.constraint_statements()
    assert len(statements) == len(NODES)
    for node in NODES:
        assert any(f"(n:{node.label})" in s and f"n.{node.key} IS UNIQUE" in s for s in statements)
    assert all("IF NOT EXISTS" in s for s in statements + cypher.index_statements())


def test_generated_merge_uses_parameters_only() -> None:
    account = NODE_BY_LABEL["Account"]
    statement = cypher.merge_nodes(account, ("email", "status"))
    assert statement.startswith("UNWIND $rows AS row MERGE (n:Account {account_id: row.key})")
    assert "$update_tag" in statement


def test_generated_merge_refuses_undeclared_properties() -> None:
    with pytest.raises(ValueError, match="declare them"):
        cypher.merge_nodes(NODE_BY_LABEL["Account"], ("password_hash",))
    with pytest.raises(ValueError, match="declare them"):
        cypher.merge_relationships(RELATIONSHIPS[0], ("bogus",))


def test_identifier_guard_refuses_injection() -> None:
    with pytest.raises(ValueError):
        cypher._ident("Account) DETACH DELETE (n")


def test_schema_doc_is_in_sync() -> None:
    doc = (PROJECT_ROOT / "docs" / "schema.md").read_text()
    assert doc.strip() == render_markdown().strip(), "docs/schema.md is stale: run `hydrascope schema docs`"
