"""The data contract in code is the one documented, and covers the design's tables."""

from __future__ import annotations

from pathlib import Path

from ingest.contract import EVENT_TABLES, TABLES, contract_markdown

DOC = Path(__file__).resolve().parents[3] / "docs" / "ingest.md"


def test_docs_show_the_contract_generated_from_code() -> None:
    assert contract_markdown() in DOC.read_text(encoding="utf-8")


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
