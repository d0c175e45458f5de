"""The analyst's two days on the real stack, end to end.

Day 1: the simulator's ``tiny`` world up to just after its ban wave is ingested with ``--detect``
through the command line; an analyst saves a watch for new accounts born on banned
infrastructure. Day 2: the whole world (the operator's replacement accounts, created within hours
of the bans) is ingested with ``--detect``: exactly one alert is raised and one case opened for
exactly the replacements. The analyst confirms them in bulk in the app, and the ban list holds
them; a viewer's attempts to label and export are refused. The audit trail holds every step with
the right analyst and the ingest and detection runs each step saw; What changed shows the regrowth.
"""

from __future__ import annotations

import csv
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from test_pages import ban_list_download, frames, no_errors, open_page, submit, texts

from hydrascope.cli import main
from hydrascope.db import Graph
from hydrascope.workflow import audit, cases, watches

pytestmark = pytest.mark.neo4j

# Just after the tiny world's ban wave (seed 1: seven bans from 00:15 to 01:36), before the
# operator's first replacement account (01:57).
DAY_ONE_ENDS = datetime(2026, 1, 17, 1, 50, tzinfo=UTC)
TIMED = {
    "accounts": "created_at",
    "payment_methods": "first_seen",
    "api_keys": "created_at",
    "requests": "ts",
    "logins": "ts",
    "enforcement": "ts",
}


def _day_one(full: Path, out: Path) -> Path:
    shutil.copytree(full, out)
    for name, column in TIMED.items():
        table = pq.read_table(full / f"{name}.parquet")
        before = pc.less(table[column], pa.scalar(DAY_ONE_ENDS, table.schema.field(column).type))
        pq.write_table(table.filter(pc.fill_null(before, True)), out / f"{name}.parquet")
    return out


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exited:
        main(args)
        raise SystemExit(0)
    return int(exited.value.code or 0), " ".join(capsys.readouterr().out.split())


def _runs(graph: Graph) -> tuple[str, str]:
    ingest = graph.read("MATCH (r:IngestRun) RETURN r.run_id AS id ORDER BY r.started_at DESC LIMIT 1")
    detect = graph.read("MATCH (r:DetectionRun) RETURN r.run_id AS id ORDER BY r.at DESC LIMIT 1")
    return ingest[0]["id"], detect[0]["id"]


def test_day_two_regrowth_raises_one_alert_that_an_analyst_confirms_into_the_ban_list(
    graph: Graph, tiny_bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("HYDRASCOPE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HYDRASCOPE_ALERT_OUTBOX", str(tmp_path / "alerts.jsonl"))
    monkeypatch.delenv("HYDRASCOPE_ALERT_WEBHOOK", raising=False)
    monkeypatch.setenv("COLUMNS", "250")
    roles = tmp_path / "roles.toml"
    roles.write_text('default = "viewer"\n[analysts]\ndana = "admin"\n', encoding="utf-8")
    monkeypatch.setenv("HYDRASCOPE_ROLES", str(roles))
    day_one = _day_one(tiny_bundle, tmp_path / "day1")
    ingest = ["ingest", "--no-progress", "--ttl", "0", "--detect"]

    code, out = _cli([*ingest[:1], str(day_one), *ingest[1:]], capsys)
    assert code == 0 and "watches: 0 evaluated, 0 alerts raised" in out
    day_one_runs = _runs(graph)
    monkeypatch.setenv("HYDRASCOPE_ANALYST", "dana")
    code, out = _cli(["watch", "add", "--kind", "born_on_banned", "--name", "regrowth"], capsys)
    assert code == 0 and "saved watch-" in out

    code, out = _cli([*ingest[:1], str(tiny_bundle), *ingest[1:]], capsys)
    assert code == 0 and "watches: 1 evaluated, 1 alerts raised" in out
    day_two_runs = _runs(graph)
    assert day_two_runs[0] != day_one_runs[0] and day_two_runs[1] != day_one_runs[1]
    truth = pq.read_table(tiny_bundle / "truth" / "accounts.parquet").to_pandas()
    accounts = pq.read_table(tiny_bundle / "accounts.parquet").to_pandas().merge(truth, on="account_id")
    replacements = set(
        accounts.loc[
            (accounts["campaign_id"] == "camp_01") & (accounts["created_at"] >= DAY_ONE_ENDS), "account_id"
        ]
    )
    assert len(replacements) >= 5
    (alert,) = watches.read_alerts(graph, "dana").to_dict("records")
    (case_id,) = cases.read_queue(graph)["case_id"]
    assert alert["case_id"] == case_id and alert["unread"]
    assert set(cases.case_accounts(graph, case_id)) == replacements  # no honest account among them
    code, out = _cli(["watch", "run"], capsys)
    assert "0 alerts raised" in out  # the same matches never alert twice

    changed = open_page("changes")
    no_errors(changed)
    assert "regrew" in frames(changed)
    alerts_page = open_page("alerts")
    alerts_page.text_input(key="analyst").set_value("dana").run()
    assert "1 unread of 1 alerts" in texts(alerts_page)

    monkeypatch.delenv("HYDRASCOPE_ANALYST")
    page = open_page("cases", case=case_id)
    page.text_input(key="analyst").set_value("dana").run()
    no_errors(page)
    page.text_area(key=f"case-decide-note-{case_id}").set_value(
        "replacements on the banned cards and devices"
    )
    page.radio(key=f"case-decide-label-{case_id}").set_value("confirmed")
    page = submit(page, index=1)
    no_errors(page)
    labels = graph.read(
        "MATCH (:Case {case_id: $id})-[:CONCERNS_ACCOUNT]->(a) "
        "RETURN DISTINCT a.triage_label AS l, a.triage_by AS by",
        {"id": case_id},
    )
    assert labels == [{"l": "confirmed", "by": "dana"}]
    banned, exports_page = ban_list_download(monkeypatch, include_banned=False)
    exports_page.text_input(key="analyst").set_value("dana").run()
    assert replacements <= {row["account_id"] for row in banned}
    monkeypatch.setenv("HYDRASCOPE_ANALYST", "victor")  # a viewer, by the roles file's default
    code, out = _cli(["export", "flagged", "--out", str(tmp_path / "bans.csv")], capsys)
    assert code == 77 and not (tmp_path / "bans.csv").exists()
    monkeypatch.setenv("HYDRASCOPE_ANALYST", "dana")
    code, out = _cli(["export", "flagged", "--out", str(tmp_path / "bans.csv")], capsys)
    with (tmp_path / "bans.csv").open(encoding="utf-8") as exported:
        assert code == 0 and replacements <= {row["account_id"] for row in csv.DictReader(exported)}

    viewer = open_page("cases", case=case_id)
    viewer.text_input(key="analyst").set_value("victor").run()
    viewer.text_area(key=f"case-decide-note-{case_id}").set_value("trying")
    viewer.radio(key=f"case-decide-label-{case_id}").set_value("false_positive")
    viewer = submit(viewer, index=1)
    assert "a viewer may not label" in viewer.error[0].value
    assert graph.count("MATCH (a:Account {triage_label: 'false_positive'}) RETURN count(a)") == 0

    trail = audit.read_events(graph).iloc[::-1]
    steps = list(zip(trail["analyst"], trail["action"], trail["outcome"], strict=True))
    assert steps[:4] == [
        ("dana", "watch_save", "done"),
        ("hydrascope scheduler", "case_open", "done"),
        ("hydrascope scheduler", "alert", "done"),
        ("dana", "label", "done"),
    ]
    assert ("dana", "case_update", "done") in steps and ("dana", "export", "done") in steps
    refused = trail[trail["outcome"] == "refused"]
    assert set(refused["action"]) == {"export_ban_list", "label"}
    assert "victor" in set(refused["analyst"])
    saved = trail.iloc[0]
    assert (saved["ingest_run"], saved["detect_run"]) == day_one_runs
    later = trail.iloc[1:]
    assert set(zip(later["ingest_run"], later["detect_run"], strict=True)) == {day_two_runs}
