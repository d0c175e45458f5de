"""Every page on the test world through ``streamlit.testing.v1.AppTest``, and the key interactions.

The app runs in-process against the real test Neo4j (no mocks); assertions read what is shown and,
after a triage label, what the graph holds.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from hydrascope.db import Graph
from hydrascope.inert import WORD_JOINER

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGES = (
    "overview",
    "clusters",
    "lookup",
    "queries",
    "triage",
    "changes",
    "alerts",
    "cases",
    "exports",
    "audit",
)
pytestmark = pytest.mark.neo4j


def open_page(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    if page != "overview":
        at.switch_page(f"hydrascope/ui/pages/{page}.py")
    return at.run()


def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def read(source: str) -> str:
    """What a reader sees of a Markdown source built with ``hydrascope.inert.md``: the escaping
    backslashes and the invisible word joiners gone."""
    return re.sub(r"\\(.)", r"\1", source).replace(WORD_JOINER, "")


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [s.value for s in at.subheader]
    parts += [str(m.label) + " " + str(m.value) for m in at.metric]
    return read("\n".join(parts))


def frames(at: AppTest) -> str:
    return "\n".join(df.value.to_string() for df in at.dataframe)


def submit(at: AppTest, index: int = 0) -> AppTest:
    """Click a form's submit button (AppTest has no typed accessor for it) and rerun."""
    button: Any = at.get("form_submit_button")[index]
    return button.click().run()


def ban_list_download(
    monkeypatch: pytest.MonkeyPatch, include_banned: bool
) -> tuple[list[dict[str, str]], AppTest]:
    """The Exports page's ban-list CSV exactly as handed to the download button (parsed), and the
    page: ``exports.ban_list_csv`` is spied on, never replaced."""
    from hydrascope.ui import exports

    sent: list[str | bytes] = []
    real = exports.ban_list_csv

    def spy(frame: Any) -> Any:
        out = real(frame)
        sent.append(out)
        return out

    monkeypatch.setattr(exports, "ban_list_csv", spy)
    at = open_page("exports")
    if include_banned:
        at.checkbox(key="export_banned").check().run()
    no_errors(at)
    data = sent[-1]
    text = data.decode() if isinstance(data, bytes) else data
    return list(csv.DictReader(io.StringIO(text))), at


def drawings(at: AppTest) -> list[str]:
    return [e.proto.srcdoc for e in at.get("iframe")]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs(world: Graph, page: str) -> None:
    at = open_page(page)
    no_errors(at)
    assert at.title[0].value


def test_overview_shows_freshness_flagged_clusters_and_campaigns(world: Graph) -> None:
    at = open_page("overview")
    no_errors(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Flagged clusters"] == "2 of 3"
    assert metrics["Rows rejected"] == "3"
    assert metrics["Accounts"] == "115"
    shown = frames(at)
    assert "Operation Atlas" in shown and "cl-a1" in shown and "cl-corp" not in shown.split("Top evidence")[0]
    assert "54% of traffic moved to claude-next" in shown
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")


def test_choose_a_cluster_draws_it_with_groups_evidence_and_members(world: Graph) -> None:
    at = open_page("clusters")
    no_errors(at)
    assert at.selectbox(key="cluster_pick").value == "cl-a1"
    at.selectbox(key="cluster_pick").set_value("cl-corp").run()
    no_errors(at)
    assert at.query_params["cluster"] == ["cl-corp"] or at.query_params["cluster"] == "cl-corp"
    shown = texts(at)
    assert "30 accounts on one corporate card" in shown
    assert re.search(r"Drawing \d+ nodes", shown)
    (html,) = drawings(at)
    assert "PaymentInstrument:tok-corp" in html
    assert "15 accounts only on 192.0.2.10 + tok-corp" in html  # employees collapsed into counted groups
    assert "Account:corp-007" not in html
    assert "corp-007" in frames(at)  # member table
    # Expand one group on demand: its employees appear as nodes.
    expand = at.multiselect(key="expand-cl-corp-None")
    assert len(expand.options) == 2
    expand.set_value([expand.options[0]]).run()
    no_errors(at)
    assert len(re.findall(r'"id": "Account:corp-', drawings(at)[0])) == 15


def test_cluster_deep_link_and_skeleton_drill_down(world: Graph) -> None:
    at = open_page("clusters", cluster="cl-a1")
    no_errors(at)
    assert at.selectbox(key="cluster_pick").value == "cl-a1"
    at.radio(key="mode-cl-a1").set_value("skeleton").run()
    no_errors(at)
    html = drawings(at)[0]
    assert "accounts via 203.0.113.0/24" in html and "RelayHub" in html
    cohort = at.selectbox(key="cohort-cl-a1")
    cohort.set_value("203.0.113.0/24").run()
    no_errors(at)
    assert "cohort 203.0.113.0/24" in drawings(at)[0] or "Account:a1-" in drawings(at)[0]


def test_root_deep_link_routes_to_the_page(world: Graph) -> None:
    at = open_page("overview", cluster="cl-a2")
    no_errors(at)
    assert at.title[0].value == "Cluster explorer"
    assert at.selectbox(key="cluster_pick").value == "cl-a2"


def test_look_up_an_account(world: Graph) -> None:
    at = open_page("lookup")
    at.text_input(key="lookup_q").set_value("acct:a1-001").run()
    no_errors(at)
    shown = texts(at)
    assert "Account a1-001" in shown
    assert "shares prepaid card tok-a1-1 with 4 other members" in shown
    assert "cl-a1" in frames(at)
    html = drawings(at)[0]
    assert "fp-hydra-1" in html and "tok-a1-1" in html


def test_lookup_fuzzy_and_typed_prefix(world: Graph) -> None:
    at = open_page("lookup")
    at.text_input(key="lookup_q").set_value("ip:203.0.113.4").run()
    no_errors(at)
    assert "IP 203.0.113.4" in texts(at)
    at.text_input(key="lookup_q").set_value("fp:fp-hydar-1").run()  # a typo still finds it
    no_errors(at)
    assert "ClientFingerprint fp-hydra-1" in texts(at)


def test_lookup_deep_link_and_privacy_switch(world: Graph) -> None:
    at = open_page("lookup", account="a1-002")
    no_errors(at)
    assert "Account a1-002" in texts(at)
    at.toggle(key="hide_personal").set_value(True).run()
    no_errors(at)
    shown = texts(at) + frames(at) + drawings(at)[0]
    leaks = [shown[max(0, m.start() - 60) : m.end()] for m in re.finditer(r"a1-0\d\d", shown)]
    assert not leaks
    assert "acct-" in shown


def test_run_a_library_query(world: Graph) -> None:
    at = open_page("queries", query="payment_shared_instruments")
    no_errors(at)
    assert at.selectbox(key="query_pick").value == "payment_shared_instruments"
    submit(at)
    no_errors(at)
    table = frames(at)
    assert "tok-a1-0" in table and "tok-corp" in table
    assert any("MATCH" in c.value for c in at.code)


def test_console_refuses_writes_and_runs_reads(world: Graph) -> None:
    at = open_page("queries")
    at.text_area(key="adhoc_cypher").set_value("CREATE (:Account {account_id: 'evil'})")
    at.button(key="adhoc_run").click().run()
    assert any("read-only" in e.value or "refused" in e.value for e in at.error)
    assert world.count("MATCH (a:Account {account_id: 'evil'}) RETURN count(a)") == 0
    at.text_area(key="adhoc_cypher").set_value(
        "MATCH p = (a:Account {account_id: 'a2-001'})-[:PAID_WITH]->(:PaymentInstrument) RETURN p"
    )
    at.button(key="adhoc_run").click().run()
    no_errors(at)
    assert "tok-a2-1" in drawings(at)[0]


def test_label_a_cluster_and_an_account(world: Graph) -> None:
    at = open_page("triage")
    at.selectbox(key="triage_cluster").set_value("cl-a2").run()
    form = "triage-cluster-cl-a2"
    at.radio(key=f"{form}-label").set_value("allowlisted")
    at.text_area(key=f"{form}-note").set_value("research lab benchmark, checked contract")
    at.text_input(key=f"{form}-by").set_value("dana")
    submit(at)
    no_errors(at)
    assert any("cl-a2: allowlisted" in read(s.value) for s in at.success)
    row = world.read(
        "MATCH (c:Cluster {cluster_id: 'cl-a2'}) RETURN c.triage_label AS l, c.triage_note AS n, "
        "c.triage_by AS b, c.triage_at IS NOT NULL AS t"
    )[0]
    assert row == {
        "l": "allowlisted",
        "n": "research lab benchmark, checked contract",
        "b": "dana",
        "t": True,
    }
    assert "cl-a2" in frames(at)  # recent labels
    # Allowlisted clusters leave the ban list.
    exports_page = open_page("exports")
    assert "40 accounts" in texts(exports_page) or "35 accounts" in texts(exports_page)
    at = open_page("triage", account="a1-003")
    at.radio(key="triage-account-label").set_value("confirmed")
    at.text_input(key="triage-account-by").set_value("dana")
    submit(at, -1)
    no_errors(at)
    assert (
        world.read("MATCH (a:Account {account_id: 'a1-003'}) RETURN a.triage_label AS l")[0]["l"]
        == "confirmed"
    )


def test_label_without_a_name_is_refused(world: Graph) -> None:
    at = open_page("triage")
    form = "triage-cluster-cl-a1"
    at.radio(key=f"{form}-label").set_value("false_positive")
    submit(at)
    assert any("name" in e.value for e in at.error)
    assert world.read("MATCH (c:Cluster {cluster_id: 'cl-a1'}) RETURN c.triage_label AS l")[0]["l"] is None


def test_exports_offer_ban_list_view_and_stix(world: Graph) -> None:
    at = open_page("exports")
    no_errors(at)
    assert "55 accounts" in texts(at)  # 60 members of flagged clusters minus 5 already banned
    at.selectbox(key="export_scope").set_value("cl-a1").run()
    no_errors(at)
    shown = texts(at)
    assert "35 accounts" in shown
    assert "8 IP indicators" in shown
    labels = [d.proto.label for d in at.get("download_button")]
    assert labels == ["Download ban list (CSV)", "Download GraphML", "Download JSON", "Download STIX bundle"]
    stix = next(c.value for c in at.code)
    # STIX ids are random UUIDs, which can contain any short string: check what is left without them.
    scrubbed = re.sub(r"--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "--", stix)
    assert "203.0.113.1" in scrubbed and "a1-0" not in scrubbed and "@" not in scrubbed.replace("@type", "")
    assert "100.64.1.1" not in stix  # CGNAT is never shared as an indicator
