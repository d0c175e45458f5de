"""Watches: patterns evaluated after every scheduled run, raising an alert once per new match.

A watch is saved by an analyst and evaluated after each ``hydrascope ingest`` cycle (with
``--detect``, after detection) and after ``hydrascope detect``; ``hydrascope watch run`` evaluates
them by hand. Four kinds:

- ``query``: a library query (``queries/``) with its parameters; a row is a match, keyed by its
  ``account_id`` (else ``cluster_id``, else its first column);
- ``campaign``: accounts that are members of the campaign's clusters;
- ``born_on_banned``: accounts sharing a payment instrument or a client fingerprint with a banned
  or ``confirmed`` account, created after it, through a card or device used by at most
  ``max_sharing`` accounts (an IP alone does not count: a proxy's honest customers share its
  egress with every banned user of it);
- ``cluster_growth``: a cluster (one, or every flagged cluster) that grew by ``growth_pct``
  percent since the size last alerted on (or saved), or that detection says regrew.

Why "once": a watch keeps every match it has already seen (``Watch.seen``, its baseline taken when
it is saved), so a match raises one alert, never again on the next night. The new matches of one
evaluation make one alert, which opens a case for their accounts, or adds them to the case the
watch's previous alert opened while that case is still open or in review. Every alert is written
to the outbox (``hydrascope.workflow.outbox``) and recorded in the audit trail, by the scheduler.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, get_args

import pandas as pd

from hydrascope import triage
from hydrascope.db import Graph
from hydrascope.errors import HydrascopeError, InputError
from hydrascope.schema import model as m
from hydrascope.workflow import audit, cases, outbox
from hydrascope.workflow.identity import SCHEDULER, Action, Analyst
from queries.library import get_query
from queries.runner import run_query

log = logging.getLogger("hydrascope.watches")
Kind = Literal["query", "campaign", "born_on_banned", "cluster_growth"]
KINDS: tuple[Kind, ...] = get_args(Kind)
DEFAULT_GROWTH_PCT = 50.0
DEFAULT_MAX_SHARING = 20
QUERY_ROW_LIMIT = 5_000
MATCH_LINES_KEPT = 200  # an alert keeps this many readable lines; the accounts are all linked
OPEN_CASE_STATUSES = ("open", "in_review")
WATCH_COLUMNS = ("watch_id", "name", "kind", "target", "active", "seen", "created_by", "evaluated_at")


@dataclass(frozen=True)
class Match:
    """One thing a watch matched: its key (what "the same match" means), the accounts it is about,
    and a readable line for the alert."""

    key: str
    accounts: tuple[str, ...]
    line: str


@dataclass(frozen=True)
class Watch:
    watch_id: str
    name: str
    kind: Kind
    target: str
    params: dict[str, Any]
    growth_pct: float
    seen: frozenset[str]


@dataclass(frozen=True)
class Alert:
    alert_id: str
    watch_id: str
    title: str
    accounts: tuple[str, ...]
    matches: tuple[str, ...]
    case_id: str


# ------------------------------------------------------------------------------------ matching

# Born on banned infrastructure: a card or a device (client fingerprint) of a banned or confirmed
# account, used by few accounts, on an account created after it. An IP alone is not enough: the
# honest customers of a proxy service share its egress with every banned user of it.
_TIES = f"{m.PAID_WITH.type}|{m.USED_CLIENT.type}"
_BORN_ON_BANNED = (
    f"MATCH (bad:{m.ACCOUNT.label}) "
    "WHERE bad.status = 'banned' OR bad.triage_label = $confirmed "
    f"OR EXISTS {{ (bad)-[:{m.MEMBER_OF.type}]->(:{m.CLUSTER.label} {{triage_label: $confirmed}}) }} "
    f"MATCH (bad)-[:{_TIES}]->(x)<-[:{_TIES}]-(a:{m.ACCOUNT.label}) "
    "WHERE a <> bad AND coalesce(a.status, 'active') <> 'banned' "
    "AND coalesce(a.triage_label, '') <> $confirmed "
    "AND (bad.created_at IS NULL OR a.created_at > bad.created_at) "
    f"AND COUNT {{ (x)<-[:{_TIES}]-(:{m.ACCOUNT.label}) }} <= $max_sharing "
    "WITH a, collect(DISTINCT bad.account_id) AS bad, "
    f"collect(DISTINCT labels(x)[0] + ' ' + coalesce(x.{m.PAYMENT_INSTRUMENT.key}, "
    f"x.{m.CLIENT_FINGERPRINT.key})) AS shared "
    "RETURN a.account_id AS account_id, size(bad) AS bad, shared[..3] AS shared ORDER BY account_id"
)
_CAMPAIGN_MEMBERS = (
    f"MATCH (a:{m.ACCOUNT.label})-[:{m.MEMBER_OF.type}]->(:{m.CLUSTER.label})"
    f"-[:{m.PART_OF.type}]->(:{m.CAMPAIGN.label} {{campaign_id: $campaign}}) "
    "RETURN DISTINCT a.account_id AS account_id ORDER BY account_id"
)
_CLUSTERS = (
    f"MATCH (c:{m.CLUSTER.label}) WHERE coalesce(c.size, 0) > 0 "
    "AND (($cluster = '' AND c.flagged) OR c.cluster_id = $cluster) "
    f"OPTIONAL MATCH (a:{m.ACCOUNT.label})-[:{m.MEMBER_OF.type}]->(c) "
    "RETURN c.cluster_id AS cluster_id, c.size AS size, c.lifecycle AS lifecycle, "
    "c.detect_run AS detect_run, collect(a.account_id) AS accounts ORDER BY cluster_id"
)


def _query_matches(graph: Graph, watch: Watch) -> dict[str, Match]:
    result = run_query(graph, get_query(watch.target), watch.params, limit=QUERY_ROW_LIMIT)
    if not result.columns:
        return {}
    key_col = next((c for c in ("account_id", "cluster_id") if c in result.columns), result.columns[0])
    found: dict[str, Match] = {}
    for row in result.rows:
        key = str(row[key_col])
        accounts = (key,) if key_col == "account_id" else ()
        shown = ", ".join(f"{c}={row[c]}" for c in result.columns[:4] if c != key_col)
        found[key] = Match(key, accounts, f"{key}: {shown}" if shown else key)
    return found


def _account_matches(rows: list[dict[str, Any]], describe: Any) -> dict[str, Match]:
    return {r["account_id"]: Match(r["account_id"], (r["account_id"],), describe(r)) for r in rows}


def _growth_matches(graph: Graph, watch: Watch) -> tuple[dict[str, Match], frozenset[str]]:
    """Clusters grown past ``growth_pct`` since their last recorded size, or regrown. ``seen``
    holds ``<cluster>@<size>`` (the size last alerted on or saved) and ``<cluster>#regrew@<run>``;
    returns the new matches and the seen set to keep."""
    rows = graph.read(_CLUSTERS, {"cluster": watch.target})
    baseline: dict[str, int] = {}
    for key in watch.seen:
        if "@" in key and "#" not in key:
            known, recorded = key.rsplit("@", 1)
            baseline[known] = max(baseline.get(known, 0), int(recorded))
    kept = {k for k in watch.seen if "#" in k}
    found: dict[str, Match] = {}
    for r in rows:
        cid, size = str(r["cluster_id"]), int(r["size"])
        before = baseline.get(cid)
        accounts = tuple(sorted(r["accounts"]))
        regrew = f"{cid}#regrew@{r['detect_run']}"
        if r["lifecycle"] == "regrew" and regrew not in watch.seen:
            found[regrew] = Match(regrew, accounts, f"{cid} regrew: {size} accounts (run {r['detect_run']})")
            kept.add(regrew)
        grown = before is not None and size >= before * (1 + watch.growth_pct / 100)
        if grown:
            found[f"{cid}@{size}"] = Match(
                f"{cid}@{size}", accounts, f"{cid} grew from {before} to {size} accounts"
            )
        kept.add(f"{cid}@{size if grown or before is None else before}")
    for gone, last_size in baseline.items():  # a cluster gone today keeps its size for its return
        if not any(k.startswith(f"{gone}@") for k in kept):
            kept.add(f"{gone}@{last_size}")
    return found, frozenset(kept)


def current_matches(graph: Graph, watch: Watch) -> tuple[dict[str, Match], frozenset[str]]:
    """What ``watch`` matches now that it has not seen, and the seen set to keep afterwards."""
    if watch.kind == "cluster_growth":
        return _growth_matches(graph, watch)
    if watch.kind == "query":
        now = _query_matches(graph, watch)
    elif watch.kind == "campaign":
        rows = graph.read(_CAMPAIGN_MEMBERS, {"campaign": watch.target})
        now = _account_matches(rows, lambda r: f"{r['account_id']} joined campaign {watch.target}")
    else:
        sharing = int(watch.params.get("max_sharing", DEFAULT_MAX_SHARING))
        rows = graph.read(_BORN_ON_BANNED, {"max_sharing": sharing, "confirmed": triage.CONFIRMED})
        now = _account_matches(
            rows,
            lambda r: (
                f"{r['account_id']} born on the infrastructure of {r['bad']} banned or confirmed "
                f"accounts ({', '.join(r['shared'])})"
            ),
        )
    new = {k: v for k, v in now.items() if k not in watch.seen}
    return new, watch.seen | frozenset(now)


# ------------------------------------------------------------------------------------ saving


def _check(kind: str, target: str, params: Mapping[str, Any], growth_pct: float) -> None:
    if kind not in KINDS:
        raise InputError(f"a watch is one of {', '.join(KINDS)}, not {kind!r}")
    if kind == "query":
        get_query(target).bind(dict(params))  # an unknown query or a bad parameter fails here
    if kind == "campaign" and not target:
        raise InputError("a campaign watch needs the campaign id")
    if kind == "cluster_growth" and not growth_pct > 0:
        raise InputError(f"the growth that raises an alert must be above 0%, not {growth_pct}")


def save_watch(
    graph: Graph,
    who: Analyst,
    kind: str,
    *,
    name: str = "",
    target: str = "",
    params: Mapping[str, Any] | None = None,
    growth_pct: float = DEFAULT_GROWTH_PCT,
) -> str:
    """Save a watch and take its baseline: what it matches now is seen, so only later matches
    alert. Returns its id."""
    params = dict(params or {})
    _check(kind, target, params, growth_pct)
    audit.authorise(graph, who, Action.WATCH, m.WATCH.label, "", {"kind": kind, "target": target})
    watch_id = f"watch-{uuid.uuid4().hex[:10]}"
    draft = Watch(watch_id, name, kind, target, params, growth_pct, frozenset())  # type: ignore[arg-type]
    _, seen = current_matches(graph, draft)
    props = {
        "name": name.strip() or f"{kind} {target}".strip(),
        "kind": kind,
        "target": target,
        "params": json.dumps(params, sort_keys=True, default=str),
        "growth_pct": float(growth_pct),
        "active": True,
        "seen": sorted(seen),
        "created_by": who.name,
    }
    graph.write(
        f"CREATE (w:{m.WATCH.label} {{watch_id: $id}}) SET w += $props, w.created_at = datetime(), "
        "w.evaluated_at = datetime()",
        {"id": watch_id, "props": props},
    )
    audit.record(graph, who, "watch_save", m.WATCH.label, watch_id, {**props, "seen": len(seen)})
    return watch_id


def set_active(graph: Graph, who: Analyst, watch_id: str, active: bool) -> None:
    """Pause or resume a watch (a paused watch is not evaluated; nothing is deleted)."""
    audit.authorise(graph, who, Action.WATCH, m.WATCH.label, watch_id, {"active": active})
    found = graph.write_count(
        f"MATCH (w:{m.WATCH.label} {{watch_id: $id}}) SET w.active = $active RETURN count(w) AS n",
        {"id": watch_id, "active": active},
    )
    if not found:
        raise InputError(f"no watch {watch_id!r}")
    audit.record(graph, who, "watch_update", m.WATCH.label, watch_id, {"active": active})


def _load(row: Mapping[str, Any]) -> Watch:
    return Watch(
        row["watch_id"],
        row["name"],
        row["kind"],
        row["target"] or "",
        json.loads(row["params"] or "{}"),
        float(row["growth_pct"] or DEFAULT_GROWTH_PCT),
        frozenset(row["seen"] or []),
    )


def read_watches(graph: Graph, active_only: bool = False) -> list[Watch]:
    rows = graph.read(
        f"MATCH (w:{m.WATCH.label}) WHERE NOT $active_only OR w.active "
        "RETURN w.watch_id AS watch_id, w.name AS name, w.kind AS kind, w.target AS target, "
        "w.params AS params, w.growth_pct AS growth_pct, w.seen AS seen ORDER BY w.created_at",
        {"active_only": active_only},
    )
    return [_load(r) for r in rows]


def watch_table(graph: Graph) -> pd.DataFrame:
    """Every watch as a table for the app and ``hydrascope watch list``."""
    rows = graph.read(
        f"MATCH (w:{m.WATCH.label}) "
        "RETURN w.watch_id AS watch_id, w.name AS name, w.kind AS kind, w.target AS target, "
        "w.active AS active, size(coalesce(w.seen, [])) AS seen, w.created_by AS created_by, "
        "toString(w.evaluated_at) AS evaluated_at ORDER BY w.created_at"
    )
    return pd.DataFrame(rows, columns=list(WATCH_COLUMNS))


# ------------------------------------------------------------------------------------ alerting


def _open_case_of(graph: Graph, watch_id: str) -> str | None:
    rows = graph.read(
        f"MATCH (:{m.WATCH.label} {{watch_id: $id}})-[:{m.RAISED.type}]->(:{m.ALERT.label})"
        f"-[:{m.FILED_IN.type}]->(c:{m.CASE.label}) WHERE c.status IN $open "
        "RETURN c.case_id AS case_id ORDER BY c.opened_at DESC LIMIT 1",
        {"id": watch_id, "open": list(OPEN_CASE_STATUSES)},
    )
    return rows[0]["case_id"] if rows else None


def _raise(graph: Graph, watch: Watch, new: list[Match], who: Analyst) -> Alert:
    accounts = tuple(sorted({a for match in new for a in match.accounts}))
    lines = tuple(match.line for match in new[:MATCH_LINES_KEPT])
    title = f"{watch.name}: {len(new)} new match{'es' if len(new) != 1 else ''}"
    case_id = _open_case_of(graph, watch.watch_id)
    if case_id is None:
        case_id = cases.open_case(
            graph,
            who,
            "alert",
            watch.watch_id,
            title=title,
            accounts=accounts,
            evidence=list(lines),
            note=f"opened by the watch {watch.name!r}",
        )
    else:
        cases.add_accounts(graph, who, case_id, accounts, note=f"{title} (watch {watch.watch_id})")
    alert_id = f"alert-{datetime.now(UTC):%Y%m%d}-{uuid.uuid4().hex[:8]}"
    props = {
        "watch_id": watch.watch_id,
        "title": title,
        "matches": list(lines),
        "accounts": list(accounts),
        "case_id": case_id,
        "read_by": [],
    }
    graph.write(
        audit.LATEST_RUNS + f"MATCH (w:{m.WATCH.label} {{watch_id: $watch}}) "
        f"MATCH (c:{m.CASE.label} {{case_id: $case}}) "
        f"CREATE (w)-[:{m.RAISED.type}]->(al:{m.ALERT.label} {{alert_id: $id}})-[:{m.FILED_IN.type}]->(c) "
        "SET al += $props, al.raised_at = datetime(), al.ingest_run = ingest_run, al.detect_run = detect_run",
        {"watch": watch.watch_id, "case": case_id, "id": alert_id, "props": props},
    )
    audit.record(
        graph,
        who,
        "alert",
        m.ALERT.label,
        alert_id,
        {"watch": watch.watch_id, "matches": len(new), "accounts": len(accounts), "case": case_id},
    )
    return Alert(alert_id, watch.watch_id, title, accounts, lines, case_id)


@dataclass(frozen=True)
class Evaluation:
    """What one evaluation did: the alerts raised, and the watches that could not be evaluated
    (a library query since removed, a parameter it no longer takes), each with the reason."""

    watches: int
    alerts: tuple[Alert, ...]
    failed: tuple[str, ...]

    def describe(self) -> str:
        text = f"watches: {self.watches} evaluated, {len(self.alerts)} alerts raised"
        if self.alerts:
            text += " (" + "; ".join(f"{a.title} -> {a.case_id}" for a in self.alerts) + ")"
        if self.failed:
            text += f"; {len(self.failed)} could not be evaluated: " + "; ".join(self.failed)
        return text


def evaluate_watches(graph: Graph, who: Analyst = SCHEDULER) -> Evaluation:
    """Evaluate every active watch; raise one alert per watch with new matches (opening or
    updating its case, writing the outbox) and keep what each watch has seen. A watch that fails
    is reported and skipped (its seen set unchanged, so nothing is lost), the others go on."""
    alerts: list[Alert] = []
    failed: list[str] = []
    watches = read_watches(graph, active_only=True)
    for watch in watches:
        try:
            new, seen = current_matches(graph, watch)
        except HydrascopeError as exc:
            log.warning("watch %s could not be evaluated: %s", watch.watch_id, exc)
            failed.append(f"{watch.watch_id} ({exc})")
            continue
        if new:
            alerts.append(_raise(graph, watch, sorted(new.values(), key=lambda x: x.key), who))
        graph.write(
            f"MATCH (w:{m.WATCH.label} {{watch_id: $id}}) SET w.seen = $seen, w.evaluated_at = datetime()",
            {"id": watch.watch_id, "seen": sorted(seen)},
        )
    for alert in alerts:
        outbox.deliver(
            outbox.payload(
                alert.alert_id, alert.watch_id, alert.title, alert.case_id, alert.accounts, alert.matches
            )
        )
    return Evaluation(len(watches), tuple(alerts), tuple(failed))


def read_alerts(graph: Graph, analyst: str | None = None, unread_only: bool = False) -> pd.DataFrame:
    """Alerts newest first; ``unread`` says whether ``analyst`` has not marked it read."""
    rows = graph.read(
        f"MATCH (al:{m.ALERT.label}) "
        "WITH al, NOT $analyst IN coalesce(al.read_by, []) AS unread WHERE NOT $unread_only OR unread "
        "RETURN al.alert_id AS alert_id, al.title AS title, toString(al.raised_at) AS raised_at, "
        "al.watch_id AS watch_id, al.case_id AS case_id, size(al.accounts) AS accounts, unread, "
        "al.matches AS matches, al.ingest_run AS ingest_run, al.detect_run AS detect_run "
        "ORDER BY al.raised_at DESC",
        {"analyst": analyst or "", "unread_only": unread_only},
    )
    columns = [
        "alert_id",
        "title",
        "raised_at",
        "watch_id",
        "case_id",
        "accounts",
        "unread",
        "matches",
        "ingest_run",
        "detect_run",
    ]
    return pd.DataFrame(rows, columns=columns)


def mark_read(graph: Graph, who: Analyst, alert_ids: list[str]) -> int:
    """Mark alerts read for ``who``. A write, so a viewer may not (a viewer writes nothing)."""
    who.require(Action.CASE)
    return graph.write_count(
        f"UNWIND $ids AS id MATCH (al:{m.ALERT.label} {{alert_id: id}}) "
        "WHERE NOT $who IN coalesce(al.read_by, []) "
        "SET al.read_by = coalesce(al.read_by, []) + $who RETURN count(al) AS n",
        {"ids": alert_ids, "who": who.name},
    )


def unread_count(graph: Graph, analyst: str) -> int:
    """Alerts ``analyst`` has not marked read (the sidebar's count)."""
    return graph.count(
        f"MATCH (al:{m.ALERT.label}) WHERE NOT $who IN coalesce(al.read_by, []) RETURN count(al) AS n",
        {"who": analyst},
    )
