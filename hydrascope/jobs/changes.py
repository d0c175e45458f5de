"""What changed between two detection runs: the analyst's morning view.

Detection keeps cluster ids across runs (``hydrascope.detect.identity``) and says how each cluster
came about (its lifecycle); what it cannot say by itself is what the graph held before it wrote.
``write_result`` reads the clusters as they stood (id, size, flagged) before writing, and this
module compares them with the new result: one row per cluster that was born, grew, shrank, split,
merged, regrew, became flagged, was cleared (flagged before, not now) or vanished. The rows are
kept on the run's ``(:DetectionRun)`` node, so the comparison is the one the run saw, not a
reconstruction after later runs moved on.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from hydrascope.db.graph import Graph
from hydrascope.schema import model as m

#: Lifecycles that are a change worth showing (``stable`` is not).
LIFECYCLE_CHANGES = ("born", "grew", "shrank", "split", "merged", "regrew")
NEWLY_FLAGGED = "newly flagged"
CLEARED = "cleared"
VANISHED = "vanished"
#: Every kind of change, in the order the app lists them.
KINDS = (*LIFECYCLE_CHANGES, NEWLY_FLAGGED, CLEARED, VANISHED)
COLUMNS = ("cluster_id", "changes", "size", "previous_size", "flagged", "was_flagged", "score")

READ_CLUSTERS = (
    f"MATCH (c:{m.CLUSTER.label}) WHERE coalesce(c.size, 0) > 0 "
    "RETURN c.cluster_id AS cluster_id, c.size AS size, coalesce(c.flagged, false) AS flagged"
)
RECORD_RUN = f"MERGE (r:{m.DETECTION_RUN.label} {{run_id: $run_id}}) SET r += $props, r.at = datetime()"


def cluster_changes(previous: pd.DataFrame, current: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of ``COLUMNS`` for the clusters that changed.

    ``previous``: ``cluster_id, size, flagged`` as the graph held them; ``current``: the run's
    ``cluster_id, size, flagged, lifecycle, score``. Largest change first (flagged ones first)."""
    before = {str(r["cluster_id"]): r for r in previous.to_dict("records")}
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for r in current.to_dict("records"):
        cid = str(r["cluster_id"])
        seen.add(cid)
        old = before.get(cid)
        was_flagged = bool(old["flagged"]) if old is not None else False
        flagged = bool(r["flagged"])
        kinds = [str(r["lifecycle"])] if r["lifecycle"] in LIFECYCLE_CHANGES else []
        if flagged and not was_flagged:
            kinds.append(NEWLY_FLAGGED)
        if was_flagged and not flagged:
            kinds.append(CLEARED)
        if kinds:
            rows.append(
                {
                    "cluster_id": cid,
                    "changes": kinds,
                    "size": int(r["size"]),
                    "previous_size": int(old["size"]) if old is not None else 0,
                    "flagged": flagged,
                    "was_flagged": was_flagged,
                    "score": round(float(r["score"]), 4),
                }
            )
    for cid, old in before.items():
        if cid not in seen:
            rows.append(
                {
                    "cluster_id": cid,
                    "changes": [VANISHED, *([CLEARED] if old["flagged"] else [])],
                    "size": 0,
                    "previous_size": int(old["size"]),
                    "flagged": False,
                    "was_flagged": bool(old["flagged"]),
                    "score": 0.0,
                }
            )
    rows.sort(key=lambda x: (not (x["flagged"] or x["was_flagged"]), -abs(x["size"] - x["previous_size"])))
    return rows


def read_clusters(graph: Graph) -> pd.DataFrame:
    """The clusters as the graph holds them now (before a run writes its own)."""
    return pd.DataFrame(graph.read(READ_CLUSTERS), columns=["cluster_id", "size", "flagged"])


def record_run(
    graph: Graph, run_id: str, update_tag: int, counts: dict[str, int], rows: list[dict[str, Any]]
) -> None:
    """Write the run's ``(:DetectionRun)`` with its counts and its changes."""
    props = {**counts, "update_tag": update_tag, "changes": json.dumps(rows, sort_keys=True)}
    graph.write(RECORD_RUN, {"run_id": run_id, "props": props})


def read_runs(graph: Graph, limit: int = 20) -> pd.DataFrame:
    """Writing detection runs, newest first, with their counts (``changes`` left as JSON text)."""
    rows = graph.read(
        f"MATCH (r:{m.DETECTION_RUN.label}) "
        "RETURN r.run_id AS run_id, toString(r.at) AS at, r.clusters AS clusters, "
        "r.flagged_clusters AS flagged_clusters, r.flagged_accounts AS flagged_accounts, "
        "r.review_accounts AS review_accounts, r.changes AS changes ORDER BY r.at DESC LIMIT $limit",
        {"limit": limit},
    )
    return pd.DataFrame(
        rows,
        columns=[
            "run_id",
            "at",
            "clusters",
            "flagged_clusters",
            "flagged_accounts",
            "review_accounts",
            "changes",
        ],
    )


def run_changes(changes_json: str | None) -> pd.DataFrame:
    """A run's change rows as a frame (``changes`` joined into readable text)."""
    rows = json.loads(changes_json or "[]")
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["changes"] = [", ".join(k) for k in frame["changes"]]
    return frame


def summary(frame: pd.DataFrame) -> dict[str, int]:
    """How many clusters each kind of change touched (every kind, zero included)."""
    kinds = [str(text).split(", ") for text in frame["changes"]]
    return {kind: sum(kind in ks for ks in kinds) for kind in KINDS}
