"""Run detection on the graph and write the result back (``hydrascope detect``).

Write-back follows the ingest pattern: every node and relationship the run writes gets the run's
``update_tag``; afterwards, what the run did not touch is cleaned up (stale ``MEMBER_OF`` and
``PART_OF`` edges, campaigns, and clusters nobody triaged; a triaged cluster that vanished is kept
for the analyst's record, unflagged, with size 0). Account scores are set with a MATCH (never a
MERGE, never touching the account's ingest provenance) and cleared on accounts no longer flagged.

A writing run holds the graph's writer lease (``hydrascope.db.lease``) from before it reads the
snapshot until its cleanup is done: an ingest on any host would otherwise change the graph under
it, and the cleanups by update tag could interleave. A dry run (``write=False``) takes no lease.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from hydrascope.db.graph import Graph
from hydrascope.db.lease import Lease, hold
from hydrascope.detect.params import DetectParams
from hydrascope.detect.pipeline import DetectionResult, detect
from hydrascope.jobs.snapshot import read_snapshot
from hydrascope.schema import model as m
from hydrascope.schema.cypher import merge_nodes, merge_relationships, stale_relationships

log = logging.getLogger(__name__)

CLUSTER_PROPS = ("score", "size", "flagged", "evidence", "signals", "lifecycle", "detect_run")
CAMPAIGN_PROPS = ("name", "score", "accounts", "evidence")
SET_RISK = (
    f"UNWIND $rows AS row MATCH (a:{m.ACCOUNT.label} {{{m.ACCOUNT.key}: row.key}}) "
    "SET a.risk_score = row.score, a.risk_reasons = row.reasons, a.risk_tier = 'flagged', "
    "a.lead_score = 0.0, a.lead_reasons = [], a.lead_rank = null"
)
CLEAR_RISK = (
    f"MATCH (a:{m.ACCOUNT.label}) WHERE a.risk_score > 0 AND NOT a.{m.ACCOUNT.key} IN $flagged "
    "SET a.risk_score = 0.0, a.risk_reasons = []"
)
SET_LEADS = (
    f"UNWIND $rows AS row MATCH (a:{m.ACCOUNT.label} {{{m.ACCOUNT.key}: row.key}}) "
    "SET a.risk_tier = 'review', a.lead_score = row.score, a.lead_reasons = row.reasons, "
    "a.lead_rank = row.rank"
)
# every account that was flagged or a lead and is neither now goes back to clear
CLEAR_TIERS = (
    f"MATCH (a:{m.ACCOUNT.label}) WHERE a.risk_tier IN ['flagged', 'review'] "
    f"AND NOT a.{m.ACCOUNT.key} IN $tiered "
    "SET a.risk_tier = 'clear', a.lead_score = 0.0, a.lead_reasons = [], a.lead_rank = null"
)
DETECTED_AT = (
    f"MATCH (c:{m.CLUSTER.label}) WHERE c.lastupdated = $update_tag "
    "SET c.last_detected_at = datetime($now), "
    "c.first_detected_at = coalesce(c.first_detected_at, datetime($now))"
)
STALE_CLUSTERS = (
    f"MATCH (c:{m.CLUSTER.label}) WHERE c.lastupdated < $update_tag AND c.triage_label IS NULL "
    "CALL (c) { DETACH DELETE c } IN TRANSACTIONS OF 10000 ROWS"
)
VANISHED_TRIAGED = (
    f"MATCH (c:{m.CLUSTER.label}) WHERE c.lastupdated < $update_tag AND c.triage_label IS NOT NULL "
    "SET c.flagged = false, c.size = 0"
)
STALE_CAMPAIGNS = (
    f"MATCH (p:{m.CAMPAIGN.label}) WHERE p.lastupdated < $update_tag "
    "CALL (p) { DETACH DELETE p } IN TRANSACTIONS OF 10000 ROWS"
)


def link_statement(rel: m.RelType) -> str:
    """``UNWIND $rows`` MERGE of ``rel`` between nodes that must already exist (both ends MATCHed):
    detection never creates accounts, clusters or campaigns through a link. The schema's generator
    with ``merge_start=False, merge_end=False``."""
    props = tuple(p for p in rel.property_names if p not in ("firstseen", "lastupdated"))
    return merge_relationships(rel, props, merge_end=False, merge_start=False)


LAST_TAG = f"MATCH (c:{m.CLUSTER.label}) RETURN coalesce(max(c.lastupdated), 0) AS tag"


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


@dataclass(frozen=True)
class DetectRun:
    """What a run did: its id and tag, the result, and seconds spent reading, detecting, writing."""

    run_id: str
    update_tag: int
    result: DetectionResult
    read_s: float
    detect_s: float
    write_s: float


def run_detection(
    graph: Graph,
    params: DetectParams | None = None,
    write: bool = True,
    *,
    lease: Lease | None = None,
    break_lease: bool = False,
) -> DetectRun:
    """Read the snapshot, detect, and (unless ``write=False``) write clusters, campaigns, memberships
    and account risk back to the graph. A writing run holds the writer lease throughout: ``lease``
    if the caller holds one already, else its own (``LeaseHeld`` while another run holds it;
    ``break_lease`` takes it anyway)."""
    run_id = f"detect-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    with hold(graph if write else None, "detect", run_id, lease, force=break_lease) as held:
        t0 = time.perf_counter()
        snapshot = read_snapshot(graph)
        t1 = time.perf_counter()
        result = detect(snapshot, params)
        t2 = time.perf_counter()
        tag = max(int(time.time()), graph.count(LAST_TAG) + 1)
        if write:
            write_result(graph, result, run_id, tag, held.check if held is not None else None)
        t3 = time.perf_counter()
    return DetectRun(run_id, tag, result, round(t1 - t0, 2), round(t2 - t1, 2), round(t3 - t2, 2))


def write_result(
    graph: Graph,
    result: DetectionResult,
    run_id: str,
    update_tag: int,
    check: Callable[[], None] | None = None,
) -> None:
    """Write one run's result with ``update_tag`` and clean up what it no longer holds. ``check``
    raises if the writer lease was lost: called before the writes and again before the cleanups."""
    if check is not None:
        check()
    now = datetime.now(UTC).isoformat()
    params = {"update_tag": update_tag}
    clusters = result.clusters
    cluster_rows = [
        {
            "key": r["cluster_id"],
            "props": {
                "score": float(r["score"]),
                "size": int(r["size"]),
                "flagged": bool(r["flagged"]),
                "evidence": list(r["evidence"]),
                "signals": r["signals"],
                "lifecycle": r["lifecycle"],
                "detect_run": run_id,
            },
        }
        for r in _records(clusters)
    ]
    graph.write_rows(merge_nodes(m.CLUSTER, CLUSTER_PROPS), cluster_rows, params=params)
    graph.write(DETECTED_AT, {"update_tag": update_tag, "now": now})
    camp_rows = [
        {
            "key": r["campaign_id"],
            "props": {
                "name": r["name"],
                "score": float(r["score"]),
                "accounts": int(r["accounts"]),
                "evidence": list(r["evidence"]),
            },
        }
        for r in _records(result.campaigns)
    ]
    graph.write_rows(merge_nodes(m.CAMPAIGN, CAMPAIGN_PROPS), camp_rows, params=params)
    part_rows: list[dict[str, Any]] = [
        {"start": r["cluster_id"], "end": r["campaign_id"], "props": {}}
        for r in _records(clusters)
        if isinstance(r["campaign_id"], str)
    ]
    graph.write_rows(link_statement(m.PART_OF), part_rows, params=params)
    member_rows = [
        {
            "start": r["account_id"],
            "end": r["cluster_id"],
            "props": {"score": float(r["score"]), "reasons": list(r["reasons"])},
        }
        for r in _records(result.members)
    ]
    graph.write_rows(link_statement(m.MEMBER_OF), member_rows, params=params)
    risk_rows = [
        {"key": r["account_id"], "score": float(r["risk_score"]), "reasons": list(r["risk_reasons"])}
        for r in _records(result.accounts)
    ]
    graph.write_rows(SET_RISK, risk_rows)
    graph.write(CLEAR_RISK, {"flagged": [r["key"] for r in risk_rows]})
    leads = result.leads[result.leads["tier"] == "review"]
    lead_rows = [
        {"key": r["account_id"], "score": float(r["lead_score"]), "reasons": list(r["reasons"]), "rank": i}
        for i, r in enumerate(_records(leads), start=1)  # leads come best first
    ]
    graph.write_rows(SET_LEADS, lead_rows)
    graph.write(CLEAR_TIERS, {"tiered": [r["key"] for r in risk_rows + lead_rows]})
    if check is not None:
        check()
    for rel in (m.MEMBER_OF, m.PART_OF):
        graph.run_autocommit(stale_relationships(rel), params)
    graph.run_autocommit(STALE_CLUSTERS, params)
    graph.write(VANISHED_TRIAGED, params)
    graph.run_autocommit(STALE_CAMPAIGNS, params)
    log.info(
        "detection %s wrote %d clusters, %d flagged accounts, %d leads",
        run_id,
        len(cluster_rows),
        len(risk_rows),
        len(lead_rows),
    )
