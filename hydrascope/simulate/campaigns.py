"""Hydra campaigns: coordinated accounts that each look unremarkable.

A campaign has operators (who provision accounts and test templates), worker accounts created in
batches, optionally aged or hijacked accounts with an honest history, shared payment pools or
bursts of virtual cards from one BIN, egress through a proxy service shared with honest
customers (or its own cloud addresses, or — diversified — a unique address per account), a small
set of client fingerprints, and an orchestrator that load-balances exchanges across live accounts
in synchronised waves with jitter. Ban waves remove accounts; regrowth replaces them within hours
on partly reused infrastructure. After a model release, part of the traffic pivots to it.
"""

from __future__ import annotations

import numpy as np

from hydrascope.simulate.config import (
    CAP_INDEX,
    DAY_MS,
    HOUR_MS,
    NEVER_MS,
    RELEASE_MS,
    WINDOW_START_MS,
    CampaignSpec,
)
from hydrascope.simulate.infra import COUNTRY_CODES, COUNTRY_TZ, FREE_MAIL, FREE_MAIL_WEIGHTS, company_name
from hydrascope.simulate.population import (
    INDIVIDUAL_MIX,
    TIER,
    Cohort,
    Shared,
    cap_slots,
    draw_countries,
    honest_models,
    personal_fps,
    personal_vocab,
    ragged,
    src_cum,
    tz_of,
)
from hydrascope.simulate.timing import P_OFFICE, P_PERSONAL, T_WAVES, make_waves
from hydrascope.simulate.world import BAN_ACTIONS, BAN_REASONS, N_SLOTS, CampaignRecord, WorldBuilder

CAMPAIGN_BAN_REASONS = np.array(
    [BAN_REASONS.index(r) for r in ("tos_violation", "payment_fraud", "automated_abuse")]
)


class _Members:
    """Campaign-local state of the accounts that carry distillation traffic."""

    def __init__(self) -> None:
        self.created: list[np.ndarray] = []
        self.start: list[np.ndarray] = []
        self.end: list[np.ndarray] = []
        self.ips: list[np.ndarray] = []
        self.fps: list[np.ndarray] = []
        self.card: list[np.ndarray] = []
        self.card_first: list[np.ndarray] = []
        self.role: list[np.ndarray] = []
        self.takeover: list[np.ndarray] = []

    def add(self, **kw: np.ndarray) -> None:
        for k, v in kw.items():
            getattr(self, k).append(v)

    def cat(self, name: str) -> np.ndarray:
        return np.concatenate(getattr(self, name))


def _slots(spec: CampaignSpec) -> tuple[np.ndarray, np.ndarray]:
    pairs = sorted(spec.capabilities, key=lambda p: -p[1])[:N_SLOTS]
    caps = [CAP_INDEX[c] for c, _ in pairs]
    w = [w for _, w in pairs]
    while len(caps) < N_SLOTS:
        caps.append(caps[-1])
        w.append(0.0)
    return np.array(caps, dtype=np.int8), np.array(w, dtype=float)


def build_campaign(b: WorldBuilder, spec: CampaignSpec, index: int, shared: Shared) -> None:
    rng = np.random.default_rng([b.seed, 10, index])
    start = WINDOW_START_MS + int(spec.start_day * DAY_MS)
    end = WINDOW_START_MS + int(spec.end_day * DAY_MS)
    caps, capw = _slots(spec)
    svc, proxy_pool = shared.proxies.get(spec.proxy_service, (-1, np.zeros(0, np.int64)))
    record = CampaignRecord(
        index,
        spec.campaign_id,
        spec.name,
        spec.strategy,
        start,
        end,
        caps,
        spec.template_families,
        spec.paraphrases,
        spec.exchanges,
        svc,
    )
    b.campaigns.append(record)
    times, weights = make_waves(
        rng,
        start,
        end,
        spec.wave_minutes,
        spec.operator_tz if spec.diurnal else None,
        profile=P_OFFICE if spec.diurnal_profile == "office" else P_PERSONAL,
        sigma=spec.wave_sigma,
    )
    w_off, _ = b.add_waves(times, weights)

    # --- infrastructure ----------------------------------------------------------------------
    camp_fps = b.new_fps(max(spec.fingerprints, 1))
    clouds = b.net.clouds
    egress = np.concatenate(
        [
            b.net.alloc(
                clouds[(index + j) % len(clouds)],
                spec.egress_ips // 3 + (1 if j < spec.egress_ips % 3 else 0),
                dc=True,
            )
            for j in range(3)
        ]
    )
    fin = int(rng.integers(0, len(b.pay.fintech_bins)))
    shared_cards = np.zeros(0, np.int64)
    if spec.shared_cards:
        cc = draw_countries(rng, spec.shared_cards)
        shared_cards = b.pay.add(
            np.zeros(spec.shared_cards, np.int8),
            b.pay.bank_bins[cc, rng.integers(0, 12, spec.shared_cards)],
            cc,
        )
    k_ips = 1 if spec.unique_infra else spec.ips_per_account

    def draw_ips(m: int) -> np.ndarray:
        if spec.unique_infra:
            return b.net.alloc_residential(draw_countries(rng, m))[:, None]
        out = egress[rng.integers(0, egress.size, (m, k_ips))]
        if proxy_pool.size:
            via = rng.random(m) < spec.proxy_share
            out[via] = proxy_pool[rng.integers(0, proxy_pool.size, (int(via.sum()), k_ips))]
        return out

    def draw_fps(m: int) -> np.ndarray:
        if spec.unique_infra:
            first = b.new_fps(m)
        else:
            first = camp_fps[rng.integers(0, camp_fps.size, m)]
            first = np.where(rng.random(m) < spec.popular_fingerprint_share, b.popular_fps(m), first)
        second = np.where((rng.random(m) < 0.3) & (not spec.unique_infra), b.popular_fps(m), -1)
        return np.stack([first, second], axis=1)

    def draw_cards(m: int, created: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        first_seen = created + rng.integers(2 * 60_000, 40 * 60_000, m)
        if spec.virtual_cards and not spec.unique_infra:
            # A burst of virtual cards from one fintech BIN, issued minutes apart.
            cards = b.pay.add(
                np.ones(m, np.int8),
                np.full(m, b.pay.fintech_bins[fin]),
                np.full(m, b.pay.fintech_country[fin]),
            )
        elif shared_cards.size and not spec.unique_infra:
            cards = shared_cards[rng.integers(0, shared_cards.size, m)]
        else:
            cards = b.pay.personal(draw_countries(rng, m), virtual_share=0.1)
        return cards, first_seen

    # --- operators -----------------------------------------------------------------------------
    op_countries = np.flatnonzero(spec.operator_tz == COUNTRY_TZ)
    n_op = spec.operators
    op_acct = np.zeros(0, np.int64)
    op_home = np.full(1, -1, np.int64)
    op_fp = np.full(1, -1, np.int64)
    if n_op:
        oc = rng.choice(op_countries if op_countries.size else np.arange(len(COUNTRY_CODES)), n_op)
        op_created = WINDOW_START_MS - rng.integers(20, 60, n_op) * DAY_MS
        op_acct = b.new_accounts(
            n_op,
            "operator",
            created=op_created,
            domain=b.domain(FREE_MAIL[0]),
            country=oc,
            tier=TIER["scale"],
            tz=spec.operator_tz,
            campaign=index,
            console_rate=12.0,
        )
        op_home = b.net.alloc_residential(oc)
        op_fp = b.new_fps(n_op)
        op_card = shared_cards[:n_op] if shared_cards.size >= n_op else b.pay.personal(oc)
        b.payments.add(n_op, acct=op_acct, instr=op_card, first_seen=op_created + HOUR_MS)
        b.add_keys(op_acct, op_created, rng.poisson(2, n_op), np.full(n_op, end))
        op_n = rng.multinomial(max(20, round(spec.exchanges * 0.002)), np.ones(n_op) / n_op)
        c = Cohort(
            op_acct,
            oc,
            np.full(n_op, spec.operator_tz),
            op_created,
            np.full(n_op, max(WINDOW_START_MS, start - 2 * DAY_MS)),
            np.full(n_op, end),
        )
        ip_m = np.stack([op_home, egress[rng.integers(0, egress.size, n_op)]], axis=1)
        fp_m = np.stack([op_fp, camp_fps[rng.integers(0, camp_fps.size, n_op)]], axis=1)
        _campaign_streams(
            b, spec, index, c, op_n, ip_m, fp_m, caps, capw, times, w_off, rng, profile=P_OFFICE
        )

    # --- initial members: workers and hijacked/aged accounts -------------------------------------
    mem = _Members()
    n_h = min(spec.hijacked, spec.accounts)
    n_w = spec.accounts - n_h
    burst_t = start - (rng.random(max(spec.creation_bursts, 1)) * spec.creation_spread_days * DAY_MS).astype(
        np.int64
    )
    created = burst_t[rng.integers(0, burst_t.size, n_w)] + rng.integers(0, 30 * 60_000, n_w) - HOUR_MS
    w_start = np.maximum(start, created + rng.integers(HOUR_MS, 6 * HOUR_MS, n_w))
    cards, first = draw_cards(n_w, created)
    mem.add(
        created=created,
        start=w_start,
        end=np.full(n_w, end),
        ips=draw_ips(n_w),
        fps=draw_fps(n_w),
        card=cards,
        card_first=first,
        role=np.full(n_w, 1),
        takeover=np.full(n_w, -1),
    )
    if n_h:
        h_created = WINDOW_START_MS - rng.integers(200, 1200, n_h) * DAY_MS
        takeover = np.clip(
            WINDOW_START_MS + int(spec.hijack_day * DAY_MS) + rng.integers(-2 * DAY_MS, 2 * DAY_MS, n_h),
            start,
            end - DAY_MS,
        )
        cards, first = draw_cards(n_h, takeover)
        mem.add(
            created=h_created,
            start=takeover + rng.integers(HOUR_MS // 2, 3 * HOUR_MS, n_h),
            end=np.full(n_h, end),
            ips=draw_ips(n_h),
            fps=draw_fps(n_h),
            card=cards,
            card_first=first,
            role=np.full(n_h, 3),
            takeover=takeover,
        )

    # --- ban waves and regrowth ---------------------------------------------------------------
    ban_ms_parts: list[np.ndarray] = [np.full(n_w + n_h, NEVER_MS, np.int64)]
    for day, frac in spec.ban_waves:
        t = WINDOW_START_MS + int(day * DAY_MS)
        m_start, m_end = mem.cat("start"), mem.cat("end")
        ban_ms = np.concatenate(ban_ms_parts)
        active = np.flatnonzero((m_start < t) & (m_end > t) & (ban_ms == NEVER_MS))
        picked = np.sort(rng.choice(active, size=round(frac * active.size), replace=False))
        when = t + rng.integers(0, 3 * HOUR_MS, picked.size)
        ban_ms[picked] = when
        ends = mem.cat("end")
        ends[picked] = when
        mem.end = [ends]
        ban_ms_parts = [ban_ms]
        regrow = picked[rng.random(picked.size) < spec.regrowth]
        r_when = ban_ms[regrow]
        m = regrow.size
        if not m:
            continue
        # median ``regrowth_delay_hours`` (2.5 h by default), clipped to [0.2x, 4.8x] of it
        d = spec.regrowth_delay_hours / 2.5
        delay = np.clip(
            rng.lognormal(np.log(spec.regrowth_delay_hours * HOUR_MS), 0.6, m),
            HOUR_MS // 2 * d,
            12 * HOUR_MS * d,
        ).astype(np.int64)
        r_created = r_when + delay
        r_start = r_created + rng.integers(20 * 60_000, 2 * HOUR_MS, m)
        old_ips, old_fps = mem.cat("ips")[regrow], mem.cat("fps")[regrow]
        old_cards = mem.cat("card")[regrow]
        reuse = rng.random((m, 3)) < spec.infra_reuse
        ips = np.where(reuse[:, :1], old_ips, draw_ips(m))
        fps = np.where(reuse[:, 1:2], old_fps, draw_fps(m))
        new_cards, first = draw_cards(m, r_created)
        cards = np.where(reuse[:, 2], old_cards, new_cards)
        mem.add(
            created=r_created,
            start=r_start,
            end=np.full(m, end),
            ips=ips,
            fps=fps,
            card=cards,
            card_first=first,
            role=np.full(m, 2),
            takeover=np.full(m, -1),
        )
        ban_ms_parts.append(np.full(m, NEVER_MS, np.int64))

    created, m_start, m_end = mem.cat("created"), mem.cat("start"), mem.cat("end")
    ban_ms = np.concatenate(ban_ms_parts)
    roles = mem.cat("role")
    takeover = mem.cat("takeover")
    n = created.size
    countries = draw_countries(rng, n)
    tz = tz_of(rng, countries)
    domains = np.array([b.domain(d) for d in FREE_MAIL])[rng.choice(len(FREE_MAIL), n, p=FREE_MAIL_WEIGHTS)]
    org = -1
    tier_hi = TIER["scale"]
    if spec.cover_org:
        # A shell company: its own email domain and org id on every account, as a customer has.
        name = f"{company_name(len(b.orgs) + 7)}-{spec.campaign_id.replace('_', '')}"
        org = b.org(name)
        domains = np.full(n, b.domain(f"{name}.example"))
    role_names = np.array(["operator", "worker", "regrown", "hijacked"])
    acct = np.empty(n, np.int64)
    for r in (1, 2, 3):
        sel = np.flatnonzero(roles == r)
        if sel.size:
            banned = ban_ms[sel] < NEVER_MS
            acct[sel] = b.new_accounts(
                sel.size,
                str(role_names[r]),
                created=created[sel],
                domain=domains[sel],
                org=org,
                country=countries[sel],
                tier=np.where(rng.random(sel.size) < 0.9, TIER["build"], tier_hi),
                tz=tz[sel],
                campaign=index,
                ban_ms=ban_ms[sel],
                ban_action=np.where(banned, BAN_ACTIONS.index("ban"), -1),
                ban_reason=np.where(banned, CAMPAIGN_BAN_REASONS[rng.integers(0, 3, sel.size)], -1),
                prov_ip=op_home[rng.integers(0, op_home.size, sel.size)],
                prov_fp=op_fp[rng.integers(0, op_fp.size, sel.size)],
                prov_share=spec.operator_link if n_op else 0.0,
                console_rate=0.5,
            )
    hij = roles == 3
    # Hijacked/aged accounts: an honest life before the takeover.
    if hij.any():
        h = np.flatnonzero(hij)
        hc = Cohort(acct[h], countries[h], tz[h], created[h], np.full(h.size, WINDOW_START_MS), takeover[h])
        b.add_keys(acct[h], created[h], np.zeros(h.size, np.int64), takeover[h])
        b.keys.add(h.size, acct=acct[h], created=takeover[h] + rng.integers(5 * 60_000, HOUR_MS, h.size))
        own = b.pay.personal(countries[h])
        b.payments.add(h.size, acct=acct[h], instr=own, first_seen=created[h] + DAY_MS)
        home = b.net.alloc_residential(countries[h])
        hfp = personal_fps(b, h.size)
        days = np.maximum(takeover[h] - WINDOW_START_MS, 0) / DAY_MS
        hn = rng.poisson(np.maximum(days, 0) * rng.lognormal(1.0, 0.8, h.size))
        h_ip_cnt, h_ip = ragged(home[:, None])
        h_fp_cnt, h_fp = ragged(hfp)
        hcaps, hcapw = cap_slots(rng, h.size, INDIVIDUAL_MIX)
        b.streams.add(
            h.size,
            acct=hc.acct,
            start=hc.start,
            end=np.maximum(hc.end, hc.start + 1),
            n=hn,
            profile=P_PERSONAL,
            tz=hc.tz,
            src=src_cum(personal=0.6, popular=0.4),
            caps=hcaps,
            capw=hcapw,
            ip_off=b.pools("ip", h_ip_cnt, h_ip),
            ip_cnt=h_ip_cnt,
            ip_gamma=2.0,
            fp_off=b.pools("fp", h_fp_cnt, h_fp),
            fp_cnt=h_fp_cnt,
            fp_gamma=2.0,
            vocab=personal_vocab(rng, h.size),
            **honest_models(rng, h.size),
        )
        # The attacker logs in from campaign infrastructure at takeover.
        b.logins.add(
            h.size, ts=takeover[h], acct=acct[h], ip=mem.cat("ips")[h, 0], fp=mem.cat("fps")[h, 0], kind=1
        )
    nh = np.flatnonzero(~hij)
    b.add_keys(acct[nh], created[nh], rng.poisson(0.2, nh.size), np.maximum(m_end[nh], created[nh] + HOUR_MS))
    cards, first = mem.cat("card"), mem.cat("card_first")
    with_card = ~hij | (rng.random(n) < 0.5)
    b.payments.add(
        int(with_card.sum()), acct=acct[with_card], instr=cards[with_card], first_seen=first[with_card]
    )
    if spec.virtual_cards and shared_cards.size:
        extra = rng.random(n) < 0.4
        b.payments.add(
            int(extra.sum()),
            acct=acct[extra],
            instr=shared_cards[rng.integers(0, shared_cards.size, int(extra.sum()))],
            first_seen=first[extra] + HOUR_MS,
        )

    # --- distillation volume, load-balanced over live time ------------------------------------
    live = np.maximum(m_end - m_start, 0).astype(float)
    w = live * rng.lognormal(0.0, 0.15, n)
    op_total = max(20, round(spec.exchanges * 0.002)) if n_op else 0
    volume = (
        rng.multinomial(max(spec.exchanges - op_total, 0), w / w.sum())
        if w.sum() > 0
        else np.zeros(n, np.int64)
    )
    c = Cohort(acct, countries, tz, created, m_start, np.maximum(m_end, m_start + 1))
    _campaign_streams(
        b, spec, index, c, volume, mem.cat("ips"), mem.cat("fps"), caps, capw, times, w_off, rng
    )
    if spec.camouflage > 0:
        camo = np.round(volume * spec.camouflage).astype(np.int64)
        mix = INDIVIDUAL_MIX if spec.camouflage_mode == "popular" else {k: 1.0 for k in CAP_INDEX}
        src = src_cum(popular=1.0) if spec.camouflage_mode == "popular" else src_cum(uniform=1.0)
        ccaps, ccapw = cap_slots(rng, n, mix)
        ip_cnt, ip_flat = ragged(mem.cat("ips"))
        fp_cnt, fp_flat = ragged(mem.cat("fps"))
        keep = camo > 0
        ip_off = b.pools("ip", ip_cnt, ip_flat)
        fp_off = b.pools("fp", fp_cnt, fp_flat)
        models = honest_models(rng, n)
        b.streams.add(
            int(keep.sum()),
            acct=acct[keep],
            start=c.start[keep],
            end=c.end[keep],
            n=camo[keep],
            profile=P_PERSONAL,
            tz=tz[keep],
            src=src,
            caps=ccaps[keep],
            capw=ccapw[keep],
            ip_off=ip_off[keep],
            ip_cnt=ip_cnt[keep],
            ip_gamma=1.0,
            fp_off=fp_off[keep],
            fp_cnt=fp_cnt[keep],
            fp_gamma=2.0,
            **{k: v[keep] for k, v in models.items()},
        )


def _campaign_streams(
    b: WorldBuilder,
    spec: CampaignSpec,
    index: int,
    c: Cohort,
    n: np.ndarray,
    ip_m: np.ndarray,
    fp_m: np.ndarray,
    caps: np.ndarray,
    capw: np.ndarray,
    times: np.ndarray,
    w_off: int,
    rng: np.random.Generator,
    profile: int | None = None,
) -> None:
    m = c.acct.size
    w = capw[None, :] * rng.lognormal(0.0, 0.1, (m, caps.size))
    cum = np.cumsum(w, axis=1)
    cum /= cum[:, -1:]
    ip_cnt, ip_flat = ragged(ip_m)
    fp_cnt, fp_flat = ragged(fp_m)
    pivot = spec.pivot_share > 0
    adopt = RELEASE_MS + int(spec.pivot_delay_hours * HOUR_MS) + rng.integers(0, HOUR_MS, m)
    cols: dict[str, object] = {
        "acct": c.acct,
        "start": c.start,
        "end": c.end,
        "n": n,
        "tz": c.tz,
        "src": src_cum(campaign=1.0),
        "campaign": index,
        "families": spec.template_families,
        "paraphrases": spec.paraphrases,
        "caps": np.repeat(caps[None, :], m, axis=0),
        "capw": cum.astype(np.float32),
        "ip_off": b.pools("ip", ip_cnt, ip_flat),
        "ip_cnt": ip_cnt,
        "ip_gamma": 1.0,
        "fp_off": b.pools("fp", fp_cnt, fp_flat),
        "fp_cnt": fp_cnt,
        "fp_gamma": 2.5,
        "p_b": 0.1,
        "adopt": np.where(pivot, adopt, NEVER_MS),
        "p_c": spec.pivot_share,
        "ramp": max(int(spec.pivot_ramp_hours * HOUR_MS), 1),
        "out_mult": spec.output_multiplier,
    }
    if profile is None:
        cols.update(
            timing=T_WAVES,
            w_lo=w_off + np.searchsorted(times, c.start),
            w_hi=w_off + np.searchsorted(times, c.end),
            wave_len=int(spec.wave_seconds * 1000),
            jitter=int(spec.jitter_seconds * 1000),
        )
    else:
        cols.update(profile=profile)
    keep = n > 0
    b.streams.add(
        int(keep.sum()),
        **{k: (v[keep] if k != "src" and isinstance(v, np.ndarray) else v) for k, v in cols.items()},
    )


def build_campaigns(b: WorldBuilder, campaigns: tuple[CampaignSpec, ...], shared: Shared) -> None:
    for i, spec in enumerate(campaigns):
        build_campaign(b, spec, i, shared)
