"""Cases: the analyst's queue of work, stored in Neo4j beside the evidence.

A case is opened for a flagged cluster, a lead from the review tier, or an analyst's own
selection of accounts, IPs and payment instruments. It keeps the evidence as it stood when it
was opened (detection moves on; the case must show what the analyst saw), links to what it is
about (``CONCERNS_*``), and carries a status, an assignee, a priority and append-only notes. A
bulk decision labels every account of the case through ``decisions.label_nodes`` and marks the
case actioned. Every change is authorised and recorded in the audit trail.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal

import pandas as pd

from hydrascope.db import Graph
from hydrascope.errors import InputError
from hydrascope.schema import model as m
from hydrascope.workflow import audit, decisions
from hydrascope.workflow.identity import Action, Analyst

Status = Literal["open", "in_review", "actioned", "closed"]
STATUSES: tuple[Status, ...] = ("open", "in_review", "actioned", "closed")
Source = Literal["cluster", "lead", "selection", "alert"]
SOURCES: tuple[Source, ...] = ("cluster", "lead", "selection", "alert")
#: What an analyst opens a case for by hand (an ``alert`` case is opened by a watch).
MANUAL_SOURCES: tuple[Source, ...] = ("cluster", "lead", "selection")
PRIORITIES = (1, 2, 3)

# What a case may concern, one relationship type per end label, with the end node's key.
_LINKS = {
    "accounts": m.CONCERNS_ACCOUNT,
    "clusters": m.CONCERNS_CLUSTER,
    "ips": m.CONCERNS_IP,
    "instruments": m.CONCERNS_INSTRUMENT,
}
QUEUE_COLUMNS = (
    "case_id",
    "title",
    "status",
    "priority",
    "risk",
    "assignee",
    "accounts",
    "opened_by",
    "opened_at",
    "updated_at",
)


def _link(rel: m.RelType) -> str:
    end = rel.end
    return (
        f"MATCH (c:{m.CASE.label} {{case_id: $case_id}}) UNWIND $keys AS key "
        f"MATCH (n:{end.label} {{{end.key}: key}}) MERGE (c)-[:{rel.type}]->(n) RETURN count(n) AS n"
    )


def _note_line(who: Analyst, text: str) -> str:
    return f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {who.name}: {text.strip()}"


def _cluster_basis(graph: Graph, cluster_id: str) -> tuple[float, list[str], list[str]]:
    rows = graph.read(
        f"MATCH (c:{m.CLUSTER.label} {{cluster_id: $id}}) "
        f"OPTIONAL MATCH (a:{m.ACCOUNT.label})-[:{m.MEMBER_OF.type}]->(c) "
        "RETURN c.score AS score, c.evidence AS evidence, collect(a.account_id) AS accounts",
        {"id": cluster_id},
    )
    if not rows:
        raise InputError(f"no cluster {cluster_id!r} in the graph")
    row = rows[0]
    return float(row["score"] or 0.0), list(row["evidence"] or []), sorted(row["accounts"])


def _lead_basis(graph: Graph, account_id: str) -> tuple[float, list[str]]:
    rows = graph.read(
        f"MATCH (a:{m.ACCOUNT.label} {{account_id: $id}}) "
        "RETURN coalesce(a.lead_score, a.risk_score, 0.0) AS score, "
        "coalesce(a.lead_reasons, []) + coalesce(a.risk_reasons, []) AS reasons",
        {"id": account_id},
    )
    if not rows:
        raise InputError(f"no account {account_id!r} in the graph")
    return float(rows[0]["score"]), list(rows[0]["reasons"])


def _selection_risk(graph: Graph, accounts: Sequence[str]) -> float:
    rows = graph.read(
        f"UNWIND $keys AS key MATCH (a:{m.ACCOUNT.label} {{account_id: key}}) "
        "RETURN max(coalesce(a.risk_score, 0.0)) AS risk",
        {"keys": list(accounts)},
    )
    return float(rows[0]["risk"] or 0.0) if rows else 0.0


def open_case(
    graph: Graph,
    who: Analyst,
    source: Source,
    key: str = "",
    *,
    title: str = "",
    accounts: Sequence[str] = (),
    ips: Sequence[str] = (),
    instruments: Sequence[str] = (),
    priority: int = 2,
    note: str = "",
    evidence: Sequence[str] = (),
) -> str:
    """Open a case and return its id.

    ``source="cluster"``: ``key`` is the cluster; its members are the case's accounts (unless
    ``accounts`` names a subset) and its evidence is kept. ``"lead"``: ``key`` is the lead account,
    with its reasons. ``"selection"``: the analyst's own ``accounts``, ``ips`` and ``instruments``.
    ``"alert"``: ``key`` is the watch, ``accounts`` its new matches, ``evidence`` the alert's lines.
    """
    if source not in SOURCES:
        raise InputError(f"a case is opened for one of {', '.join(SOURCES)}, not {source!r}")
    if priority not in PRIORITIES:
        raise InputError(f"the priority is 1 (urgent), 2 or 3 (low), not {priority}")
    audit.authorise(graph, who, Action.CASE, m.CASE.label, "", {"source": source, "key": key})
    clusters: list[str] = []
    if source == "cluster":
        risk, evidence, members = _cluster_basis(graph, key)
        accounts, clusters = list(accounts) or members, [key]
    elif source == "lead":
        risk, evidence = _lead_basis(graph, key)
        accounts = list(dict.fromkeys([key, *accounts]))
    else:
        if not (accounts or ips or instruments):
            raise InputError(f"a {source} case needs at least one account, IP or payment instrument")
        risk, evidence = _selection_risk(graph, accounts), list(evidence)
    case_id = f"case-{datetime.now(UTC):%Y%m%d}-{uuid.uuid4().hex[:8]}"
    props: dict[str, Any] = {
        "title": title.strip() or f"{source} {key}".strip(),
        "status": "open",
        "assignee": "",
        "priority": priority,
        "risk": risk,
        "source": source,
        "source_key": key,
        "evidence": evidence,
        "notes": [_note_line(who, note)] if note.strip() else [],
        "opened_by": who.name,
    }
    graph.write(
        f"CREATE (c:{m.CASE.label} {{case_id: $case_id}}) "
        "SET c += $props, c.opened_at = datetime(), c.updated_at = datetime()",
        {"case_id": case_id, "props": props},
    )
    linked = {}
    for field, keys in (
        ("accounts", accounts),
        ("clusters", clusters),
        ("ips", ips),
        ("instruments", instruments),
    ):
        if keys:
            wanted = list(dict.fromkeys(keys))
            linked[field] = graph.write_count(_link(_LINKS[field]), {"case_id": case_id, "keys": wanted})
    audit.record(
        graph, who, "case_open", m.CASE.label, case_id, {"source": source, "key": key, "linked": linked}
    )
    return case_id


def update_case(
    graph: Graph,
    who: Analyst,
    case_id: str,
    *,
    status: str | None = None,
    assignee: str | None = None,
    priority: int | None = None,
    note: str = "",
) -> None:
    """Change a case's status, assignee or priority and/or append a note (each change recorded)."""
    if status is not None and status not in STATUSES:
        raise InputError(f"a case's status is one of {', '.join(STATUSES)}, not {status!r}")
    if priority is not None and priority not in PRIORITIES:
        raise InputError(f"the priority is 1 (urgent), 2 or 3 (low), not {priority}")
    changes: dict[str, Any] = {
        k: v for k, v in (("status", status), ("assignee", assignee), ("priority", priority)) if v is not None
    }
    detail = {**changes, "note": note.strip()}
    audit.authorise(graph, who, Action.CASE, m.CASE.label, case_id, detail)
    found = graph.write_count(
        f"MATCH (c:{m.CASE.label} {{case_id: $case_id}}) "
        "SET c += $changes, c.updated_at = datetime(), "
        "c.notes = coalesce(c.notes, []) + $notes RETURN count(c) AS n",
        {"case_id": case_id, "changes": changes, "notes": [_note_line(who, note)] if note.strip() else []},
    )
    if not found:
        raise InputError(f"no case {case_id!r}")
    audit.record(graph, who, "case_update", m.CASE.label, case_id, detail)


def add_accounts(graph: Graph, who: Analyst, case_id: str, accounts: Sequence[str], note: str) -> int:
    """Link more accounts to an open case (an alert's new matches) with a note; returns how many
    accounts the case newly holds."""
    wanted = sorted(set(accounts) - set(case_accounts(graph, case_id)))
    audit.authorise(graph, who, Action.CASE, m.CASE.label, case_id, {"add_accounts": len(wanted)})
    added = (
        graph.write_count(_link(m.CONCERNS_ACCOUNT), {"case_id": case_id, "keys": wanted}) if wanted else 0
    )
    graph.write(
        f"MATCH (c:{m.CASE.label} {{case_id: $case_id}}) SET c.updated_at = datetime(), "
        "c.notes = coalesce(c.notes, []) + $notes, "
        f"c.risk = CASE WHEN $risk > c.risk THEN $risk ELSE c.risk END",
        {
            "case_id": case_id,
            "notes": [_note_line(who, note)],
            "risk": _selection_risk(graph, wanted) if wanted else 0.0,
        },
    )
    audit.record(graph, who, "case_update", m.CASE.label, case_id, {"added_accounts": added, "note": note})
    return added


def decide(graph: Graph, who: Analyst, case_id: str, label: str, note: str) -> int:
    """Label every account of the case (confirmed, false positive, allowlisted) with ``note``, and
    mark the case actioned; returns how many accounts were labelled."""
    accounts = case_accounts(graph, case_id)
    if not accounts:
        raise InputError(f"case {case_id!r} holds no account to decide on")
    labelled = decisions.label_nodes(graph, who, m.ACCOUNT.label, accounts, label, note, case_id=case_id)
    update_case(graph, who, case_id, status="actioned", note=f"{label} for {labelled} accounts: {note}")
    return labelled


def case_accounts(graph: Graph, case_id: str) -> list[str]:
    rows = graph.read(
        f"MATCH (:{m.CASE.label} {{case_id: $case_id}})-[:{m.CONCERNS_ACCOUNT.type}]->(a:{m.ACCOUNT.label}) "
        "RETURN a.account_id AS id ORDER BY id",
        {"case_id": case_id},
    )
    return [r["id"] for r in rows]


def read_queue(graph: Graph, status: str | None = None, assignee: str | None = None) -> pd.DataFrame:
    """Cases by risk (highest first), then age (oldest first), filtered by status and assignee."""
    rows = graph.read(
        f"MATCH (c:{m.CASE.label}) "
        "WHERE ($status IS NULL OR c.status = $status) AND ($assignee IS NULL OR c.assignee = $assignee) "
        f"OPTIONAL MATCH (c)-[:{m.CONCERNS_ACCOUNT.type}]->(a:{m.ACCOUNT.label}) "
        "WITH c, count(a) AS accounts "
        "RETURN c.case_id AS case_id, c.title AS title, c.status AS status, c.priority AS priority, "
        "c.risk AS risk, c.assignee AS assignee, accounts, c.opened_by AS opened_by, "
        "toString(c.opened_at) AS opened_at, toString(c.updated_at) AS updated_at "
        "ORDER BY c.risk DESC, c.opened_at ASC",
        {"status": status or None, "assignee": assignee if assignee is not None else None},
    )
    return pd.DataFrame(rows, columns=list(QUEUE_COLUMNS))


def read_case(graph: Graph, case_id: str) -> dict[str, Any] | None:
    """A case's properties and what it concerns (accounts with their current labels)."""
    rows = graph.read(
        f"MATCH (c:{m.CASE.label} {{case_id: $case_id}}) "
        f"OPTIONAL MATCH (c)-[:{m.CONCERNS_CLUSTER.type}]->(k:{m.CLUSTER.label}) "
        f"OPTIONAL MATCH (c)-[:{m.CONCERNS_IP.type}]->(ip:{m.IP.label}) "
        f"OPTIONAL MATCH (c)-[:{m.CONCERNS_INSTRUMENT.type}]->(pi:{m.PAYMENT_INSTRUMENT.label}) "
        "RETURN properties(c) AS props, collect(DISTINCT k.cluster_id) AS clusters, "
        f"collect(DISTINCT ip.{m.IP.key}) AS ips, "
        f"collect(DISTINCT pi.{m.PAYMENT_INSTRUMENT.key}) AS instruments",
        {"case_id": case_id},
    )
    if not rows:
        return None
    accounts = graph.read(
        f"MATCH (:{m.CASE.label} {{case_id: $case_id}})-[:{m.CONCERNS_ACCOUNT.type}]->(a:{m.ACCOUNT.label}) "
        "RETURN a.account_id AS account_id, a.status AS status, a.risk_score AS risk_score, "
        "a.triage_label AS triage_label ORDER BY a.risk_score DESC, account_id",
        {"case_id": case_id},
    )
    row = rows[0]
    return {
        "props": dict(row["props"]),
        "clusters": row["clusters"],
        "ips": row["ips"],
        "instruments": row["instruments"],
        "accounts": pd.DataFrame(accounts, columns=["account_id", "status", "risk_score", "triage_label"]),
    }
