"""The honest population, including every hard negative of DESIGN.md.

One builder per kind. Each decides the kind's accounts, payment instruments, network pools,
timing and content, so that every kind looks like a hydra on at least one signal (a shared card,
a shared IP, datacenter egress, repetitive templates, clockwork timing, proxy egress) and unlike
one on the combination.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from hydrascope.simulate.config import (
    CAP_INDEX,
    CAPABILITIES,
    DAY_MS,
    HOUR_MS,
    RATE_LIMIT_PER_HOUR,
    RELEASE_MS,
    TIERS,
    WINDOW_END_MS,
    WINDOW_START_MS,
    KindSpec,
    ScenarioSpec,
)
from hydrascope.simulate.infra import (
    COUNTRY_CODES,
    COUNTRY_TZ,
    COUNTRY_WEIGHTS,
    FREE_MAIL,
    FREE_MAIL_WEIGHTS,
    US_TZ_SPREAD,
    company_name,
)
from hydrascope.simulate.timing import (
    P_FLAT,
    P_OFFICE,
    P_PERSONAL,
    P_STUDENT,
    T_BURSTS,
    T_CLOCK,
    ProfileSampler,
)
from hydrascope.simulate.world import (
    BAN_ACTIONS,
    BAN_REASONS,
    BENCH_SUITES,
    N_SLOTS,
    N_SOURCES,
    WorldBuilder,
)

TIER = {t: i for i, t in enumerate(TIERS)}
US = COUNTRY_CODES.index("US")

INDIVIDUAL_MIX = {
    "general": 0.22,
    "coding": 0.24,
    "writing": 0.14,
    "data_analysis": 0.07,
    "translation": 0.07,
    "reasoning": 0.07,
    "agentic": 0.05,
    "tool_use": 0.05,
    "vision": 0.05,
    "computer_use": 0.02,
    "cot_elicitation": 0.01,
    "rubric_grading": 0.01,
}
CORPORATE_MIX = {
    "coding": 0.30,
    "agentic": 0.12,
    "tool_use": 0.10,
    "data_analysis": 0.12,
    "writing": 0.10,
    "general": 0.12,
    "reasoning": 0.06,
    "vision": 0.04,
    "translation": 0.03,
    "computer_use": 0.01,
}
STUDENT_MIX = {
    "coding": 0.28,
    "reasoning": 0.14,
    "writing": 0.18,
    "general": 0.2,
    "data_analysis": 0.1,
    "translation": 0.05,
    "vision": 0.03,
    "cot_elicitation": 0.02,
}
AUTOMATION_CAPS = ("data_analysis", "general", "translation", "writing", "coding", "tool_use")
NICE_PERIODS_MIN = np.array([1, 2, 5, 10, 15, 20, 30, 60, 120, 240, 360, 720, 1440])


# --- small vectorised helpers ---------------------------------------------------------------
def mix_vector(mix: dict[str, float]) -> np.ndarray:
    p = np.zeros(len(CAPABILITIES))
    for name, w in mix.items():
        p[CAP_INDEX[name]] = w
    return p / p.sum()


def cap_slots(
    rng: np.random.Generator, n: int, mix: dict[str, float], spread: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Each account's own few capabilities (Gumbel top-k by the kind's mix) and cumulative
    weights: accounts of one kind differ, as real customers do."""
    p = mix_vector(mix)
    g = np.log(p + 1e-12)[None, :] + rng.gumbel(size=(n, p.size))
    top = np.argsort(-g, axis=1)[:, :N_SLOTS]
    w = rng.gamma(spread, size=(n, N_SLOTS)) * p[top] + 1e-9 * (p[top] > 0)
    cum = np.cumsum(w, axis=1)
    cum /= cum[:, -1:]
    return top.astype(np.int8), cum.astype(np.float32)


def src_cum(
    personal: float = 0,
    org: float = 0,
    popular: float = 0,
    uniform: float = 0,
    bench: float = 0,
    campaign: float = 0,
) -> np.ndarray:
    v = np.array([personal, org, popular, uniform, bench, campaign], dtype=float)
    assert v.size == N_SOURCES
    return (np.cumsum(v) / v.sum()).astype(np.float32)


def ragged(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows with -1 for "absent" -> (counts, flat members in row order)."""
    valid = matrix >= 0
    return valid.sum(axis=1), matrix[valid]


def tz_of(rng: np.random.Generator, countries: np.ndarray) -> np.ndarray:
    tz = COUNTRY_TZ[countries].copy()
    us = countries == US
    tz[us] += rng.choice(US_TZ_SPREAD[0], size=int(us.sum()), p=US_TZ_SPREAD[1])
    return tz


def draw_countries(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.choice(len(COUNTRY_CODES), size=n, p=COUNTRY_WEIGHTS)


def group_sizes(rng: np.random.Generator, total: int, groups: int, largest_share: float) -> np.ndarray:
    """Heavy-tailed group sizes summing to ``total`` with the largest at ``largest_share``."""
    groups = max(1, min(groups, total))
    largest = max(1, round(total * largest_share)) if largest_share else 0
    rest_n = groups - (1 if largest else 0)
    rest_total = total - largest
    if rest_n <= 0:
        return np.array([total])
    w = rng.pareto(1.3, rest_n) + 0.2
    if largest:  # no other group outgrows the designated largest one
        for _ in range(3):
            w = np.minimum(w, 0.8 * largest / max(rest_total, 1) * w.sum())
    sizes = 1 + rng.multinomial(max(rest_total - rest_n, 0), w / w.sum())
    if largest:
        sizes = np.concatenate([[largest], sizes])
        sizes[0] = max(sizes[0], sizes.max())
    diff = total - sizes.sum()
    sizes[0] += diff
    return sizes.astype(np.int64)


def allocate(
    rng: np.random.Generator, total: int, start: np.ndarray, end: np.ndarray, sigma: float, cap_per_day: float
) -> np.ndarray:
    """Exactly ``total`` requests spread over accounts: heavy-tailed (lognormal) intensity times
    active time, with no account above ``cap_per_day`` on average."""
    days = np.maximum(end - start, 0) / DAY_MS
    w = rng.lognormal(0.0, sigma, start.size) * days
    if w.sum() <= 0:
        return np.zeros(start.size, dtype=np.int64)
    for _ in range(3):
        expected = total * w / w.sum()
        w = np.minimum(expected, cap_per_day * days)
    return rng.multinomial(total, w / w.sum()).astype(np.int64)


def honest_models(rng: np.random.Generator, n: int, adopt_share: float = 0.45) -> dict[str, np.ndarray]:
    """Model preferences: honest users adopt a new model gradually, over days."""
    adopt = np.where(
        rng.random(n) < adopt_share,
        RELEASE_MS + rng.exponential(4 * DAY_MS, n).astype(np.int64) + rng.integers(HOUR_MS, 6 * HOUR_MS, n),
        2**62,
    )
    return {
        "p_b": rng.beta(2, 3, n),
        "adopt": adopt,
        "p_c": rng.uniform(0.3, 0.9, n),
        "ramp": np.ones(n, np.int64),
    }


def personal_vocab(rng: np.random.Generator, n: int, mean_log: float = 2.5) -> np.ndarray:
    return np.clip(np.exp(rng.normal(mean_log, 1.0, n)), 3, 5000).astype(np.int64)


@dataclass
class Shared:
    """Population-wide shared infrastructure (egress pools used by several kinds)."""

    carriers: list[tuple[int, np.ndarray]] = field(default_factory=list)  # (country, egress ips)
    carrier_users: list[int] = field(default_factory=list)  # cgnat accounts planned per carrier
    proxies: dict[str, tuple[int, np.ndarray]] = field(default_factory=dict)  # name -> (svc, egress)
    vpns: list[tuple[int, np.ndarray]] = field(default_factory=list)
    sampler: ProfileSampler = field(default_factory=ProfileSampler)


PROXY_CATALOGUE = {
    # name: (service name, kind, datacenter share of egress, intel coverage)
    "relay": ("TransitRelay API", "reseller", 0.7, 0.9),
    "resi": ("HomeHop Residential", "residential_proxy", 0.0, 0.7),
}


def proxy_demand(spec: ScenarioSpec) -> dict[str, float]:
    """Account-address draws expected on each proxy; sizes its egress pool (~25 per address)."""
    demand: dict[str, float] = {}
    for c in spec.campaigns:
        if c.proxy_service:
            growth = 1 + sum(f for _, f in c.ban_waves) * c.regrowth
            demand[c.proxy_service] = (
                demand.get(c.proxy_service, 0) + c.accounts * c.proxy_share * c.ips_per_account * growth
            )
    customers = sum(k.accounts for k in spec.population if k.kind == "proxy_customer")
    if customers:
        names = sorted(demand) or ["relay"]
        for name in names:
            demand[name] = demand.get(name, 0) + customers * 6 / len(names)
    return demand


def build_shared(b: WorldBuilder, spec: ScenarioSpec) -> Shared:
    shared = Shared()
    rng = b.rng
    for name, draws in sorted(proxy_demand(spec).items()):
        label, kind, dc_share, coverage = PROXY_CATALOGUE[name]
        svc = b.net.add_service(label, kind)
        size = max(8, round(draws / 25))
        n_dc = round(size * dc_share)
        parts = []
        for j, cloud in enumerate(b.net.clouds):
            per = n_dc // len(b.net.clouds) + (1 if j < n_dc % len(b.net.clouds) else 0)
            if per:
                labelled = rng.random(per) < coverage
                parts += [
                    b.net.alloc(cloud, int(labelled.sum()), dc=True, svc=svc),
                    b.net.alloc(cloud, int((~labelled).sum()), dc=True),
                ]
        n_res = size - n_dc
        if n_res:
            countries = draw_countries(rng, n_res)
            ips = b.net.alloc_residential(countries)
            # Residential proxy intel is partial: only some exits are known to the provider.
            labelled = rng.random(n_res) < coverage
            parts.append(ips)
            _label(b, ips[labelled], svc)
        egress = np.concatenate(parts)
        shared.proxies[name] = (svc, rng.permutation(egress))
    for k in spec.population:
        if k.kind == "cgnat":
            sizes = group_sizes(rng, k.accounts, min(k.groups, len(b.net.carriers)), 0.0)
            for j, users in enumerate(sizes):
                asn = b.net.carriers[j]
                country = COUNTRY_CODES.index(b.net.asns[asn].country)
                n_ips = max(2, round(users * 5 / max(k.sharing, 2)))
                shared.carriers.append((country, b.net.alloc(asn, n_ips)))
                shared.carrier_users.append(int(users))
        if k.kind == "vpn":
            for j in range(k.groups):
                svc = b.net.add_service(
                    f"{['Aegis', 'Nightjar', 'Tunnelly', 'Veil'][j % 4]}VPN{j // 4 or ''}", "vpn"
                )
                users = k.accounts / k.groups
                n_ips = max(3, round(users * 3 / max(k.sharing, 2)))
                hosts = b.net.hosting + b.net.clouds[:2]
                ips = np.concatenate(
                    [
                        b.net.alloc(
                            hosts[i % len(hosts)], n_ips // len(hosts) + 1, dc=True, vpn=True, svc=svc
                        )
                        for i in range(len(hosts))
                    ]
                )
                shared.vpns.append((svc, ips))
    return shared


def _label(b: WorldBuilder, ips: np.ndarray, svc: int) -> None:
    """Mark already-allocated addresses as egress of ``svc`` (they were allocated in ISP blocks)."""
    if ips.size == 0:
        return
    starts = np.cumsum([0] + [a.size for a in b.net.ip_svc])
    for i, arr in enumerate(b.net.ip_svc):
        sel = ips[(ips >= starts[i]) & (ips < starts[i + 1])] - starts[i]
        arr[sel] = svc


# --- the common honest cohort ---------------------------------------------------------------
@dataclass
class Cohort:
    acct: np.ndarray
    countries: np.ndarray
    tz: np.ndarray
    created: np.ndarray
    start: np.ndarray
    end: np.ndarray


def cohort(
    b: WorldBuilder,
    role: str,
    countries: np.ndarray,
    *,
    tz: np.ndarray | None = None,
    domains: np.ndarray | None = None,
    orgs: np.ndarray | int = -1,
    tiers: np.ndarray | None = None,
    new_share: float = 0.15,
    churn: float = 0.06,
    ban_rate: float = 0.004,
    console_rate: float = 2.0,
    created: np.ndarray | None = None,
) -> Cohort:
    """Accounts with organic lifecycles: most signed up long ago, some during the window, a few
    churn, and a few are banned for reasons unrelated to distillation (unpaid bills, abuse).
    ``created`` overrides the drawn signup times (a class signing up in one hour, a years-old
    enterprise fleet); the draws still happen, so other kinds' worlds do not shift."""
    rng = b.rng
    n = countries.size
    if tz is None:
        tz = tz_of(rng, countries)
    if domains is None:
        domains = np.array([b.domain(d) for d in FREE_MAIL])[
            rng.choice(len(FREE_MAIL), n, p=FREE_MAIL_WEIGHTS)
        ]
    if tiers is None:
        tiers = rng.choice(4, n, p=[0.35, 0.55, 0.08, 0.02])
    is_new = rng.random(n) < new_share
    drawn = np.where(
        is_new,
        WINDOW_START_MS + (rng.random(n) * (WINDOW_END_MS - WINDOW_START_MS - DAY_MS)).astype(np.int64),
        WINDOW_START_MS - (rng.exponential(300 * DAY_MS, n) % (1400 * DAY_MS)).astype(np.int64) - HOUR_MS,
    )
    created = drawn if created is None else np.asarray(created, dtype=np.int64)
    start = np.maximum(WINDOW_START_MS, created + rng.integers(10 * 60_000, DAY_MS, n))
    end = np.full(n, WINDOW_END_MS, dtype=np.int64)
    churned = rng.random(n) < churn
    end[churned] = start[churned] + (
        rng.random(int(churned.sum())) * (WINDOW_END_MS - start[churned])
    ).astype(np.int64)
    banned = rng.random(n) < ban_rate
    ban_ms = np.full(n, 2**62, dtype=np.int64)
    ban_ms[banned] = start[banned] + (rng.random(int(banned.sum())) * (end[banned] - start[banned])).astype(
        np.int64
    )
    codes = [BAN_REASONS.index(r) for r in ("unpaid_balance", "chargeback", "tos_violation", "spam")]
    reason = rng.choice(codes, n, p=[0.45, 0.2, 0.25, 0.1])
    action = np.where(
        reason == BAN_REASONS.index("unpaid_balance"), BAN_ACTIONS.index("suspend"), BAN_ACTIONS.index("ban")
    )
    end = np.minimum(end, ban_ms)
    acct = b.new_accounts(
        n,
        role,
        created=created,
        domain=domains,
        org=orgs,
        country=countries,
        tier=tiers,
        tz=tz,
        ban_ms=ban_ms,
        ban_action=np.where(banned, action, -1),
        ban_reason=np.where(banned, reason, -1),
        closed=churned & (rng.random(n) < 0.5) & ~banned,
        console_rate=console_rate,
    )
    b.add_keys(acct, created, rng.poisson(0.4, n), np.maximum(end, created + HOUR_MS))
    return Cohort(acct, countries, tz, created, start, end)


def pay_personal(b: WorldBuilder, c: Cohort, tiers: np.ndarray | None = None, share: float = 0.8) -> None:
    """Individuals pay with their own card; free-tier accounts have none."""
    rng = b.rng
    has = rng.random(c.acct.size) < share
    if tiers is not None:
        has &= tiers != TIER["free"]
    instr = b.pay.personal(c.countries[has])
    b.payments.add(
        int(has.sum()),
        acct=c.acct[has],
        instr=instr,
        first_seen=c.created[has] + rng.integers(60_000, 3 * DAY_MS, int(has.sum())),
    )


def add_streams(
    b: WorldBuilder,
    c: Cohort,
    n: np.ndarray,
    ip_matrix: np.ndarray,
    fp_matrix: np.ndarray,
    *,
    mix: dict[str, float],
    src: np.ndarray,
    profile: int = P_PERSONAL,
    ip_gamma: float = 2.0,
    fp_gamma: float = 2.0,
    spread: float = 1.0,
    **extra: object,
) -> None:
    rng = b.rng
    keep = n > 0
    caps, capw = cap_slots(rng, c.acct.size, mix, spread)
    ip_cnt, ip_flat = ragged(ip_matrix[keep])
    fp_cnt, fp_flat = ragged(fp_matrix[keep])
    k = int(keep.sum())
    cols: dict[str, object] = {
        "acct": c.acct[keep],
        "start": c.start[keep],
        "end": c.end[keep],
        "n": n[keep],
        "profile": profile,
        "tz": c.tz[keep],
        "src": src,
        "caps": caps[keep],
        "capw": capw[keep],
        "ip_off": b.pools("ip", ip_cnt, ip_flat),
        "ip_cnt": ip_cnt,
        "ip_gamma": ip_gamma,
        "fp_off": b.pools("fp", fp_cnt, fp_flat),
        "fp_cnt": fp_cnt,
        "fp_gamma": fp_gamma,
        "vocab": personal_vocab(rng, k),
    }
    cols.update({key: v[keep] for key, v in honest_models(rng, c.acct.size).items()})
    for key, v in extra.items():
        cols[key] = v[keep] if isinstance(v, np.ndarray) and key != "src" else v
    b.streams.add(k, **cols)


def personal_fps(b: WorldBuilder, n: int, popular: float = 0.7) -> np.ndarray:
    """1-2 fingerprints per person: mostly popular SDKs/browsers, sometimes a custom client."""
    rng = b.rng
    first = np.where(rng.random(n) < popular, b.popular_fps(n), b.new_fps(n))
    second = np.where(rng.random(n) < 0.35, b.popular_fps(n), -1)
    return np.stack([first, second], axis=1)


def home_ips(b: WorldBuilder, countries: np.ndarray, household: float = 0.03) -> np.ndarray:
    rng = b.rng
    ips = b.net.alloc_residential(countries, v6_share=0.03)
    share = rng.random(ips.size) < household
    if share.any() and ips.size > 1:
        ips[share] = ips[rng.integers(0, ips.size, int(share.sum()))]  # households, roommates
    return ips


def mobile_ips(b: WorldBuilder, shared: Shared, n: int, share: float, k: int = 2) -> np.ndarray:
    """(n, k) addresses from carrier CGNAT pools for the ``share`` who also use mobile data."""
    out = np.full((n, k), -1, dtype=np.int64)
    if not shared.carriers:
        return out
    rng = b.rng
    uses = rng.random(n) < share
    sizes = np.array([pool.size for _c, pool in shared.carriers], dtype=float)
    carrier = rng.choice(len(shared.carriers), n, p=sizes / sizes.sum())  # big carriers, big pools
    for j, (_country, pool) in enumerate(shared.carriers):
        sel = np.flatnonzero(uses & (carrier == j))
        out[sel] = pool[rng.integers(0, pool.size, (sel.size, k))]
    return out


# --- kinds ----------------------------------------------------------------------------------
def build_people(b: WorldBuilder, k: KindSpec, shared: Shared) -> None:
    """individual, cgnat, vpn and proxy_customer: people, differing in where they connect from."""
    rng = b.rng
    n = k.accounts
    if k.kind == "cgnat" and shared.carriers:
        sizes = np.array(shared.carrier_users, dtype=np.int64)  # the pools were sized for these
        carrier = np.repeat(np.arange(len(shared.carriers)), sizes)
        countries = np.array([shared.carriers[j][0] for j in carrier])
    else:
        countries = draw_countries(rng, n)
    tiers = rng.choice(4, n, p=[0.35, 0.55, 0.08, 0.02])
    c = cohort(b, k.kind, countries, tiers=tiers)
    pay_personal(b, c, tiers)
    home = home_ips(b, countries)
    second = np.where(rng.random(n) < 0.25, b.net.alloc_residential(countries), -1)
    cols = [home[:, None], second[:, None]]
    gamma = 2.0
    if k.kind == "individual":
        cols.append(mobile_ips(b, shared, n, 0.3))
    elif k.kind == "cgnat":
        m = np.full((n, 8), -1, dtype=np.int64)
        for j, (_country, pool) in enumerate(shared.carriers):
            sel = np.flatnonzero(carrier == j)
            per = rng.integers(3, 9, sel.size)
            draws = pool[rng.integers(0, pool.size, (sel.size, 8))]
            m[sel] = np.where(np.arange(8)[None, :] < per[:, None], draws, -1)
        home_mask = rng.random(n) < 0.4
        cols = [m, np.where(home_mask, home, -1)[:, None]]
        gamma = 1.0
    elif k.kind == "vpn":
        svc = rng.integers(0, max(len(shared.vpns), 1), n)
        m = np.full((n, 3), -1, dtype=np.int64)
        for j, (_svc, pool) in enumerate(shared.vpns):
            sel = np.flatnonzero(svc == j)
            m[sel] = pool[rng.integers(0, pool.size, (sel.size, 3))]
        cols = [m, np.where(rng.random(n) < 0.3, home, -1)[:, None]]
        gamma = 1.3
    elif k.kind == "proxy_customer":
        names = sorted(shared.proxies)
        which = rng.integers(0, max(len(names), 1), n)
        m = np.full((n, 6), -1, dtype=np.int64)
        for j, name in enumerate(names):
            sel = np.flatnonzero(which == j)
            pool = shared.proxies[name][1]
            m[sel] = pool[rng.integers(0, pool.size, (sel.size, 6))]
        cols = [m, np.where(rng.random(n) < 0.3, home, -1)[:, None]]
        gamma = 1.0
    ip_m = np.concatenate(cols, axis=1)
    volume = allocate(rng, k.exchanges, c.start, c.end, 1.5, 300)
    add_streams(
        b,
        c,
        volume,
        ip_m,
        personal_fps(b, n),
        mix=INDIVIDUAL_MIX,
        src=src_cum(personal=0.6, popular=0.4),
        ip_gamma=gamma,
    )


def build_corporate(b: WorldBuilder, k: KindSpec, shared: Shared) -> None:
    """Companies: one corporate card and a few NAT egress addresses shared by every employee,
    but diverse prompts, office-hours timing in the company's zone and varied clients."""
    rng = b.rng
    sizes = group_sizes(rng, k.accounts, k.groups, k.largest_share)
    g = np.repeat(np.arange(sizes.size), sizes)
    n = g.size
    g_country = draw_countries(rng, sizes.size)
    g_tz = tz_of(rng, g_country)
    base = len(b.orgs)
    g_org = np.array([b.org(company_name(base + i)) for i in range(sizes.size)])
    g_domain = np.array([b.domain(f"{company_name(base + i)}.example") for i in range(sizes.size)])
    g_tier = np.where(sizes >= 20, TIER["enterprise"], np.where(sizes >= 5, TIER["scale"], TIER["build"]))
    c = cohort(
        b,
        "corporate",
        g_country[g],
        tz=g_tz[g],
        domains=g_domain[g],
        orgs=g_org[g],
        tiers=g_tier[g],
        churn=0.03,
        ban_rate=0.001,
    )
    # NAT egress: 2-4 addresses per company; some companies egress through a cloud zero-trust proxy.
    nat = np.full((sizes.size, 4), -1, dtype=np.int64)
    cloud = rng.random(sizes.size) < 0.2
    n_nat = rng.integers(2, 5, sizes.size)
    for i in range(sizes.size):
        if cloud[i]:
            ips = b.net.alloc(b.net.clouds[i % len(b.net.clouds)], int(n_nat[i]), dc=True)
        else:
            isps = b.net.isps[COUNTRY_CODES[g_country[i]]]
            ips = b.net.alloc(isps[i % len(isps)], int(n_nat[i]))
        nat[i, : n_nat[i]] = ips
    wfh = np.where(rng.random(n) < 0.3, b.net.alloc_residential(c.countries), -1)
    ip_m = np.concatenate([nat[g], wfh[:, None]], axis=1)
    # Corporate cards: one per company (two for the largest), shared by employees.
    n_cards = 1 + (sizes > 200)
    card_base = b.pay.add(
        np.where(rng.random(int(n_cards.sum())) < 0.85, 0, 3),
        b.pay.bank_bins[np.repeat(g_country, n_cards), 0],
        np.repeat(g_country, n_cards),
    )
    card_off = np.concatenate([[0], np.cumsum(n_cards)[:-1]])
    card = card_base[card_off[g] + (rng.random(n) * n_cards[g]).astype(np.int64)]
    b.payments.add(n, acct=c.acct, instr=card, first_seen=c.created + rng.integers(60_000, DAY_MS, n))
    # Internal tools share a client fingerprint inside the company.
    tool_fp = b.new_fps(sizes.size)
    fps = personal_fps(b, n)
    fps[:, 1] = np.where(rng.random(n) < 0.5, tool_fp[g], fps[:, 1])
    volume = allocate(rng, k.exchanges, c.start, c.end, 1.2, 400)
    add_streams(
        b,
        c,
        volume,
        ip_m,
        fps,
        mix=CORPORATE_MIX,
        src=src_cum(personal=0.45, org=0.35, popular=0.2),
        profile=P_OFFICE,
        ip_gamma=1.2,
        org=g_org[g],
    )


def build_university(b: WorldBuilder, k: KindSpec, shared: Shared) -> None:
    """Universities: hundreds of unrelated students behind a few campus addresses, course
    assignments that share prompt templates, late-night timing, lab cards shared by a group."""
    rng = b.rng
    sizes = group_sizes(rng, k.accounts, k.groups, k.largest_share or 0.3)
    g = np.repeat(np.arange(sizes.size), sizes)
    n = g.size
    g_country = draw_countries(rng, sizes.size)
    base = len(b.orgs)
    g_org = np.array([b.org(f"univ-{company_name(base + i)}") for i in range(sizes.size)])
    g_domain = np.array(
        [
            b.domain(f"cs.{company_name(base + i).split('-')[0]}-university.example.edu")
            for i in range(sizes.size)
        ]
    )
    campus = []
    for i in range(sizes.size):
        asn = b.net.add_asn(
            f"{company_name(base + i).split('-')[0].title()} University", COUNTRY_CODES[g_country[i]], 2
        )
        campus.append(b.net.alloc(asn, max(2, round(sizes[i] * 3 / max(k.sharing, 2)))))
    tiers = rng.choice(2, n, p=[0.5, 0.5])
    c = cohort(b, "university", g_country[g], domains=g_domain[g], orgs=g_org[g], tiers=tiers, new_share=0.25)
    m = np.full((n, 3), -1, dtype=np.int64)
    for i in range(sizes.size):
        sel = np.flatnonzero(g == i)
        m[sel] = campus[i][rng.integers(0, campus[i].size, (sel.size, 3))]
    home = np.where(rng.random(n) < 0.5, b.net.alloc_residential(c.countries), -1)
    ip_m = np.concatenate([m, home[:, None]], axis=1)
    # Lab cards shared by research groups of 5-15; the others pay themselves or use the free tier.
    lab = rng.random(n) < 0.35
    lab_idx = np.flatnonzero(lab)
    group_of = np.arange(lab_idx.size) // 10
    cards = b.pay.add(
        np.zeros(group_of.max() + 1 if lab_idx.size else 0, np.int8),
        b.pay.bank_bins[g_country[g[lab_idx[::10]]], 1],
        g_country[g[lab_idx[::10]]],
    )
    if lab_idx.size:
        b.payments.add(
            lab_idx.size, acct=c.acct[lab_idx], instr=cards[group_of], first_seen=c.created[lab_idx] + DAY_MS
        )
    own = ~lab & (tiers != TIER["free"])
    b.payments.add(
        int(own.sum()),
        acct=c.acct[own],
        instr=b.pay.personal(c.countries[own]),
        first_seen=c.created[own] + HOUR_MS,
    )
    volume = allocate(rng, k.exchanges, c.start, c.end, 1.4, 300)
    add_streams(
        b,
        c,
        volume,
        ip_m,
        personal_fps(b, n),
        mix=STUDENT_MIX,
        src=src_cum(personal=0.5, org=0.25, popular=0.25),
        profile=P_STUDENT,
        ip_gamma=1.0,
        org=g_org[g],
    )


def build_reseller(b: WorldBuilder, k: KindSpec, shared: Shared) -> None:
    """Legitimate API gateways: few accounts, heavy and very diverse traffic around the clock
    from datacenter addresses, many rotating keys."""
    rng = b.rng
    sizes = group_sizes(rng, k.accounts, k.groups, 0.0)
    g = np.repeat(np.arange(sizes.size), sizes)
    n = g.size
    g_country = draw_countries(rng, sizes.size)
    base = len(b.orgs)
    g_org = np.array([b.org(f"{company_name(base + i)}-gateway") for i in range(sizes.size)])
    g_domain = np.array([b.domain(f"{company_name(base + i)}-gateway.example") for i in range(sizes.size)])
    c = cohort(
        b,
        "reseller",
        g_country[g],
        domains=g_domain[g],
        orgs=g_org[g],
        tiers=np.full(n, TIER["enterprise"]),
        new_share=0.0,
        churn=0.0,
        ban_rate=0.0,
        console_rate=6.0,
    )
    b.add_keys(c.acct, c.created, rng.integers(5, 20, n), c.end)
    ips = np.full((sizes.size, 10), -1, dtype=np.int64)
    for i in range(sizes.size):
        cnt = int(rng.integers(3, 11))
        ips[i, :cnt] = b.net.alloc(b.net.clouds[(i * 2) % len(b.net.clouds)], cnt, dc=True)
    cards = b.pay.add(np.full(sizes.size, 3, np.int8), b.pay.bank_bins[g_country, 0], g_country)
    b.payments.add(n, acct=c.acct, instr=cards[g], first_seen=c.created + DAY_MS)
    fps = np.stack([b.popular_fps(n), b.popular_fps(n), b.popular_fps(n)], axis=1)
    volume = allocate(rng, k.exchanges, c.start, c.end, 0.8, 1e9)
    add_streams(
        b,
        c,
        volume,
        ips[g],
        fps,
        mix=INDIVIDUAL_MIX,
        src=src_cum(personal=0.35, popular=0.65),
        profile=P_FLAT,
        ip_gamma=1.0,
        fp_gamma=1.0,
        spread=4.0,
        vocab=np.full(n, 20_000),
        in_mult=1.2,
    )


def build_researcher(b: WorldBuilder, k: KindSpec, shared: Shared) -> None:
    """Benchmark runners: the same public suites (shared templates across unrelated labs),
    reasoning and chain-of-thought prompts, cloud addresses, bursty runs in office hours."""
    rng = b.rng
    n = k.accounts
    countries = draw_countries(rng, n)
    c = cohort(
        b, "researcher", countries, tiers=rng.choice([1, 2], n, p=[0.6, 0.4]), churn=0.05, ban_rate=0.0
    )
    pay_personal(b, c, share=0.95)
    cloud = np.stack(
        [
            np.where(rng.random(n) < p, b.net.alloc(b.net.clouds[j % len(b.net.clouds)], n, dc=True), -1)
            for j, p in enumerate((1.0, 0.5, 0.3))
        ],
        axis=1,
    )
    home = np.where(rng.random(n) < 0.5, b.net.alloc_residential(countries), -1)
    ip_m = np.concatenate([cloud, home[:, None]], axis=1)
    n_suites = len(BENCH_SUITES)
    pop = np.minimum(np.exp(rng.random((n, 2)) * np.log(n_suites + 1)).astype(np.int64) - 1, n_suites - 1)
    mix = {"reasoning": 0.3, "cot_elicitation": 0.2, "rubric_grading": 0.15, "coding": 0.2, "general": 0.15}
    # Runs: 2-12 per researcher, 15-120 minutes each, starting in office hours.
    runs = rng.integers(2, 13, n)
    r_acct = np.repeat(np.arange(n), runs)
    volume = allocate(rng, k.exchanges, c.start, c.end, 1.0, 5000)
    # A run lasts 15-120 minutes, longer when needed so that even a few overlapping runs stay
    # under the hourly rate limit; runs near the end of the account's life start earlier.
    needed = np.ceil(volume / runs / (RATE_LIMIT_PER_HOUR * 0.2) * 60)[r_acct]
    lens = np.maximum(rng.integers(15, 121, r_acct.size), needed).astype(np.int64) * 60_000
    span = np.maximum(c.end[r_acct] - c.start[r_acct], 1)
    lens = np.minimum(lens, span)
    starts = shared.sampler.sample(
        rng,
        np.full(r_acct.size, P_OFFICE),
        c.tz[r_acct],
        c.start[r_acct],
        np.maximum(c.end[r_acct] - lens, c.start[r_acct] + 1),
    )
    b_idx = b.bursts.add(r_acct.size, start=starts, len=lens)
    b_off = b_idx[0] + np.concatenate([[0], np.cumsum(runs)[:-1]]) if r_acct.size else np.zeros(n, np.int64)
    fps = np.stack([b.popular_fps(n), np.full(n, -1)], axis=1)
    add_streams(
        b,
        c,
        volume,
        ip_m,
        fps,
        mix=mix,
        src=src_cum(personal=0.25, bench=0.75),
        profile=P_OFFICE,
        ip_gamma=1.5,
        timing=T_BURSTS,
        b_off=b_off,
        b_cnt=runs,
        suites=pop,
        out_mult=2.0,
    )


def build_automation(b: WorldBuilder, k: KindSpec, shared: Shared) -> None:
    """Single-account automation: a cron job with clockwork timing, one template, one address."""
    rng = b.rng
    n = k.accounts
    countries = draw_countries(rng, n)
    c = cohort(
        b,
        "automation",
        countries,
        tiers=rng.choice([1, 2], n, p=[0.7, 0.3]),
        new_share=0.1,
        churn=0.05,
        console_rate=0.5,
    )
    pay_personal(b, c, share=1.0)
    ip = np.where(rng.random(n) < 0.6, b.net.alloc(b.net.clouds[0], n, dc=True), -1)
    ip = np.where(ip < 0, b.net.alloc_residential(countries), ip)
    target = allocate(rng, k.exchanges, c.start, c.end, 1.0, 1440)
    span = np.maximum(c.end - c.start, 60_000)
    ideal = span / np.maximum(target, 1) / 60_000
    period_min = NICE_PERIODS_MIN[
        np.clip(np.searchsorted(NICE_PERIODS_MIN, ideal), 0, len(NICE_PERIODS_MIN) - 1)
    ]
    period = (period_min * 60_000).astype(np.int64)
    phase = (rng.random(n) * period).astype(np.int64)
    count = np.maximum((span - phase) // period, 0)
    count = np.where(target > 0, count, 0)
    cap = rng.choice([CAP_INDEX[x] for x in AUTOMATION_CAPS], n)
    mix = {name: 1.0 for name in AUTOMATION_CAPS}
    fps = np.stack([b.popular_fps(n), np.full(n, -1)], axis=1)
    add_streams(
        b,
        c,
        count,
        ip[:, None],
        fps,
        mix=mix,
        src=src_cum(personal=1.0),
        timing=T_CLOCK,
        period=period,
        phase=phase,
        jitter=np.full(n, 1500),
        vocab=rng.integers(1, 4, n),
        caps=np.repeat(cap[:, None], N_SLOTS, axis=1),
        capw=np.ones((n, N_SLOTS), np.float32),
    )


BUILDERS: dict[str, Callable[[WorldBuilder, KindSpec, Shared], None]] = {
    "individual": build_people,
    "cgnat": build_people,
    "vpn": build_people,
    "proxy_customer": build_people,
    "corporate": build_corporate,
    "university": build_university,
    "reseller": build_reseller,
    "researcher": build_researcher,
    "automation": build_automation,
}
