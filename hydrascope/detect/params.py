"""Every tunable of the detector, in one frozen dataclass with the reason for each default.

The defaults were set by measuring on *all* built-in scenarios (``bench/bench_detect.py``), never
on one; ``docs/detection.md`` explains each.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Analyst triage labels that clear an account or cluster: never flagged, never a lead.
from hydrascope.triage import CLEARING as DO_NOT_FLAG  # noqa: F401 (the policy: hydrascope/triage.py)


@dataclass(frozen=True)
class DetectParams:
    """Parameters of one detection run (explicit, so a run is reproducible from its record)."""

    seed: int = 7
    # --- rarity-weighted shared infrastructure
    # Per-kind weight of one shared object before rarity: a card is rarely shared honestly.
    kind_weight: dict[str, float] = field(
        default_factory=lambda: {
            "card": 1.0,
            "fingerprint": 0.8,
            "ip": 0.6,
            "prefix": 0.35,
            "email_domain": 0.5,
            "template": 0.7,
            "template_family": 0.7,
        }
    )
    # Known-benign address space counts this much (down-weighted, not ignored).
    benign_factor: dict[str, float] = field(
        default_factory=lambda: {"cgnat": 0.05, "vpn": 0.15, "university": 0.1}
    )
    # Objects used by more accounts than this are too popular to tie anyone (a big carrier IP).
    max_object_degree: int = 50_000
    # All pairs are candidates for objects up to this degree; above it, ``sample_partners`` random
    # cycles shared by every object (an expander that costs linear work, and the same pairs for
    # objects with the same users: see ``candidate_pairs``).
    clique_degree: int = 40
    sample_partners: int = 30
    # A family of evidence "counts" for a pair when its summed rarity weight reaches this.
    family_min: float = 0.3
    # Pairs must be tied by at least this many independent families (timing included).
    min_pair_families: int = 2
    # ...unless they share so many rare templates that the content tie alone is this strong
    # (dozens of templates nobody else uses: a campaign's prompt book, even on unique infra)
    strong_content: float = 1.5
    # Content ties (the content family and the content-only tie) count only templates that are
    # rare (used by at most ``rare_template_degree`` accounts) or part of a near-duplicate family
    # (user sets that nearly coincide: one group running one prompt book): a popular template
    # shared with hundreds of honest users is weak evidence however many of them two accounts
    # have in common (popular-template camouflage). False: every template counts.
    prompt_book_content: bool = True
    rare_template_degree: int = 40
    # Near-duplicate template families: templates whose user sets overlap by Jaccard >= 0.5 and
    # share at least this many accounts. Jaccard alone chains the honest long tail (two tail
    # templates of 3-4 users sharing the same two resellers reach 0.5) into families of 1,400-2,500
    # templates in every scenario; with 10 the largest honest family has <= 8 templates and every
    # campaign's book (36-72 templates, 100+ shared users) stays whole.
    family_min_users: int = 10
    # analysts' false positives clear the infrastructure and templates they share: an object at
    # least this share of whose users an analyst marked false positive (and at least two of them)
    # ties nobody any more (the org's corporate card and office NAT once its cluster was cleared)
    cleared_object_share: float = 0.5
    # Regrowth counts only when an account was born on banned infrastructure in at least this
    # many independent families: proxy egress alone is how every new customer of a proxy looks.
    regrowth_min_families: int = 2
    # --- synchrony
    minhash_size: int = 64
    sync_min: float = 0.5  # active-hour Jaccard at which timing counts as a family for a pair
    # Judge timing by active-hour Jaccard beyond chance (what two independent accounts with as many
    # active hours would reach): always-on resellers and heavy users overlap by ~0.45 by chance,
    # which tied them to each other and to busy campaign workers. False: raw Jaccard.
    # Off by default: measured together with the core split below (which it made safe), never on
    # its own across every scenario and at full scale; turn on to test it.
    timing_beyond_chance: bool = False
    min_sync_hours: int = 8  # fewer active hours than this: too few to judge timing
    # --- clustering
    cluster_method: str = "leiden"  # "leiden" (modularity within components) or "components"
    leiden_resolution: float = 1.0
    leiden_min_component: int = 200  # components smaller than this are kept whole
    min_cluster_size: int = 3  # smaller groups are not written as clusters
    # A cluster's core: members whose coreness within it is at least this share of its highest;
    # the rest (accounts hanging on it by a few ties: modularity never separates such leaves) form
    # clusters of their own (one per connected piece), except those that run the core's prompt
    # book. 0.5: a campaign's workers sit at 0.7-1.0 of its peak, the ~800 honest leaves on demo's
    # mixed-traffic campaign and the proxy customers on anthropic's hydra at <= 0.2. 0: no split.
    # OFF by default (0.0): at full ``anthropic`` scale (1.0) the hydras are the *sparse* part of
    # mixed clusters (coreness 1-40, median 6, against honest corporate cores up to 133), so the
    # split cut 7,494 workers into singletons and recall fell from 0.94 to 0.46; it fixed demo's
    # mixed-traffic campaign (recall 0.85 -> 1.00) and the proxy customers at 0.1 on its own
    # scenarios. Needs a scale-robust core definition before it can be on.
    core_share: float = 0.0
    # --- scoring
    min_flag_size: int = 5
    flag_threshold: float = 0.75
    strong: float = 0.5  # a cluster signal at or above this is one "kind" of evidence
    min_kinds: int = 3
    # capability focus (1 - entropy / log2 12) ramps to strong over this range: one or two
    # capabilities reach 0.6-1.0; an office's, a support desk's or a plugin's usual mix 0.4-0.55
    # (measured on development random worlds 0-19; the earlier 0.25-0.5 made those mixes strong)
    focus_ramp: tuple[float, float] = (0.4, 0.7)
    # members' output tokens per request over the population's median account: a harvest asks for
    # long answers (strong from 2x)
    volume_ramp: tuple[float, float] = (1.5, 2.5)
    # the median member's output tokens over the median account's: a worker pulls many times the
    # ordinary customer's output (strong from the middle of the range). It weighs only on young
    # accounts (fading over ``established_age_days``): a reseller or an evaluation service pulls as
    # much from accounts with a year of history; a harvest's replaceable accounts are weeks old.
    # And only for a group that shares a prompt book (``templates``): a reseller's customers send
    # their own prompts through it
    member_volume_ramp: tuple[float, float] = (5.0, 15.0)
    # accounts whose median age passes this range have a history: an organisation's fleet of them is
    # cleared (``signals/defence.py``), and their volume is no harvest evidence
    established_age_days: tuple[float, float] = (90.0, 365.0)
    # a prompt book is an operator's without provisioned infrastructure when the members send
    # (almost) nothing of their own: under this personal share (a plugin's users keep 10%+)
    book_only_personal: float = 0.05
    # a prompt book counts as a harvest while the members' personal share (templates only the
    # sender used) stays under the first value, not at all from the second: workers 0-16%, people
    # who share a tutorial, plugin or library 20-80% (development random worlds 0-19)
    harvest_personal_ramp: tuple[float, float] = (0.1, 0.3)
    # --- the defence (``signals/defence.py``)
    # share of templated requests on templates only the member ever sent, ramping to the second
    personal_ramp: tuple[float, float] = (0.2, 0.4)
    creation_window_s: float = 72 * 3600.0  # accounts created within this window form a burst
    # --- content
    cot_capabilities: tuple[str, ...] = ("cot_elicitation",)
    template_min_share: float = 0.2  # a template is "the cluster's" when this share of members use it
    # ...and at least half of all its users are in the cluster ("cluster") or in the cluster's
    # connected component ("component": lets honest users of popular templates, pulled into the
    # component by weak ties, make those templates look owned)
    template_owner_scope: str = "component"
    # --- membership: a member of a flagged cluster is flagged on its own evidence
    # share of its templated requests on the cluster's prompt book (owned templates and families)
    member_template_share: float = 0.25
    # ...or a payment/client tie to members plus at least this share of prompt-book use
    member_coordinated_share: float = 0.25
    # ...or, in a cluster without a prompt book, its own ties: this many families among them and
    # this share of the ties of the cluster's best-tied members (90th percentile)
    member_min_families: int = 3
    member_core_ties: float = 0.25
    # ...or, in any flagged cluster, a member of its core: two families and at least this share of
    # the best-tied members' ties (a clique whose members each tie to most of the others by content
    # and timing, with no template reaching the book threshold: development random world 18)
    member_core_dense_ties: float = 0.5
    # ...or, in a cluster flagged on a narrow capability mix, a core member by infrastructure and
    # timing whose own traffic (at least this many classified requests) is as narrow
    member_focus_min_requests: int = 20
    # --- ban evasion: a cluster without a distillation signature is flagged when at least this
    # many of its accounts (and this share) were born on banned infrastructure after the bans
    evasion_min_regrown: int = 3
    evasion_min_share: float = 0.1
    # --- dense blocks
    dense_blocks: int = 5
    dense_min_rows: int = 5
    # --- release pivot
    pivot_window_s: float = 48 * 3600.0
    pivot_min_share: float = 0.15
    # --- review tier (``leads.py``): ranked leads, never the ban list
    # a tie to a banned/confirmed account counts through a card or device of at most this many
    # accounts (a family card, a reused phone; an office's shared device is wider)
    review_max_tie_degree: int = 10
    # the enforcement model is trained only with this many seeds (and 5 non-seeds per seed)
    review_min_seeds: int = 20
    review_folds: int = 5
    # review when the out-of-fold probability reaches this multiple of the seeds' base rate
    review_min_lift: float = 10.0
    # ...or this probability, when ten times the base rate is higher (seeds are common)
    review_max_threshold: float = 0.25
    # without a model: review when the anomaly p-value is at most this (a chosen false-positive
    # rate under the data's own null, not a fitted constant)
    review_max_p: float = 1e-3
    # members of unflagged clusters scoring at least this are leads too
    review_cluster_score: float = 0.5
    # --- identity across runs
    identity_min_overlap: float = 0.3
