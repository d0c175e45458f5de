"""Load a hand-built ``Snapshot`` into the real graph with the schema's own MERGE statements."""

from datetime import UTC, datetime

import numpy as np
import pytest

from hydrascope.detect.snapshot import EDGE_KINDS, Snapshot
from hydrascope.schema import model as m
from hydrascope.schema.cypher import merge_nodes, merge_relationships

REL = {
    "card": m.PAID_WITH,
    "ip": m.CONNECTED_FROM,
    "fingerprint": m.USED_CLIENT,
    "email_domain": m.REGISTERED_WITH,
    "template": m.SENT,
    "capability": m.ASKED_FOR,
    "model": m.CALLED,
}


def _dt(x):
    return None if x is None or not np.isfinite(x) else datetime.fromtimestamp(float(x), UTC)


def load_snapshot(graph, snap: Snapshot, tag: int = 1) -> None:
    p = {"update_tag": tag}
    rows = [
        {
            "key": r.account_id,
            "props": {
                "created_at": _dt(r.created_at),
                "status": r.status,
                "banned_at": _dt(r.banned_at),
                "requests": int(r.requests),
                "active_hours": [int(h) for h in r.active_hours],
                **({"triage_label": r.triage_label} if isinstance(r.triage_label, str) else {}),
            },
        }
        for r in snap.accounts.itertuples()
    ]
    graph.write_rows(
        merge_nodes(
            m.ACCOUNT, ("created_at", "status", "banned_at", "requests", "active_hours", "triage_label")
        ),
        rows,
        params=p,
    )
    ip_rows = [
        {
            "key": r.ip,
            "props": {
                "prefix": r.prefix,
                "is_datacenter": bool(r.is_datacenter),
                "is_vpn": bool(r.is_vpn),
                "is_cgnat": bool(r.is_cgnat),
            },
        }
        for r in snap.ips.itertuples()
    ]
    graph.write_rows(merge_nodes(m.IP, ("prefix", "is_datacenter", "is_vpn", "is_cgnat")), ip_rows, params=p)
    egress = [
        {"start": r.ip, "end": r.proxy_service, "props": {}}
        for r in snap.ips.itertuples()
        if isinstance(r.proxy_service, str)
    ]
    graph.write_rows(merge_relationships(m.EGRESS_OF), egress, params=p)
    models = [
        {"key": r.model, "props": {"released_at": _dt(r.released_at)}} for r in snap.models.itertuples()
    ]
    graph.write_rows(merge_nodes(m.MODEL, ("released_at",)), models, params=p)
    for kind, rel in REL.items():
        part = snap.edges[snap.edges["kind"] == kind]
        activity = "requests" in rel.property_names
        props = (
            ("requests", "first_seen", "last_seen") if activity else ("first_seen",) if kind == "card" else ()
        )
        rows = []
        for r in part.itertuples():
            values = {
                "requests": int(r.requests),
                "first_seen": _dt(r.first_seen),
                "last_seen": _dt(r.last_seen),
            }
            rows.append({"start": r.account_id, "end": r.object_id, "props": {k: values[k] for k in props}})
        graph.write_rows(merge_relationships(rel, props), rows, params=p)
    assert set(REL) | {"prefix", "template_family"} == set(EDGE_KINDS)


@pytest.fixture
def load():
    return load_snapshot
