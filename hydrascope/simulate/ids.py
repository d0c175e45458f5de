"""Vectorised identifier formatting: opaque tokens, account ids, IPv4 strings.

Identifiers are produced for whole arrays at once (Arrow string arrays built from fixed-width
byte matrices), because a world has hundreds of thousands of entities and a Python f-string per
entity would dominate the run time. Tokens interleave a letter every fourth character so that no
identifier can ever contain a run of 13-19 digits (something that might look like a card number
to ingest's PAN guard, or to a human reader).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_LETTERS = np.frombuffer(b"ghijklmnopqrstuv", dtype=np.uint8)
_U64 = np.uint64

# Tags that keep the hash spaces of different entity kinds apart.
TAG_INSTRUMENT = 0x1
TAG_KEY = 0x2
TAG_FINGERPRINT = 0x3
TAG_SERVICE = 0x4
TAG_ORG = 0x5


def mix64(values: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser: a bijection on uint64, so distinct inputs give distinct hashes."""
    z = values.astype(np.uint64, copy=True)
    with np.errstate(over="ignore"):
        z += _U64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> _U64(30))) * _U64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> _U64(27))) * _U64(0x94D049BB133111EB)
    return z ^ (z >> _U64(31))


def tagged(tag: int, index: np.ndarray, salt: int = 0) -> np.ndarray:
    """Hash of (tag, salt, index): the scenario seed goes in ``salt`` so worlds differ."""
    idx = np.asarray(index, dtype=np.uint64)
    head = _U64(((tag & 0xFF) << 56) | ((salt & 0xFFFF) << 40))
    return mix64(idx | head)


def fixed_width_strings(matrix: np.ndarray) -> pa.StringArray:
    """An Arrow string array from an (n, width) uint8 matrix of ASCII, without a Python loop."""
    n, width = matrix.shape
    data = np.ascontiguousarray(matrix, dtype=np.uint8).reshape(-1)
    offsets = (np.arange(n + 1, dtype=np.int64) * width).astype(np.int32 if n * width < 2**31 else np.int64)
    typ = pa.string() if offsets.dtype == np.int32 else pa.large_string()
    arr = pa.Array.from_buffers(typ, n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])
    return arr.cast(pa.string()) if typ != pa.string() else arr


def tokens(prefix: str, hashes: np.ndarray, nchars: int = 16) -> pa.StringArray:
    """``prefix`` + ``nchars`` opaque characters derived from 64-bit hashes (one per value)."""
    h = np.asarray(hashes, dtype=np.uint64)
    p = prefix.encode()
    out = np.empty((h.size, len(p) + nchars), dtype=np.uint8)
    out[:, : len(p)] = np.frombuffer(p, dtype=np.uint8)
    for i in range(nchars):
        nib = ((h >> _U64((4 * i) % 64)) & _U64(15)).astype(np.intp)
        if i >= 16:  # longer tokens reuse bits rotated by a second mix
            nib = ((mix64(h + _U64(i)) >> _U64(7)) & _U64(15)).astype(np.intp)
        out[:, len(p) + i] = _LETTERS[nib] if i % 4 == 3 else _HEX[nib]
    return fixed_width_strings(out)


def padded_ids(prefix: str, numbers: np.ndarray, width: int = 6) -> pa.StringArray:
    """``prefix`` + zero-padded decimal, e.g. ``acct_000123``."""
    nums = pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.string())
    padded = pc.utf8_lpad(nums, width=width, padding="0")
    return pc.binary_join_element_wise(pa.scalar(prefix), padded, "")


def ipv4_strings(values: np.ndarray) -> pa.StringArray:
    """Dotted-quad strings for uint32 addresses."""
    v = np.asarray(values, dtype=np.uint64)
    octets = [
        pa.array(((v >> _U64(s)) & _U64(255)).astype(np.int64)).cast(pa.string()) for s in (24, 16, 8, 0)
    ]
    return pc.binary_join_element_wise(*octets, ".")


def ipv6_strings(values: np.ndarray) -> pa.StringArray:
    """Addresses in the 2001:db8::/32 documentation prefix, one per integer."""
    v = np.asarray(values, dtype=np.uint64)
    groups = [
        pa.array([f"{g:x}" for g in ((v >> _U64(s)) & _U64(0xFFFF)).tolist()], type=pa.string())
        for s in (48, 32, 16, 0)
    ]
    head = pc.binary_join_element_wise(pa.scalar("2001:db8"), groups[0], groups[1], ":")
    tail = pc.binary_join_element_wise(groups[2], groups[3], ":")
    return pc.binary_join_element_wise(head, tail, "::")
