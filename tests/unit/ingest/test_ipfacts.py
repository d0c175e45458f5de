"""Facts derived from an address: version, /24 or /64 prefix, carrier-grade NAT."""

from __future__ import annotations

from ingest.ipfacts import ip_facts


def test_ipv4_and_ipv6_facts() -> None:
    assert ip_facts("100.64.1.1") == {"version": 4, "prefix": "100.64.1.0/24", "is_cgnat": True}
    assert ip_facts("192.0.2.7") == {"version": 4, "prefix": "192.0.2.0/24", "is_cgnat": False}
    assert ip_facts("2001:db8::1") == {"version": 6, "prefix": "2001:db8::/64", "is_cgnat": False}


def test_an_ipv4_mapped_address_gets_the_facts_of_its_ipv4_address() -> None:
    # Before: version 6, prefix ::/64 shared by every mapped address, and CGNAT missed.
    assert ip_facts("::ffff:100.64.1.1") == {"version": 4, "prefix": "100.64.1.0/24", "is_cgnat": True}
    assert ip_facts("::ffff:198.51.100.9")["prefix"] == "198.51.100.0/24"
