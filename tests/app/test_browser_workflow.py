"""The analyst's workflow in a real headless browser: an alert, the queue, a case decided in bulk,
What changed and the audit trail, on the real tiny world. Screenshots go to ``test-artifacts/``.

The alert comes from a real watch evaluation; only the regrowth it reacts to is written by the
test (the top cluster marked ``regrew`` as a detection run would after a ban wave): the real
day-1/day-2 pipeline is ``test_day_two.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_browser import ARTIFACTS, CHROMIUM, chromium_page, serve_app

from hydrascope.db import Graph
from hydrascope.workflow import cases, watches
from hydrascope.workflow.identity import Analyst, keep_name

pytestmark = [pytest.mark.browser, pytest.mark.neo4j, pytest.mark.changes_tiny_world]


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's Chromium is not installed")
def test_the_alert_the_queue_a_case_and_the_audit_trail_in_a_real_browser(
    tiny_world: Graph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HYDRASCOPE_ALERT_OUTBOX", str(tmp_path / "alerts.jsonl"))
    dana = Analyst("dana", "admin")
    watches.save_watch(tiny_world, dana, "cluster_growth", name="hydra regrowth")
    top = tiny_world.read(
        "MATCH (c:Cluster) WHERE c.flagged RETURN c.cluster_id AS id ORDER BY c.score DESC LIMIT 1"
    )
    tiny_world.write(
        "MATCH (c:Cluster {cluster_id: $id}) SET c.lifecycle = 'regrew', c.detect_run = 'detect-browser'",
        {"id": top[0]["id"]},
    )
    (alert,) = watches.evaluate_watches(tiny_world).alerts
    members = cases.case_accounts(tiny_world, alert.case_id)
    assert members
    keep_name("dana")  # the analyst the sidebar starts with (asked once, kept)

    ARTIFACTS.mkdir(exist_ok=True)
    with serve_app(tmp_path) as url, chromium_page(tmp_path, height=2000) as page:

        def visit(path: str, heading: str) -> None:
            page.goto(url + path)
            page.get_by_role("heading", name=heading).first.wait_for(timeout=30_000)

        def seen(text: str) -> None:
            page.get_by_text(text).first.wait_for(state="attached", timeout=30_000)

        visit("/alerts", "Alerts")
        seen("1 unread of 1 alerts")
        seen("1 unread alert: see Alerts")  # the sidebar, on every page
        seen(alert.case_id)
        page.screenshot(path=str(ARTIFACTS / "workflow-alerts.png"), full_page=True)

        visit(f"/cases?case={alert.case_id}", "Cases")
        seen("hydra regrowth: 1 new match")
        seen(f"{len(members):,} accounts")
        page.screenshot(path=str(ARTIFACTS / "workflow-case.png"), full_page=True)
        page.get_by_label("Note (required)").fill("regrown on the banned cards; checked prompts")
        page.get_by_role("button", name="Apply to every account").click()
        seen(f"confirmed: {len(members)} accounts of {alert.case_id}")
        page.screenshot(path=str(ARTIFACTS / "workflow-case-decided.png"), full_page=True)

        visit("/changes", "What changed")
        page.screenshot(path=str(ARTIFACTS / "workflow-changes.png"), full_page=True)

        visit("/audit", "Audit trail")
        seen("hydrascope scheduler")
        seen("case_open")
        page.screenshot(path=str(ARTIFACTS / "workflow-audit.png"), full_page=True)
    labelled = tiny_world.read(
        "MATCH (:Case {case_id: $id})-[:CONCERNS_ACCOUNT]->(a) "
        "RETURN DISTINCT a.triage_label AS l, a.triage_by AS by",
        {"id": alert.case_id},
    )
    assert labelled == [{"l": "confirmed", "by": "dana"}]
