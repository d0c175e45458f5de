"""Request events: streams expanded into rows, one chunk of streams at a time.

Every column is computed for a whole chunk with numpy (gathers by stream index, inverse-CDF
sampling, ``searchsorted``); nothing loops per event. Chunks are fixed by the seed, so the same
seed yields the same rows in the same order, whatever the machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from hydrascope.simulate.config import CAP_INDEX, CAPABILITIES, DAY_MS, WINDOW_START_MS
from hydrascope.simulate.ids import mix64
from hydrascope.simulate.timing import (
    T_BURSTS,
    T_CLOCK,
    T_PROFILE,
    T_WAVES,
    ProfileSampler,
    sample_bursts,
    sample_clock,
    sample_waves,
)
from hydrascope.simulate.world import (
    BENCH_SUITES,
    N_SLOTS,
    POPULAR_VOCAB,
    S_BENCH,
    S_CAMPAIGN,
    S_ORG,
    S_PERSONAL,
    S_POPULAR,
    S_UNIFORM,
    World,
)

CHUNK_ROWS = 2_000_000
_KEY_BASE = WINDOW_START_MS - 8 * 365 * DAY_MS
_SHIFT = np.int64(42)

# Median input/output tokens and log-sd per capability (long contexts for agents, long
# reasoning outputs for chain-of-thought elicitation).
_TOKENS = {
    "coding": (2500, 1.0, 700, 0.8),
    "agentic": (6000, 0.9, 500, 0.8),
    "tool_use": (3000, 0.9, 300, 0.7),
    "reasoning": (600, 0.8, 1500, 0.7),
    "cot_elicitation": (1500, 0.7, 2500, 0.6),
    "data_analysis": (4000, 1.0, 800, 0.7),
    "vision": (1800, 0.6, 400, 0.7),
    "computer_use": (5000, 0.7, 200, 0.6),
    "rubric_grading": (2000, 0.6, 400, 0.5),
    "general": (300, 1.1, 350, 0.9),
    "writing": (500, 1.0, 900, 0.8),
    "translation": (800, 0.9, 800, 0.9),
}
_MU_IN = np.log([_TOKENS[c][0] for c in CAPABILITIES])
_SD_IN = np.array([_TOKENS[c][1] for c in CAPABILITIES])
_MU_OUT = np.log([_TOKENS[c][2] for c in CAPABILITIES])
_SD_OUT = np.array([_TOKENS[c][3] for c in CAPABILITIES])
_SUITE_CAP = np.array([CAP_INDEX[c] for c, _ in BENCH_SUITES], dtype=np.int64)
_SUITE_SIZE = np.array([s for _, s in BENCH_SUITES], dtype=np.int64)


def template_key(source: np.ndarray, a: np.ndarray, cap: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pack (source, owner, capability, item) into one integer and hash it: distinct skeletons
    get distinct ids, the same skeleton the same id wherever it is used."""
    key = (
        (source.astype(np.uint64) << np.uint64(60))
        | ((a.astype(np.uint64) & np.uint64(0xFFFFFF)) << np.uint64(36))
        | ((cap.astype(np.uint64) & np.uint64(0xF)) << np.uint64(32))
        | (b.astype(np.uint64) & np.uint64(0xFFFFFFFF))
    )
    return mix64(key)


def campaign_template(
    campaign: int, cap: np.ndarray, family: np.ndarray, paraphrase: np.ndarray
) -> np.ndarray:
    a = np.full(cap.size, campaign, dtype=np.int64)
    return template_key(np.full(cap.size, S_CAMPAIGN), a, cap, (family << 16) | paraphrase)


def _zipf(u: np.ndarray, vocab: np.ndarray | int) -> np.ndarray:
    """Ranks with P(r) ~ 1/r over [0, vocab): a few skeletons dominate, a long tail follows."""
    v = np.asarray(vocab, dtype=np.float64)
    r = np.exp(u * np.log(v + 1.0)).astype(np.int64) - 1
    return np.minimum(r, np.asarray(vocab, dtype=np.int64) - 1)


@dataclass
class Chunk:
    ts: np.ndarray
    acct: np.ndarray
    ip: np.ndarray
    key: np.ndarray
    fp: np.ndarray
    model: np.ndarray
    cap: np.ndarray
    template: np.ndarray
    input_tokens: np.ndarray
    output_tokens: np.ndarray

    def __len__(self) -> int:
        return int(self.ts.size)


class EventGenerator:
    def __init__(self, world: World, chunk_rows: int = CHUNK_ROWS) -> None:
        self.w = world
        self.sampler = ProfileSampler()
        st = world.streams
        order = np.random.default_rng([world.seed, 5]).permutation(st["n"].size)
        cum = np.cumsum(st["n"][order])
        cut = np.searchsorted(
            cum, np.arange(chunk_rows, int(cum[-1]) if cum.size else 0, chunk_rows), side="left"
        )
        self.chunks = [c for c in np.split(order, np.unique(cut + 1)) if c.size] if cum.size else []
        keys = world.keys
        self.key_comp = (keys["acct"] << _SHIFT) | (keys["created"] - _KEY_BASE)
        self.key_acct = keys["acct"]

    def __len__(self) -> int:
        return len(self.chunks)

    def __iter__(self) -> Iterator[Chunk]:
        for i in range(len(self.chunks)):
            yield self.generate(i)

    def generate(self, index: int) -> Chunk:
        st = self.w.streams
        rng = np.random.default_rng([self.w.seed, 6, index])
        s = self.chunks[index]
        n = st["n"][s]
        sid = np.repeat(s, n)
        e = sid.size
        start, end = st["start"][sid], st["end"][sid]
        timing = st["timing"][sid]

        # --- when ---
        ts = np.empty(e, dtype=np.int64)
        for kind in (T_PROFILE, T_WAVES, T_CLOCK, T_BURSTS):
            m = np.flatnonzero(timing == kind)
            if not m.size:
                continue
            ms = sid[m]
            if kind == T_PROFILE:
                ts[m] = self.sampler.sample(rng, st["profile"][ms], st["tz"][ms], start[m], end[m])
            elif kind == T_WAVES:
                ts[m] = sample_waves(
                    rng,
                    self.w.wave_ts,
                    self.w.wave_cum,
                    st["w_lo"][ms],
                    st["w_hi"][ms],
                    st["wave_len"][ms],
                    st["jitter"][ms],
                    start[m],
                    end[m],
                )
            elif kind == T_CLOCK:
                rank = np.arange(e, dtype=np.int64) - np.repeat(np.cumsum(n) - n, n)
                ts[m] = sample_clock(
                    rng, rank[m], start[m], st["period"][ms], st["phase"][ms], st["jitter"][ms], end[m]
                )
            else:
                ts[m] = sample_bursts(
                    rng,
                    st["b_off"][ms],
                    st["b_cnt"][ms],
                    self.w.bursts["start"],
                    self.w.bursts["len"],
                    start[m],
                    end[m],
                )

        # --- what ---
        u = rng.random(e, dtype=np.float32)
        slot = np.minimum((u[:, None] > st["capw"][sid]).sum(axis=1), N_SLOTS - 1)
        cap = st["caps"][sid, slot].astype(np.int64)
        u = rng.random(e, dtype=np.float32)
        source = (u[:, None] > st["src"][sid]).sum(axis=1)
        a = np.zeros(e, dtype=np.int64)
        item = np.zeros(e, dtype=np.int64)
        tag = source.copy()
        v = rng.random(e)
        acct = st["acct"][sid]
        sel = source == S_PERSONAL
        a[sel] = acct[sel]
        item[sel] = _zipf(v[sel], st["vocab"][sid[sel]])
        sel = source == S_ORG
        a[sel] = st["org"][sid[sel]]
        item[sel] = _zipf(v[sel], st["org_vocab"][sid[sel]])
        sel = source == S_POPULAR
        item[sel] = _zipf(v[sel], POPULAR_VOCAB)
        sel = source == S_UNIFORM  # camouflage "random": any honest skeleton, uniformly
        item[sel] = (v[sel] * POPULAR_VOCAB).astype(np.int64)
        tag[sel] = S_POPULAR
        sel = np.flatnonzero(source == S_BENCH)
        if sel.size:
            suite = st["suites"][sid[sel], (rng.random(sel.size) < 0.3).astype(np.int64)]
            a[sel] = suite
            item[sel] = (v[sel] * _SUITE_SIZE[suite]).astype(np.int64)
            cap[sel] = _SUITE_CAP[suite]
        sel = np.flatnonzero(source == S_CAMPAIGN)
        if sel.size:
            ss = sid[sel]
            a[sel] = st["campaign"][ss]
            fam = (v[sel] * st["families"][ss]).astype(np.int64)
            para = (rng.random(sel.size) * st["paraphrases"][ss]).astype(np.int64)
            item[sel] = (fam << 16) | para
        template = template_key(tag, a, cap, item)

        # --- where from ---
        g = st["ip_gamma"][sid].astype(np.float64)
        ip = self.w.ip_pool[st["ip_off"][sid] + (st["ip_cnt"][sid] * rng.random(e) ** g).astype(np.int64)]
        g = st["fp_gamma"][sid].astype(np.float64)
        fp = self.w.fp_pool[st["fp_off"][sid] + (st["fp_cnt"][sid] * rng.random(e) ** g).astype(np.int64)]
        comp = (acct << _SHIFT) | (ts - _KEY_BASE)
        k = np.searchsorted(self.key_comp, comp, side="right") - 1
        bad = (k < 0) | (self.key_acct[np.maximum(k, 0)] != acct)
        if bad.any():
            k[bad] = np.searchsorted(self.key_acct, acct[bad], side="left")

        # --- which model ---
        model = (rng.random(e) < st["p_b"][sid]).astype(np.int8)
        adopt = st["adopt"][sid]
        after = np.flatnonzero(ts >= adopt)
        if after.size:
            sa = sid[after]
            ramp = np.clip((ts[after] - adopt[after]) / st["ramp"][sa], 0.0, 1.0)
            model[after[rng.random(after.size) < st["p_c"][sa] * ramp]] = 2

        # --- how much ---
        z = rng.standard_normal((2, e))
        inp = np.exp(_MU_IN[cap] + _SD_IN[cap] * z[0]) * st["in_mult"][sid]
        out = np.exp(_MU_OUT[cap] + _SD_OUT[cap] * z[1]) * st["out_mult"][sid]
        inp = np.clip(inp, 1, 400_000).astype(np.int32)
        out = np.clip(out, 1, 64_000).astype(np.int32)

        o = np.argsort(ts, kind="stable")
        return Chunk(
            ts[o], acct[o], ip[o], k[o], fp[o], model[o], cap[o].astype(np.int8), template[o], inp[o], out[o]
        )
