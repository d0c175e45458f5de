"""The data contract as code: every table, column, type, requirement and enumeration, once.

Ingest (readers, validation, the event store), the simulator (the Arrow schemas it writes), the
tests and ``docs/ingest.md`` all read these declarations, so the contract cannot drift between
hand-kept copies. Column names are the contract. The simulator's ground truth (``truth/``, read
only by evaluation) is declared here too, apart from :data:`TABLES`, since ingest must never load it.

A leaf module: it imports only the standard library and pyarrow, so every layer may depend on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pyarrow as pa

ColumnType = Literal["string", "timestamp", "integer", "boolean", "ip"]

TIMESTAMP = pa.timestamp("ms", tz="UTC")
"""How a ``timestamp`` column is typed in Arrow/Parquet: millisecond precision, UTC."""

_ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "ip": pa.string(),  # an address is text on the wire; validation parses and normalises it
    "timestamp": TIMESTAMP,
    "boolean": pa.bool_(),
}


@dataclass(frozen=True)
class Column:
    """One column: its type, whether a row needs it, and the values it may take (if enumerated)."""

    name: str
    type: ColumnType = "string"
    required: bool = False
    enum: tuple[str, ...] = ()
    non_negative: bool = False
    identifier: bool = False
    """Names a node or identifies a row (an id, a key, an address): a control character in it is
    refused, never stripped, since two ids differing by an invisible byte would be two nodes."""
    bits: Literal[32, 64] = 64
    """Width of an ``integer`` column in Arrow: token counts are int32, which halves the largest
    column of a billion-request bundle; ingest reads any integer width the same."""

    @property
    def arrow_type(self) -> pa.DataType:
        """The Arrow type a bundle writer uses for this column (the simulator writes exactly this)."""
        if self.type == "integer":
            return pa.int32() if self.bits == 32 else pa.int64()
        return _ARROW_TYPES[self.type]


@dataclass(frozen=True)
class Table:
    """One table of the bundle.

    ``key`` identifies a row of a reference table (a repeated key in one run is a duplicate);
    event tables (``events=True``) have no natural key and are identified by their content hash.
    ``one_of`` lists columns of which at least one must be present in each row.
    """

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    events: bool = False
    one_of: tuple[str, ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table {self.name} has no column {name!r}")

    @property
    def identifiers(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.identifier)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def arrow_schema(self) -> pa.Schema:
        """The table as an Arrow schema, generated from the columns (names, order and types)."""
        return pa.schema([pa.field(c.name, c.arrow_type) for c in self.columns])


PAYMENT_KINDS = ("card", "virtual_card", "prepaid", "bank")
PROXY_KINDS = ("reseller", "residential_proxy", "vpn")
LOGIN_KINDS = ("signup", "console", "key_created")

ACCOUNTS = Table(
    "accounts",
    (
        Column("account_id", identifier=True, required=True),
        Column("created_at", "timestamp"),
        Column("email", identifier=True),
        Column("org_id", identifier=True),
        Column("declared_country"),
        Column("tier"),
        Column("status"),
    ),
    key=("account_id",),
)
PAYMENT_METHODS = Table(
    "payment_methods",
    (
        Column("account_id", identifier=True, required=True),
        Column("instrument_id", identifier=True, required=True),
        Column("kind", enum=PAYMENT_KINDS),
        Column("bin"),
        Column("issuer_country"),
        Column("first_seen", "timestamp"),
    ),
    key=("account_id", "instrument_id"),
)
API_KEYS = Table(
    "api_keys",
    (
        Column("key_id", identifier=True, required=True),
        Column("account_id", identifier=True, required=True),
        Column("created_at", "timestamp"),
        Column("revoked_at", "timestamp"),
    ),
    key=("key_id",),
)
IP_INTEL = Table(
    "ip_intel",
    (
        Column("ip", "ip", required=True),
        Column("asn", "integer", non_negative=True),
        Column("as_org"),
        Column("country"),
        Column("is_datacenter", "boolean"),
        Column("is_vpn", "boolean"),
        Column("proxy_service", identifier=True),
    ),
    key=("ip",),
)
PROXY_SERVICES = Table(
    "proxy_services",
    (Column("service_id", identifier=True, required=True), Column("name"), Column("kind", enum=PROXY_KINDS)),
    key=("service_id",),
)
REQUESTS = Table(
    "requests",
    (
        Column("ts", "timestamp", required=True),
        Column("account_id", identifier=True, required=True),
        Column("ip", "ip", required=True),
        Column("key_id", identifier=True),
        Column("client_fingerprint", identifier=True),
        Column("model", identifier=True),
        Column("capability", identifier=True),
        Column("prompt_template", identifier=True),
        Column("input_tokens", "integer", non_negative=True, bits=32),
        Column("output_tokens", "integer", non_negative=True, bits=32),
    ),
    events=True,
)
LOGINS = Table(
    "logins",
    (
        Column("ts", "timestamp", required=True),
        Column("account_id", identifier=True, required=True),
        Column("ip", "ip"),
        Column("client_fingerprint", identifier=True),
        Column("kind", enum=LOGIN_KINDS),
    ),
    events=True,
    one_of=("ip", "client_fingerprint"),
)
ENFORCEMENT = Table(
    "enforcement",
    (
        Column("account_id", identifier=True, required=True),
        Column("action", identifier=True, required=True),
        Column("ts", "timestamp", required=True),
        Column("reason"),
    ),
    key=("account_id", "action", "ts"),
    events=True,
)
MODEL_RELEASES = Table(
    "model_releases",
    (Column("model", identifier=True, required=True), Column("released_at", "timestamp", required=True)),
    key=("model",),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        PROXY_SERVICES,
        IP_INTEL,
        MODEL_RELEASES,
        ACCOUNTS,
        PAYMENT_METHODS,
        API_KEYS,
        ENFORCEMENT,
        REQUESTS,
        LOGINS,
    )
}
"""Every table, in load order: reference data first, so events find their nodes enriched."""

EVENT_TABLES = tuple(name for name, t in TABLES.items() if t.events)

# Directories and files of a bundle that are not tables and are skipped without complaint
# (the simulator's ground truth must never be loaded).
IGNORED_NAMES = frozenset({"truth", "manifest.json", "README.md", "readme.md", "_SUCCESS", ".DS_Store"})


TRUTH_ACCOUNTS = Table(
    "truth/accounts",
    (
        Column("account_id", identifier=True, required=True),
        Column("campaign_id", identifier=True),
        Column("role"),
        Column("exchanges", "integer", non_negative=True),
    ),
    key=("account_id",),
)
TRUTH_CAMPAIGNS = Table(
    "truth/campaigns",
    (
        Column("campaign_id", identifier=True, required=True),
        Column("name"),
        Column("strategy"),
        Column("start", "timestamp"),
        Column("end", "timestamp"),
        Column("accounts", "integer", non_negative=True),
        Column("exchanges", "integer", non_negative=True),
        Column("proxy_service", identifier=True),
    ),
    key=("campaign_id",),
)
TRUTH_TEMPLATES = Table(
    "truth/templates",
    (
        Column("prompt_template", identifier=True, required=True),
        Column("campaign_id", identifier=True),
        Column("family"),
        Column("capability", identifier=True),
    ),
    key=("prompt_template",),
)

TRUTH_TABLES: dict[str, Table] = {t.name: t for t in (TRUTH_ACCOUNTS, TRUTH_CAMPAIGNS, TRUTH_TEMPLATES)}
"""The simulator's ground truth (``truth/`` of a bundle): written beside the tables, read only by
evaluation, never by ingest (``truth`` is in :data:`IGNORED_NAMES`)."""


def arrow_schemas() -> dict[str, pa.Schema]:
    """Every table of a simulator's bundle, truth included, as an Arrow schema."""
    return {name: t.arrow_schema for name, t in (TABLES | TRUTH_TABLES).items()}


def contract_markdown() -> str:
    """The contract as a Markdown table, for ``docs/ingest.md`` (a test keeps the doc in sync)."""
    lines = ["| table | column | type | required | allowed values |", "|---|---|---|---|---|"]
    for table in TABLES.values():
        for col in table.columns:
            allowed = ", ".join(col.enum) if col.enum else ("≥ 0" if col.non_negative else "")
            required = "yes" if col.required else ""
            lines.append(f"| {table.name} | {col.name} | {col.type} | {required} | {allowed} |")
    return "\n".join(lines)
