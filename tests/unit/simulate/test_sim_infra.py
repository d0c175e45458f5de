"""Address allocation: every allocated address is distinct and a usable host (found at full scale,
where three `ip_intel` keys repeated and ingest rightly rejected them)."""

import numpy as np

from hydrascope.simulate.infra import Network


def test_allocated_ipv4_addresses_are_distinct_usable_hosts() -> None:
    network = Network(np.random.default_rng(1))
    for asn in range(3):
        network.alloc(asn, 200_000)
    values = np.concatenate(network.ip_value)
    assert len(np.unique(values)) == len(values) == 600_000
    assert not np.isin(values % 256, [0, 255]).any()
