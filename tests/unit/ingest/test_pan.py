"""Card-number detection (vectorised Luhn) and masking."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from ingest.pan import looks_like_pan, mask_pans, mask_value, pan_mask

VALID = [
    "4111111111111111",
    "5500000000000004",
    "378282246310005",
    "6011111111111117",
    "4222222222222",
    "4111 1111 1111 1111",
    "4111-1111-1111-1111",
]
INVALID = [
    "4111111111111112",
    "1234567890123",
    "411111111111",
    "41111111111111111111",
    "tok_4111111111111111",
    "",
    "abc",
    "192.0.2.1",
    "2026-02-10T10:00:00Z",
]


def test_luhn_valid_13_to_19_digits_are_card_numbers() -> None:
    mask = pan_mask(pa.array([*VALID, *INVALID, None]))
    assert mask.tolist() == [True] * len(VALID) + [False] * (len(INVALID) + 1)


def test_vectorised_check_agrees_with_a_plain_luhn_on_random_numbers() -> None:
    rng = np.random.default_rng(7)

    def luhn(digits: str) -> bool:
        total = 0
        for i, d in enumerate(reversed(digits)):
            n = int(d) * (2 if i % 2 else 1)
            total += n - 9 if n > 9 else n
        return total % 10 == 0

    numbers = ["".join(map(str, rng.integers(0, 10, size=int(rng.integers(12, 21))))) for _ in range(3000)]
    expected = [13 <= len(n) <= 19 and luhn(n) for n in numbers]
    assert pan_mask(pa.array(numbers)).tolist() == expected
    assert 100 < sum(expected) < 600  # the sample exercises both outcomes


def test_integer_columns_are_checked_too() -> None:
    assert pan_mask(pa.array([4111111111111111, 42], pa.int64())).tolist() == [True, False]
    assert looks_like_pan(4111111111111111)


def test_masking_keeps_only_the_last_four_digits_anywhere_in_text() -> None:
    assert mask_pans("paid with 4111 1111 1111 1111 today") == "paid with ************1111 today"
    assert mask_pans("order 1234567890123 stays") == "order 1234567890123 stays"
    masked = mask_value({"a": ["x 5500000000000004"], "b": 4111111111111111, "c": None})
    assert masked == {"a": ["x ************0004"], "b": "************1111", "c": None}
