"""A small world written by an outsider: every string that could come in through ingest is hostile.

Markdown that fetches (an image), a live link, raw HTML, Streamlit's colour, icon and LaTeX
syntax, and spreadsheet formulas sit in account ids, emails, org ids, ban reasons, a proxy
service's name, a template hash and (because the detector quotes what it found) in the evidence
and risk reasons. Written through the schema's generated statements, like ``world.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from world import TAG, _Batch

from hydrascope.db import Graph
from hydrascope.schema import model as m

BEACON = "![](http://127.0.0.1:9/_beacon)"
LINK = "[click me](http://x.example/phish)"
BARE_URL = "http://x.example/bare"
HTML = "<img src=x onerror=alert(1)>"
COLOR = ":red[x]"
MATH = "$x$"
ICON = ":material/home:"
FORMULA_LINK = '=HYPERLINK("http://127.0.0.1:9/_beacon","open")'
FORMULA_SUM = "=1+2"
HOSTILE = (BEACON, LINK, BARE_URL, HTML, COLOR, MATH, ICON)

# The accounts: their keys are what the Lookup page shows in its heading.
ACCOUNT_BEACON = BEACON
ACCOUNT_FORMULA = FORMULA_SUM
ACCOUNT_HTML = f"acct {HTML}"
CLUSTER = "cl-evil"
CAMPAIGN_NAME = f"{LINK} {COLOR}"
PROXY = "ps [relay](http://x.example/relay)"
TEMPLATE = f"tpl {MATH} {ICON}"
T0 = datetime(2026, 1, 5, tzinfo=UTC)


def seed_hostile(graph: Graph) -> None:
    """Write the hostile world (three flagged accounts, their cluster, campaign and infrastructure)."""
    b = _Batch()
    accounts = {
        ACCOUNT_BEACON: {"email": f"{LINK}@example.com", "org_id": COLOR},
        ACCOUNT_FORMULA: {"email": FORMULA_LINK, "org_id": MATH},
        ACCOUNT_HTML: {"email": f"{HTML}@example.com", "org_id": ICON},
    }
    b.node(m.PROXY_SERVICE, PROXY, name=f"{BEACON} {LINK}", kind="reseller")
    b.node(m.IP, "203.0.113.66", version=4, prefix="203.0.113.0/24", is_datacenter=True)
    b.rel(m.EGRESS_OF, "203.0.113.66", PROXY)
    b.node(m.PROMPT_TEMPLATE, TEMPLATE)
    for n, (aid, extra) in enumerate(accounts.items()):
        b.node(
            m.ACCOUNT,
            aid,
            status="banned",
            banned_at=T0 + timedelta(days=3),
            ban_reason=f"{LINK} {HTML} {MATH} {ICON} {BARE_URL}",
            risk_score=0.9 - n / 10,
            risk_reasons=[FORMULA_LINK, f"shares {BEACON}", LINK],
            created_at=T0,
            first_seen=T0,
            last_seen=T0 + timedelta(days=9),
            requests=100,
            **extra,
        )
        b.rel(m.CONNECTED_FROM, aid, "203.0.113.66", requests=100, first_seen=T0, last_seen=T0)
        b.rel(m.SENT, aid, TEMPLATE, requests=100, first_seen=T0, last_seen=T0)
        b.rel(m.MEMBER_OF, aid, CLUSTER, score=0.9, reasons=[FORMULA_LINK, LINK])
    b.node(
        m.CLUSTER,
        CLUSTER,
        score=0.9,
        size=len(accounts),
        flagged=True,
        lifecycle="born",
        evidence=[f"3 accounts behind {BEACON} {LINK}", f"{HTML} {COLOR} {MATH} {ICON} {BARE_URL}"],
        signals='{"shared_infra": 0.9}',
        first_detected_at=T0 + timedelta(days=10),
        last_detected_at=T0 + timedelta(days=10),
        detect_run="detect-evil",
    )
    b.node(m.CAMPAIGN, "camp-evil", name=CAMPAIGN_NAME, score=0.9, accounts=3, evidence=[LINK, HTML])
    b.rel(m.PART_OF, CLUSTER, "camp-evil")
    b.node(
        m.INGEST_RUN,
        "run-evil",
        started_at=T0 + timedelta(days=10),
        ended_at=T0 + timedelta(days=10, hours=1),
        status=f"failed {LINK}",
        source=BEACON,
        update_tag=TAG,
        rows_read=3,
        rows_loaded=3,
        rows_rejected=0,
        tables="{}",
    )
    b.write(graph)
