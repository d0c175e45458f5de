"""Card numbers (PANs): detect them in whole columns at once, and mask them anywhere in text.

A value "looks like a card number" when, once spaces and dashes are removed, it is 13 to 19 digits
that pass the Luhn check. Such values are refused at ingest and never stored: not in the graph,
not in the event store, and in the rejects file only masked to their last four digits.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

MIN_DIGITS = 13
MAX_DIGITS = 19
_SEPARATORS = r"[ \-]"
_CANDIDATE = re.compile(r"^[0-9 \-]+$")
# A run of 13-19 digits, possibly split by single spaces or dashes, not part of a longer number.
_IN_TEXT = re.compile(r"(?<![0-9])(?:[0-9][ \-]?){12,18}[0-9](?![0-9])")


def luhn_valid(digits: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Luhn check of many numbers at once.

    ``digits`` is an ``(n, MAX_DIGITS)`` uint8 matrix of right-aligned digits (left-padded with
    zeros, which do not change a Luhn sum) and ``lengths`` the real lengths. Why numpy: a column of
    millions of values is checked in a few vector operations instead of a Python loop per value.
    """
    if digits.shape[0] == 0:
        return np.zeros(0, dtype=bool)
    # Position from the right: 0 for the check digit; every second digit (odd positions) is doubled.
    doubled = np.zeros(MAX_DIGITS, dtype=bool)
    doubled[MAX_DIGITS - 2 :: -2] = True
    values = digits.astype(np.int16)
    values = np.where(doubled, values * 2, values)
    values = np.where(values > 9, values - 9, values)
    total = values.sum(axis=1)
    return (total % 10 == 0) & (lengths >= MIN_DIGITS) & (lengths <= MAX_DIGITS)


def pan_mask(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Boolean mask: which values of a column look like a card number (nulls never do)."""
    arr = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    n = len(arr)
    result = np.zeros(n, dtype=bool)
    if n == 0:
        return result
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        if pa.types.is_integer(arr.type) or pa.types.is_decimal(arr.type):
            arr = pc.cast(arr, pa.string())
        else:
            return result
    # Cheap vector filter first: only values of digits and separators of a plausible length.
    candidate = pc.fill_null(pc.match_substring_regex(arr, r"^[0-9 \-]{13,40}$"), False)
    idx = np.flatnonzero(candidate.to_numpy(zero_copy_only=False))
    if idx.size == 0:
        return result
    stripped = pc.replace_substring_regex(arr.take(pa.array(idx)), _SEPARATORS, "")
    lengths = pc.utf8_length(stripped).to_numpy(zero_copy_only=False).astype(np.int64)
    plausible = (lengths >= MIN_DIGITS) & (lengths <= MAX_DIGITS)
    idx, lengths = idx[plausible], lengths[plausible]
    if idx.size == 0:
        return result
    kept = pc.utf8_lpad(stripped.filter(pa.array(plausible)), MAX_DIGITS, "0")
    raw = np.frombuffer(b"".join(s.encode() for s in kept.to_pylist()), dtype=np.uint8)
    digits = raw.reshape(-1, MAX_DIGITS) - ord("0")
    result[idx[luhn_valid(digits, lengths)]] = True
    return result


def looks_like_pan(value: object) -> bool:
    """The scalar form of ``pan_mask``, for single values (instrument ids, reject records)."""
    if value is None:
        return False
    text = str(value)
    if not _CANDIDATE.match(text):
        return False
    return bool(pan_mask(pa.array([text]))[0])


def _mask_match(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = re.sub(_SEPARATORS, "", text)
    if not looks_like_pan(digits):
        return text
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_pans(text: str) -> str:
    """Replace every card-number-like run in free text by ``****…1234`` (last four digits kept)."""
    return _IN_TEXT.sub(_mask_match, text)


def mask_value(value: object) -> object:
    """Mask card numbers in a value destined for a rejects file or a message (recursively)."""
    if isinstance(value, str):
        return mask_pans(value)
    if isinstance(value, int) and not isinstance(value, bool):
        masked = mask_pans(str(value))
        return value if masked == str(value) else masked
    if isinstance(value, dict):
        return {k: mask_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_value(v) for v in value]
    return value
