"""Export the flagged tier (``hydrascope export flagged``, the ban list) and the review tier
(``hydrascope export leads``, ranked leads for analysts; never a ban list).

``ban_list`` is the one ban list: the command line and the app's Exports page both read it, so
they cannot disagree on who is banned (they did: the command ignored triage labels and listed the
already banned, the app did neither).

Account ids and reasons were written by outsiders: every cell goes through
``hydrascope.inert.csv_row``, so a spreadsheet never runs one as a formula.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from hydrascope import triage
from hydrascope.db.graph import Graph
from hydrascope.inert import csv_row
from hydrascope.schema import model as m

# The ban list: accounts of the ``flagged`` tier (a positive risk score, written by detection for
# a member of a flagged cluster on its own evidence), minus what an analyst cleared since (the
# account, or its cluster, labelled with one of ``triage.CLEARING``: effective at once, before any
# new detection run), minus the accounts already banned unless asked. One row per membership,
# best cluster first; ``ban_list`` keeps each account's first.
BAN_LIST_QUERY = (
    f"MATCH (a:{m.ACCOUNT.label})-[r:{m.MEMBER_OF.type}]->(c:{m.CLUSTER.label}) "
    "WHERE c.flagged AND a.risk_score > 0 AND ($cluster_id IS NULL OR c.cluster_id = $cluster_id) "
    "AND NOT coalesce(c.triage_label, '') IN $cleared AND NOT coalesce(a.triage_label, '') IN $cleared "
    "AND ($include_banned OR coalesce(a.status, '') <> 'banned') "
    f"OPTIONAL MATCH (c)-[:{m.PART_OF.type}]->(p:{m.CAMPAIGN.label}) "
    "RETURN a.account_id AS account_id, a.email AS email, a.status AS status, "
    "c.cluster_id AS cluster_id, p.campaign_id AS campaign_id, coalesce(p.name, p.campaign_id) AS campaign, "
    "c.score AS cluster_score, r.score AS account_score, coalesce(r.reasons, a.risk_reasons) AS reasons, "
    "c.evidence AS cluster_evidence, a.risk_score AS risk_score, a.risk_reasons AS risk_reasons "
    "ORDER BY c.score DESC, r.score DESC, a.account_id"
)
# What a ban-list row carries: the app's columns (``hydrascope.ui.exports.BAN_LIST_COLUMNS``: the
# membership's score and reasons, the cluster's evidence) and the account's own risk score and
# reasons, which ``hydrascope export flagged`` writes.
BAN_LIST_FIELDS = (
    "account_id",
    "email",
    "status",
    "cluster_id",
    "campaign_id",
    "campaign",
    "cluster_score",
    "account_score",
    "reasons",
    "cluster_evidence",
    "risk_score",
    "risk_reasons",
)
COLUMNS = ("account_id", "cluster_id", "campaign_id", "score", "reasons")


def ban_list(
    graph: Graph, *, include_banned: bool = False, cluster_id: str | None = None
) -> list[dict[str, Any]]:
    """THE ban list, for ``hydrascope export flagged`` and the app's download alike.

    One row per account (its best cluster; fields ``BAN_LIST_FIELDS``), riskiest cluster first.
    The triage policy is ``hydrascope.triage``: an account an analyst cleared, or one in a cluster
    an analyst cleared, is left out from the moment the label is set. Accounts already banned are
    left out unless ``include_banned`` (re-issuing a ban, or measuring the detector).
    ``cluster_id`` narrows the list to one cluster.
    """
    params = {"include_banned": include_banned, "cluster_id": cluster_id, "cleared": list(triage.CLEARING)}
    seen: set[str] = set()
    rows = []
    for row in graph.read(BAN_LIST_QUERY, params):
        if row["account_id"] in seen:
            continue
        seen.add(row["account_id"])
        rows.append(row)
    return rows


def flagged_rows(graph: Graph, *, include_banned: bool = False) -> list[dict[str, object]]:
    """The ban list as ``hydrascope export flagged`` writes it (``COLUMNS``; the account's risk
    score and reasons, joined with ``; ``)."""
    return [
        {
            "account_id": r["account_id"],
            "cluster_id": r["cluster_id"],
            "campaign_id": r["campaign_id"],
            "score": r["risk_score"],
            "reasons": "; ".join(r["risk_reasons"] or []),
        }
        for r in ban_list(graph, include_banned=include_banned)
    ]


def export_flagged(graph: Graph, out: Path, *, include_banned: bool = False) -> int:
    """Write the ban list to ``out`` as CSV; returns the row count."""
    return write_csv(out, COLUMNS, flagged_rows(graph, include_banned=include_banned))


def write_csv(out: Path, columns: tuple[str, ...], rows: list[dict[str, object]]) -> int:
    """Write ``rows`` to ``out`` with every cell neutralised (``csv_row``); returns the row count."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns))
        writer.writeheader()
        writer.writerows(csv_row(r) for r in rows)
    return len(rows)


LEADS_QUERY = (
    f"MATCH (a:{m.ACCOUNT.label}) WHERE a.risk_tier = 'review' "
    "RETURN a.lead_rank AS rank, a.account_id AS account_id, a.lead_score AS score, "
    "a.status AS status, a.lead_reasons AS reasons ORDER BY rank, account_id"
)
LEAD_COLUMNS = ("rank", "account_id", "score", "status", "reasons")


def lead_rows(graph: Graph) -> list[dict[str, object]]:
    """The review tier as the last detection ranked it, reasons joined with ``; ``."""
    return [{**row, "reasons": "; ".join(row["reasons"] or [])} for row in graph.read(LEADS_QUERY)]


def export_leads(graph: Graph, out: Path) -> int:
    """Write the review tier to ``out`` as CSV, strongest lead first; returns the row count."""
    return write_csv(out, LEAD_COLUMNS, lead_rows(graph))
