"""Honest kinds that look like a hydra on two or three signals at once.

The classic hard negatives (``population.py``) each share *one* thing with a campaign: a card, a
NAT, a template, a schedule. The kinds here share several at once, the way real customers do:
an enterprise CI fleet runs one eval suite on 30 accounts at the same minute from one card and one
NAT; an eval SaaS sends many customers' benchmark runs from its own cloud at the scheduler's hour;
a hackathon creates a hundred accounts in one hour on one venue network with the same starter kit.
What still separates them from an operator is what an honest group keeps: its own organisation and
domain, old accounts, steady rhythms, a suite that repeats the same few prompts instead of
harvesting new ones. Every kind reads its knobs from ``KindSpec.knobs`` (drawn per seed by
``random_world.py``); the defaults below are what a hand-built test world gets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from hydrascope.simulate.config import (
    CAP_INDEX,
    DAY_MS,
    DAYS,
    HOUR_MS,
    RATE_LIMIT_PER_HOUR,
    RELEASE_MS,
    WINDOW_END_MS,
    WINDOW_START_MS,
    KindSpec,
    ScenarioSpec,
)
from hydrascope.simulate.infra import ASN_UNIVERSITY, COUNTRY_CODES, company_name
from hydrascope.simulate.population import (
    BUILDERS,
    CORPORATE_MIX,
    INDIVIDUAL_MIX,
    NICE_PERIODS_MIN,
    STUDENT_MIX,
    TIER,
    Cohort,
    Shared,
    add_streams,
    allocate,
    cohort,
    draw_countries,
    group_sizes,
    home_ips,
    pay_personal,
    personal_fps,
    src_cum,
    tz_of,
)
from hydrascope.simulate.timing import P_OFFICE, P_PERSONAL, P_STUDENT, T_BURSTS, T_CLOCK
from hydrascope.simulate.world import BENCH_SUITES, N_SLOTS, WorldBuilder

EVAL_CAPS = ("reasoning", "coding", "rubric_grading", "tool_use", "agentic", "data_analysis")
SUPPORT_MIX = {"writing": 0.4, "translation": 0.2, "general": 0.3, "data_analysis": 0.1}
PLUGIN_MIX = {"coding": 0.6, "agentic": 0.15, "tool_use": 0.15, "general": 0.1}


# --- shared scaffolding -------------------------------------------------------------------------
@dataclass
class Groups:
    """Accounts of one kind split into groups (companies, events, households...)."""

    sizes: np.ndarray
    g: np.ndarray  # group of each account
    country: np.ndarray  # per group
    tz: np.ndarray  # per group
    org: np.ndarray  # per group (-1: none)
    domain: np.ndarray  # per group (-1: free mail)


def _groups(
    b: WorldBuilder,
    k: KindSpec,
    label: str,
    *,
    equal: bool = False,
    own_domain: bool = True,
    largest_share: float = 0.0,
) -> Groups:
    rng = b.rng
    groups = max(1, min(k.groups, k.accounts))
    if equal:
        sizes = np.full(groups, k.accounts // groups, dtype=np.int64)
        sizes[: k.accounts % groups] += 1
    else:
        sizes = group_sizes(rng, k.accounts, groups, largest_share)
    g = np.repeat(np.arange(sizes.size), sizes)
    country = draw_countries(rng, sizes.size)
    tz = tz_of(rng, country)
    base = len(b.orgs)
    names = [f"{company_name(base + i)}-{label}" for i in range(sizes.size)]
    org = np.array([b.org(n) for n in names]) if own_domain else np.full(sizes.size, -1)
    domain = np.array([b.domain(f"{n}.example") for n in names]) if own_domain else np.full(sizes.size, -1)
    return Groups(sizes, g, country, tz, org, domain)


def _cohort(b: WorldBuilder, k: KindSpec, gr: Groups, **kw: object) -> Cohort:
    domains = gr.domain[gr.g] if (gr.domain >= 0).all() else None
    return cohort(
        b,
        k.kind,
        gr.country[gr.g],
        tz=gr.tz[gr.g],
        domains=domains,
        orgs=gr.org[gr.g],
        **kw,  # type: ignore[arg-type]
    )


def _group_cards(b: WorldBuilder, gr: Groups, kind: int = 0) -> np.ndarray:
    """One card per group (a corporate, household or agency card), issued in the group's country."""
    return b.pay.add(np.full(gr.sizes.size, kind, np.int8), b.pay.bank_bins[gr.country, 0], gr.country)


def _nat(b: WorldBuilder, gr: Groups, n_ips: np.ndarray, cloud: np.ndarray) -> np.ndarray:
    """(groups, max) egress addresses per group: office ISP or a cloud (datacenter) block."""
    out = np.full((gr.sizes.size, int(n_ips.max())), -1, dtype=np.int64)
    for i in range(gr.sizes.size):
        if cloud[i]:
            ips = b.net.alloc(b.net.clouds[i % len(b.net.clouds)], int(n_ips[i]), dc=True)
        else:
            isps = b.net.isps[COUNTRY_CODES[gr.country[i]]]
            ips = b.net.alloc(isps[i % len(isps)], int(n_ips[i]))
        out[i, : n_ips[i]] = ips
    return out


def _mix(rng: np.random.Generator, caps: tuple[str, ...], n: int) -> dict[str, float]:
    """A narrow capability mix: ``n`` of ``caps`` with Dirichlet weights."""
    pick = rng.choice(len(caps), size=min(n, len(caps)), replace=False)
    w = rng.dirichlet(np.ones(pick.size))
    return {caps[i]: float(x) + 1e-3 for i, x in zip(pick, w, strict=True)}


def _local_ms(day: np.ndarray, hour: np.ndarray, tz: np.ndarray) -> np.ndarray:
    """UTC milliseconds of ``hour`` (fractional) local time on window day ``day`` in zone ``tz``."""
    return WINDOW_START_MS + (day * DAY_MS + (hour - tz) * HOUR_MS).astype(np.int64)


def _schedule(
    b: WorldBuilder,
    starts: np.ndarray,
    length_ms: int,
    sub: Cohort,
    lo: int = WINDOW_START_MS,
    hi: int = WINDOW_END_MS,
) -> tuple[np.ndarray, np.ndarray]:
    """Register one shared schedule of runs starting at ``starts`` (kept inside [lo, hi)) and give
    each account of ``sub`` the runs inside its own active interval: (burst offset, count) per
    account. A run before an account exists must not pile its requests onto its first minute."""
    starts = np.sort(starts[(starts >= lo) & (starts + length_ms <= hi)])
    if starts.size == 0:
        starts = np.array([lo], dtype=np.int64)
    off = int(b.bursts.add(starts.size, start=starts, len=length_ms)[0])
    first = np.minimum(np.searchsorted(starts, sub.start, side="left"), starts.size - 1)
    last = np.maximum(np.searchsorted(starts, sub.end - length_ms, side="right"), first + 1)
    return off + first, last - first


def _daily(tz: int, hour: float, weekdays_only: bool = False) -> np.ndarray:
    days = np.arange(-1, DAYS + 1)
    if weekdays_only:
        days = days[(days % 7) < 5]  # the window starts on a Monday
    return _local_ms(days, np.full(days.size, hour), np.full(days.size, tz))


def _rate_cap(run_minutes: float, runs_per_day: float = 1.0) -> float:
    """Requests per day an account can send in its runs without nearing the hourly rate limit."""
    return 0.4 * RATE_LIMIT_PER_HOUR * run_minutes / 60 * runs_per_day


def _old(rng: np.random.Generator, n: int, min_days: float, spread_days: float) -> np.ndarray:
    return WINDOW_START_MS - ((min_days + rng.random(n) * spread_days) * DAY_MS).astype(np.int64)


# --- kinds --------------------------------------------------------------------------------------
def build_enterprise_ci(b: WorldBuilder, k: KindSpec, shared: Shared) -> None:
    """Enterprise CI fleets: each organisation runs one nightly evaluation suite on all its
    accounts at the same minute, from one corporate card and the office NAT (or its CI cloud), with
    the same dozen eval templates, years-old accounts, enterprise tier and its own domain. The eval
    suite often adds a newly released model within a day (a release-pivot lookalike)."""
    rng = b.rng
    gr = _groups(b, k, "ci", equal=True)
    n = gr.g.size
    created = _old(rng, n, k.knob("min_age_days", 365), 900)
    c = _cohort(b, k, gr, tiers=np.full(n, TIER["enterprise"]), churn=0.0, ban_rate=0.0, created=created)
    cards = _group_cards(b, gr)
    b.payments.add(n, acct=c.acct, instr=cards[gr.g], first_seen=c.created + DAY_MS)
    nat = _nat(
        b,
        gr,
        rng.integers(1, 1 + int(k.knob("nat_ips", 2)), gr.sizes.size),
        rng.random(gr.sizes.size) < k.knob("cloud_share", 0.3),
    )
    ci_fp = b.new_fps(gr.sizes.size)
    run_min = k.knob("run_minutes", 12)
    cap = _rate_cap(run_min)
    volume = allocate(rng, k.exchanges, c.start, c.end, 0.3, cap)
    suite = max(1, int(k.knob("suite_templates", 12)))
    new_share = k.knob("new_model_share", 0.4)
    for i in range(gr.sizes.size):
        sel = np.flatnonzero(gr.g == i)
        hour = float(rng.integers(0, 6)) + float(rng.integers(0, 60)) / 60  # hh:mm local, every night
        sub = Cohort(c.acct[sel], c.countries[sel], c.tz[sel], c.created[sel], c.start[sel], c.end[sel])
        off, cnt = _schedule(b, _daily(int(gr.tz[i]), hour), int(run_min * 60_000), sub)
        mix = _mix(rng, EVAL_CAPS, int(rng.integers(2, 4)))
        adopt = RELEASE_MS + int(rng.uniform(2, 30) * HOUR_MS)  # the org adds the model to CI once
        add_streams(
            b,
            sub,
            volume[sel],
            nat[i][None, :].repeat(sel.size, 0),
            np.stack([np.full(sel.size, ci_fp[i]), np.full(sel.size, -1)], axis=1),
            mix=mix,
            src=src_cum(personal=1 - k.knob("suite_share", 0.95), org=k.knob("suite_share", 0.95)),
            profile=P_OFFICE,
            ip_gamma=1.0,
            timing=T_BURSTS,
            b_off=off,
            b_cnt=cnt,
            org=int(gr.org[i]),
            org_vocab=max(1, suite // len(mix)),
            vocab=np.full(sel.size, 5),
            adopt=np.full(sel.size, adopt if rng.random() < 0.7 else 2**62),
            p_c=np.full(sel.size, new_share),
            ramp=np.full(sel.size, HOUR_MS),
        )


def build_eval_saas(b: WorldBuilder, k: KindSpec, shared: Shared) -> None:
    """An LLM-evaluation SaaS runs the same public benchmarks for many customers with their own
    keys: every customer account is a different organisation with its own card and domain, but the
    traffic leaves the SaaS's cloud at the scheduler's hour with the SaaS's client build and the same
    suite templates. The customers' staff also use their accounts interactively from their offices."""
    rng = b.rng
    n = k.accounts
    saas = rng.integers(0, max(k.groups, 1), n)
    base = len(b.orgs)
    names = [f"{company_name(base + i)}-evals" for i in range(n)]
    orgs = np.array([b.org(x) for x in names])
    domains = np.array([b.domain(f"{x}.example") for x in names])
    countries = draw_countries(rng, n)
    created = _old(rng, n, 30, 700)
    c = cohort(
        b,
        k.kind,
        countries,
        domains=domains,
        orgs=orgs,
        tiers=rng.choice([2, 3], n, p=[0.6, 0.4]),
        churn=0.02,
        ban_rate=0.0,
        created=created,
    )
    own = b.pay.add(np.zeros(n, np.int8), b.pay.bank_bins[countries, 0], countries)
    b.payments.add(n, acct=c.acct, instr=own, first_seen=c.created + HOUR_MS)
    run_min = k.knob("run_minutes", 45)
    share = k.knob("eval_share", 0.8)
    total_eval = round(k.exchanges * share)
    eval_n = allocate(rng, total_eval, c.start, c.end, 0.6, _rate_cap(run_min))
    for j in range(max(k.groups, 1)):
        sel = np.flatnonzero(saas == j)
        if not sel.size:
            continue
        pool = b.net.alloc(b.net.clouds[(j + 1) % len(b.net.clouds)], int(rng.integers(3, 13)), dc=True)
        fp = b.new_fps(1)[0]
        hour = float(rng.integers(0, 24)) + float(rng.integers(0, 60)) / 60
        sub = Cohort(c.acct[sel], c.countries[sel], c.tz[sel], c.created[sel], c.start[sel], c.end[sel])
        off, cnt = _schedule(b, _daily(0, hour), int(run_min * 60_000), sub)
        suites = rng.choice(len(BENCH_SUITES), 2, replace=False)
        add_streams(
            b,
            sub,
            eval_n[sel],
            pool[rng.integers(0, pool.size, (sel.size, 3))],
            np.stack([np.full(sel.size, fp), np.full(sel.size, -1)], axis=1),
            mix={"reasoning": 0.4, "coding": 0.3, "rubric_grading": 0.3},
            src=src_cum(personal=0.15, bench=0.85),
            ip_gamma=1.0,
            timing=T_BURSTS,
            b_off=off,
            b_cnt=cnt,
            suites=np.repeat(suites[None, :], sel.size, 0),
            out_mult=1.5,
        )
    office = home_ips(b, countries)[:, None]
    staff = allocate(rng, k.exchanges - total_eval, c.start, c.end, 1.2, 300)
    add_streams(
        b,
        c,
        staff,
        office,
        personal_fps(b, n),
        mix=CORPORATE_MIX,
        src=src_cum(personal=0.8, popular=0.2),
        profile=P_OFFICE,
        org=orgs,
    )


def _event_kind(b: WorldBuilder, k: KindSpec, classroom: bool) -> None:
    """Hackathons and classrooms: many accounts created in the same hour on one venue or campus
    network, the starter kit's client build, the tutorial's templates, sessions at the same time."""
    rng = b.rng
    gr = _groups(b, k, "course" if classroom else "hack", own_domain=False)
    n = gr.g.size
    sizes = gr.sizes
    first_day = rng.integers(0, 12 if classroom else 24, sizes.size)
    first_hour = rng.uniform(9, 15, sizes.size)
    first = _local_ms(first_day, first_hour, gr.tz)
    signup_min = k.knob("signup_minutes", 60)
    new = rng.random(n) < k.knob("new_share", 0.85)
    created = np.where(
        new,
        first[gr.g] + (rng.random(n) * signup_min * 60_000).astype(np.int64),
        _old(rng, n, 30, 600),
    )
    domains = None
    orgs: np.ndarray | int = -1
    if classroom:  # a course is run by a university: edu email and the course's org
        dom = np.array(
            [
                b.domain(f"{company_name(len(b.domains) + i).split('-')[0]}-college.example.edu")
                for i in range(sizes.size)
            ]
        )
        domains = dom[gr.g]
        orgs = np.array([b.org(f"course-{company_name(len(b.orgs) + i)}") for i in range(sizes.size)])[gr.g]
    c = cohort(
        b,
        k.kind,
        gr.country[gr.g],
        tz=gr.tz[gr.g],
        domains=domains,
        orgs=orgs,
        tiers=np.where(rng.random(n) < 0.85, TIER["free"], TIER["build"]),
        churn=0.0,
        created=created,
    )
    pay_personal(b, c, share=0.3)
    venue = []
    for i in range(sizes.size):
        if classroom:
            asn = b.net.add_asn(
                f"{company_name(i + 3).split('-')[0].title()} College",
                COUNTRY_CODES[gr.country[i]],
                ASN_UNIVERSITY,
            )
        else:
            isps = b.net.isps[COUNTRY_CODES[gr.country[i]]]
            asn = isps[i % len(isps)]
        venue.append(b.net.alloc(asn, int(rng.integers(1, 1 + int(k.knob("venue_ips", 4))))))
    kit_fp = b.new_fps(sizes.size)
    kit = rng.random(n) < k.knob("kit_share", 0.7)
    fps = personal_fps(b, n)
    fps[:, 0] = np.where(kit, kit_fp[gr.g], fps[:, 0])
    run_h = k.knob("session_hours", 2.0 if classroom else 30.0)
    home = home_ips(b, c.countries)
    volume = allocate(rng, k.exchanges, c.start, c.end, 0.8, 1e9)
    during = np.round(volume * k.knob("session_share", 0.7)).astype(np.int64)
    for i in range(sizes.size):
        sel = np.flatnonzero(gr.g == i)
        if classroom:  # weekly labs (one or two a week) at the same local time
            per_week = int(rng.integers(1, 3))
            starts = np.concatenate(
                [first[i] + np.arange(0, 6) * 7 * DAY_MS + j * 3 * DAY_MS for j in range(per_week)]
            )
        else:
            starts = np.array([first[i]])
        length = int(run_h * HOUR_MS)
        starts = starts + int(signup_min * 60_000)  # work starts once everyone has signed up
        begin = np.maximum(np.minimum(c.start[sel], c.created[sel] + 60_000), WINDOW_START_MS)
        sub = Cohort(c.acct[sel], c.countries[sel], c.tz[sel], c.created[sel], begin, c.end[sel])
        off, cnt = _schedule(b, starts, length, sub, lo=int(first[i]))
        cap_day = _rate_cap(run_h * 60, 1.0)
        during[sel] = np.minimum(during[sel], (cap_day * cnt * 0.5).astype(np.int64) + 1)
        ip = venue[i][rng.integers(0, venue[i].size, (sel.size, 2))]
        add_streams(
            b,
            sub,
            during[sel],
            ip,
            fps[sel],
            mix=STUDENT_MIX,
            src=src_cum(personal=0.3, org=0.7),
            ip_gamma=1.0,
            timing=T_BURSTS,
            b_off=off,
            b_cnt=cnt,
            org=int(b.org(f"kit-{company_name(len(b.orgs))}")),
            org_vocab=int(k.knob("tutorial_templates", 12)),
        )
    rest = volume - during
    ip_m = np.stack([home, np.where(rng.random(n) < 0.3, np.array([v[0] for v in venue])[gr.g], -1)], axis=1)
    add_streams(
        b,
        c,
        rest,
        ip_m,
        fps,
        mix=STUDENT_MIX,
        src=src_cum(personal=0.8, popular=0.2),
        profile=P_STUDENT,
    )


def build_hackathon(b: WorldBuilder, k: KindSpec, shared: Shared) -> None:
    _event_kind(b, k, classroom=False)


def build_classroom(b: WorldBuilder, k: KindSpec, shared: Shared) -> None:
    _event_kind(b, k, classroom=True)


def build_household(b: WorldBuilder, k: KindSpec, shared: Shared) -> None:
    """Families and flatmates: two to six accounts on one card, one home address, often one
    shared laptop; personal rhythm and content."""
    rng = b.rng
    mean = k.knob("mean_size", 3.0)
    sizes = np.clip(rng.poisson(mean - 2, max(1, round(k.accounts / mean))) + 2, 2, 6)
    g = np.repeat(np.arange(sizes.size), sizes)
    n = g.size
    country = draw_countries(rng, sizes.size)
    tz = tz_of(rng, country)
    c = cohort(b, k.kind, country[g], tz=tz[g], ban_rate=0.002)
    card = b.pay.personal(country)
    shares = rng.random(sizes.size) < k.knob("card_share", 0.75)
    own = b.pay.personal(country[g])
    instr = np.where(shares[g], card[g], own)
    b.payments.add(n, acct=c.acct, instr=instr, first_seen=c.created + rng.integers(60_000, DAY_MS, n))
    home = b.net.alloc_residential(country)
    laptop = b.new_fps(sizes.size)
    fps = personal_fps(b, n)
    fps[:, 1] = np.where(rng.random(sizes.size)[g] < k.knob("device_share", 0.4), laptop[g], fps[:, 1])
    mobile = b.net.alloc_residential(country[g])
    ip_m = np.stack([home[g], np.where(rng.random(n) < 0.3, mobile, -1)], axis=1)
    volume = allocate(rng, k.exchanges, c.start, c.end, 1.4, 300)
    add_streams(b, c, volume, ip_m, fps, mix=INDIVIDUAL_MIX, src=src_cum(personal=0.6, popular=0.4))


def build_agency(b: WorldBuilder, k: KindSpec, shared: Shared) -> None:
    """Agencies managing client accounts: one agency card pays for many client organisations
    (each with its own domain), all operated from the agency's office with its tool and prompt
    library; clients onboarded in batches."""
    rng = b.rng
    gr = _groups(b, k, "agency", own_domain=False)
    n = gr.g.size
    base = len(b.orgs)
    names = [f"{company_name(base + i)}-client" for i in range(n)]
    orgs = np.array([b.org(x) for x in names])
    domains = np.array([b.domain(f"{x}.example") for x in names])
    agency_org = np.array([b.org(f"{company_name(base + n + i)}-agency") for i in range(gr.sizes.size)])
    batches = max(1, int(k.knob("onboard_batches", 3)))
    batch_t = np.where(
        rng.random((gr.sizes.size, batches)) < 0.25,
        WINDOW_START_MS + (rng.random((gr.sizes.size, batches)) * 20 * DAY_MS).astype(np.int64),
        _old(rng, gr.sizes.size * batches, 20, 700).reshape(gr.sizes.size, batches),
    )
    created = batch_t[gr.g, rng.integers(0, batches, n)] + rng.integers(0, 2 * HOUR_MS, n)
    c = cohort(
        b,
        k.kind,
        gr.country[gr.g],
        tz=gr.tz[gr.g],
        domains=domains,
        orgs=orgs,
        tiers=rng.choice([1, 2], n, p=[0.6, 0.4]),
        churn=0.03,
        ban_rate=0.001,
        created=created,
    )
    cards = _group_cards(b, gr)
    b.payments.add(n, acct=c.acct, instr=cards[gr.g], first_seen=c.created + rng.integers(60_000, HOUR_MS, n))
    nat = _nat(b, gr, rng.integers(1, 4, gr.sizes.size), np.zeros(gr.sizes.size, bool))
    tool = b.new_fps(gr.sizes.size)
    fps = personal_fps(b, n)
    fps[:, 0] = np.where(rng.random(n) < k.knob("tool_share", 0.8), tool[gr.g], fps[:, 0])
    volume = allocate(rng, k.exchanges, c.start, c.end, 1.0, 400)
    lib = k.knob("library_share", 0.5)
    add_streams(
        b,
        c,
        volume,
        nat[gr.g],
        fps,
        mix={"writing": 0.4, "general": 0.25, "data_analysis": 0.15, "vision": 0.1, "translation": 0.1},
        src=src_cum(personal=1 - lib, org=lib),
        profile=P_OFFICE,
        ip_gamma=1.0,
        org=agency_org[gr.g],
        org_vocab=int(k.knob("library_templates", 40)),
    )


def build_startup_team(b: WorldBuilder, k: KindSpec, shared: Shared) -> None:
    """A startup's developers: one cloud VPC egress, one SDK build, cron jobs that all fire on the
    minute, recently created accounts, often one virtual card per employee from one fintech BIN."""
    rng = b.rng
    gr = _groups(b, k, "startup")
    n = gr.g.size
    founded = _old(rng, gr.sizes.size, 10, 150)
    created = founded[gr.g] + (
        rng.random(n) * np.maximum(WINDOW_START_MS + 20 * DAY_MS - founded[gr.g], DAY_MS)
    ).astype(np.int64)
    c = _cohort(
        b, k, gr, tiers=rng.choice([1, 2], n, p=[0.7, 0.3]), churn=0.02, ban_rate=0.0, created=created
    )
    virtual = rng.random(gr.sizes.size) < k.knob("virtual_share", 0.5)
    fin = rng.integers(0, len(b.pay.fintech_bins), gr.sizes.size)
    per_emp = b.pay.add(np.ones(n, np.int8), b.pay.fintech_bins[fin[gr.g]], b.pay.fintech_country[fin[gr.g]])
    team = _group_cards(b, gr)
    instr = np.where(virtual[gr.g], per_emp, team[gr.g])
    b.payments.add(n, acct=c.acct, instr=instr, first_seen=c.created + rng.integers(60_000, DAY_MS, n))
    vpc = _nat(b, gr, rng.integers(1, 3, gr.sizes.size), np.ones(gr.sizes.size, bool))
    sdk = b.new_fps(gr.sizes.size)
    home = home_ips(b, c.countries)
    fps = personal_fps(b, n)
    fps[:, 1] = sdk[gr.g]
    ip_m = np.concatenate([vpc[gr.g], home[:, None]], axis=1)
    cron = (rng.random(n) < k.knob("cron_share", 0.3)) & (c.created < WINDOW_START_MS)
    share_cron = 0.5
    volume = allocate(rng, k.exchanges, c.start, c.end, 1.0, 500)
    interactive = np.where(cron, np.round(volume * (1 - share_cron)).astype(np.int64), volume)
    add_streams(
        b,
        c,
        interactive,
        ip_m,
        fps,
        mix=CORPORATE_MIX,
        src=src_cum(personal=0.6, org=0.3, popular=0.1),
        profile=P_OFFICE,
        org=gr.org[gr.g],
        org_vocab=30,
    )
    sel = np.flatnonzero(cron)
    if not sel.size:
        return
    span = WINDOW_END_MS - WINDOW_START_MS
    target = np.maximum(volume[sel] - interactive[sel], 1)
    ideal = span / target / 60_000
    period_min = NICE_PERIODS_MIN[
        np.clip(np.searchsorted(NICE_PERIODS_MIN, ideal), 2, len(NICE_PERIODS_MIN) - 1)
    ]
    period = (period_min * 60_000).astype(np.int64)
    phase = np.zeros(sel.size, np.int64)  # every job of the team fires on the minute
    start = np.full(sel.size, WINDOW_START_MS, np.int64)
    end = np.minimum(c.end[sel], WINDOW_END_MS)
    count = np.maximum((end - start) // period, 0)
    sub = Cohort(c.acct[sel], c.countries[sel], c.tz[sel], c.created[sel], start, end)
    cap = rng.choice([CAP_INDEX[x] for x in ("data_analysis", "coding", "tool_use", "general")], sel.size)
    add_streams(
        b,
        sub,
        count,
        vpc[gr.g[sel], :1],
        np.stack([sdk[gr.g[sel]], np.full(sel.size, -1)], axis=1),
        mix=CORPORATE_MIX,
        src=src_cum(org=1.0),
        timing=T_CLOCK,
        period=period,
        phase=phase,
        jitter=np.full(sel.size, 2000),
        org=gr.org[gr.g[sel]],
        org_vocab=3,
        caps=np.repeat(cap[:, None], N_SLOTS, axis=1),
        capw=np.ones((sel.size, N_SLOTS), np.float32),
    )


def build_plugin_users(b: WorldBuilder, k: KindSpec, shared: Shared) -> None:
    """Users of an IDE plugin / SDK whose default prompt templates thousands send: unrelated
    people with their own cards and homes, one client build, a handful of shared templates, and a
    wave of new accounts in the plugin's launch week."""
    rng = b.rng
    n = k.accounts
    plugin = rng.integers(0, max(k.groups, 1), n)
    countries = draw_countries(rng, n)
    launch = WINDOW_START_MS + (rng.uniform(0, 20, max(k.groups, 1)) * DAY_MS).astype(np.int64)
    created = np.where(
        rng.random(n) < k.knob("launch_share", 0.3),
        launch[plugin] + rng.exponential(DAY_MS, n).astype(np.int64),
        _old(rng, n, 5, 900),
    )
    created = np.minimum(created, WINDOW_END_MS - 2 * DAY_MS)
    c = cohort(b, k.kind, countries, churn=0.05, created=created)
    pay_personal(b, c)
    builds = np.stack([b.new_fps(max(k.groups, 1)) for _ in range(2)], axis=1)
    fps = personal_fps(b, n)
    fps[:, 0] = builds[plugin, rng.integers(0, 2, n)]
    ip_m = np.stack(
        [home_ips(b, countries), np.where(rng.random(n) < 0.3, b.net.alloc_residential(countries), -1)],
        axis=1,
    )
    volume = allocate(rng, k.exchanges, c.start, c.end, 1.3, 400)
    default = k.knob("default_share", 0.6)
    plugin_org = np.array([b.org(f"plugin-{company_name(len(b.orgs) + i)}") for i in range(max(k.groups, 1))])
    add_streams(
        b,
        c,
        volume,
        ip_m,
        fps,
        mix=PLUGIN_MIX,
        src=src_cum(personal=1 - default, org=default),
        profile=P_PERSONAL,
        org=plugin_org[plugin],
        org_vocab=int(k.knob("default_templates", 12)),
        fp_gamma=3.0,
    )


def build_corporate_proxy(b: WorldBuilder, k: KindSpec, shared: Shared) -> None:
    """Employees of many unrelated companies behind one security cloud's egress (a Zscaler-like
    web gateway): datacenter addresses shared across companies, each company with its own card,
    domain and office hours."""
    rng = b.rng
    gr = _groups(b, k, "corp", largest_share=0.2)
    n = gr.g.size
    c = _cohort(b, k, gr, tiers=rng.choice([1, 2, 3], n, p=[0.3, 0.5, 0.2]), churn=0.03, ban_rate=0.001)
    cards = _group_cards(b, gr)
    b.payments.add(n, acct=c.acct, instr=cards[gr.g], first_seen=c.created + DAY_MS)
    gateways = max(1, int(k.knob("gateways", 1)))
    pools = [
        b.net.alloc(
            b.net.hosting[j % len(b.net.hosting)],
            max(4, round(n / k.knob("users_per_ip", 25) / gateways)),
            dc=True,
        )
        for j in range(gateways)
    ]
    which = rng.integers(0, gateways, gr.sizes.size)[gr.g]
    ip_m = np.full((n, 4), -1, dtype=np.int64)
    for j, pool in enumerate(pools):
        sel = np.flatnonzero(which == j)
        ip_m[sel] = pool[rng.integers(0, pool.size, (sel.size, 4))]
    volume = allocate(rng, k.exchanges, c.start, c.end, 1.2, 400)
    add_streams(
        b,
        c,
        volume,
        ip_m,
        personal_fps(b, n),
        mix=CORPORATE_MIX,
        src=src_cum(personal=0.5, org=0.3, popular=0.2),
        profile=P_OFFICE,
        ip_gamma=1.0,
        org=gr.org[gr.g],
    )


def build_gift_cards(b: WorldBuilder, k: KindSpec, shared: Shared) -> None:
    """People paying with prepaid gift cards bought on one marketplace: one BIN, activations
    clustered on a few promotion days, accounts created the same days, a few cards redeemed twice."""
    rng = b.rng
    n = k.accounts
    countries = draw_countries(rng, n)
    promo = WINDOW_START_MS + (rng.uniform(-20, 25, max(1, int(k.knob("promo_days", 3)))) * DAY_MS).astype(
        np.int64
    )
    day = promo[rng.integers(0, promo.size, n)] + rng.integers(0, 6 * HOUR_MS, n)
    new = rng.random(n) < k.knob("new_share", 0.5)
    created = np.where(new, np.minimum(day, WINDOW_END_MS - 2 * DAY_MS), _old(rng, n, 10, 800))
    c = cohort(b, k.kind, countries, tiers=np.full(n, TIER["build"]), created=created)
    virtual = rng.random() < 0.4
    bin_ = b.pay.fintech_bins[0] if virtual else b.pay.prepaid_bins[0]
    cards = b.pay.add(np.full(n, 1 if virtual else 2, np.int8), np.full(n, bin_), countries)
    twice = rng.random(n) < k.knob("regift_share", 0.1)
    cards = np.where(twice, np.roll(cards, 1), cards)
    b.payments.add(
        n, acct=c.acct, instr=cards, first_seen=np.maximum(day, c.created) + rng.integers(60_000, HOUR_MS, n)
    )
    ip_m = np.stack(
        [home_ips(b, countries), np.where(rng.random(n) < 0.3, b.net.alloc_residential(countries), -1)],
        axis=1,
    )
    volume = allocate(rng, k.exchanges, c.start, c.end, 1.4, 300)
    add_streams(
        b, c, volume, ip_m, personal_fps(b, n), mix=INDIVIDUAL_MIX, src=src_cum(personal=0.6, popular=0.4)
    )


def build_support_desk(b: WorldBuilder, k: KindSpec, shared: Shared) -> None:
    """Support desks (BPO): agents of one shift all start at the same minute, for eight hours,
    from one NAT, on one card, through the helpdesk integration's client with its reply macros."""
    rng = b.rng
    gr = _groups(b, k, "support")
    n = gr.g.size
    hires = rng.random(n) < k.knob("new_hire_share", 0.2)
    hire_day = WINDOW_START_MS + (rng.uniform(0, 15, gr.sizes.size) * DAY_MS).astype(np.int64)
    created = np.where(hires, hire_day[gr.g] + rng.integers(0, HOUR_MS, n), _old(rng, n, 30, 900))
    c = _cohort(
        b, k, gr, tiers=rng.choice([2, 3], n, p=[0.5, 0.5]), churn=0.05, ban_rate=0.0, created=created
    )
    cards = _group_cards(b, gr)
    b.payments.add(n, acct=c.acct, instr=cards[gr.g], first_seen=c.created + DAY_MS)
    nat = _nat(b, gr, rng.integers(1, 3, gr.sizes.size), np.zeros(gr.sizes.size, bool))
    tool = b.new_fps(gr.sizes.size)
    fps = np.stack([tool[gr.g], np.where(rng.random(n) < 0.2, b.popular_fps(n), -1)], axis=1)
    shifts = max(1, int(k.knob("shifts", 2)))
    shift = rng.integers(0, shifts, n)
    volume = allocate(rng, k.exchanges, c.start, c.end, 0.5, _rate_cap(8 * 60) * 0.5)
    macros = k.knob("macro_share", 0.7)
    for i in range(gr.sizes.size):
        first_hour = float(rng.choice([6, 7, 8, 9]))
        for s in range(shifts):
            sel = np.flatnonzero((gr.g == i) & (shift == s))
            if not sel.size:
                continue
            sub = Cohort(c.acct[sel], c.countries[sel], c.tz[sel], c.created[sel], c.start[sel], c.end[sel])
            off, cnt = _schedule(
                b, _daily(int(gr.tz[i]), first_hour + 8 * s, weekdays_only=True), 8 * HOUR_MS, sub
            )
            add_streams(
                b,
                sub,
                volume[sel],
                nat[i][None, :].repeat(sel.size, 0),
                fps[sel],
                mix=SUPPORT_MIX,
                src=src_cum(personal=1 - macros, org=macros),
                ip_gamma=1.0,
                timing=T_BURSTS,
                b_off=off,
                b_cnt=cnt,
                org=int(gr.org[i]),
                org_vocab=int(k.knob("macro_templates", 20)),
            )


LOOKALIKE_BUILDERS: dict[str, Callable[[WorldBuilder, KindSpec, Shared], None]] = {
    "enterprise_ci": build_enterprise_ci,
    "eval_saas": build_eval_saas,
    "hackathon": build_hackathon,
    "classroom": build_classroom,
    "household": build_household,
    "agency": build_agency,
    "startup_team": build_startup_team,
    "plugin_users": build_plugin_users,
    "corporate_proxy": build_corporate_proxy,
    "gift_cards": build_gift_cards,
    "support_desk": build_support_desk,
}
#: Every honest kind's builder: the classic hard negatives and the lookalikes.
KIND_BUILDERS = {**BUILDERS, **LOOKALIKE_BUILDERS}


def build_population(b: WorldBuilder, spec: ScenarioSpec, shared: Shared) -> None:
    for k in spec.population:
        KIND_BUILDERS[k.kind](b, k, shared)
