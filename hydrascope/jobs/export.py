"""Export the flagged tier (``hydrascope export flagged``, the ban list) and the review tier
(``hydrascope export leads``, ranked leads for analysts; never a ban list).

Account ids and reasons were written by outsiders: every cell goes through
``hydrascope.inert.csv_row``, so a spreadsheet never runs one as a formula.
"""

from __future__ import annotations

import csv
from pathlib import Path

from hydrascope.db.graph import Graph
from hydrascope.inert import csv_row
from hydrascope.schema import model as m

FLAGGED_QUERY = (
    f"MATCH (a:{m.ACCOUNT.label})-[r:{m.MEMBER_OF.type}]->(c:{m.CLUSTER.label}) "
    "WHERE c.flagged AND a.risk_score > 0 "
    f"OPTIONAL MATCH (c)-[:{m.PART_OF.type}]->(p:{m.CAMPAIGN.label}) "
    "RETURN a.account_id AS account_id, c.cluster_id AS cluster_id, p.campaign_id AS campaign_id, "
    "a.risk_score AS score, a.risk_reasons AS reasons ORDER BY score DESC, account_id"
)
COLUMNS = ("account_id", "cluster_id", "campaign_id", "score", "reasons")


def flagged_rows(graph: Graph) -> list[dict[str, object]]:
    """One row per flagged account (its best cluster), reasons joined with ``; ``."""
    seen: set[str] = set()
    rows = []
    for row in graph.read(FLAGGED_QUERY):
        if row["account_id"] in seen:
            continue
        seen.add(row["account_id"])
        rows.append({**row, "reasons": "; ".join(row["reasons"] or [])})
    return rows


def export_flagged(graph: Graph, out: Path) -> int:
    """Write the flagged accounts to ``out`` as CSV; returns the row count."""
    return write_csv(out, COLUMNS, flagged_rows(graph))


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
