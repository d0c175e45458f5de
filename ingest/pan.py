"""Card numbers (PANs): find them anywhere in text, in whole columns at once, and mask them.

A value holds a card number when, once normalised (NFKC, so full-width ``４１１１`` is ``4111``;
any other Unicode decimal digit is read as its ASCII digit), it contains a *window* of 13 to 19
digits that starts with 2-9 and passes the Luhn check. Windows are taken from digit *runs*: digit
groups joined by one kind of separator (space, dash or dot), not touching another digit:

- a group of 13-19 digits on its own (``4111111111111111``, ``pm_4111111111111111``), unless it
  follows a dot (the decimals of a number such as ``2.718281828459045``);
- two or more consecutive groups of 3-6 digits (``4111-1111-1111-1111@example.com``,
  ``org 5500 0000 0000 0004``, ``4111.1111.1111.1111``, ``3782 822463 10005``), so that the card
  inside ``card 4111 1111 1111 1111 12/27`` is found although the run goes on with ``12``.

What is deliberately *not* a card number, to keep false positives off real exports: a run
directly after ``+`` (an E.164 phone number); a window starting with 0 or 1 (epoch timestamps in
milliseconds, microseconds or nanoseconds start with 1, and no major network issues cards
starting with 0 or 1: UATP airline cards, which do, are not detected); groups of 1-2 digits
(dates, times, IPv4 addresses: ``2026-02-10-2026-03-10`` is not one 16-digit number); a run that
touches a letter inside a token of hex digits only (``…a4111111111111111b…`` in an MD5/SHA
digest, where a 13-digit run passing Luhn occurs in about 1 in 500 random digests). A run longer
than 19 digits with no separator is one long number, not a card.

Such values are refused at ingest and never stored: not in the graph, not in the event store,
and in the rejects file only masked to their last four digits. Why vectorised: the requests
table has millions of rows and every string column is scanned. An Arrow (RE2) regex over the
whole column keeps only values with 13 digits separated by at most one separator (after a
vectorised NFKC of the non-ASCII values); the exact rules above and a numpy Luhn check run on
those candidates only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

MIN_DIGITS = 13
MAX_DIGITS = 19
MIN_GROUP = 3  # digits per group when a card is written in groups (4-4-4-4, 4-6-5, 4-4-4-4-3)
MAX_GROUP = 6
# Necessary conditions for the rules above, in RE2 syntax, for the vectorised prefilter.
_PREFILTER_ASCII = r"[0-9](?:[ .\-\x00-\x1f\x7f]*[0-9]){12}"
_PREFILTER_UNICODE = r"\p{Nd}(?:[ .\-\p{Cc}\p{Cf}]*\p{Nd}){12}"
# A digit run: groups joined by one kind of separator (a change of separator ends the run).
_RUN = re.compile(r"(?<![0-9])[0-9]+(?:([ .\-])[0-9]+(?:\1[0-9]+)*)?")
_GROUP = re.compile(r"[0-9]+")
_ASCII_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Control (Cc) and format (Cf) characters: C0, DEL, C1, zero-width spaces and joiners, bidi marks.
_INVISIBLE = frozenset(("Cc", "Cf"))
_ALNUM = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_HEX = frozenset("0123456789abcdefABCDEF")


def normalise(text: str, invisible: str = "") -> str:
    """The text a card number is looked for in: NFKC, control and format characters replaced by
    ``invisible`` (a NUL or a zero-width space must not hide one: the text is looked at with them
    removed and with them read as a space), then every remaining Unicode decimal digit as its
    ASCII digit (``٤`` -> ``4``)."""
    if text.isascii() and not _ASCII_CONTROL.search(text):
        return text
    text = "".join(
        invisible if unicodedata.category(c) in _INVISIBLE else c for c in unicodedata.normalize("NFKC", text)
    )
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() and not c.isascii() else c for c in text)


def _in_hex_token(text: str, start: int, end: int) -> bool:
    """The run touches a letter and the alphanumeric token around it is hex digits only."""
    touches = (start > 0 and text[start - 1].isalpha()) or (end < len(text) and text[end].isalpha())
    if not touches:
        return False
    left, right = start, end
    while left > 0 and text[left - 1] in _ALNUM:
        left -= 1
    while right < len(text) and text[right] in _ALNUM:
        right += 1
    return all(c in _HEX for c in text[left:start] + text[end:right])


def _run_windows(text: str, match: re.Match[str]) -> Iterator[tuple[int, int, str]]:
    """The candidate windows of one run: (start, end, digits), digits starting with 2-9."""
    groups = [
        (g.start() + match.start(), g.end() + match.start(), g.group(0))
        for g in _GROUP.finditer(match.group(0))
    ]
    dotted = match.group(1) == "."
    for i, (start, end, digits) in enumerate(groups):
        if MIN_DIGITS <= len(digits) <= MAX_DIGITS and not (dotted and i > 0) and digits[0] not in "01":
            yield start, end, digits
        if not MIN_GROUP <= len(digits) <= MAX_GROUP or digits[0] in "01":
            continue
        joined = digits
        for _, last_end, more in groups[i + 1 :]:
            if not MIN_GROUP <= len(more) <= MAX_GROUP:
                break
            joined += more
            if len(joined) > MAX_DIGITS:
                break
            if len(joined) >= MIN_DIGITS:
                yield start, last_end, joined


def _windows(text: str) -> Iterator[tuple[int, int, str]]:
    """Every candidate window of an (already normalised) text, before the Luhn check."""
    for match in _RUN.finditer(text):
        start, end = match.span()
        if end - start < MIN_DIGITS:  # fewer characters than a card has digits
            continue
        if start > 0 and text[start - 1] == "+":
            continue
        if _in_hex_token(text, start, end):
            continue
        yield from _run_windows(text, match)


def luhn_valid(digits: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Luhn check of many numbers at once.

    ``digits`` is an ``(n, MAX_DIGITS)`` uint8 matrix of right-aligned digits (left-padded with
    zeros, which do not change a Luhn sum) and ``lengths`` the real lengths. Why numpy: all the
    candidate windows of a column are checked in a few vector operations.
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


def _luhn_of(numbers: list[str]) -> np.ndarray:
    """``luhn_valid`` of digit strings of 13-19 digits."""
    if not numbers:
        return np.zeros(0, dtype=bool)
    padded = b"".join(n.rjust(MAX_DIGITS, "0").encode("ascii") for n in numbers)
    digits = np.frombuffer(padded, dtype=np.uint8).reshape(-1, MAX_DIGITS) - ord("0")
    return luhn_valid(digits, np.array([len(n) for n in numbers], dtype=np.int64))


def _variants(text: str) -> list[str]:
    """The normalised forms of a text to look in (two when it holds invisible characters)."""
    removed = normalise(text)
    if removed is text:
        return [text]
    spaced = normalise(text, " ")
    return [removed] if spaced == removed else [removed, spaced]


def find_pans(text: str) -> tuple[str, list[tuple[int, int]]]:
    """A normalised form of the text and the spans in it of every card number (none: empty)."""
    variants = _variants(text)
    for normal in variants:
        windows = list(_windows(normal))
        valid = _luhn_of([w[2] for w in windows])
        spans = [(s, e) for (s, e, _), ok in zip(windows, valid, strict=True) if ok]
        if spans:
            return normal, spans
    return variants[0], []


def _string_array(values: pa.Array | pa.ChunkedArray) -> pa.Array | None:
    """The column as strings (integers cast: a card number can be an integer too), or None."""
    arr = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return arr
    if pa.types.is_integer(arr.type) or pa.types.is_decimal(arr.type):
        return pc.cast(arr, pa.string())
    if pa.types.is_dictionary(arr.type):
        return _string_array(arr.dictionary_decode())
    return None


def candidates(arr: pa.Array) -> np.ndarray:
    """Indices of the values that may hold a card number (the vectorised prefilter).

    ASCII values: 13 digits with only separators or control characters between them. Other
    values: the same on their NFKC form with any Unicode decimal digit and format character.
    Both patterns accept everything the exact rules accept in either normalised form (controls
    removed or read as spaces), so the exact check loses nothing by seeing only candidates.
    """
    hit = pc.fill_null(pc.match_substring_regex(arr, _PREFILTER_ASCII), False).to_numpy(zero_copy_only=False)
    ascii_only = pc.fill_null(pc.string_is_ascii(arr), True).to_numpy(zero_copy_only=False)
    others = np.flatnonzero(~ascii_only)
    if others.size:
        normal = pc.utf8_normalize(arr.take(pa.array(others)), "NFKC")
        found = pc.fill_null(pc.match_substring_regex(normal, _PREFILTER_UNICODE), False)
        hit = hit.copy()
        hit[others] = found.to_numpy(zero_copy_only=False)
    return np.flatnonzero(hit)


def pan_mask(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Boolean mask: which values of a column hold a card number anywhere (nulls never do)."""
    arr = _string_array(values)
    n = len(values)
    result = np.zeros(n, dtype=bool)
    if arr is None or n == 0:
        return result
    idx = candidates(arr)
    if idx.size == 0:
        return result
    owners: list[int] = []
    numbers: list[str] = []
    for i, value in zip(idx, arr.take(pa.array(idx)).to_pylist(), strict=True):
        for normal in _variants(value):
            for _, _, digits in _windows(normal):
                owners.append(int(i))
                numbers.append(digits)
    result[np.array(owners, dtype=np.int64)[_luhn_of(numbers)]] = True
    return result


def looks_like_pan(value: object) -> bool:
    """The scalar form of ``pan_mask``: does this value hold a card number anywhere?"""
    if value is None or isinstance(value, bool):
        return False
    return bool(find_pans(str(value))[1])


def _masked(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with each span's digits replaced by stars and the span's last four digits."""
    out: list[str] = []
    last = 0
    for start, end in sorted(spans):
        start = max(start, last)  # overlapping windows of one run: mask the rest of the second
        digits = "".join(c for c in text[start:end] if c.isdigit())
        out.append(text[last:start])
        out.append("*" * max(0, len(digits) - 4) + digits[-4:])
        last = max(last, end)
    out.append(text[last:])
    return "".join(out)


def mask_pans(text: str) -> str:
    """Replace every card number in text by ``****…1234`` (last four digits kept).

    Text without one is returned unchanged; text with one is returned normalised (NFKC), so that
    no full-width or other-script digit of the number survives beside the mask. Masking repeats
    until no card number is left (the kept four digits and what follows them could form one).
    """
    while True:
        normal, spans = find_pans(text)
        if not spans:
            return text
        text = _masked(normal, spans)


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
