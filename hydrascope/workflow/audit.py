"""The audit trail: every triage decision, case change, export and console query, append-only.

Why in the graph: enforcement and legal read it beside the evidence it refers to, every host
that writes (the app, the command line, a scheduled job) reaches the same store, and each entry
names the ingest and detection runs the analyst's graph held, read in the same statement that
writes the entry. Only ``record`` writes, and it only ever CREATEs: nothing in the project updates
or deletes an ``AuditEvent`` (ingest and detection cleanup name their labels; ``db reset`` wipes
a local graph on purpose). Refusals are recorded too (``authorise``): a viewer's attempt to
export is itself evidence.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pandas as pd

from hydrascope.db import Graph
from hydrascope.errors import PermissionRefused
from hydrascope.schema.model import AUDIT_EVENT, CLUSTER, DETECTION_RUN, INGEST_RUN
from hydrascope.workflow.identity import Action, Analyst

DONE = "done"
FAILED = "failed"  # authorised, but it did not happen (the console refused the query, an error)
REFUSED = "refused"  # the analyst's role may not
#: Every action the trail records (the audit page's filter).
ACTIONS = ("label", "case_open", "case_update", "watch_save", "watch_update", "alert", "console", "export")
COLUMNS = (
    "at",
    "analyst",
    "role",
    "action",
    "outcome",
    "target_kind",
    "target_key",
    "detail",
    "ingest_run",
    "detect_run",
)

# The latest ingest and detection runs the graph holds, as ``ingest_run`` and ``detect_run``
# (a graph written before detection runs were recorded names its clusters' latest run).
LATEST_RUNS = (
    f"OPTIONAL MATCH (r:{INGEST_RUN.label}) WITH r ORDER BY r.started_at DESC LIMIT 1 "
    f"OPTIONAL MATCH (d:{DETECTION_RUN.label}) WITH r, d ORDER BY d.at DESC LIMIT 1 "
    f"OPTIONAL MATCH (c:{CLUSTER.label}) WHERE d IS NULL AND c.detect_run IS NOT NULL "
    "WITH r, d, c ORDER BY c.last_detected_at DESC LIMIT 1 "
    "WITH r.run_id AS ingest_run, coalesce(d.run_id, c.detect_run) AS detect_run "
)
_RECORD = (
    LATEST_RUNS + f"CREATE (e:{AUDIT_EVENT.label} {{event_id: $id}}) "
    "SET e += $props, e.at = datetime(), e.ingest_run = ingest_run, e.detect_run = detect_run "
    "RETURN e.event_id AS id"
)


def record(
    graph: Graph,
    who: Analyst,
    action: str,
    target_kind: str = "",
    target_key: str = "",
    detail: Mapping[str, Any] | None = None,
    outcome: str = DONE,
) -> str:
    """Append one entry and return its id. ``detail`` is stored as JSON text, never interpreted."""
    event_id = uuid.uuid4().hex
    props = {
        "analyst": who.name,
        "role": who.role,
        "action": action,
        "outcome": outcome,
        "target_kind": target_kind,
        "target_key": target_key,
        "detail": json.dumps(dict(detail or {}), default=str, sort_keys=True),
    }
    graph.write(_RECORD, {"id": event_id, "props": props})
    return event_id


def authorise(
    graph: Graph,
    who: Analyst,
    action: Action,
    target_kind: str = "",
    target_key: str = "",
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Raise ``PermissionRefused`` unless ``who`` may do ``action``, recording the refusal first."""
    try:
        who.require(action)
    except PermissionRefused:
        record(graph, who, action.value, target_kind, target_key, detail, outcome=REFUSED)
        raise


def read_events(
    graph: Graph,
    since: datetime | None = None,
    analyst: str | None = None,
    action: str | None = None,
    limit: int = 10_000,
) -> pd.DataFrame:
    """Entries newest first, filtered by time, analyst and action; ``at`` as ISO text (UTC)."""
    rows = graph.read(
        f"MATCH (e:{AUDIT_EVENT.label}) "
        "WHERE ($since IS NULL OR e.at >= datetime($since)) "
        "AND ($analyst IS NULL OR e.analyst = $analyst) AND ($action IS NULL OR e.action = $action) "
        "RETURN toString(e.at) AS at, e.analyst AS analyst, e.role AS role, e.action AS action, "
        "e.outcome AS outcome, e.target_kind AS target_kind, e.target_key AS target_key, "
        "e.detail AS detail, e.ingest_run AS ingest_run, e.detect_run AS detect_run "
        "ORDER BY e.at DESC LIMIT $limit",
        {
            "since": since.isoformat() if since else None,
            "analyst": analyst or None,
            "action": action or None,
            "limit": limit,
        },
    )
    return pd.DataFrame(rows, columns=list(COLUMNS))
