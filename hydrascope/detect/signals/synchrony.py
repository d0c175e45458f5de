"""Synchrony (SynchroTrap-style): accounts that act in the same time windows on the same objects.

Hydra workers are driven by one scheduler: they come online in the same hours and start using a
new template or proxy IP within minutes of each other. Honest users of a shared object (a carrier
IP, a corporate NAT) keep their own rhythms. Two measures, both on pairs that already share an
object (so the "same objects" half of SynchroTrap's definition holds by construction):
``hour_jaccard``, the Jaccard similarity of the sets of active hours (estimated with MinHash so
that millions of pairs cost a few vector comparisons each), optionally beyond what two independent
accounts with as many active hours would reach (``excess_hour_jaccard``). A pair whose overlap
reaches ``sync_min`` is a timing tie (``pipeline.py``); ``tie_timing`` is the share of a cluster's
members with one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_PRIME = np.int64((1 << 31) - 1)


def hour_minhash(active_hours: Sequence[np.ndarray], size: int, seed: int) -> np.ndarray:
    """MinHash signatures (``n × size``) of each account's set of active hours.

    Accounts without any active hour get a signature of distinct sentinels, so they match nobody.
    """
    n = len(active_hours)
    rng = np.random.default_rng(seed)
    mult = rng.integers(1, _PRIME, size=size, dtype=np.int64)
    add = rng.integers(0, _PRIME, size=size, dtype=np.int64)
    lengths = np.fromiter((len(h) for h in active_hours), dtype=np.int64, count=n)
    sig = np.full((n, size), -1, dtype=np.int64)
    has = np.flatnonzero(lengths > 0)
    # sentinels: unique negative numbers per account so empty sets never collide
    sig[lengths == 0] = -(np.arange(n)[lengths == 0, None] + 2)
    if len(has) == 0:
        return sig
    # process accounts in blocks of about 4M hours to bound memory
    block: list[int] = []
    total = 0
    for i in has:
        block.append(int(i))
        total += int(lengths[i])
        if total >= 4_000_000:
            _fill(sig, block, active_hours, mult, add)
            block, total = [], 0
    if block:
        _fill(sig, block, active_hours, mult, add)
    return sig


def _fill(
    sig: np.ndarray, block: list[int], hours: Sequence[np.ndarray], mult: np.ndarray, add: np.ndarray
) -> None:
    values = np.concatenate([np.asarray(hours[i], dtype=np.int64) % _PRIME for i in block])
    lens = np.array([len(hours[i]) for i in block], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lens)[:-1]])
    for j in range(len(mult)):
        hashed = (values * mult[j] + add[j]) % _PRIME
        sig[block, j] = np.minimum.reduceat(hashed, starts)


def pair_hour_jaccard(
    signatures: np.ndarray, a: np.ndarray, b: np.ndarray, chunk: int = 500_000
) -> np.ndarray:
    """Estimated Jaccard similarity of active hours for each pair ``(a[i], b[i])``."""
    out = np.zeros(len(a), dtype=float)
    for s in range(0, len(a), chunk):
        out[s : s + chunk] = (signatures[a[s : s + chunk]] == signatures[b[s : s + chunk]]).mean(axis=1)
    return out


def hour_span(active_hours: Sequence[np.ndarray]) -> int:
    """Number of hours from the first to the last active hour of anyone (0 with no activity): the
    window two accounts' active hours are drawn from."""
    lo, hi = None, None
    for h in active_hours:
        if len(h):
            a, b = int(np.min(h)), int(np.max(h))
            lo = a if lo is None else min(lo, a)
            hi = b if hi is None else max(hi, b)
    return 0 if lo is None or hi is None else hi - lo + 1


def excess_hour_jaccard(
    jaccard: np.ndarray, hours_a: np.ndarray, hours_b: np.ndarray, span: int
) -> np.ndarray:
    """Active-hour Jaccard beyond chance: ``(J − E) / (1 − E)``, clipped to [0, 1], where ``E`` is
    the Jaccard two independent accounts with ``hours_a`` and ``hours_b`` active hours out of
    ``span`` would reach (expected overlap ``hours_a·hours_b/span``).

    Why: a reseller or heavy user active in 400 of 720 hours overlaps any other such account by
    Jaccard ~0.45 by chance alone, so raw Jaccard tied always-on honest accounts to each other and
    to a campaign's busy workers ("timing" family, "synchrony" kind) with no coordination at all. A
    scheduler-driven group active in the same 60 of 720 hours keeps nearly all of its overlap
    (E ≈ 0.05). ``span`` ≤ 0 leaves ``jaccard`` as is."""
    j = np.asarray(jaccard, dtype=float)
    if span <= 0:
        return j
    a = np.asarray(hours_a, dtype=float)
    b = np.asarray(hours_b, dtype=float)
    inter = a * b / float(span)
    union = np.maximum(a + b - inter, 1e-12)
    expected = np.clip(inter / union, 0.0, 1.0)
    out = (j - expected) / np.maximum(1.0 - expected, 1e-12)
    return np.clip(np.where(expected >= 1.0, 0.0, out), 0.0, 1.0)
