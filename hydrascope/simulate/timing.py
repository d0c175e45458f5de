"""When requests happen: hour-of-week profiles, campaign waves, clockwork and bursts.

Honest activity follows the customer's local week (office hours for companies, evenings for
individuals, late nights for students); a campaign's orchestrator dispatches work in waves that
every one of its live accounts joins, with a little jitter — the synchrony a detector can find.
Sampling is inverse-CDF over precomputed cumulative curves, so a chunk of millions of events is
a handful of ``searchsorted`` calls.
"""

from __future__ import annotations

import numpy as np

from hydrascope.simulate.config import DAYS, HOUR_MS, WINDOW_START_MS

T_PROFILE, T_WAVES, T_CLOCK, T_BURSTS = range(4)
P_PERSONAL, P_OFFICE, P_STUDENT, P_FLAT = range(4)
TZ_MIN, TZ_MAX = -12, 14
N_TZ = TZ_MAX - TZ_MIN + 1
N_HOURS = DAYS * 24


def _day(hours: dict[int, float], default: float) -> np.ndarray:
    d = np.full(24, default)
    for h, v in hours.items():
        d[h] = v
    return d


def hour_of_week_profiles() -> np.ndarray:
    """(4, 168) relative intensities in local time, Monday 00:00 first."""
    personal = _day(
        {
            0: 0.35,
            1: 0.2,
            2: 0.12,
            3: 0.08,
            4: 0.06,
            5: 0.08,
            6: 0.15,
            7: 0.3,
            8: 0.5,
            9: 0.6,
            10: 0.65,
            11: 0.65,
            12: 0.6,
            13: 0.6,
            14: 0.62,
            15: 0.65,
            16: 0.7,
            17: 0.75,
            18: 0.8,
            19: 0.9,
            20: 1.0,
            21: 1.0,
            22: 0.85,
            23: 0.6,
        },
        0.5,
    )
    office = _day(
        {
            7: 0.15,
            8: 0.45,
            9: 0.9,
            10: 1.0,
            11: 1.0,
            12: 0.7,
            13: 0.9,
            14: 1.0,
            15: 1.0,
            16: 0.95,
            17: 0.7,
            18: 0.35,
            19: 0.18,
            20: 0.1,
            21: 0.08,
            22: 0.06,
        },
        0.03,
    )
    student = _day(
        {
            0: 0.8,
            1: 0.6,
            2: 0.4,
            3: 0.2,
            4: 0.08,
            5: 0.05,
            6: 0.05,
            7: 0.1,
            8: 0.25,
            9: 0.45,
            10: 0.6,
            11: 0.7,
            12: 0.7,
            13: 0.75,
            14: 0.85,
            15: 0.9,
            16: 0.9,
            17: 0.85,
            18: 0.8,
            19: 0.85,
            20: 0.95,
            21: 1.0,
            22: 1.0,
            23: 0.95,
        },
        0.5,
    )
    weekday = np.array([1, 1, 1, 1, 0.95, 0, 0], dtype=float)
    week = np.empty((4, 168))
    for d in range(7):
        sl = slice(24 * d, 24 * d + 24)
        week[P_PERSONAL, sl] = personal * (1.0 if d < 5 else 1.15)
        week[P_OFFICE, sl] = office * weekday[d] + (0.06 * office if d >= 5 else 0)
        week[P_STUDENT, sl] = student * (1.0 if d < 5 else 0.85)
        week[P_FLAT, sl] = 0.75 + 0.25 * personal * (1.0 if d < 5 else 0.9)
    return week


class ProfileSampler:
    """Inverse-CDF sampling of timestamps from (profile, time zone) curves over the window."""

    def __init__(self) -> None:
        week = hour_of_week_profiles()
        hours = np.arange(N_HOURS)
        n_curves = week.shape[0] * N_TZ
        self.stride = N_HOURS + 1
        self.big = 2.0 * (N_HOURS + 1)  # above any curve total (intensities <= 1.15)
        g = np.empty(n_curves * self.stride)
        for p in range(week.shape[0]):
            for t in range(N_TZ):
                c = p * N_TZ + t
                intensity = week[p, (hours + (t + TZ_MIN)) % 168]
                cum = np.concatenate([[0.0], np.cumsum(intensity)])
                g[c * self.stride : (c + 1) * self.stride] = c * self.big + cum
        self.g = g

    def sample(
        self,
        rng: np.random.Generator,
        profile: np.ndarray,
        tz: np.ndarray,
        start: np.ndarray,
        end: np.ndarray,
    ) -> np.ndarray:
        curve = profile.astype(np.int64) * N_TZ + (np.clip(tz, TZ_MIN, TZ_MAX).astype(np.int64) - TZ_MIN)
        s_h = np.clip(-((WINDOW_START_MS - start) // HOUR_MS), 0, N_HOURS)  # ceil
        e_h = np.clip((end - WINDOW_START_MS) // HOUR_MS, 0, N_HOURS)
        base = curve * self.stride
        lo = self.g[base + s_h]
        hi = self.g[base + np.maximum(e_h, s_h)]
        target = lo + rng.random(curve.size) * (hi - lo)
        hour = np.searchsorted(self.g, target, side="right") - 1 - base
        hour = np.clip(hour, s_h, np.maximum(e_h - 1, s_h))
        ts = WINDOW_START_MS + hour * HOUR_MS + (rng.random(curve.size) * HOUR_MS).astype(np.int64)
        short = e_h <= s_h
        if short.any():
            span = np.maximum(end[short] - start[short], 1)
            ts[short] = start[short] + (rng.random(int(short.sum())) * span).astype(np.int64)
        return np.clip(ts, start, end - 1)


def sample_waves(
    rng: np.random.Generator,
    wave_ts: np.ndarray,
    wave_cum: np.ndarray,
    w_lo: np.ndarray,
    w_hi: np.ndarray,
    wave_len: np.ndarray,
    jitter: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
) -> np.ndarray:
    """Pick one of the campaign's dispatch waves inside the account's active interval (weighted
    by the wave's size) and a time inside it; ``wave_cum`` is the exclusive prefix sum."""
    n = w_lo.size
    lo = wave_cum[w_lo]
    hi = wave_cum[np.maximum(w_hi, w_lo)]
    target = lo + rng.random(n) * (hi - lo)
    k = np.searchsorted(wave_cum, target, side="right") - 1
    k = np.clip(k, w_lo, np.maximum(w_hi - 1, w_lo))
    ts = wave_ts[np.minimum(k, wave_ts.size - 1)] + (rng.random(n) * wave_len).astype(np.int64)
    ts += (rng.standard_normal(n) * jitter).astype(np.int64)
    empty = w_hi <= w_lo
    if empty.any():
        span = np.maximum(end[empty] - start[empty], 1)
        ts[empty] = start[empty] + (rng.random(int(empty.sum())) * span).astype(np.int64)
    return np.clip(ts, start, end - 1)


def sample_clock(
    rng: np.random.Generator,
    rank: np.ndarray,
    start: np.ndarray,
    period: np.ndarray,
    phase: np.ndarray,
    jitter: np.ndarray,
    end: np.ndarray,
) -> np.ndarray:
    """Cron-like: the k-th request at start + phase + k * period, a second or two late."""
    ts = start + phase + rank * period + (rng.random(rank.size) * jitter).astype(np.int64)
    return np.clip(ts, start, end - 1)


def sample_bursts(
    rng: np.random.Generator,
    b_off: np.ndarray,
    b_cnt: np.ndarray,
    burst_start: np.ndarray,
    burst_len: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
) -> np.ndarray:
    """Benchmark runs: each request falls in one of the account's runs."""
    b = b_off + (rng.random(b_off.size) * b_cnt).astype(np.int64)
    ts = burst_start[b] + (rng.random(b.size) * burst_len[b]).astype(np.int64)
    return np.clip(ts, start, end - 1)


def make_waves(
    rng: np.random.Generator,
    start_ms: int,
    end_ms: int,
    every_minutes: float,
    diurnal_tz: int | None,
    profile: int = P_PERSONAL,
    sigma: float = 0.35,
) -> tuple[np.ndarray, np.ndarray]:
    """A campaign's dispatch schedule: regular waves of lognormal size (``sigma``: burstiness),
    optionally shaped by a human week (``profile``: evenings or office hours) in the operator's
    zone (``diurnal_tz``) so the traffic mimics a person or an office."""
    step = max(int(every_minutes * 60_000), 60_000)
    first = start_ms + int(rng.integers(0, step))
    times = np.arange(first, end_ms, step, dtype=np.int64)
    if times.size == 0:
        times = np.array([start_ms], dtype=np.int64)
    weights = rng.lognormal(0.0, sigma, times.size)
    if diurnal_tz is not None:
        week = hour_of_week_profiles()[profile]
        how = ((times - WINDOW_START_MS) // HOUR_MS + diurnal_tz) % 168
        weights *= week[how]
    return times, weights
