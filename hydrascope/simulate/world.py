"""The planned world: entities, infrastructure and activity streams, before any event exists.

Generation has two stages. Planning (this module, ``population.py``, ``campaigns.py``) decides
every account, instrument, address, key, ban and *stream* — a stream is one account's activity
of one kind (honest use, distillation, camouflage) with its interval, exact request count,
timing model, content mix and network pools. Event generation (``events.py``) then expands
streams into request rows chunk by chunk. Because counts are fixed at plan time, targets and
truth (exchanges per account) are known exactly without materialising tens of millions of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hydrascope.simulate.config import NEVER_MS, ROLE_INDEX, ScenarioSpec
from hydrascope.simulate.infra import Network, Payments

# Template sources: where an event's prompt skeleton comes from.
S_PERSONAL, S_ORG, S_POPULAR, S_UNIFORM, S_BENCH, S_CAMPAIGN = range(6)
N_SOURCES = 6
N_SLOTS = 6
POPULAR_VOCAB = 20_000

# (capability, size) of public benchmark suites researchers run; shared across researchers.
BENCH_SUITES: tuple[tuple[str, int], ...] = (
    ("reasoning", 1200),
    ("coding", 500),
    ("cot_elicitation", 800),
    ("rubric_grading", 600),
    ("reasoning", 3000),
    ("data_analysis", 400),
    ("coding", 1800),
    ("vision", 700),
    ("agentic", 300),
    ("tool_use", 450),
    ("translation", 1000),
    ("general", 2500),
)

BAN_ACTIONS = ("ban", "suspend")
BAN_REASONS = ("tos_violation", "payment_fraud", "automated_abuse", "unpaid_balance", "chargeback", "spam")


class Columns:
    """Columns appended block by block and concatenated once (no per-row Python)."""

    def __init__(self, spec: dict[str, tuple[Any, Any, int]]) -> None:
        self.spec = spec
        self.parts: dict[str, list[np.ndarray]] = {k: [] for k in spec}
        self.n = 0

    def add(self, rows: int, /, **values: Any) -> np.ndarray:
        n = rows
        unknown = set(values) - set(self.spec)
        if unknown:
            raise KeyError(f"unknown columns {sorted(unknown)}")
        for name, (dtype, default, width) in self.spec.items():
            shape: tuple[int, ...] = (n,) if width == 0 else (n, width)
            v = values.get(name, default)
            arr = np.empty(shape, dtype=dtype)
            arr[...] = v
            self.parts[name].append(arr)
        start = self.n
        self.n += n
        return np.arange(start, start + n, dtype=np.int64)

    def finish(self) -> dict[str, np.ndarray]:
        out = {}
        for name, (dtype, _default, width) in self.spec.items():
            parts = self.parts[name]
            empty = np.zeros((0,) if width == 0 else (0, width), dtype=dtype)
            out[name] = np.concatenate(parts) if parts else empty
        return out


ACCOUNT_COLUMNS: dict[str, tuple[Any, Any, int]] = {
    "created": (np.int64, 0, 0),
    "domain": (np.int32, 0, 0),
    "org": (np.int32, -1, 0),
    "country": (np.int16, 0, 0),
    "tier": (np.int8, 1, 0),
    "tz": (np.int8, 0, 0),
    "role": (np.int8, 0, 0),
    "campaign": (np.int16, -1, 0),
    "ban_ms": (np.int64, NEVER_MS, 0),
    "ban_action": (np.int8, -1, 0),
    "ban_reason": (np.int8, -1, 0),
    "closed": (np.bool_, False, 0),
    "prov_ip": (np.int64, -1, 0),
    "prov_fp": (np.int64, -1, 0),
    "prov_share": (np.float32, 0.0, 0),
    "console_rate": (np.float32, 2.0, 0),
}

STREAM_COLUMNS: dict[str, tuple[Any, Any, int]] = {
    "acct": (np.int64, 0, 0),
    "start": (np.int64, 0, 0),
    "end": (np.int64, 0, 0),
    "n": (np.int64, 0, 0),
    "timing": (np.int8, 0, 0),
    "profile": (np.int8, 0, 0),
    "tz": (np.int8, 0, 0),
    "period": (np.int64, 1, 0),
    "phase": (np.int64, 0, 0),
    "jitter": (np.int64, 0, 0),
    "b_off": (np.int64, 0, 0),
    "b_cnt": (np.int64, 0, 0),
    "w_lo": (np.int64, 0, 0),
    "w_hi": (np.int64, 0, 0),
    "wave_len": (np.int64, 0, 0),
    "src": (np.float32, 0.0, N_SOURCES),  # cumulative source probabilities
    "campaign": (np.int64, 0, 0),
    "families": (np.int64, 1, 0),
    "paraphrases": (np.int64, 1, 0),
    "org": (np.int64, 0, 0),
    "vocab": (np.int64, 50, 0),
    "org_vocab": (np.int64, 50, 0),  # skeletons of the owner's shared template book (S_ORG)
    "suites": (np.int64, 0, 2),
    "caps": (np.int8, 9, N_SLOTS),
    "capw": (np.float32, 1.0, N_SLOTS),  # cumulative slot weights
    "ip_off": (np.int64, 0, 0),
    "ip_cnt": (np.int64, 1, 0),
    "ip_gamma": (np.float32, 1.0, 0),
    "fp_off": (np.int64, 0, 0),
    "fp_cnt": (np.int64, 1, 0),
    "fp_gamma": (np.float32, 1.0, 0),
    "p_b": (np.float32, 0.4, 0),
    "adopt": (np.int64, NEVER_MS, 0),
    "p_c": (np.float32, 0.0, 0),
    "ramp": (np.int64, 1, 0),
    "out_mult": (np.float32, 1.0, 0),
    "in_mult": (np.float32, 1.0, 0),
}


@dataclass
class CampaignRecord:
    """What truth/campaigns and truth/templates need about one built campaign."""

    index: int
    campaign_id: str
    name: str
    strategy: str
    start_ms: int
    end_ms: int
    cap_slots: np.ndarray
    families: int
    paraphrases: int
    target_exchanges: int = 0
    proxy_service: int = -1


@dataclass
class World:
    """Everything planned; ``events.py`` and ``tables.py`` turn it into the bundle."""

    spec: ScenarioSpec
    scale: float
    seed: int
    accounts: dict[str, np.ndarray]
    streams: dict[str, np.ndarray]
    ips: dict[str, np.ndarray]
    asns: list[Any]
    services: list[tuple[str, str]]
    instruments: dict[str, np.ndarray]
    payments: dict[str, np.ndarray]
    keys: dict[str, np.ndarray]
    ip_pool: np.ndarray
    fp_pool: np.ndarray
    n_fps: int
    bursts: dict[str, np.ndarray]
    wave_ts: np.ndarray
    wave_cum: np.ndarray
    domains: list[str]
    orgs: list[str]
    campaigns: list[CampaignRecord]
    extra_logins: dict[str, np.ndarray]
    salt: int
    account_number: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    email_number: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def n_accounts(self) -> int:
        return int(self.accounts["created"].size)

    @property
    def n_requests(self) -> int:
        return int(self.streams["n"].sum())

    def exchanges_per_account(self) -> np.ndarray:
        return np.bincount(self.streams["acct"], weights=self.streams["n"], minlength=self.n_accounts).astype(
            np.int64
        )


class WorldBuilder:
    """Mutable registries the builders append to; :meth:`finish` freezes them into a World."""

    def __init__(self, spec: ScenarioSpec, scale: float, seed: int) -> None:
        self.spec = spec
        self.scale = scale
        self.seed = seed
        self.salt = seed & 0xFFFF
        self.rng = np.random.default_rng([seed, 1])
        self.net = Network(np.random.default_rng([seed, 2]))
        self.pay = Payments(np.random.default_rng([seed, 3]))
        self.accounts = Columns(ACCOUNT_COLUMNS)
        self.streams = Columns(STREAM_COLUMNS)
        self.payments = Columns(
            {"acct": (np.int64, 0, 0), "instr": (np.int64, 0, 0), "first_seen": (np.int64, 0, 0)}
        )
        self.keys = Columns(
            {"acct": (np.int64, 0, 0), "created": (np.int64, 0, 0), "revoked": (np.int64, NEVER_MS, 0)}
        )
        self.bursts = Columns({"start": (np.int64, 0, 0), "len": (np.int64, 0, 0)})
        self.logins = Columns(
            {
                "ts": (np.int64, 0, 0),
                "acct": (np.int64, 0, 0),
                "ip": (np.int64, -1, 0),
                "fp": (np.int64, -1, 0),
                "kind": (np.int8, 1, 0),
            }
        )
        self.ip_pool: list[np.ndarray] = []
        self.ip_pool_len = 0
        self.fp_pool: list[np.ndarray] = []
        self.fp_pool_len = 0
        self.n_fps = 400  # popular SDK / browser fingerprints are indices 0..399
        self.wave_ts: list[np.ndarray] = []
        self.wave_w: list[np.ndarray] = []
        self.n_waves = 0
        self.domains: list[str] = []
        self.domain_index: dict[str, int] = {}
        self.orgs: list[str] = []
        self.campaigns: list[CampaignRecord] = []

    # --- small registries ---------------------------------------------------------------------
    def domain(self, name: str) -> int:
        if name not in self.domain_index:
            self.domain_index[name] = len(self.domains)
            self.domains.append(name)
        return self.domain_index[name]

    def org(self, name: str) -> int:
        self.orgs.append(name)
        return len(self.orgs) - 1

    def new_fps(self, n: int) -> np.ndarray:
        start = self.n_fps
        self.n_fps += n
        return np.arange(start, start + n, dtype=np.int64)

    def popular_fps(self, n: int) -> np.ndarray:
        """Popular SDK/browser fingerprints, Zipf-distributed (the official SDK dominates)."""
        return np.minimum(np.exp(self.rng.random(n) * np.log(401.0)).astype(np.int64) - 1, 399)

    def add_waves(self, times: np.ndarray, weights: np.ndarray) -> tuple[int, np.ndarray]:
        """Register a campaign's wave schedule; returns its global offset and the times."""
        off = self.n_waves
        self.wave_ts.append(times)
        self.wave_w.append(weights)
        self.n_waves += times.size
        return off, times

    # --- pools ----------------------------------------------------------------------------------
    def pools(self, kind: str, counts: np.ndarray, flat: np.ndarray) -> np.ndarray:
        """Append per-stream pools given counts and the concatenated members; returns offsets."""
        counts = np.asarray(counts, dtype=np.int64)
        if int(counts.sum()) != flat.size:
            raise ValueError("pool counts do not match members")
        base = self.ip_pool_len if kind == "ip" else self.fp_pool_len
        offsets = base + np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        if kind == "ip":
            self.ip_pool.append(np.asarray(flat, dtype=np.int64))
            self.ip_pool_len += flat.size
        else:
            self.fp_pool.append(np.asarray(flat, dtype=np.int64))
            self.fp_pool_len += flat.size
        return offsets

    # --- accounts -------------------------------------------------------------------------------
    def new_accounts(self, n: int, role: str, **cols: Any) -> np.ndarray:
        return self.accounts.add(n, role=ROLE_INDEX[role], **cols)

    def add_keys(
        self, acct: np.ndarray, created: np.ndarray, rotations: np.ndarray, until: np.ndarray
    ) -> None:
        """First key shortly after ``created``; ``rotations`` more keys spread until ``until``,
        each revoking the previous one. Requests then use whichever key is live."""
        acct = np.asarray(acct, dtype=np.int64)
        first = created + (self.rng.exponential(20 * 60_000, acct.size)).astype(np.int64) + 60_000
        reps = 1 + np.asarray(rotations, dtype=np.int64)
        a = np.repeat(acct, reps)
        rank = np.arange(a.size) - np.repeat(np.cumsum(reps) - reps, reps)
        lo = np.repeat(first, reps)
        span = np.maximum(np.repeat(until, reps) - lo, 1)
        t = lo + (self.rng.random(a.size) * span).astype(np.int64)
        t = np.where(rank == 0, lo, t)
        order = np.lexsort((t, a))
        a, t = a[order], t[order]
        nxt = np.append(t[1:], NEVER_MS)
        same = np.append(a[1:] == a[:-1], False)
        self.keys.add(a.size, acct=a, created=t, revoked=np.where(same, nxt, NEVER_MS))

    def finish(self) -> World:
        accounts = self.accounts.finish()
        keys = self.keys.finish()
        # A ban revokes the live keys of the banned account.
        ban = accounts["ban_ms"][keys["acct"]]
        keys["revoked"] = np.where((ban < keys["revoked"]) & (ban >= keys["created"]), ban, keys["revoked"])
        order = np.lexsort((keys["created"], keys["acct"]))
        keys = {k: v[order] for k, v in keys.items()}
        wave_ts = np.concatenate(self.wave_ts) if self.wave_ts else np.zeros(1, np.int64)
        wave_w = np.concatenate(self.wave_w) if self.wave_w else np.ones(1)
        net = self.net.finish()
        n = accounts["created"].size
        rng = np.random.default_rng([self.seed, 99])
        world = World(
            spec=self.spec,
            scale=self.scale,
            seed=self.seed,
            accounts=accounts,
            streams=self.streams.finish(),
            ips=net,
            asns=self.net.asns,
            services=self.net.services,
            instruments=self.pay.finish(),
            payments=self.payments.finish(),
            keys=keys,
            ip_pool=np.concatenate(self.ip_pool) if self.ip_pool else np.zeros(0, np.int64),
            fp_pool=np.concatenate(self.fp_pool) if self.fp_pool else np.zeros(0, np.int64),
            n_fps=self.n_fps,
            bursts=self.bursts.finish(),
            wave_ts=wave_ts,
            wave_cum=np.concatenate([[0.0], np.cumsum(wave_w)]),
            domains=self.domains,
            orgs=self.orgs,
            campaigns=self.campaigns,
            extra_logins=self.logins.finish(),
            salt=self.salt,
        )
        # Account numbers are a random permutation: ids reveal neither kind nor campaign.
        world.account_number = rng.permutation(n).astype(np.int64)
        world.email_number = rng.choice(max(10 * n, 1000), size=n, replace=False).astype(np.int64) + 100
        return world
