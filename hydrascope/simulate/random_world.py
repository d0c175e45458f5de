"""Random worlds: every seed draws the honest mix and every adversary knob from wide ranges.

The built-in scenarios are a handful of fixed worlds; a detector tuned on them learns their
constants. ``random_scenario(seed)`` draws a new :class:`ScenarioSpec` per seed — how many
accounts of each honest kind (classic hard negatives and the lookalikes of ``lookalikes.py``) and
their knobs, one to four campaigns with sizes, cards per account, proxies shared with honest
customers, camouflage, timing (start/end shifts, wave period and burstiness, jitter, ban waves,
regrowth delays), template reuse versus paraphrase, capability mix, release pivots — and whether
the bundle carries request content at all. In some worlds campaigns *adapt*: they imitate honest
kinds (office hours, one card per account, residential exits, paraphrases, camouflage on popular
templates, slow account creation, a popular client, a shell company with its own domain), so no
single constant separates them.

Every range is declared once in :data:`RANGES` (the tests check draws against it and
``docs/scenarios.md`` lists it). The same seed always draws the same spec; the drawn spec is
written to ``truth/world.json`` so a benchmark can report what each world held.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

import numpy as np

from hydrascope.simulate.config import (
    CAPABILITIES,
    CLASSIC_HONEST_ROLES,
    DAYS,
    LOOKALIKE_ROLES,
    CampaignSpec,
    KindSpec,
    ScenarioSpec,
)

RANDOM_PREFIX = "random-"

#: (low, high) of every drawn quantity; ``log`` marks log-uniform draws. Accounts and exchanges
#: are at scale 1.0 (``--scale`` multiplies them as for any scenario).
RANGES: dict[str, tuple[float, float]] = {
    # the world
    "campaigns": (1, 4),
    "lookalike_presence": (0.8, 0.8),  # each lookalike kind is present with this probability
    # campaigns
    "campaign_accounts": (30, 1200),  # log
    "exchanges_per_account_day": (2, 40),  # log
    "accounts_per_card": (1, 40),  # log; 1 = one card per account
    "proxy_share": (0.3, 1.0),
    "camouflage": (0.1, 3.0),
    "start_day": (0, 12),
    "active_days": (8, 30),
    "wave_minutes": (2, 240),  # log
    "wave_fill": (0.1, 0.8),  # wave length as a share of the period (at most an hour)
    "jitter_seconds": (2, 900),  # log
    "wave_sigma": (0.1, 1.2),
    "ban_waves": (0, 3),
    "ban_share": (0.05, 0.4),
    "regrowth": (0.0, 0.95),
    "regrowth_delay_hours": (0.5, 24),  # log
    "infra_reuse": (0.0, 0.9),
    "pivot_share": (0.1, 0.7),
    "pivot_delay_hours": (1, 48),  # log
    "pivot_ramp_hours": (1, 24),  # log
    "capabilities": (1, 6),
    "template_families": (3, 40),  # log
    "paraphrases": (1, 5),
    "paraphrases_adapted": (20, 300),  # log
    "egress_ips": (3, 200),  # log
    "ips_per_account": (1, 5),
    "fingerprints": (1, 10),
    "popular_fingerprint_share": (0.0, 0.5),
    "popular_fingerprint_adapted": (0.6, 0.95),
    "operators": (0, 3),
    "operator_link": (0.0, 0.6),
    "hijacked_share": (0.05, 0.5),
    "creation_bursts": (2, 12),
    "creation_spread_days": (1, 6),
    "creation_bursts_adapted": (30, 200),  # log
    "creation_spread_adapted": (10, 30),
    "output_multiplier": (1.0, 2.5),
}
LOG = frozenset(
    {
        "campaign_accounts",
        "exchanges_per_account_day",
        "accounts_per_card",
        "wave_minutes",
        "jitter_seconds",
        "regrowth_delay_hours",
        "pivot_delay_hours",
        "pivot_ramp_hours",
        "template_families",
        "paraphrases_adapted",
        "egress_ips",
        "creation_bursts_adapted",
    }
)

#: Tactics by which a campaign imitates an honest kind (drawn per campaign; more in adaptive worlds).
TACTICS = (
    "office_hours",
    "evening_rhythm",
    "own_cards",
    "residential",
    "paraphrase",
    "camouflage_popular",
    "slow_creation",
    "popular_client",
    "shell_company",
    "aged_accounts",
)
ADAPTIVE_SHARE = 0.5  # share of worlds whose campaigns adapt
TACTIC_P = {True: 0.5, False: 0.12}  # per tactic, in adaptive / other worlds
CONTENT_P = {"full": 0.7, "capability_only": 0.15, "none": 0.15}

#: Honest kinds: (accounts low, high) at scale 1, (exchanges per account low, high) over the
#: window, (groups low, high). Classic kinds are always present; lookalikes with
#: ``lookalike_presence``.
KIND_RANGES: dict[str, tuple[tuple[int, int], tuple[float, float], tuple[int, int]]] = {
    "individual": ((1500, 6000), (20, 80), (1, 1)),
    "cgnat": ((100, 1500), (30, 70), (1, 4)),
    "corporate": ((100, 1500), (60, 150), (5, 60)),
    "university": ((50, 800), (30, 80), (1, 5)),
    "vpn": ((30, 500), (30, 80), (1, 4)),
    "reseller": ((2, 25), (3000, 12000), (1, 8)),
    "researcher": ((10, 150), (300, 1200), (12, 12)),
    "automation": ((10, 300), (100, 1500), (1, 1)),
    "proxy_customer": ((30, 1200), (30, 80), (1, 1)),
    "enterprise_ci": ((20, 320), (600, 2400), (2, 8)),
    "eval_saas": ((10, 120), (500, 2000), (1, 2)),
    "hackathon": ((30, 700), (40, 200), (1, 3)),
    "classroom": ((15, 500), (40, 200), (1, 5)),
    "household": ((100, 1200), (20, 60), (1, 1)),
    "agency": ((8, 300), (60, 200), (1, 6)),
    "startup_team": ((10, 300), (200, 800), (3, 15)),
    "plugin_users": ((100, 2500), (40, 120), (1, 3)),
    "corporate_proxy": ((50, 1500), (60, 150), (5, 60)),
    "gift_cards": ((50, 800), (20, 60), (1, 1)),
    "support_desk": ((15, 400), (300, 900), (1, 5)),
}

#: Kind knobs: name -> (low, high), drawn uniformly per seed (integers where the builder casts).
KNOB_RANGES: dict[str, dict[str, tuple[float, float]]] = {
    "enterprise_ci": {
        "min_age_days": (200, 1500),
        "nat_ips": (1, 3),
        "cloud_share": (0.0, 0.6),
        "run_minutes": (5, 30),
        "suite_templates": (6, 24),
        "suite_share": (0.8, 1.0),
        "new_model_share": (0.0, 0.6),
    },
    "eval_saas": {"run_minutes": (20, 90), "eval_share": (0.5, 0.95)},
    "hackathon": {
        "signup_minutes": (20, 120),
        "new_share": (0.6, 1.0),
        "venue_ips": (1, 6),
        "kit_share": (0.4, 0.95),
        "session_hours": (20, 48),
        "session_share": (0.5, 0.9),
        "tutorial_templates": (4, 20),
    },
    "classroom": {
        "signup_minutes": (20, 90),
        "new_share": (0.5, 1.0),
        "venue_ips": (1, 4),
        "kit_share": (0.4, 0.95),
        "session_hours": (1.5, 3),
        "session_share": (0.4, 0.8),
        "tutorial_templates": (6, 30),
    },
    "household": {"mean_size": (2.2, 4.0), "card_share": (0.5, 0.95), "device_share": (0.2, 0.7)},
    "agency": {
        "onboard_batches": (1, 5),
        "tool_share": (0.5, 1.0),
        "library_share": (0.3, 0.7),
        "library_templates": (10, 80),
    },
    "startup_team": {"virtual_share": (0.0, 0.8), "cron_share": (0.1, 0.5)},
    "plugin_users": {"launch_share": (0.1, 0.5), "default_share": (0.3, 0.9), "default_templates": (4, 40)},
    "corporate_proxy": {"gateways": (1, 3), "users_per_ip": (10, 60)},
    "gift_cards": {"promo_days": (1, 5), "new_share": (0.3, 0.8), "regift_share": (0.0, 0.2)},
    "support_desk": {
        "new_hire_share": (0.0, 0.5),
        "shifts": (1, 3),
        "macro_share": (0.4, 0.9),
        "macro_templates": (8, 40),
    },
}


class _Draw:
    """Draws by name from :data:`RANGES`, so every knob's range is stated in one place."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def __call__(self, name: str) -> float:
        lo, hi = RANGES[name]
        if name in LOG:
            return float(math.exp(self.rng.uniform(math.log(lo), math.log(hi))))
        return float(self.rng.uniform(lo, hi))

    def int(self, name: str) -> int:
        lo, hi = RANGES[name]
        if name in LOG:
            return min(int(hi), max(int(lo), round(self(name))))
        return int(self.rng.integers(int(lo), int(hi) + 1))


def _population(rng: np.random.Generator) -> tuple[KindSpec, ...]:
    kinds: list[KindSpec] = []
    presence = RANGES["lookalike_presence"][0]
    for kind, ((a_lo, a_hi), (e_lo, e_hi), (g_lo, g_hi)) in KIND_RANGES.items():
        present = kind in CLASSIC_HONEST_ROLES or rng.random() < presence
        # draw everything even when absent, so one kind's presence does not shift the others
        accounts = round(math.exp(rng.uniform(math.log(a_lo), math.log(a_hi))))
        per_account = float(math.exp(rng.uniform(math.log(e_lo), math.log(e_hi))))
        groups = int(rng.integers(g_lo, g_hi + 1))
        knobs = tuple(
            (name, round(float(rng.uniform(lo, hi)), 3))
            for name, (lo, hi) in KNOB_RANGES.get(kind, {}).items()
        )
        extra: dict[str, float] = {}
        if kind in ("cgnat", "university", "vpn"):
            extra["sharing"] = round(
                float(rng.uniform(*{"cgnat": (50, 400), "university": (30, 200), "vpn": (10, 80)}[kind])), 1
            )
        if kind in ("corporate", "university"):
            extra["largest_share"] = round(float(rng.uniform(0.05, 0.3 if kind == "corporate" else 0.6)), 3)
        if present:
            kinds.append(
                KindSpec(
                    kind,
                    accounts,
                    max(accounts, round(accounts * per_account)),
                    groups=groups,
                    knobs=knobs,
                    **extra,
                )
            )
    return tuple(kinds)


def _capabilities(rng: np.random.Generator, draw: _Draw) -> tuple[tuple[str, float], ...]:
    n = draw.int("capabilities")
    pick = rng.choice(len(CAPABILITIES), size=n, replace=False)
    w = rng.dirichlet(np.ones(n) * 1.5)
    return tuple((CAPABILITIES[i], round(float(x), 3) + 0.001) for i, x in zip(pick, w, strict=True))


def _campaign(index: int, rng: np.random.Generator, adaptive: bool) -> CampaignSpec:
    draw = _Draw(rng)
    tactics = [t for t in TACTICS if rng.random() < TACTIC_P[adaptive]]
    if "office_hours" in tactics and "evening_rhythm" in tactics:
        tactics.remove("evening_rhythm")
    accounts = draw.int("campaign_accounts")
    start = draw("start_day")
    end = min(float(DAYS), start + draw("active_days"))
    exchanges = round(accounts * (end - start) * draw("exchanges_per_account_day"))
    per_card = draw("accounts_per_card")
    shared_cards = 0 if per_card < 1.5 else max(1, round(accounts / per_card))
    virtual = rng.random() < 0.35
    proxy = str(rng.choice(["", "relay", "resi"], p=[0.4, 0.4, 0.2]))
    unique = rng.random() < 0.12
    wave_minutes = draw("wave_minutes")
    kw: dict[str, Any] = {
        "campaign_id": f"camp_{index + 1:02d}",
        "name": f"random-op-{index + 1}",
        "accounts": accounts,
        "exchanges": exchanges,
        "capabilities": _capabilities(rng, draw),
        "start_day": round(start, 3),
        "end_day": round(end, 3),
        "operators": draw.int("operators"),
        "operator_link": round(draw("operator_link"), 3),
        "template_families": draw.int("template_families"),
        "paraphrases": draw.int("paraphrases"),
        "shared_cards": shared_cards,
        "virtual_cards": virtual,
        "unique_infra": unique,
        "proxy_service": proxy,
        "proxy_share": round(draw("proxy_share"), 3),
        "egress_ips": draw.int("egress_ips"),
        "ips_per_account": draw.int("ips_per_account"),
        "fingerprints": draw.int("fingerprints"),
        "popular_fingerprint_share": round(draw("popular_fingerprint_share"), 3),
        "wave_minutes": round(wave_minutes, 2),
        "wave_seconds": round(min(wave_minutes * 60, 3600) * draw("wave_fill"), 1),
        "jitter_seconds": round(draw("jitter_seconds"), 1),
        "wave_sigma": round(draw("wave_sigma"), 3),
        "operator_tz": int(rng.choice([-8, -5, 0, 1, 3, 5, 8, 9])),
        "creation_bursts": draw.int("creation_bursts"),
        "creation_spread_days": round(draw("creation_spread_days"), 2),
        "output_multiplier": round(draw("output_multiplier"), 2),
    }
    waves = draw.int("ban_waves")
    bans = sorted(
        (round(float(rng.uniform(start + 1.5, max(start + 2, end - 1))), 2), round(draw("ban_share"), 3))
        for _ in range(waves)
    )
    kw.update(
        ban_waves=tuple(bans),
        regrowth=round(draw("regrowth"), 3) if bans else 0.0,
        regrowth_delay_hours=round(draw("regrowth_delay_hours"), 2),
        infra_reuse=round(draw("infra_reuse"), 3),
    )
    if rng.random() < 0.5:
        kw.update(
            pivot_share=round(draw("pivot_share"), 3),
            pivot_delay_hours=round(draw("pivot_delay_hours"), 2),
            pivot_ramp_hours=round(draw("pivot_ramp_hours"), 2),
        )
    if rng.random() < 0.45:
        kw.update(
            camouflage=round(draw("camouflage"), 3), camouflage_mode=str(rng.choice(["random", "popular"]))
        )
    # --- adaptation: imitate honest kinds --------------------------------------------------------
    if "office_hours" in tactics:
        kw.update(diurnal=True, diurnal_profile="office")
    if "evening_rhythm" in tactics:
        kw.update(diurnal=True, diurnal_profile="personal")
    if "own_cards" in tactics:
        kw.update(shared_cards=0, virtual_cards=False)
    if "residential" in tactics:
        if rng.random() < 0.5:
            kw.update(proxy_service="resi", proxy_share=max(kw["proxy_share"], 0.7))
        else:
            kw.update(unique_infra=True, operator_link=0.0)
    if "paraphrase" in tactics:
        kw.update(paraphrases=draw.int("paraphrases_adapted"))
    if "camouflage_popular" in tactics:
        kw.update(camouflage=round(draw("camouflage"), 3), camouflage_mode="popular")
    if "slow_creation" in tactics:
        kw.update(
            creation_bursts=draw.int("creation_bursts_adapted"),
            creation_spread_days=round(draw("creation_spread_adapted"), 2),
        )
    if "popular_client" in tactics:
        kw.update(popular_fingerprint_share=round(draw("popular_fingerprint_adapted"), 3))
    if "shell_company" in tactics:
        kw.update(cover_org=True)
    if "aged_accounts" in tactics:
        kw.update(hijacked=max(1, round(accounts * draw("hijacked_share"))))
    kw["strategy"] = "+".join(tactics) or "plain"
    return CampaignSpec(**kw)


def random_scenario(seed: int) -> ScenarioSpec:
    """The world of ``seed``: a population and campaigns drawn from :data:`RANGES` (scale 1.0)."""
    rng = np.random.default_rng([seed, 0x5EED, 11])
    population = _population(rng)
    adaptive = bool(rng.random() < ADAPTIVE_SHARE)
    n_campaigns = int(rng.integers(int(RANGES["campaigns"][0]), int(RANGES["campaigns"][1]) + 1))
    campaigns = tuple(
        _campaign(i, np.random.default_rng([seed, 0x5EED, 12, i]), adaptive) for i in range(n_campaigns)
    )
    content = str(rng.choice(list(CONTENT_P), p=list(CONTENT_P.values())))
    return ScenarioSpec(
        name=f"{RANDOM_PREFIX}{seed}",
        description=(
            f"Random world {seed}: {len(population)} honest kinds, {n_campaigns} campaign(s)"
            f"{' that adapt' if adaptive else ''}, content {content}."
        ),
        population=population,
        campaigns=campaigns,
        content=content,
    )


def world_parameters(spec: ScenarioSpec, scale: float, seed: int) -> dict[str, Any]:
    """What ``truth/world.json`` holds: a summary a benchmark can tabulate, and the full spec."""
    lookalikes = [k.kind for k in spec.population if k.kind in LOOKALIKE_ROLES]
    return {
        "scenario": spec.name,
        "seed": seed,
        "scale": scale,
        "content": spec.content,
        "summary": {
            "campaigns": len(spec.campaigns),
            "campaign_accounts": [c.accounts for c in spec.campaigns],
            "strategies": [c.strategy for c in spec.campaigns],
            "adaptive": "that adapt" in spec.description,
            "honest_accounts": sum(k.accounts for k in spec.population),
            "lookalike_kinds": lookalikes,
            "content": spec.content,
        },
        "spec": asdict(spec),
    }
