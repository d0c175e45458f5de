"""Synchrony: MinHash hour overlap, beyond chance."""

import numpy as np

from hydrascope.detect.signals.synchrony import (
    excess_hour_jaccard,
    hour_minhash,
    hour_span,
    pair_hour_jaccard,
)


def test_minhash_estimates_jaccard_and_empty_sets_match_nobody():
    rng = np.random.default_rng(0)
    base = rng.choice(10_000, 400, replace=False)
    same = base.copy()
    half = np.concatenate([base[:200], rng.choice(np.arange(20_000, 30_000), 200, replace=False)])
    other = rng.choice(np.arange(40_000, 50_000), 400, replace=False)
    hours = [base, same, half, other, np.zeros(0, np.int64), np.zeros(0, np.int64)]
    sig = hour_minhash(hours, 256, seed=1)
    est = pair_hour_jaccard(sig, np.array([0, 0, 0, 4]), np.array([1, 2, 3, 5]))
    exact_half = 200 / 600
    assert est[0] == 1.0
    assert abs(est[1] - exact_half) < 0.1
    assert est[2] < 0.05
    assert est[3] == 0.0


def test_hour_overlap_beyond_chance_discounts_always_on_accounts_not_a_shift():
    span = 720
    rng = np.random.default_rng(3)
    # two always-on honest accounts (resellers): 400 random hours each out of 720
    a = rng.choice(span, 400, replace=False)
    b = rng.choice(span, 400, replace=False)
    raw = len(np.intersect1d(a, b)) / len(np.union1d(a, b))
    # two workers on one scheduler: the same 60 hours (one missing hour each)
    shift = rng.choice(span, 61, replace=False)
    w1, w2 = shift[:60], shift[1:]
    raw_w = len(np.intersect1d(w1, w2)) / len(np.union1d(w1, w2))
    out = excess_hour_jaccard(np.array([raw, raw_w]), np.array([400, 60]), np.array([400, 60]), span)
    assert raw > 0.35  # looks like synchrony by chance alone
    assert out[0] < 0.1
    assert out[1] > 0.9
    # no window known: the raw value is kept
    assert excess_hour_jaccard(np.array([raw]), np.array([400]), np.array([400]), 0)[0] == raw


def test_hour_span_covers_everyones_activity():
    assert hour_span([np.array([5, 9]), np.zeros(0, np.int64), np.array([100])]) == 96
    assert hour_span([np.zeros(0, np.int64)]) == 0
