"""Small hand-made bundles for the ingest tests (documentation IPs, example.com), and readers of
the graph as sets of tuples."""

from __future__ import annotations

import csv
import gzip
import json
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from hydrascope.contract import TABLES
from ingest.report import IngestReport
from ingest.run import run_ingest

Rows = list[dict[str, Any]]


def base_tables() -> dict[str, Rows]:
    """A complete, valid bundle: every table, a shared card token, a proxy egress, CGNAT, IPv6."""
    return {
        "proxy_services": [
            {"service_id": "ps-1", "name": "Relay One", "kind": "reseller"},
            {"service_id": "ps-2", "name": "Tunnel Two", "kind": "vpn"},
        ],
        "ip_intel": [
            {
                "ip": "192.0.2.10",
                "asn": 64500,
                "as_org": "Example Cloud",
                "country": "NL",
                "is_datacenter": True,
                "is_vpn": False,
                "proxy_service": "ps-1",
            },
            {
                "ip": "198.51.100.7",
                "asn": 64501,
                "as_org": "Example ISP",
                "country": "DE",
                "is_datacenter": False,
                "is_vpn": False,
                "proxy_service": None,
            },
            {
                "ip": "100.64.1.5",
                "asn": 64502,
                "as_org": "Example Mobile",
                "country": "FR",
                "is_datacenter": False,
                "is_vpn": False,
                "proxy_service": None,
            },
            {
                "ip": "2001:db8::1",
                "asn": 64500,
                "as_org": "Example Cloud",
                "country": "NL",
                "is_datacenter": True,
                "is_vpn": True,
                "proxy_service": "ps-2",
            },
        ],
        "model_releases": [
            {"model": "model-a", "released_at": "2026-01-01T00:00:00Z"},
            {"model": "model-b", "released_at": "2026-02-15T12:00:00Z"},
        ],
        "accounts": [
            {
                "account_id": "acct-1",
                "created_at": "2026-01-05T10:00:00Z",
                "email": "a1@example.com",
                "org_id": "org-1",
                "declared_country": "NL",
                "tier": "build",
                "status": "active",
            },
            {
                "account_id": "acct-2",
                "created_at": "2026-01-06T10:00:00Z",
                "email": "a2@example.com",
                "org_id": None,
                "declared_country": "DE",
                "tier": "build",
                "status": "active",
            },
            {
                "account_id": "acct-3",
                "created_at": "2026-01-07T10:00:00Z",
                "email": "a3@example.org",
                "org_id": None,
                "declared_country": "FR",
                "tier": "scale",
                "status": "active",
            },
            {
                "account_id": "acct-4",
                "created_at": "2026-01-08T10:00:00Z",
                "email": "a4@example.org",
                "org_id": None,
                "declared_country": "FR",
                "tier": "build",
                "status": "active",
            },
        ],
        "payment_methods": [
            {
                "account_id": "acct-1",
                "instrument_id": "tok_aaa",
                "kind": "card",
                "bin": "411111",
                "issuer_country": "NL",
                "first_seen": "2026-01-05T10:00:00Z",
            },
            {
                "account_id": "acct-2",
                "instrument_id": "tok_aaa",
                "kind": "card",
                "bin": "411111",
                "issuer_country": "NL",
                "first_seen": "2026-01-06T10:00:00Z",
            },
            {
                "account_id": "acct-3",
                "instrument_id": "tok_bbb",
                "kind": "prepaid",
                "bin": "520000",
                "issuer_country": "FR",
                "first_seen": "2026-01-07T10:00:00Z",
            },
        ],
        "api_keys": [
            {
                "key_id": "key-1",
                "account_id": "acct-1",
                "created_at": "2026-01-05T11:00:00Z",
                "revoked_at": None,
            },
            {
                "key_id": "key-2",
                "account_id": "acct-2",
                "created_at": "2026-01-06T11:00:00Z",
                "revoked_at": "2026-02-01T00:00:00Z",
            },
        ],
        "requests": [
            req(
                "2026-02-10T10:00:00Z", "acct-1", "192.0.2.10", "fp-1", "model-a", "coding", "tpl-1", 100, 50
            ),
            req(
                "2026-02-10T10:30:00Z", "acct-1", "192.0.2.10", "fp-1", "model-a", "coding", "tpl-1", 120, 40
            ),
            req(
                "2026-02-10T11:05:00Z",
                "acct-1",
                "2001:db8::1",
                "fp-1",
                "model-b",
                "reasoning",
                "tpl-2",
                90,
                300,
            ),
            req(
                "2026-02-10T10:01:00Z", "acct-2", "192.0.2.10", "fp-1", "model-a", "coding", "tpl-1", 100, 50
            ),
            req(
                "2026-02-11T09:00:00Z",
                "acct-2",
                "198.51.100.7",
                "fp-2",
                "model-b",
                "cot_elicitation",
                "tpl-2",
                80,
                500,
            ),
            req(
                "2026-02-11T09:00:00Z", "acct-3", "100.64.1.5", "fp-3", "model-a", "general", "tpl-3", 10, 20
            ),
            req(
                "2026-02-12T22:00:00Z",
                "acct-3",
                "100.64.1.5",
                "fp-3",
                "model-a",
                "general",
                "tpl-3",
                None,
                None,
            ),
            req("2026-02-12T23:00:00Z", "acct-5", "203.0.113.9", None, None, None, None, 5, 5),
        ],
        "logins": [
            {
                "ts": "2026-02-09T08:00:00Z",
                "account_id": "acct-1",
                "ip": "192.0.2.10",
                "client_fingerprint": "fp-1",
                "kind": "console",
            },
            {
                "ts": "2026-02-09T09:00:00Z",
                "account_id": "acct-4",
                "ip": "203.0.113.20",
                "client_fingerprint": None,
                "kind": "signup",
            },
            {
                "ts": "2026-02-09T09:30:00Z",
                "account_id": "acct-4",
                "ip": None,
                "client_fingerprint": "fp-4",
                "kind": "key_created",
            },
        ],
        "enforcement": [
            {"account_id": "acct-4", "action": "warn", "ts": "2026-02-12T00:00:00Z", "reason": "rate"},
            {"account_id": "acct-4", "action": "ban", "ts": "2026-02-13T00:00:00Z", "reason": "distillation"},
        ],
    }


def req(
    ts: str,
    account: str,
    ip: str,
    fp: str | None,
    model: str | None,
    cap: str | None,
    tpl: str | None,
    tin: int | None,
    tout: int | None,
    key: str | None = None,
) -> dict[str, Any]:
    return {
        "ts": ts,
        "account_id": account,
        "ip": ip,
        "key_id": key,
        "client_fingerprint": fp,
        "model": model,
        "capability": cap,
        "prompt_template": tpl,
        "input_tokens": tin,
        "output_tokens": tout,
    }


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_table(directory: Path, name: str, rows: Rows, fmt: str = "csv", gz: bool = False) -> Path:
    """Write one table in the given format (CSV/JSONL text, or Parquet with typed timestamps)."""
    directory.mkdir(parents=True, exist_ok=True)
    columns = list(TABLES[name].column_names)
    if fmt == "parquet":
        table = TABLES[name]
        arrays = []
        for col in table.columns:
            values = [r.get(col.name) for r in rows]
            if col.type == "timestamp":
                arrays.append(
                    pa.array(
                        [datetime.fromisoformat(v) if v else None for v in values],
                        pa.timestamp("ms", tz="UTC"),
                    )
                )
            elif col.type == "integer":
                arrays.append(pa.array(values, pa.int64()))
            elif col.type == "boolean":
                arrays.append(pa.array(values, pa.bool_()))
            else:
                arrays.append(pa.array(values, pa.string()))
        path = directory / f"{name}.parquet"
        pq.write_table(pa.table(arrays, names=columns), path)
        return path
    path = directory / f"{name}.{fmt}" if not gz else directory / f"{name}.{fmt}.gz"
    opener = gzip.open if gz else open
    with opener(path, "wt", encoding="utf-8", newline="") as fh:  # type: ignore[operator]
        if fmt == "csv":
            writer = csv.writer(fh)
            writer.writerow(columns)
            for r in rows:
                writer.writerow([_text(r.get(c)) for c in columns])
        else:
            for r in rows:
                fh.write(json.dumps(r) + "\n")
    return path


def write_bundle(directory: Path, tables: dict[str, Rows], fmt: str = "csv") -> Path:
    for name, rows in tables.items():
        write_table(directory, name, rows, fmt)
    return directory


# ------------------------------------------------------------------------- expectations
def expected_edges(tables: dict[str, Rows]) -> dict[str, Counter[tuple[str, Any]]]:
    """Per behavioural edge type: (account, end) -> requests, computed from the input rows."""
    specs = {
        "CONNECTED_FROM": "ip",
        "USED_CLIENT": "client_fingerprint",
        "SENT": "prompt_template",
        "ASKED_FOR": "capability",
        "CALLED": "model",
    }
    result: dict[str, Counter[tuple[str, Any]]] = {}
    for rel, col in specs.items():
        counter: Counter[tuple[str, Any]] = Counter()
        for r in tables.get("requests", []):
            if r.get(col):
                counter[(r["account_id"], r[col])] += 1
        for r in tables.get("logins", []) if rel in ("CONNECTED_FROM", "USED_CLIENT") else []:
            if r.get(col):
                counter[(r["account_id"], r[col])] += 0
        result[rel] = counter
    # a template only one account sent is a count on that account, not an edge (``solo_templates``)
    senders = Counter(end for _, end in result["SENT"])
    result["SENT"] = Counter({pair: n for pair, n in result["SENT"].items() if senders[pair[1]] >= 2})
    return result


def expected_solo_templates(tables: dict[str, Rows]) -> dict[str, tuple[int, int]]:
    """Per account: (templates only it sent, its requests on them), from the input rows."""
    pairs: Counter[tuple[str, Any]] = Counter(
        (r["account_id"], r["prompt_template"])
        for r in tables.get("requests", [])
        if r.get("prompt_template")
    )
    senders = Counter(end for _, end in pairs)
    out: dict[str, tuple[int, int]] = {}
    for (account, end), n in pairs.items():
        if senders[end] == 1:
            k, total = out.get(account, (0, 0))
            out[account] = (k + 1, total + n)
    return out


# ------------------------------------------------------------------------- graph readers
def edge_requests(graph: Any, rel: str) -> dict[tuple[str, Any], int]:
    rows = graph.read(
        f"MATCH (a)-[r:{rel}]->(b) RETURN a.account_id AS a, "
        "coalesce(b.ip, b.fingerprint, b.template, b.name) AS b, r.requests AS n"
    )
    return {(r["a"], r["b"]): r["n"] for r in rows}


def counts(graph: Any) -> dict[str, int]:
    """Nodes per label (IngestRun left out: each run is itself a new fact) and edges per type."""
    result = {
        f"node:{r['l']}": r["c"]
        for r in graph.read("MATCH (n) WHERE NOT n:IngestRun RETURN labels(n)[0] AS l, count(*) AS c")
    }
    result.update(
        {f"rel:{r['t']}": r["c"] for r in graph.read("MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS c")}
    )
    result["sum:requests"] = graph.count("MATCH ()-[r]->() RETURN coalesce(sum(r.requests), 0) AS s")
    result["sum:account_requests"] = graph.count("MATCH (a:Account) RETURN coalesce(sum(a.requests), 0) AS s")
    return result


def _freeze(props: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, repr(v)) for k, v in props.items() if k not in ("firstseen", "lastupdated")))


_KEY_PROPERTIES = (
    "account_id",
    "ip",
    "fingerprint",
    "template",
    "name",
    "asn",
    "instrument_id",
    "key_id",
    "domain",
    "service_id",
)


def _endpoint_key(var: str) -> str:
    """The first key property ``var`` has, computed by the server: reading both endpoints' whole
    property maps for every relationship cost five times the read of the relationships."""
    return f"head([k IN $keys WHERE {var}[k] IS NOT NULL | k + '=' + toString({var}[k])])"


def _endpoint(key: str | None, names: list[str] | None) -> str:
    return key if key is not None else repr(sorted(names or []))


def snapshot(graph: Any) -> tuple[frozenset[Any], frozenset[Any]]:
    """Every node and edge with every property except the update tags: two graphs built from the
    same input must have equal snapshots whatever happened in between."""
    nodes = graph.read("MATCH (n) WHERE NOT n:IngestRun RETURN labels(n) AS l, properties(n) AS p")
    rels = graph.read(
        f"MATCH (a)-[r]->(b) WITH a, r, b, {_endpoint_key('a')} AS ka, {_endpoint_key('b')} AS kb "
        "RETURN type(r) AS t, labels(a) AS la, ka, CASE WHEN ka IS NULL THEN keys(a) END AS na, "
        "labels(b) AS lb, kb, CASE WHEN kb IS NULL THEN keys(b) END AS nb, properties(r) AS p",
        {"keys": list(_KEY_PROPERTIES)},
    )
    node_set = frozenset((tuple(n["l"]), _freeze(n["p"])) for n in nodes)
    rel_set = frozenset(
        (
            r["t"],
            tuple(r["la"]),
            _endpoint(r["ka"], r["na"]),
            tuple(r["lb"]),
            _endpoint(r["kb"], r["nb"]),
            _freeze(r["p"]),
        )
        for r in rels
    )
    return node_set, rel_set


def fingerprint(graph: Any) -> dict[str, Any]:
    """A cheap server-side summary (counts, sums, time ranges per type) for large graphs, where
    reading every property back (``snapshot``) would cost more than the ingest itself."""
    rows = graph.read(
        "MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS n, sum(r.requests) AS q, "
        "sum(r.input_tokens) AS i, sum(r.output_tokens) AS o, sum(r.logins) AS g, "
        "min(r.first_seen.epochMillis) AS f, max(r.last_seen.epochMillis) AS l"
    )
    result: dict[str, Any] = {r["t"]: tuple(r.values())[1:] for r in rows}
    accounts = graph.read(
        "MATCH (a:Account) RETURN count(*) AS n, sum(a.requests) AS q, "
        "sum(size(coalesce(a.active_hours, []))) AS h, collect(DISTINCT a.status) AS s, "
        "sum(a.enforcement_actions) AS e"
    )[0]
    result["Account"] = (accounts["n"], accounts["q"], accounts["h"], sorted(accounts["s"]), accounts["e"])
    result.update(counts(graph))
    return result


class Runner:
    """``run_ingest`` bound to one test's own event store and state (never a developer's)."""

    def __init__(self, root: Path, graph: Any) -> None:
        self.root = root
        self.graph = graph
        self.data_root = root / "data"
        self.state_root = root / "state"

    def __call__(self, bundle: Path, **kwargs: Any) -> IngestReport:
        graph = kwargs.pop("graph", self.graph)
        # the bundles are dated early 2026: the TTL (aged from the wall clock) would age them out
        # once a year has passed, so tests of other behaviour run without it unless they set one
        kwargs.setdefault("ttl", None)
        return run_ingest(bundle, graph, data_root=self.data_root, state_root=self.state_root, **kwargs)
