"""The built-in scenarios: one registry, used by the CLI, the tests, the docs and the bench.

Strategy scenarios share one honest population (a few thousand accounts with every hard
negative at a size that matters) and differ only in the adversary, so a detector's score on
each isolates what that strategy costs it. ``anthropic`` reproduces the orders of magnitude of
the public reporting (Feb 2026); see docs/scenarios.md for the mapping.
"""

from __future__ import annotations

from dataclasses import replace

from hydrascope.errors import InputError
from hydrascope.simulate.config import CampaignSpec, KindSpec, ScenarioSpec
from hydrascope.simulate.random_world import RANDOM_PREFIX, random_scenario

AGENTIC_CODING = (("coding", 0.5), ("agentic", 0.25), ("tool_use", 0.25))
REASONING_RUBRIC = (("reasoning", 0.45), ("rubric_grading", 0.3), ("cot_elicitation", 0.25))
AGENTIC_MULTIMODAL = (
    ("agentic", 0.25),
    ("tool_use", 0.2),
    ("coding", 0.2),
    ("data_analysis", 0.15),
    ("computer_use", 0.1),
    ("vision", 0.1),
)

STANDARD_POPULATION = (
    KindSpec("individual", 2400, 110_000),
    KindSpec("cgnat", 500, 25_000, groups=2, sharing=300),
    KindSpec("corporate", 700, 70_000, groups=25, largest_share=0.18),
    KindSpec("university", 350, 20_000, groups=3, largest_share=0.5, sharing=120),
    KindSpec("vpn", 200, 12_000, groups=2, sharing=40),
    KindSpec("reseller", 8, 60_000, groups=3),
    KindSpec("researcher", 40, 30_000, groups=12),
    KindSpec("automation", 60, 25_000),
    KindSpec("proxy_customer", 150, 10_000),
)

TINY_POPULATION = (
    KindSpec("individual", 260, 9_000),
    KindSpec("cgnat", 60, 2_500, groups=1, sharing=40),
    KindSpec("corporate", 80, 6_000, groups=4, largest_share=0.5),
    KindSpec("university", 40, 1_500, groups=1, sharing=20),
    KindSpec("vpn", 25, 1_000, groups=1, sharing=10),
    KindSpec("reseller", 3, 5_000, groups=1),
    KindSpec("researcher", 8, 3_000, groups=12),
    KindSpec("automation", 10, 2_500),
    KindSpec("proxy_customer", 20, 800),
)

ANTHROPIC_POPULATION = (
    KindSpec("individual", 152_000, 6_500_000),
    KindSpec("cgnat", 40_000, 2_000_000, groups=4, sharing=1250),
    KindSpec("corporate", 30_000, 5_000_000, groups=600, largest_share=0.05),
    KindSpec("university", 15_000, 1_000_000, groups=30, largest_share=0.1, sharing=150),
    KindSpec("vpn", 8_000, 600_000, groups=4, sharing=60),
    KindSpec("reseller", 60, 3_000_000, groups=20),
    KindSpec("researcher", 800, 1_500_000, groups=12),
    KindSpec("automation", 3_000, 1_500_000),
    KindSpec("proxy_customer", 3_000, 400_000),
)


def _strategy(campaign_id: str, strategy: str, **kw: object) -> CampaignSpec:
    """A few-hundred-account campaign with defaults of a competent operator."""
    base: dict[str, object] = {
        "campaign_id": campaign_id,
        "name": f"{strategy.replace('_', '-')}-op",
        "strategy": strategy,
        "accounts": 300,
        "exchanges": 120_000,
        "capabilities": AGENTIC_CODING,
        "shared_cards": 25,
        "egress_ips": 30,
        "fingerprints": 3,
    }
    base.update(kw)
    return CampaignSpec(**base)  # type: ignore[arg-type]


def _scenario(
    name: str,
    description: str,
    *campaigns: CampaignSpec,
    population: tuple[KindSpec, ...] = STANDARD_POPULATION,
) -> ScenarioSpec:
    return ScenarioSpec(name=name, description=description, population=population, campaigns=campaigns)


_RELAY_POP = tuple(
    replace(k, accounts=600, exchanges=40_000) if k.kind == "proxy_customer" else k
    for k in STANDARD_POPULATION
)

SCENARIOS: dict[str, ScenarioSpec] = {
    s.name: s
    for s in (
        _scenario(
            "tiny",
            "For tests: ~500 honest accounts of every kind, a proxy campaign with a ban wave, "
            "regrowth and a release pivot, and a diversified one (~40k requests, < 2 s).",
            _strategy(
                "camp_01",
                "regrowth+release_pivot",
                accounts=30,
                exchanges=4_000,
                proxy_service="relay",
                virtual_cards=True,
                shared_cards=3,
                ban_waves=((12.0, 0.3),),
                regrowth=0.9,
                pivot_share=0.5,
                operators=1,
            ),
            _strategy(
                "camp_02",
                "diversified",
                accounts=25,
                exchanges=3_000,
                unique_infra=True,
                operator_link=0.0,
                capabilities=REASONING_RUBRIC,
                creation_bursts=25,
                creation_spread_days=20,
                jitter_seconds=60,
            ),
            population=TINY_POPULATION,
        ),
        _scenario(
            "demo",
            "For the app: ~4,400 honest accounts and four campaigns with different tactics "
            "(proxy hydra with bans, regrowth and pivot; chain-of-thought harvest; diversified; "
            "camouflaged).",
            _strategy(
                "camp_01",
                "regrowth+release_pivot",
                name="agentic-coding-hydra",
                accounts=400,
                exchanges=150_000,
                proxy_service="relay",
                virtual_cards=True,
                shared_cards=20,
                ban_waves=((9.0, 0.2), (16.0, 0.2), (25.0, 0.15)),
                regrowth=0.95,
                pivot_share=0.5,
                fingerprints=5,
                popular_fingerprint_share=0.3,
            ),
            _strategy(
                "camp_02",
                "synchronised",
                name="cot-harvest",
                accounts=120,
                exchanges=40_000,
                capabilities=REASONING_RUBRIC,
                shared_cards=8,
                egress_ips=12,
            ),
            _strategy(
                "camp_03",
                "diversified",
                name="quiet-mesh",
                accounts=150,
                exchanges=40_000,
                unique_infra=True,
                operator_link=0.0,
                creation_bursts=60,
                creation_spread_days=20,
                jitter_seconds=45,
                capabilities=AGENTIC_MULTIMODAL,
            ),
            _strategy(
                "camp_04",
                "camouflage+aged_accounts",
                name="mixed-traffic",
                accounts=150,
                exchanges=50_000,
                camouflage=1.0,
                camouflage_mode="popular",
                hijacked=30,
                proxy_service="resi",
                proxy_share=0.6,
            ),
            population=_RELAY_POP,
        ),
        _scenario(
            "anthropic",
            "Modelled on the public reporting: ~24,000 hydra accounts and ~16.5M exchanges in "
            "three campaigns (150k, 3.4M, 13M) among 250k+ honest accounts with 21M+ exchanges; one proxy "
            "service runs 20,000+ accounts and carries honest customers; the largest campaign moves half its "
            "traffic to a new model within a day of its release.",
            CampaignSpec(
                campaign_id="camp_01",
                name="reasoning-rubric",
                strategy="synchronised+shared_payment",
                accounts=300,
                exchanges=150_000,
                capabilities=REASONING_RUBRIC,
                start_day=2.0,
                shared_cards=20,
                egress_ips=40,
                fingerprints=3,
                ban_waves=((20.0, 0.3),),
                regrowth=0.8,
                operator_tz=8,
            ),
            CampaignSpec(
                campaign_id="camp_02",
                name="agentic-multimodal",
                strategy="proxy_mixing+regrowth",
                accounts=4_000,
                exchanges=3_400_000,
                capabilities=AGENTIC_MULTIMODAL,
                proxy_service="relay",
                proxy_share=0.6,
                egress_ips=300,
                virtual_cards=True,
                shared_cards=100,
                fingerprints=6,
                popular_fingerprint_share=0.2,
                ban_waves=((12.0, 0.2), (24.0, 0.2)),
                regrowth=0.9,
                hijacked=60,
                wave_minutes=7.0,
                operators=3,
                operator_tz=8,
            ),
            CampaignSpec(
                campaign_id="camp_03",
                name="agentic-coding",
                strategy="hydra_proxy+regrowth+release_pivot",
                accounts=13_400,
                exchanges=12_400_000,
                capabilities=AGENTIC_CODING,
                proxy_service="relay",
                egress_ips=200,
                virtual_cards=True,
                shared_cards=400,
                fingerprints=8,
                popular_fingerprint_share=0.3,
                ban_waves=((9.0, 0.15), (16.0, 0.15), (25.0, 0.1)),
                regrowth=0.95,
                pivot_share=0.5,
                camouflage=0.05,
                wave_minutes=5.0,
                operators=3,
                operator_tz=8,
                template_families=20,
                paraphrases=3,
            ),
            population=ANTHROPIC_POPULATION,
        ),
        _scenario(
            "naive",
            "No evasion: shared cards, one small cloud egress pool, two client builds, exact "
            "templates, tight synchronised waves.",
            _strategy(
                "camp_01",
                "naive",
                shared_cards=10,
                egress_ips=20,
                fingerprints=2,
                wave_seconds=60,
                jitter_seconds=5,
                creation_bursts=3,
                creation_spread_days=2,
            ),
        ),
        _scenario(
            "camouflage",
            "Each hydra account adds honest-looking traffic equal to its distillation "
            "volume (1x), on templates drawn uniformly at random.",
            _strategy("camp_01", "camouflage", camouflage=1.0, camouflage_mode="random"),
        ),
        _scenario(
            "camouflage_2x",
            "Camouflage at twice the distillation volume (2x), random templates.",
            _strategy("camp_01", "camouflage", camouflage=2.0, camouflage_mode="random"),
        ),
        _scenario(
            "camouflage_popular",
            "Camouflage (1x) biased to popular templates and the honest "
            "capability mix: the hardest FRAUDAR-style case.",
            _strategy("camp_01", "camouflage", camouflage=1.0, camouflage_mode="popular"),
        ),
        _scenario(
            "proxy_mixing",
            "All traffic through a reseller proxy whose egress also carries 600 honest "
            "customers; virtual cards from one fintech BIN; half the accounts on the popular SDK "
            "fingerprint.",
            _strategy(
                "camp_01",
                "proxy_mixing",
                proxy_service="relay",
                virtual_cards=True,
                shared_cards=0,
                popular_fingerprint_share=0.5,
            ),
            population=_RELAY_POP,
        ),
        _scenario(
            "diversified",
            "A unique card, address and fingerprint per account, accounts created over "
            "weeks: only behaviour, templates and timing remain.",
            _strategy(
                "camp_01",
                "diversified",
                unique_infra=True,
                operator_link=0.0,
                creation_bursts=80,
                creation_spread_days=25,
                jitter_seconds=60,
                paraphrases=2,
            ),
        ),
        _scenario(
            "low_and_slow",
            "600 accounts at a few requests a day each, waves every three hours spread "
            "over 40 minutes, human-like weekly rhythm, residential proxy exits, popular fingerprints.",
            _strategy(
                "camp_01",
                "low_and_slow",
                accounts=600,
                exchanges=50_000,
                wave_minutes=180,
                wave_seconds=2400,
                jitter_seconds=600,
                diurnal=True,
                proxy_service="resi",
                popular_fingerprint_share=0.7,
                paraphrases=3,
                creation_bursts=40,
                creation_spread_days=25,
                shared_cards=60,
            ),
        ),
        _scenario(
            "aged_accounts",
            "Most accounts are aged or hijacked: years of honest history, then a "
            "takeover (new key, login from campaign infrastructure) and distillation.",
            _strategy("camp_01", "aged_accounts", hijacked=240, proxy_service="relay", proxy_share=0.5),
        ),
        _scenario(
            "regrowth",
            "Three ban waves of 30%; each banned account is replaced within hours on "
            "partly reused cards, addresses and fingerprints.",
            _strategy(
                "camp_01",
                "regrowth",
                ban_waves=((7.0, 0.3), (14.0, 0.3), (21.0, 0.3)),
                regrowth=0.95,
                infra_reuse=0.6,
                virtual_cards=True,
                proxy_service="relay",
            ),
        ),
        _scenario(
            "release_pivot",
            "Over half the campaign's traffic moves to the newly released model within hours of the release.",
            _strategy(
                "camp_01", "release_pivot", pivot_share=0.55, virtual_cards=True, proxy_service="relay"
            ),
        ),
        _scenario(
            "paraphrase",
            "200 near-duplicate paraphrases per template family: template ids barely "
            "repeat, the hidden family is only in truth/templates.",
            _strategy("camp_01", "paraphrase", paraphrases=200, template_families=12),
        ),
    )
}


def get_scenario(name: str) -> ScenarioSpec:
    """A built-in scenario by name, or ``random-N``: the random world of seed N."""
    if name.startswith(RANDOM_PREFIX) and name[len(RANDOM_PREFIX) :].isdigit():
        return random_scenario(int(name[len(RANDOM_PREFIX) :]))
    try:
        return SCENARIOS[name]
    except KeyError:
        raise InputError(
            f"unknown scenario {name!r}; choose one of: {', '.join(SCENARIOS)} (or random-N)"
        ) from None


def list_scenarios() -> list[tuple[str, str]]:
    """(name, description) of every built-in scenario, in registry order."""
    return [(s.name, s.description) for s in SCENARIOS.values()]
