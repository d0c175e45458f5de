"""Card-number detection (anywhere in text, vectorised prefilter + Luhn) and masking."""

from __future__ import annotations

import hashlib

import numpy as np
import pyarrow as pa
import pytest

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
# The forms of issue #12: a card number that is not the whole value.
EMBEDDED = [
    "4111.1111.1111.1111",
    "pm_4111111111111111",
    "tok_4111111111111111",
    "4111-1111-1111-1111@example.com",
    "org 5500 0000 0000 0004",
    "card 4111-1111-1111-1111 exp 12/27",
    "card 4111 1111 1111 1111 12/27",  # the run goes on with the expiry: the card is still found
    "\uff14\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11",
    "\uff14\uff11\uff11\uff11\uff0d\uff11\uff11\uff11\uff11\uff0d\uff11\uff11\uff11\uff11\uff0d\uff11\uff11\uff11\uff11",
    "paid\u00a04111\u00a01111\u00a01111\u00a01111",  # no-break spaces (NFKC: spaces)
    "3782 822463 10005",  # Amex grouping 4-6-5
    "pm4111111111111111",  # letters that are not a hex digest
    "4111\x001111\x001111\x001111",  # control characters do not hide it
    "4111\u200b111111111111",  # nor a zero-width space
    "\u0664\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661",
]
INVALID = [
    "4111111111111112",  # Luhn fails
    "1234567890123",
    "411111111111",  # 12 digits
    "41111111111111111111",  # 20 digits: one long number
    "",
    "abc",
    "192.0.2.1",
    "192.168.100.200 192.168.100.201",
    "2026-02-10T10:00:00Z",
    "2026-02-10 10:00:00.123456",
    "2026-02-10-2026-03-10",  # a date range: groups of two digits
    "1739181600000",  # epoch milliseconds (13 digits, Luhn-valid)
    "1739181600000000",  # epoch microseconds
    "+86 138 0013 8000",  # a phone number (13 digits after +, Luhn-valid)
    "64500",  # an ASN
    "tokens 4111 in 1111 out",
    "d41d8cd98f00b204e9800998ecf8427e",
    "ab4111111111111111cd",  # a run inside a hex digest
    "tpl_c94jbd8m51bg4b7s",
    "123e4567-e89b-12d3-a456-426614174000",
    "2.718281828459045",  # the decimals of a number
]


def test_luhn_valid_card_numbers_are_found_anywhere_in_a_value() -> None:
    values = [*VALID, *EMBEDDED, *INVALID, None]
    mask = pan_mask(pa.array(values))
    expected = [True] * (len(VALID) + len(EMBEDDED)) + [False] * (len(INVALID) + 1)
    assert [v for v, m, e in zip(values, mask.tolist(), expected, strict=True) if m != e] == []
    assert [looks_like_pan(v) for v in values] == expected


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _with_check_digit(prefix: str) -> str:
    """``prefix`` and the digit that makes the whole pass Luhn."""
    return next(prefix + d for d in "0123456789" if _luhn_ok(prefix + d))


def test_the_false_positive_shapes_hold_for_luhn_valid_numbers() -> None:
    # Each shape below passes Luhn: it is left alone for its shape, not by luck; the same digits
    # in the shape of a card are found.
    millis = _with_check_digit("173918160000")  # epoch milliseconds, 13 digits
    nanos = _with_check_digit("173918160000000000")  # epoch nanoseconds, 19 digits
    phone = _with_check_digit("861380013800")  # +86 mobile, 13 digits
    dates = _with_check_digit("2026021020260")  # a date range written without its dashes
    assert not looks_like_pan(millis) and not looks_like_pan(nanos)
    assert not looks_like_pan(f"+{phone[:2]} {phone[2:5]} {phone[5:9]} {phone[9:]}")
    assert looks_like_pan(phone) and looks_like_pan(f"tel {phone}")  # without the + it is a number
    assert looks_like_pan(dates) and not looks_like_pan(f"{dates[:4]}-{dates[4:6]}-{dates[6:8]}-{dates[8:]}")
    card = _with_check_digit("4" + millis[1:-1])
    assert looks_like_pan(card) and looks_like_pan(f"ts_{card}")


def test_vectorised_check_agrees_with_a_plain_luhn_on_random_numbers() -> None:
    rng = np.random.default_rng(7)

    def luhn(digits: str) -> bool:
        total = 0
        for i, d in enumerate(reversed(digits)):
            n = int(d) * (2 if i % 2 else 1)
            total += n - 9 if n > 9 else n
        return total % 10 == 0

    numbers = ["".join(map(str, rng.integers(0, 10, size=int(rng.integers(12, 21))))) for _ in range(3000)]
    expected = [13 <= len(n) <= 19 and n[0] not in "01" and luhn(n) for n in numbers]
    assert pan_mask(pa.array(numbers)).tolist() == expected
    assert 100 < sum(expected) < 600  # the sample exercises both outcomes


def test_the_prefilter_never_hides_a_card_number_the_exact_rules_would_find() -> None:
    # Random mixtures of digits, every separator, letters, controls and full-width digits: the
    # vectorised path (prefilter, then the rules) must agree with the rules applied to every value.
    rng = np.random.default_rng(12)
    alphabet = list("0123456789" * 6 + " .-_x@a+\x00\u200b\uff14\uff11\u00a0\u0661/")
    values = ["".join(rng.choice(alphabet, size=int(rng.integers(10, 40)))) for _ in range(20000)]
    values += [f"id {v}" for v in EMBEDDED]
    exact = [looks_like_pan(v) for v in values]
    assert pan_mask(pa.array(values)).tolist() == exact
    assert sum(exact) > 30


def test_integer_and_dictionary_columns_are_checked_too() -> None:
    assert pan_mask(pa.array([4111111111111111, 42], pa.int64())).tolist() == [True, False]
    assert looks_like_pan(4111111111111111)
    encoded = pa.array(["x", "pm_4111111111111111", "x"]).dictionary_encode()
    assert pan_mask(encoded).tolist() == [False, True, False]


@pytest.mark.parametrize("value", EMBEDDED)
def test_masking_leaves_no_card_number_and_keeps_the_last_four(value: str) -> None:
    masked = mask_pans(value)
    assert not looks_like_pan(masked)
    assert "1111111111" not in masked and "0000 0000" not in masked
    assert masked.count("*") >= 9 and masked[masked.rindex("*") + 1 :][:4].isdigit()


def test_masking_keeps_other_text_unchanged() -> None:
    assert mask_pans("paid with 4111 1111 1111 1111 today") == "paid with ************1111 today"
    assert mask_pans("order 1234567890123 stays") == "order 1234567890123 stays"
    assert mask_pans("card 4111-1111-1111-1111 exp 12/27") == "card ************1111 exp 12/27"
    digest = hashlib.md5(b"x").hexdigest()
    assert mask_pans(digest) == digest
    masked = mask_value({"a": ["x 5500000000000004"], "b": 4111111111111111, "c": None})
    assert masked == {"a": ["x ************0004"], "b": "************1111", "c": None}
