"""Identifiers: opaque, collision-free, never card-number-like."""

from __future__ import annotations

import re

import numpy as np

from hydrascope.simulate.ids import ipv4_strings, ipv6_strings, mix64, padded_ids, tokens

PAN_LIKE = re.compile(r"\d{13,19}")


def test_mix64_is_injective_on_a_large_sample() -> None:
    x = np.arange(1_000_000, dtype=np.uint64)
    assert np.unique(mix64(x)).size == x.size


def test_tokens_never_contain_long_digit_runs_even_for_all_digit_hashes() -> None:
    # Hashes whose every nibble is < 10 would print as pure digits without the letter slots.
    all_digits = np.array([int("1234567890123456", 16), int("9999999999999999", 16), 0], dtype=np.uint64)
    random = mix64(np.arange(50_000, dtype=np.uint64))
    for value in tokens("pm_", np.concatenate([all_digits, random])).to_pylist():
        assert not PAN_LIKE.search(value), value
        assert re.fullmatch(r"pm_[0-9a-v]{16}", value)


def test_padded_ids_and_addresses() -> None:
    assert padded_ids("acct_", np.array([0, 123, 1234567])).to_pylist() == [
        "acct_000000",
        "acct_000123",
        "acct_1234567",
    ]
    assert ipv4_strings(np.array([(100 << 24) | (64 << 16) | (1 << 8) | 2])).to_pylist() == ["100.64.1.2"]
    v6 = ipv6_strings(np.array([(64512 << 48) | 0xABCD], dtype=np.uint64)).to_pylist()[0]
    assert v6.startswith("2001:db8:fc00:") and "::" in v6
