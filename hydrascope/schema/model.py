"""The graph model, declared once.

Every label, key, relationship type and property of the Neo4j graph is declared here; constraint,
index and ingest Cypher are generated from these declarations (``hydrascope.schema.cypher``), the
documentation in ``docs/schema.md`` is rendered from them, and readers refer to the same constants.
Labels and relationship types are only ever interpolated into Cypher from this module; values are
always parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from hydrascope import triage

PropertyType = Literal["string", "integer", "float", "boolean", "datetime", "list<string>", "list<integer>"]


@dataclass(frozen=True)
class Prop:
    """A property: its name, Cypher type, a one-line meaning, and whether it gets a range index."""

    name: str
    type: PropertyType
    description: str
    indexed: bool = False


@dataclass(frozen=True)
class NodeType:
    """A node label with its unique key property and the other properties the model keeps."""

    label: str
    key: str
    key_type: PropertyType
    description: str
    properties: tuple[Prop, ...] = ()

    def prop(self, name: str) -> Prop:
        """Look up one declared property (the key included) by name."""
        if name == self.key:
            return Prop(self.key, self.key_type, f"unique key of {self.label}")
        for p in self.properties:
            if p.name == name:
                return p
        raise KeyError(f"{self.label} has no property {name!r}")

    @property
    def property_names(self) -> tuple[str, ...]:
        return (self.key, *(p.name for p in self.properties), *PROVENANCE_NAMES)


@dataclass(frozen=True)
class RelType:
    """A relationship type between two node types (always stored in this direction)."""

    type: str
    start: NodeType
    end: NodeType
    description: str
    properties: tuple[Prop, ...] = field(default=())

    @property
    def pattern(self) -> str:
        """The relationship as a Cypher pattern, for docs and comments."""
        return f"(:{self.start.label})-[:{self.type}]->(:{self.end.label})"

    @property
    def property_names(self) -> tuple[str, ...]:
        return (*(p.name for p in self.properties), *PROVENANCE_NAMES)


# Provenance on every node and edge (cartography style): the update tag of the first and the
# latest ingest or detection run that wrote it. Cleanup deletes what a successful run did not touch.
PROVENANCE = (
    Prop("firstseen", "integer", "update tag (epoch seconds) of the run that first wrote it"),
    Prop(
        "lastupdated", "integer", "update tag (epoch seconds) of the latest run that wrote it", indexed=True
    ),
)
PROVENANCE_NAMES = tuple(p.name for p in PROVENANCE)

# Activity aggregates carried by every behavioural edge (built from request and login events).
ACTIVITY = (
    Prop("first_seen", "datetime", "first event on this edge"),
    Prop("last_seen", "datetime", "latest event on this edge", indexed=True),
    Prop("requests", "integer", "API requests (exchanges) on this edge"),
    Prop("input_tokens", "integer", "input tokens over those requests"),
    Prop("output_tokens", "integer", "output tokens over those requests"),
)
LOGIN_ACTIVITY = (Prop("logins", "integer", "login events (signup, console, key creation) on this edge"),)

TRIAGE = (
    Prop("triage_label", "string", "analyst label: confirmed, false_positive or allowlisted", indexed=True),
    Prop("triage_note", "string", "analyst's note for the label"),
    Prop("triage_by", "string", "analyst who set the label"),
    Prop("triage_at", "datetime", "when the label was set"),
)

# ---------------------------------------------------------------------------------------- nodes

ACCOUNT = NodeType(
    "Account",
    "account_id",
    "string",
    "A customer account of the model API.",
    (
        Prop("created_at", "datetime", "account creation time", indexed=True),
        Prop("email", "string", "contact email (personal data: hidden by the app's privacy switch)"),
        Prop("org_id", "string", "organisation the account belongs to, if any", indexed=True),
        Prop("declared_country", "string", "country the customer declared"),
        Prop("tier", "string", "billing tier"),
        Prop("status", "string", "active, suspended or banned", indexed=True),
        Prop("banned_at", "datetime", "time of the latest ban in the enforcement table"),
        Prop("ban_reason", "string", "reason of the latest ban"),
        Prop("enforcement_actions", "integer", "enforcement actions recorded for the account"),
        Prop("first_seen", "datetime", "first request or login"),
        Prop("last_seen", "datetime", "latest request or login", indexed=True),
        Prop("requests", "integer", "API requests over all time"),
        Prop("input_tokens", "integer", "input tokens over all time"),
        Prop("output_tokens", "integer", "output tokens over all time"),
        Prop(
            "active_hours",
            "list<integer>",
            "distinct hours (since the Unix epoch) with requests, newest 2,160",
        ),
        Prop(
            "solo_templates",
            "integer",
            "distinct prompt templates only this account ever sent (kept as a count: they tie nobody)",
        ),
        Prop("solo_template_requests", "integer", "requests on those templates"),
        Prop("solo_template_first_seen", "datetime", "first request on one of those templates"),
        Prop("solo_template_last_seen", "datetime", "latest request on one of those templates"),
        Prop("risk_score", "float", "detector's risk score in [0, 1] (0 when not flagged)", indexed=True),
        Prop("risk_reasons", "list<string>", "detector's reasons, each with numbers"),
        Prop(
            "risk_tier",
            "string",
            "flagged (ban-grade), review (a ranked lead) or clear; unset means clear",
            indexed=True,
        ),
        Prop("lead_score", "float", "review-tier score in [0, 1] (the lead's rank; 0 when not a lead)"),
        Prop("lead_reasons", "list<string>", "why the account is a lead, each with numbers"),
        Prop("lead_rank", "integer", "the lead's place in the review tier (1 = strongest lead)"),
        *TRIAGE,
    ),
)
PAYMENT_INSTRUMENT = NodeType(
    "PaymentInstrument",
    "instrument_id",
    "string",
    "A payment instrument, by token or fingerprint only: card numbers are refused at ingest.",
    (
        Prop("kind", "string", "card, virtual_card, prepaid or bank"),
        Prop("bin", "string", "issuer identification number (first 6 digits)", indexed=True),
        Prop("issuer_country", "string", "issuing country"),
        Prop("first_seen", "datetime", "first time any account used it"),
    ),
)
IP = NodeType(
    "IP",
    "ip",
    "string",
    "An IPv4 or IPv6 address seen in requests or logins.",
    (
        Prop("version", "integer", "4 or 6"),
        Prop("prefix", "string", "the /24 (IPv4) or /64 (IPv6) network it belongs to", indexed=True),
        Prop("country", "string", "geolocated country"),
        Prop("is_datacenter", "boolean", "hosted in a datacenter or cloud"),
        Prop("is_vpn", "boolean", "known commercial VPN egress"),
        Prop("is_cgnat", "boolean", "in carrier-grade NAT space (100.64.0.0/10)"),
    ),
)
ASN = NodeType(
    "ASN",
    "asn",
    "integer",
    "An autonomous system.",
    (Prop("as_org", "string", "organisation operating the AS"),),
)
PROXY_SERVICE = NodeType(
    "ProxyService",
    "service_id",
    "string",
    "A commercial service that resells API access or proxies traffic.",
    (
        Prop("name", "string", "service name"),
        Prop("kind", "string", "reseller, residential_proxy or vpn"),
    ),
)
CLIENT_FINGERPRINT = NodeType(
    "ClientFingerprint", "fingerprint", "string", "A client fingerprint (SDK, TLS and header signature)."
)
EMAIL_DOMAIN = NodeType(
    "EmailDomain",
    "domain",
    "string",
    "The domain part of account emails.",
    (Prop("accounts", "integer", "accounts registered with the domain"),),
)
PROMPT_TEMPLATE = NodeType(
    "PromptTemplate",
    "template",
    "string",
    "A hash of a prompt skeleton (what stays when the values change), sent by two or more accounts "
    "(one account's own templates are counts on its Account: ``solo_templates``).",
)
CAPABILITY = NodeType(
    "Capability",
    "name",
    "string",
    "A prompt-classifier label: coding, agentic, reasoning, cot_elicitation...",
)
MODEL = NodeType(
    "Model",
    "name",
    "string",
    "A model served by the API.",
    (Prop("released_at", "datetime", "public release time"),),
)
API_KEY = NodeType(
    "ApiKey",
    "key_id",
    "string",
    "An API key of an account.",
    (
        Prop("created_at", "datetime", "creation time"),
        Prop("revoked_at", "datetime", "revocation time, if revoked"),
    ),
)
INGEST_RUN = NodeType(
    "IngestRun",
    "run_id",
    "string",
    "One ingest run: its provenance and counts.",
    (
        Prop("started_at", "datetime", "start time", indexed=True),
        Prop("ended_at", "datetime", "end time"),
        Prop(
            "status",
            "string",
            "running, succeeded, rejected_rows, cleanup_refused (the TTL cleanup guard deleted nothing), "
            "failed or interrupted",
        ),
        Prop("source", "string", "the input bundle's directory"),
        Prop("update_tag", "integer", "the tag written to firstseen/lastupdated by this run"),
        Prop("rows_read", "integer", "rows read over all tables"),
        Prop("rows_loaded", "integer", "rows accepted over all tables"),
        Prop("rows_rejected", "integer", "rows rejected over all tables"),
        Prop("tables", "string", "JSON: per table rows read, loaded, rejected"),
        Prop("files", "string", "JSON: source files with size and SHA-256"),
        Prop("rejects_file", "string", "path of the rejects file, if any rows were rejected"),
        Prop(
            "store_synced",
            "boolean",
            "true once the run had written every event of the event store: the store's record of "
            "the graph it fed names this run",
        ),
        Prop(
            "watermarks",
            "string",
            "JSON: per event table, the newest event time in the store once the run had loaded its "
            "events (what `--since watermark` resumes from, on any host)",
        ),
    ),
)
LEASE = NodeType(
    "Lease",
    "name",
    "string",
    "A time-limited lease on the graph: `writer` is held by every ingest and detection run that "
    "writes, so two hosts on one database never interleave their writes and cleanups. Deleted on "
    "release; a crashed holder's lease expires.",
    (
        Prop(
            "token", "string", "random id of the holding process's lease (a renewal or release must match it)"
        ),
        Prop("owner", "string", "what holds it: the command (`ingest`, `detect`)"),
        Prop("run_id", "string", "the holder's current run id"),
        Prop("host", "string", "the holder's host name"),
        Prop("pid", "integer", "the holder's process id"),
        Prop("user", "string", "the holder's operating-system user"),
        Prop(
            "pid_space",
            "string",
            "boot id and pid namespace of the holder: on the same one, a vanished pid is a dead holder",
        ),
        Prop("acquired_at", "datetime", "when the holder took it (the server's clock)"),
        Prop("renewed_at", "datetime", "the holder's latest renewal (the server's clock)"),
        Prop("expires_at", "datetime", "when it lapses unless renewed (the server's clock)"),
        Prop(
            "renewals",
            "integer",
            "renewals since acquired; also written first by every lease statement, which takes the "
            "node's write lock before the lease is read",
        ),
    ),
)
CLUSTER = NodeType(
    "Cluster",
    "cluster_id",
    "string",
    "A group of accounts the detector found coordinated; its id is kept across detection runs.",
    (
        Prop("score", "float", "risk score in [0, 1]", indexed=True),
        Prop("size", "integer", "member accounts"),
        Prop("flagged", "boolean", "score passed the flagging threshold with several kinds of evidence"),
        Prop("evidence", "list<string>", "readable evidence, each item with its numbers"),
        Prop("signals", "string", "JSON: each signal's value for the cluster"),
        Prop("lifecycle", "string", "born, grew, shrank, split, merged, regrew or stable"),
        Prop("first_detected_at", "datetime", "first detection run that found it"),
        Prop("last_detected_at", "datetime", "latest detection run that found it"),
        Prop("detect_run", "string", "id of the latest detection run"),
        *TRIAGE,
    ),
)
CAMPAIGN = NodeType(
    "Campaign",
    "campaign_id",
    "string",
    "Clusters the detector attributes to one operator.",
    (
        Prop("name", "string", "readable name"),
        Prop("score", "float", "highest member-cluster score"),
        Prop("accounts", "integer", "accounts over its clusters"),
        Prop("evidence", "list<string>", "why the clusters were grouped"),
    ),
)

CASE = NodeType(
    "Case",
    "case_id",
    "string",
    "An analyst's case: a flagged cluster, a lead or an own selection of accounts, IPs and cards, "
    "with its status, assignee and the evidence as it stood when it was opened "
    "(`hydrascope/workflow/cases.py`). Never touched by ingest or detection cleanup.",
    (
        Prop("title", "string", "what the case is about"),
        Prop("status", "string", "open, in_review, actioned or closed", indexed=True),
        Prop("assignee", "string", "analyst working it (empty: unassigned)", indexed=True),
        Prop("priority", "integer", "1 (urgent) to 3 (low)"),
        Prop("risk", "float", "risk score of what it was opened for, when it was opened", indexed=True),
        Prop("source", "string", "cluster, lead, selection or alert"),
        Prop("source_key", "string", "the cluster id, lead account or watch it was opened for"),
        Prop("evidence", "list<string>", "the evidence when it was opened (detection may change later)"),
        Prop("notes", "list<string>", "analysts' notes, oldest first, each with its time and author"),
        Prop("opened_by", "string", "analyst who opened it"),
        Prop("opened_at", "datetime", "when it was opened", indexed=True),
        Prop("updated_at", "datetime", "its latest change"),
    ),
)
AUDIT_EVENT = NodeType(
    "AuditEvent",
    "event_id",
    "string",
    "One entry of the append-only audit trail: a triage decision, a case change, an export or a "
    "console query, refused ones included (`hydrascope/workflow/audit.py`). Only ever created.",
    (
        Prop("at", "datetime", "when (the server's clock)", indexed=True),
        Prop("analyst", "string", "who", indexed=True),
        Prop("role", "string", "their role then: viewer, analyst or admin"),
        Prop(
            "action",
            "string",
            "what: label, case_open, case_update, export, console, watch_save, watch_update, alert",
            indexed=True,
        ),
        Prop(
            "outcome",
            "string",
            "done, failed (the console refused the query, an error) or refused (the role may not)",
        ),
        Prop("target_kind", "string", "what it was done to: Account, Cluster, Case, ban_list ..."),
        Prop("target_key", "string", "its key, when it has one"),
        Prop("detail", "string", "JSON: the decision, the note, the query text, the rows exported"),
        Prop("ingest_run", "string", "the latest ingest run the analyst's graph held"),
        Prop("detect_run", "string", "the latest detection run the analyst's graph held"),
    ),
)

DETECTION_RUN = NodeType(
    "DetectionRun",
    "run_id",
    "string",
    "One writing detection run and what changed against the graph it found: clusters born, "
    "grown, shrunk, split, merged, regrown, newly flagged, cleared and vanished (the app's "
    "What changed page; `hydrascope/jobs/changes.py`).",
    (
        Prop("at", "datetime", "when the run wrote its result (the server's clock)", indexed=True),
        Prop("update_tag", "integer", "the tag the run wrote to its clusters"),
        Prop("clusters", "integer", "clusters found"),
        Prop("flagged_clusters", "integer", "clusters flagged"),
        Prop("flagged_accounts", "integer", "accounts in the flagged tier"),
        Prop("review_accounts", "integer", "accounts in the review tier"),
        Prop("changes", "string", "JSON: a row per changed cluster (id, what changed, size before and now)"),
    ),
)
WATCH = NodeType(
    "Watch",
    "watch_id",
    "string",
    "A saved pattern evaluated after every scheduled ingest and detection: a library query, new "
    "members of a campaign, new accounts born on banned or confirmed infrastructure, or a cluster "
    "that grew or regrew (`hydrascope/workflow/watches.py`). A match raises an alert once.",
    (
        Prop("name", "string", "what the analyst called it"),
        Prop("kind", "string", "query, campaign, born_on_banned or cluster_growth"),
        Prop("target", "string", "the library query's name, the campaign id or the cluster id (empty: all)"),
        Prop("params", "string", "JSON: the library query's parameters"),
        Prop("growth_pct", "float", "cluster_growth: the growth that raises an alert, in percent"),
        Prop("active", "boolean", "evaluated after each run (false: paused)"),
        Prop("seen", "list<string>", "every match already alerted on (or present when it was saved)"),
        Prop("created_by", "string", "analyst who saved it"),
        Prop("created_at", "datetime", "when it was saved"),
        Prop("evaluated_at", "datetime", "its latest evaluation"),
    ),
)
ALERT = NodeType(
    "Alert",
    "alert_id",
    "string",
    "New matches of a watch, raised once, with the case it opened or updated; written to the "
    "outbox (JSONL, or a webhook) too.",
    (
        Prop("watch_id", "string", "the watch that raised it"),
        Prop("title", "string", "the watch's name and how many new matches"),
        Prop("matches", "list<string>", "what matched, one readable line each"),
        Prop("accounts", "list<string>", "the accounts of the new matches"),
        Prop("raised_at", "datetime", "when (the server's clock)", indexed=True),
        Prop("case_id", "string", "the case it opened or updated"),
        Prop("read_by", "list<string>", "analysts who marked it read"),
        Prop("ingest_run", "string", "the latest ingest run when it was raised"),
        Prop("detect_run", "string", "the latest detection run when it was raised"),
    ),
)

NODES: tuple[NodeType, ...] = (
    ACCOUNT,
    PAYMENT_INSTRUMENT,
    IP,
    ASN,
    PROXY_SERVICE,
    CLIENT_FINGERPRINT,
    EMAIL_DOMAIN,
    PROMPT_TEMPLATE,
    CAPABILITY,
    MODEL,
    API_KEY,
    INGEST_RUN,
    CLUSTER,
    CAMPAIGN,
    LEASE,
    CASE,
    AUDIT_EVENT,
    DETECTION_RUN,
    WATCH,
    ALERT,
)

# -------------------------------------------------------------------------------- relationships

# (:Account)-[:PAID_WITH]->(:PaymentInstrument)
PAID_WITH = RelType(
    "PAID_WITH",
    ACCOUNT,
    PAYMENT_INSTRUMENT,
    "The account pays with the instrument.",
    (Prop("first_seen", "datetime", "when the account first used it"),),
)
# (:Account)-[:CONNECTED_FROM]->(:IP)
CONNECTED_FROM = RelType(
    "CONNECTED_FROM", ACCOUNT, IP, "Requests or logins came from the IP.", (*ACTIVITY, *LOGIN_ACTIVITY)
)
# (:IP)-[:IN_ASN]->(:ASN)
IN_ASN = RelType("IN_ASN", IP, ASN, "The IP is announced by the AS.")
# (:IP)-[:EGRESS_OF]->(:ProxyService)
EGRESS_OF = RelType("EGRESS_OF", IP, PROXY_SERVICE, "The IP is an egress of the proxy service.")
# (:Account)-[:USED_CLIENT]->(:ClientFingerprint)
USED_CLIENT = RelType(
    "USED_CLIENT",
    ACCOUNT,
    CLIENT_FINGERPRINT,
    "Requests or logins came from the client.",
    (*ACTIVITY, *LOGIN_ACTIVITY),
)
# (:Account)-[:REGISTERED_WITH]->(:EmailDomain)
REGISTERED_WITH = RelType("REGISTERED_WITH", ACCOUNT, EMAIL_DOMAIN, "The account's email is at the domain.")
# (:Account)-[:SENT]->(:PromptTemplate)
SENT = RelType("SENT", ACCOUNT, PROMPT_TEMPLATE, "The account sent prompts with the template.", ACTIVITY)
# (:Account)-[:ASKED_FOR]->(:Capability)
ASKED_FOR = RelType(
    "ASKED_FOR", ACCOUNT, CAPABILITY, "The account's prompts were classified as the capability.", ACTIVITY
)
# (:Account)-[:CALLED]->(:Model)
CALLED = RelType("CALLED", ACCOUNT, MODEL, "The account called the model.", ACTIVITY)
# (:Account)-[:HAS_KEY]->(:ApiKey)
HAS_KEY = RelType("HAS_KEY", ACCOUNT, API_KEY, "The account owns the API key.")
# (:Account)-[:MEMBER_OF]->(:Cluster)
MEMBER_OF = RelType(
    "MEMBER_OF",
    ACCOUNT,
    CLUSTER,
    "The detector placed the account in the cluster.",
    (
        Prop("score", "float", "the account's risk score within the cluster"),
        Prop("reasons", "list<string>", "the account's own evidence"),
    ),
)
# (:Cluster)-[:PART_OF]->(:Campaign)
PART_OF = RelType("PART_OF", CLUSTER, CAMPAIGN, "The detector attributes the cluster to the campaign.")

# (:Case)-[:CONCERNS_*]->(...): what a case is about, one type per end label
CONCERNS_ACCOUNT = RelType("CONCERNS_ACCOUNT", CASE, ACCOUNT, "The case is about the account.")
CONCERNS_CLUSTER = RelType("CONCERNS_CLUSTER", CASE, CLUSTER, "The case was opened for the cluster.")
CONCERNS_IP = RelType("CONCERNS_IP", CASE, IP, "The analyst's selection for the case holds the IP.")
CONCERNS_INSTRUMENT = RelType(
    "CONCERNS_INSTRUMENT",
    CASE,
    PAYMENT_INSTRUMENT,
    "The analyst's selection for the case holds the payment instrument.",
)

# (:Watch)-[:RAISED]->(:Alert)-[:FILED_IN]->(:Case)
RAISED = RelType("RAISED", WATCH, ALERT, "The watch raised the alert.")
FILED_IN = RelType("FILED_IN", ALERT, CASE, "The alert opened or updated the case.")

RELATIONSHIPS: tuple[RelType, ...] = (
    PAID_WITH,
    CONNECTED_FROM,
    IN_ASN,
    EGRESS_OF,
    USED_CLIENT,
    REGISTERED_WITH,
    SENT,
    ASKED_FOR,
    CALLED,
    HAS_KEY,
    MEMBER_OF,
    PART_OF,
    CONCERNS_ACCOUNT,
    CONCERNS_CLUSTER,
    CONCERNS_IP,
    CONCERNS_INSTRUMENT,
    RAISED,
    FILED_IN,
)

NODE_BY_LABEL = {n.label: n for n in NODES}
REL_BY_TYPE = {r.type: r for r in RELATIONSHIPS}

# Triage labels an analyst may set (the policy, with the labels that clear, is hydrascope/triage.py).
TRIAGE_LABELS = triage.LABELS


# -------------------------------------------------------------------------------- full-text indexes


@dataclass(frozen=True)
class FullTextIndex:
    """A Lucene full-text index over string properties of some labels (``db.index.fulltext``).

    Each property must be a string property (or string key) of at least one of the labels;
    ``hydrascope.schema.cypher`` checks it before generating the ``CREATE FULLTEXT INDEX``.
    """

    name: str
    nodes: tuple[NodeType, ...]
    properties: tuple[str, ...]
    description: str
    # Neo4j's default analyzer, named so the choice is visible: the standard tokenizer keeps a run
    # of letters and digits in one token (``a1-001`` -> ``a1``, ``001``; an IP or a dotted domain
    # stays whole) and lower-cases; no stop words, so an id like ``the-lab`` keeps every part.
    analyzer: str = "standard-no-stop-words"


# The app's Lookup: any fragment of a key, an email or a name, answered by the index instead of a
# CONTAINS scan over every node. ASN keys are integers, which a full-text index does not hold:
# an AS is found by its organisation's name here, by its number through its uniqueness constraint.
LOOKUP_TEXT = FullTextIndex(
    "lookup_text",
    (
        ACCOUNT,
        IP,
        PAYMENT_INSTRUMENT,
        CLIENT_FINGERPRINT,
        PROMPT_TEMPLATE,
        ASN,
        PROXY_SERVICE,
        EMAIL_DOMAIN,
        CLUSTER,
        CAMPAIGN,
        MODEL,
        API_KEY,
    ),
    (
        "account_id",
        "email",
        "ip",
        "instrument_id",
        "fingerprint",
        "template",
        "as_org",
        "service_id",
        "name",
        "domain",
        "cluster_id",
        "campaign_id",
        "key_id",
    ),
    "the Lookup page: keys, emails and names by fragment (wildcards) or near spelling (fuzzy)",
)
FULLTEXT_INDEXES: tuple[FullTextIndex, ...] = (LOOKUP_TEXT,)
