"""Scenario specifications: what a simulated world contains, as plain frozen dataclasses.

A scenario is data, not code: the honest population is a list of :class:`KindSpec` (one per
hard-negative kind) and the adversary a list of :class:`CampaignSpec`. Builders in
``population.py`` and ``campaigns.py`` turn them into accounts, infrastructure and activity
streams. Keeping the knobs here, with their units, lets ``docs/scenarios.md`` and the tests
reason about targets (accounts, exchanges) without generating a single event.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from hydrascope.errors import InputError

# --- the observation window ---------------------------------------------------------------
#: Window start: a Monday at 00:00 UTC, so hour-of-week profiles line up with index 0.
WINDOW_START = datetime(2026, 1, 5, tzinfo=UTC)
WINDOW_START_MS = int(WINDOW_START.timestamp() * 1000)
DAYS = 30
HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
WINDOW_END_MS = WINDOW_START_MS + DAYS * DAY_MS
#: "Never" for ban and adoption times (kept far from int64 overflow).
NEVER_MS = 2**62

# --- vocabularies ---------------------------------------------------------------------------
CAPABILITIES: tuple[str, ...] = (
    "coding",
    "agentic",
    "tool_use",
    "reasoning",
    "cot_elicitation",
    "data_analysis",
    "vision",
    "computer_use",
    "rubric_grading",
    "general",
    "writing",
    "translation",
)
CAP_INDEX = {name: i for i, name in enumerate(CAPABILITIES)}

#: Models and their public release times; the newest is released inside the window so that
#: a campaign's pivot to it (and honest users' slower adoption) is observable.
MODELS: tuple[str, ...] = ("model-a-2025", "model-b-2025", "model-c-2026")
MODEL_RELEASES_MS: tuple[int, ...] = (
    int(datetime(2025, 5, 20, 16, tzinfo=UTC).timestamp() * 1000),
    int(datetime(2025, 10, 14, 16, tzinfo=UTC).timestamp() * 1000),
    WINDOW_START_MS + 18 * DAY_MS + 15 * HOUR_MS,
)
NEW_MODEL = 2
RELEASE_MS = MODEL_RELEASES_MS[NEW_MODEL]

#: The hard negatives of DESIGN.md: every built-in scenario holds each of them.
CLASSIC_HONEST_ROLES: tuple[str, ...] = (
    "individual",
    "corporate",
    "cgnat",
    "university",
    "vpn",
    "reseller",
    "researcher",
    "automation",
    "proxy_customer",
)
#: Honest kinds that look like a hydra on two or three signals at once (``lookalikes.py``); the
#: random worlds (``random_world.py``) draw them, the built-in scenarios keep their population.
LOOKALIKE_ROLES: tuple[str, ...] = (
    "enterprise_ci",
    "eval_saas",
    "hackathon",
    "classroom",
    "household",
    "agency",
    "startup_team",
    "plugin_users",
    "corporate_proxy",
    "gift_cards",
    "support_desk",
)
HONEST_ROLES: tuple[str, ...] = CLASSIC_HONEST_ROLES + LOOKALIKE_ROLES
CAMPAIGN_ROLES: tuple[str, ...] = ("operator", "worker", "regrown", "hijacked")
ROLES: tuple[str, ...] = HONEST_ROLES + CAMPAIGN_ROLES
ROLE_INDEX = {name: i for i, name in enumerate(ROLES)}

TIERS: tuple[str, ...] = ("free", "build", "scale", "enterprise")
#: Per-account hourly request limit of the API (all paid tiers share it in this world except
#: enterprise, which negotiates its own). Campaign accounts stay well under it by design.
RATE_LIMIT_PER_HOUR = 600

CAMOUFLAGE_MODES = ("random", "popular")
#: Hour-of-week rhythm a campaign's orchestrator may imitate (``diurnal``): evenings or office hours.
DIURNAL_PROFILES = ("personal", "office")
#: What request content a bundle carries: everything, the classifier label without the template
#: hash, or neither (a provider that logs no content signal at all).
CONTENT_MODES = ("full", "capability_only", "none")


@dataclass(frozen=True)
class KindSpec:
    """One honest kind: how many accounts, how many exchanges in the window, how grouped.

    ``groups`` is the number of companies / carriers / universities / VPN services / resellers /
    benchmark suites; ``largest_share`` the share of the kind's accounts in its largest group
    (a heavy-tailed company-size distribution); ``sharing`` the target number of accounts per
    shared egress IP for carriers, universities, VPNs and proxies.
    """

    kind: str
    accounts: int
    exchanges: int
    groups: int = 1
    largest_share: float = 0.0
    sharing: float = 0.0
    #: Kind-specific knobs (name, value), e.g. the minute an enterprise CI suite starts; builders
    #: read them with :meth:`knob` and fall back to documented defaults.
    knobs: tuple[tuple[str, float], ...] = ()

    def knob(self, name: str, default: float) -> float:
        for key, value in self.knobs:
            if key == name:
                return value
        return default

    def scaled(self, scale: float) -> KindSpec:
        return replace(
            self,
            accounts=max(1, round(self.accounts * scale)),
            exchanges=max(1, round(self.exchanges * scale)),
            groups=max(1, round(self.groups * scale)) if self.kind != "researcher" else self.groups,
            sharing=max(2.0, self.sharing * scale) if self.sharing else 0.0,
        )


@dataclass(frozen=True)
class CampaignSpec:
    """One hydra campaign. Counts are at scale 1.0; every knob maps to a tactic in DESIGN.md.

    ``accounts`` is the number of initial worker accounts (regrown ones come on top, one per
    banned account with probability ``regrowth``); ``exchanges`` the distillation exchanges,
    spread over the workers' active time (load-balanced); ``camouflage`` adds honest-looking
    traffic as a multiple of that volume.
    """

    campaign_id: str
    name: str
    strategy: str
    accounts: int
    exchanges: int
    capabilities: tuple[tuple[str, float], ...]
    start_day: float = 1.0
    end_day: float = float(DAYS)
    operators: int = 2
    hijacked: int = 0
    hijack_day: float = 8.0
    template_families: int = 12
    paraphrases: int = 1
    shared_cards: int = 0
    virtual_cards: bool = False
    unique_infra: bool = False
    proxy_service: str = ""
    proxy_share: float = 1.0
    egress_ips: int = 40
    ips_per_account: int = 3
    fingerprints: int = 4
    popular_fingerprint_share: float = 0.0
    wave_minutes: float = 10.0
    wave_seconds: float = 120.0
    jitter_seconds: float = 15.0
    diurnal: bool = False
    diurnal_profile: str = "personal"
    wave_sigma: float = 0.35
    operator_tz: int = 8
    creation_bursts: int = 6
    creation_spread_days: float = 4.0
    ban_waves: tuple[tuple[float, float], ...] = ()
    regrowth: float = 0.0
    regrowth_delay_hours: float = 2.5
    infra_reuse: float = 0.6
    pivot_share: float = 0.0
    pivot_delay_hours: float = 3.0
    pivot_ramp_hours: float = 3.0
    camouflage: float = 0.0
    camouflage_mode: str = "random"
    operator_link: float = 0.3
    output_multiplier: float = 1.6
    #: Accounts registered under one fake company (its own email domain and org id), imitating an
    #: enterprise customer.
    cover_org: bool = False

    def scaled(self, scale: float) -> CampaignSpec:
        accounts = max(3, round(self.accounts * scale))
        return replace(
            self,
            accounts=accounts,
            exchanges=max(accounts, round(self.exchanges * scale)),
            hijacked=min(accounts, round(self.hijacked * scale)) if self.hijacked else 0,
            shared_cards=max(1, round(self.shared_cards * scale)) if self.shared_cards else 0,
            egress_ips=max(2, round(self.egress_ips * scale)),
            operators=max(1, self.operators) if self.operators else 0,
        )

    def validate(self) -> None:
        """Refuse specs that break the adversary model (e.g. accounts over the rate limit)."""
        if self.accounts < 1 or self.exchanges < 0:
            raise InputError(f"campaign {self.campaign_id}: accounts must be >= 1 and exchanges >= 0")
        if not 0 <= self.start_day < self.end_day <= DAYS:
            raise InputError(f"campaign {self.campaign_id}: need 0 <= start_day < end_day <= {DAYS}")
        unknown = [c for c, _ in self.capabilities if c not in CAP_INDEX]
        if unknown or not self.capabilities:
            raise InputError(f"campaign {self.campaign_id}: unknown capabilities {unknown}")
        if self.diurnal_profile not in DIURNAL_PROFILES:
            raise InputError(
                f"campaign {self.campaign_id}: diurnal_profile must be one of {DIURNAL_PROFILES}"
            )
        if self.camouflage_mode not in CAMOUFLAGE_MODES:
            raise InputError(
                f"campaign {self.campaign_id}: camouflage_mode must be one of {CAMOUFLAGE_MODES}"
            )
        per_hour = (
            self.exchanges * (1 + self.camouflage) / (self.accounts * (self.end_day - self.start_day) * 24)
        )
        if per_hour > RATE_LIMIT_PER_HOUR / 20:
            raise InputError(
                f"campaign {self.campaign_id}: {per_hour:.0f} requests/hour per account is too close to "
                f"the rate limit ({RATE_LIMIT_PER_HOUR}/h); hydra accounts stay far below it"
            )


@dataclass(frozen=True)
class ScenarioSpec:
    """A named world: an honest population, zero or more campaigns, and what it is for."""

    name: str
    description: str
    population: tuple[KindSpec, ...]
    campaigns: tuple[CampaignSpec, ...] = field(default=())
    content: str = "full"

    def scaled(self, scale: float) -> ScenarioSpec:
        if not scale > 0:
            raise InputError(f"scale must be > 0, got {scale}")
        return replace(
            self,
            population=tuple(k.scaled(scale) for k in self.population),
            campaigns=tuple(c.scaled(scale) for c in self.campaigns),
        )

    def validate(self) -> None:
        if self.content not in CONTENT_MODES:
            raise InputError(f"scenario {self.name}: content must be one of {CONTENT_MODES}")
        kinds = [k.kind for k in self.population]
        unknown = [k for k in kinds if k not in HONEST_ROLES]
        if unknown or len(set(kinds)) != len(kinds):
            raise InputError(f"scenario {self.name}: unknown or repeated honest kinds {kinds}")
        ids = [c.campaign_id for c in self.campaigns]
        if len(set(ids)) != len(ids):
            raise InputError(f"scenario {self.name}: campaign ids must be unique")
        for campaign in self.campaigns:
            campaign.validate()
