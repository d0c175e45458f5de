"""The workflow on the command line: watches and alerts, the console and exports checked by role
and recorded, and ``hydrascope audit`` printing the trail."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from hydrascope.cli import main
from hydrascope.db import Graph

pytestmark = pytest.mark.neo4j


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exited:
        main(args)
        raise SystemExit(0)
    captured = capsys.readouterr()
    return int(exited.value.code or 0), captured.out + captured.err


@pytest.fixture
def roles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "roles.toml"
    path.write_text('default = "viewer"\n[analysts]\nalice = "analyst"\n', encoding="utf-8")
    monkeypatch.setenv("HYDRASCOPE_ROLES", str(path))
    monkeypatch.setenv("HYDRASCOPE_ALERT_OUTBOX", str(tmp_path / "alerts.jsonl"))
    monkeypatch.setenv("COLUMNS", "200")


def test_watch_alerts_console_exports_and_the_trail(
    graph: Graph, roles: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    graph.write(
        "CREATE (:Account {account_id: 'bad', status: 'banned', "
        "created_at: datetime('2026-01-01T00:00:00Z')})"
        "-[:PAID_WITH]->(:PaymentInstrument {instrument_id: 'card-9'})"
    )
    monkeypatch.setenv("HYDRASCOPE_ANALYST", "victor")
    code, out = _cli(["watch", "add", "--kind", "born_on_banned"], capsys)
    assert code == 77 and "a viewer may not watch" in out
    code, out = _cli(["query", "--cypher", "MATCH (a:Account) RETURN count(a) AS n"], capsys)
    assert code == 77 and "may not console" in out
    code, out = _cli(["export", "leads", "--out", str(tmp_path / "leads.csv")], capsys)
    assert code == 77 and not (tmp_path / "leads.csv").exists()

    monkeypatch.setenv("HYDRASCOPE_ANALYST", "alice")
    code, out = _cli(["watch", "add", "--kind", "born_on_banned", "--name", "card regrowth"], capsys)
    assert code == 0 and "0 current matches taken as its baseline" in out
    watch_id = out.split()[1].rstrip(":")
    graph.write(
        "MATCH (p:PaymentInstrument {instrument_id: 'card-9'}) "
        "CREATE (:Account {account_id: 'new', status: 'active', "
        "created_at: datetime('2026-01-03T00:00:00Z')})"
        "-[:PAID_WITH]->(p)"
    )
    code, out = _cli(["watch", "run"], capsys)
    assert code == 0 and "1 evaluated, 1 alerts raised (card regrowth: 1 new match -> case-" in out
    code, out = _cli(["alerts", "--unread"], capsys)
    assert "card regrowth: 1 new match" in out
    assert json.loads((tmp_path / "alerts.jsonl").read_text())["accounts"] == ["new"]
    code, out = _cli(["watch", "pause", watch_id], capsys)
    assert code == 0 and graph.count("MATCH (w:Watch {active: false}) RETURN count(w)") == 1
    code, out = _cli(["watch", "list"], capsys)
    assert watch_id in out and "False" in out
    code, out = _cli(["query", "--cypher", "MATCH (a:Account) RETURN count(a) AS n"], capsys)
    assert code == 0
    code, out = _cli(["export", "flagged", "--out", str(tmp_path / "bans.csv")], capsys)
    assert code == 77  # an analyst is no admin: the ban list is refused

    code, out = _cli(["audit", "--since", "1h", "--format", "csv"], capsys)
    rows = list(csv.DictReader(io.StringIO(out[: out.rindex("\r\n") + 2])))
    seen = [(r["analyst"], r["action"], r["outcome"]) for r in reversed(rows)]
    assert seen == [
        ("victor", "watch", "refused"),
        ("victor", "console", "refused"),
        ("victor", "export", "refused"),
        ("alice", "watch_save", "done"),
        ("hydrascope scheduler", "case_open", "done"),
        ("hydrascope scheduler", "alert", "done"),
        ("alice", "watch_update", "done"),
        ("alice", "console", "done"),
        ("alice", "export_ban_list", "refused"),
    ]
    console = next(r for r in rows if r["action"] == "console" and r["outcome"] == "done")
    assert json.loads(console["detail"])["from"] == "command line"
    code, out = _cli(["audit", "--since", "1h", "--analyst", "victor"], capsys)
    assert code == 0 and "3 entries since" in out
    code, out = _cli(["audit", "--since", "yesterday-ish"], capsys)
    assert code != 0 and "neither a duration" in out
