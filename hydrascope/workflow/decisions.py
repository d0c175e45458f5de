"""Triage decisions: an analyst's label on clusters or accounts, the one place that writes it.

Stored on the node (``triage_label``, ``triage_note``, ``triage_by``, ``triage_at``), where the next
detection run reads it (an allowlisted cluster is not flagged again, a confirmed account seeds
regrowth) and the ban list at once. The policy, which labels exist and which clear, is
``hydrascope.triage``. Every decision is authorised and recorded (``audit``), from a triage form or
a case's bulk decision alike, with the keys it touched.
"""

from __future__ import annotations

from collections.abc import Sequence

from hydrascope import triage
from hydrascope.db import Graph
from hydrascope.schema import model as m
from hydrascope.workflow import audit
from hydrascope.workflow.identity import Action, Analyst

TRIAGED_KINDS = (m.CLUSTER.label, m.ACCOUNT.label)


def _statement(kind: str, clear: bool) -> str:
    node = m.NODE_BY_LABEL[kind]
    match = f"UNWIND $keys AS key MATCH (n:{node.label} {{{node.key}: key}}) "
    if clear:
        return match + "REMOVE n.triage_label, n.triage_note, n.triage_by, n.triage_at RETURN count(n) AS n"
    return (
        match + "SET n.triage_label = $label, n.triage_note = $note, n.triage_by = $by, "
        "n.triage_at = datetime() RETURN count(n) AS n"
    )


def label_nodes(
    graph: Graph,
    who: Analyst,
    kind: str,
    keys: Sequence[str],
    label: str | None,
    note: str,
    case_id: str = "",
) -> int:
    """Set (or clear, with ``label=None``) ``label`` on the ``kind`` nodes with these keys, in one
    statement; returns how many exist. Refuses an unknown kind or label, a label without the
    analyst's name, and a role that may not label (the refusal is recorded)."""
    if kind not in TRIAGED_KINDS:
        raise ValueError(f"only clusters and accounts are triaged, not {kind}")
    if label is not None and label not in triage.LABELS:
        raise ValueError(f"unknown triage label {label!r}; expected one of {triage.LABELS}")
    if label is not None and not who.name:
        raise ValueError("the analyst's name is required")
    keys = list(dict.fromkeys(k for k in keys if k))
    detail = {"label": label, "note": note.strip(), "keys": keys, "case_id": case_id}
    target_key = keys[0] if len(keys) == 1 else f"{len(keys)} nodes"
    audit.authorise(graph, who, Action.LABEL, kind, target_key, detail)
    found = graph.write_count(
        _statement(kind, clear=label is None),
        {"keys": keys, "label": label, "note": note.strip(), "by": who.name},
    )
    audit.record(graph, who, Action.LABEL.value, kind, target_key, {**detail, "found": found})
    return found
