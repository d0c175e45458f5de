"""The detector's input: the graph as a handful of DataFrames.

Times are float epoch seconds (NaN when unknown) so every signal is plain numpy arithmetic. The
snapshot is read from Neo4j by ``hydrascope.jobs.snapshot`` and can be built by hand in tests.

``edges`` is one long frame of account→object links: ``kind`` is one of ``EDGE_KINDS`` (the
relationship type it came from, plus ``prefix``, derived from the IP's /24 or /64), ``object_id``
the object's key as a string.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# Account→object edge kinds, by the relationship they come from.
EDGE_KINDS: dict[str, str] = {
    "card": "PAID_WITH",
    "ip": "CONNECTED_FROM",
    "prefix": "CONNECTED_FROM",
    "fingerprint": "USED_CLIENT",
    "email_domain": "REGISTERED_WITH",
    "template": "SENT",
    "capability": "ASKED_FOR",
    "model": "CALLED",
    "template_family": "SENT",
}

# Kinds that can tie two accounts together, and the independent family of evidence each belongs to.
# Two IPs in one /24 are one piece of evidence about the network, not two.
LINK_FAMILY: dict[str, str] = {
    "card": "payment",
    "ip": "network",
    "prefix": "network",
    "fingerprint": "client",
    "email_domain": "identity",
    "template": "content",
    "template_family": "content",
}

ACCOUNT_COLUMNS = (
    "account_id",
    "created_at",
    "status",
    "banned_at",
    "requests",
    "output_tokens",
    "active_hours",
    "triage_label",
    "org_id",
    "solo_template_requests",
    "solo_template_first_seen",
    "solo_template_last_seen",
)
# The object standing for all the templates one account sent alone (``solo_edges``).
SOLO_TEMPLATE_PREFIX = "solo:"
EDGE_COLUMNS = ("kind", "account_id", "object_id", "requests", "first_seen", "last_seen")
IP_COLUMNS = (
    "ip",
    "prefix",
    "is_datacenter",
    "is_vpn",
    "is_cgnat",
    "asn",
    "as_org",
    "proxy_service",
    "proxy_kind",
)
INSTRUMENT_COLUMNS = ("instrument_id", "kind", "bin", "first_seen")
MODEL_COLUMNS = ("model", "released_at")
PREVIOUS_COLUMNS = ("account_id", "cluster_id")
CLUSTER_STATE_COLUMNS = ("cluster_id", "triage_label", "first_detected_at", "flagged")


def _frame(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


@dataclass
class Snapshot:
    """Everything the detector may look at. Enforcement history is the only label it has."""

    accounts: pd.DataFrame
    edges: pd.DataFrame
    ips: pd.DataFrame = field(default_factory=lambda: _frame(IP_COLUMNS))
    instruments: pd.DataFrame = field(default_factory=lambda: _frame(INSTRUMENT_COLUMNS))
    models: pd.DataFrame = field(default_factory=lambda: _frame(MODEL_COLUMNS))
    previous_members: pd.DataFrame = field(default_factory=lambda: _frame(PREVIOUS_COLUMNS))
    previous_clusters: pd.DataFrame = field(default_factory=lambda: _frame(CLUSTER_STATE_COLUMNS))

    def __post_init__(self) -> None:
        self.accounts = normalise_accounts(self.accounts)
        solo = solo_edges(self.accounts)
        self.edges = normalise_edges(
            pd.concat([self.edges, solo], ignore_index=True) if len(solo) else self.edges
        )
        for name, cols in (
            ("ips", IP_COLUMNS),
            ("instruments", INSTRUMENT_COLUMNS),
            ("models", MODEL_COLUMNS),
            ("previous_members", PREVIOUS_COLUMNS),
            ("previous_clusters", CLUSTER_STATE_COLUMNS),
        ):
            frame = getattr(self, name)
            for c in cols:
                if c not in frame.columns:
                    frame[c] = pd.Series([None] * len(frame), dtype=object, index=frame.index)
        for c in ("is_datacenter", "is_vpn", "is_cgnat"):
            self.ips[c] = self.ips[c].fillna(False).astype(bool)
        self.ips["ip"] = self.ips["ip"].astype(str)
        self.ips = self.ips.drop_duplicates("ip").reset_index(drop=True)
        self.instruments = self.instruments.drop_duplicates("instrument_id").reset_index(drop=True)
        self.instruments["first_seen"] = to_seconds(self.instruments["first_seen"])
        self.models["released_at"] = to_seconds(self.models["released_at"])
        self.edges = add_prefix_edges(self.edges, self.ips)

    @property
    def as_of(self) -> float:
        """The snapshot's "now": the latest activity in the data (not the wall clock)."""
        values = [self.edges["last_seen"].max(), self.accounts["created_at"].max()]
        finite = [v for v in values if v is not None and np.isfinite(v)]
        return float(max(finite)) if finite else 0.0

    def kind(self, kind: str) -> pd.DataFrame:
        """The edges of one kind."""
        return self.edges[self.edges["kind"] == kind]


def to_seconds(values: pd.Series) -> pd.Series:
    """Datetimes, ISO strings or numbers to float epoch seconds (NaN when missing)."""
    if len(values) == 0:
        return pd.Series(dtype=float, index=values.index)
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float)
    parsed = pd.to_datetime(values, utc=True, errors="coerce", format="mixed")
    seconds = parsed.astype("int64").astype(float) / 1e9
    seconds[parsed.isna()] = np.nan
    return seconds


def normalise_accounts(accounts: pd.DataFrame) -> pd.DataFrame:
    frame = accounts.copy()
    for c in ACCOUNT_COLUMNS:
        if c not in frame.columns:
            frame[c] = None
    frame["account_id"] = frame["account_id"].astype(str)
    frame["created_at"] = to_seconds(frame["created_at"])
    frame["banned_at"] = to_seconds(frame["banned_at"])
    frame["requests"] = pd.to_numeric(frame["requests"], errors="coerce").fillna(0).astype(np.int64)
    frame["output_tokens"] = pd.to_numeric(frame["output_tokens"], errors="coerce").fillna(0).astype(np.int64)
    frame["active_hours"] = [  # type: ignore[assignment]
        np.asarray(h, dtype=np.int64)
        if h is not None and not (isinstance(h, float))
        else np.zeros(0, np.int64)
        for h in frame["active_hours"]
    ]
    frame["solo_template_requests"] = (
        pd.to_numeric(frame["solo_template_requests"], errors="coerce").fillna(0).astype(np.int64)
    )
    frame["solo_template_first_seen"] = to_seconds(frame["solo_template_first_seen"])
    frame["solo_template_last_seen"] = to_seconds(frame["solo_template_last_seen"])
    frame["status"] = frame["status"].fillna("active").astype(str)
    # sorted, so that a run never depends on the order a database or a file returned rows in
    return frame.drop_duplicates("account_id").sort_values("account_id", kind="stable").reset_index(drop=True)


def solo_edges(accounts: pd.DataFrame) -> pd.DataFrame:
    """One ``template`` edge per account that sent templates nobody else sent, to an object of its
    own (``solo:<account>``) carrying their requests.

    Ingest keeps such templates as counts on the account, not as ``SENT`` edges (they tie nobody,
    and a paraphrasing account sends thousands). What the detector asks of them is how much of an
    account's templated traffic is its own (``distillation.personal_share``: requests on
    templates of one user), which this edge answers as the per-template edges did."""
    solo = accounts[accounts["solo_template_requests"] > 0]
    return pd.DataFrame(
        {
            "kind": "template",
            "account_id": solo["account_id"].to_numpy(),
            "object_id": (SOLO_TEMPLATE_PREFIX + solo["account_id"]).to_numpy(),
            "requests": solo["solo_template_requests"].to_numpy(),
            "first_seen": solo["solo_template_first_seen"].to_numpy(),
            "last_seen": solo["solo_template_last_seen"].to_numpy(),
        },
        columns=list(EDGE_COLUMNS),
    )


def normalise_edges(edges: pd.DataFrame) -> pd.DataFrame:
    frame = edges.copy()
    for c in EDGE_COLUMNS:
        if c not in frame.columns:
            frame[c] = None
    frame["account_id"] = frame["account_id"].astype(str)
    frame["object_id"] = frame["object_id"].astype(str)
    frame["requests"] = pd.to_numeric(frame["requests"], errors="coerce").fillna(0).astype(np.int64)
    frame["first_seen"] = to_seconds(frame["first_seen"])
    frame["last_seen"] = to_seconds(frame["last_seen"])
    unknown = set(frame["kind"].unique()) - set(EDGE_KINDS)
    if unknown:
        raise ValueError(f"unknown edge kinds {sorted(unknown)}")
    frame = frame[list(EDGE_COLUMNS)].sort_values(["kind", "account_id", "object_id"], kind="stable")
    return frame.reset_index(drop=True)


def ip_prefix(ip: str) -> str:
    """The /24 of an IPv4 address or the /64 of an IPv6 address (as ingest computes it)."""
    if ":" in ip:
        import ipaddress

        try:
            net = ipaddress.ip_network(f"{ip}/64", strict=False)
        except ValueError:
            return ip
        return str(net)
    parts = ip.split(".")
    return ".".join(parts[:3]) + ".0/24" if len(parts) == 4 else ip


def add_prefix_edges(edges: pd.DataFrame, ips: pd.DataFrame) -> pd.DataFrame:
    """Derive account→prefix edges from account→IP edges (unless the caller gave them)."""
    if (edges["kind"] == "prefix").any():
        return edges
    ip_edges = edges[edges["kind"] == "ip"]
    if ip_edges.empty:
        return edges
    known = dict(zip(ips["ip"].astype(str), ips["prefix"], strict=False)) if len(ips) else {}
    prefixes = [
        p if isinstance(p, str) and p else ip_prefix(ip)
        for ip, p in zip(ip_edges["object_id"], (known.get(i) for i in ip_edges["object_id"]), strict=True)
    ]
    derived = ip_edges.assign(kind="prefix", object_id=prefixes)
    derived = derived.groupby(["account_id", "object_id"], as_index=False).agg(
        requests=("requests", "sum"), first_seen=("first_seen", "min"), last_seen=("last_seen", "max")
    )
    derived["kind"] = "prefix"
    return pd.concat([edges, derived[list(EDGE_COLUMNS)]], ignore_index=True)
