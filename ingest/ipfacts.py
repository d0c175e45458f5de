"""Facts derived from an address itself: version, its /24 or /64 network, carrier-grade NAT."""

from __future__ import annotations

import ipaddress
from typing import Any

CGNAT = ipaddress.ip_network("100.64.0.0/10")


def ip_facts(ip: str) -> dict[str, Any]:
    """``version``, ``prefix`` (/24 for IPv4, /64 for IPv6) and ``is_cgnat`` of a valid address.

    Why the prefix: detection weighs shared networks, not only shared addresses; why CGNAT: a
    carrier's shared address says nothing about coordination (a hard negative).
    """
    addr = ipaddress.ip_address(ip)
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        # ``::ffff:100.64.1.1`` is an IPv4 address in IPv6 clothing: its facts are the IPv4 ones
        # (validation already stores it as IPv4; this keeps the facts right for any caller).
        addr = addr.ipv4_mapped
    bits = 24 if addr.version == 4 else 64
    network = ipaddress.ip_network(f"{addr}/{bits}", strict=False)
    return {"version": addr.version, "prefix": str(network), "is_cgnat": addr.version == 4 and addr in CGNAT}
