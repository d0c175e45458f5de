"""Evaluate detection output (in memory or in the graph) and the baselines against a truth folder."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from hydrascope.detect.pipeline import DetectionResult
from hydrascope.detect.snapshot import Snapshot
from hydrascope.errors import InputError
from hydrascope.evaluate.baselines import rate_threshold, shared_attribute_components
from hydrascope.evaluate.metrics import account_metrics, pivot_metrics

PIVOT_STRONG = 0.5


def read_truth(truth_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``truth/accounts`` and ``truth/campaigns`` of a bundle (the folder or the bundle itself)."""
    base = truth_dir / "truth" if (truth_dir / "truth").is_dir() else truth_dir
    frames = []
    for name in ("accounts", "campaigns"):
        found = [
            base / f"{name}.{ext}" for ext in ("parquet", "csv", "jsonl") if (base / f"{name}.{ext}").exists()
        ]
        if not found and name == "accounts":
            raise InputError(f"no truth accounts table in {base}")
        if not found:
            frames.append(pd.DataFrame())
            continue
        path = found[0]
        if path.suffix == ".parquet":
            frames.append(pd.read_parquet(path))
        elif path.suffix == ".csv":
            frames.append(pd.read_csv(path))
        else:
            frames.append(pd.read_json(path, lines=True))
    accounts, campaigns = frames
    accounts["account_id"] = accounts["account_id"].astype(str)
    return accounts, campaigns


def evaluate_flagged(
    truth: pd.DataFrame,
    campaigns: pd.DataFrame,
    snapshot: Snapshot,
    flagged: pd.DataFrame,
    members: pd.DataFrame,
    pivot_clusters: set[str],
) -> dict[str, dict[str, Any]]:
    """Metrics of the detector's ``flagged`` accounts and of both baselines, on one scenario."""
    out: dict[str, dict[str, Any]] = {}
    det = account_metrics(truth, flagged).as_dict()
    det.update(pivot_metrics(truth, members, pivot_clusters))
    if len(campaigns) and "pivot_share" in campaigns.columns:
        det["pivoting_campaigns"] = sorted(
            campaigns.loc[campaigns["pivot_share"] > 0, "campaign_id"].astype(str)
        )
    out["detector"] = det
    out["baseline_rate"] = account_metrics(truth, rate_threshold(snapshot)).as_dict()
    out["baseline_components"] = account_metrics(truth, shared_attribute_components(snapshot)).as_dict()
    return out


def evaluate_result(
    truth_dir: Path, snapshot: Snapshot, result: DetectionResult
) -> dict[str, dict[str, Any]]:
    """Evaluate an in-memory detection result (the benchmark's path)."""
    truth, campaigns = read_truth(truth_dir)
    pivots = set(result.clusters.loc[result.clusters["s_pivot"] >= PIVOT_STRONG, "cluster_id"])
    return evaluate_flagged(truth, campaigns, snapshot, result.accounts, result.members, pivots)


def evaluate_graph(graph: Any, truth_dir: Path) -> dict[str, dict[str, Any]]:
    """Evaluate what the latest ``hydrascope detect`` wrote to the graph."""
    from hydrascope.jobs.export import flagged_rows
    from hydrascope.jobs.snapshot import read_snapshot
    from hydrascope.schema import model as m

    truth, campaigns = read_truth(truth_dir)
    snapshot = read_snapshot(graph)
    # the flagged tier as detection wrote it, the already banned included: this measures the
    # detector (as evaluate_result does in memory), not what is left to ban
    flagged = pd.DataFrame(
        flagged_rows(graph, include_banned=True),
        columns=["account_id", "cluster_id", "campaign_id", "score", "reasons"],
    )
    members = pd.DataFrame(
        graph.read(
            f"MATCH (a:{m.ACCOUNT.label})-[:{m.MEMBER_OF.type}]->(c:{m.CLUSTER.label}) "
            "RETURN a.account_id AS account_id, c.cluster_id AS cluster_id"
        ),
        columns=["account_id", "cluster_id"],
    )
    pivots = set()
    for row in graph.read(f"MATCH (c:{m.CLUSTER.label}) RETURN c.cluster_id AS id, c.signals AS signals"):
        signals = json.loads(row["signals"] or "{}")
        if (signals.get("s_pivot") or 0) >= PIVOT_STRONG:
            pivots.add(row["id"])
    return evaluate_flagged(truth, campaigns, snapshot, flagged, members, pivots)


def _fmt(x: Any) -> str:
    if isinstance(x, float):
        return "–" if math.isnan(x) else f"{x:.3f}"
    return str(x)


TABLE_COLUMNS = (
    "precision",
    "recall",
    "f1",
    "honest_fpr",
    "worst_kind_fpr",
    "campaign_ari",
    "exchange_recall",
    "regrown_recall",
    "honest_groups_flagged",
    "flagged",
)


def table_rows(scenario: str, results: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Flat rows (scenario, detector, metrics...) for the Markdown and JSON tables."""
    rows = []
    for name, r in results.items():
        kinds = r.get("honest_fpr_by_kind") or {}
        worst = max(kinds.items(), key=lambda kv: kv[1]) if kinds else ("", float("nan"))
        row = {"scenario": scenario, "detector": name, **{k: r.get(k) for k in TABLE_COLUMNS if k in r}}
        row["worst_kind_fpr"] = worst[1]
        row["worst_kind"] = worst[0]
        rows.append(row)
    return rows


def markdown_table(rows: list[dict[str, Any]]) -> str:
    cols = ["scenario", "detector", *TABLE_COLUMNS, "worst_kind"]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in rows:
        lines.append("| " + " | ".join(_fmt(row.get(c, "")) for c in cols) + " |")
    return "\n".join(lines)
