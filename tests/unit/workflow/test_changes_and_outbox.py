"""What changed between two runs (pure), and the alert outbox: JSONL by default, a webhook when
set, the file when the webhook fails, and the webhook's URL never logged."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pandas as pd
import pytest

from hydrascope.errors import ConfigError
from hydrascope.jobs.changes import cluster_changes, run_changes, summary
from hydrascope.workflow import outbox


def _frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


def test_each_kind_of_change_is_named_against_the_graph_as_found() -> None:
    before = _frame(
        [("cl-a", 10, True), ("cl-b", 5, False), ("cl-c", 8, True), ("cl-d", 4, False), ("cl-e", 6, True)],
        ["cluster_id", "size", "flagged"],
    )
    now = _frame(
        [
            ("cl-a", 14, True, "regrew", 0.9),
            ("cl-b", 9, True, "grew", 0.8),
            ("cl-c", 8, False, "stable", 0.3),
            ("cl-d", 4, False, "stable", 0.1),
            ("cl-f", 3, False, "born", 0.2),
        ],
        ["cluster_id", "size", "flagged", "lifecycle", "score"],
    )
    rows = {r["cluster_id"]: r for r in cluster_changes(before, now)}
    assert rows["cl-a"]["changes"] == ["regrew"] and rows["cl-a"]["previous_size"] == 10
    assert rows["cl-b"]["changes"] == ["grew", "newly flagged"]
    assert rows["cl-c"]["changes"] == ["cleared"]
    assert rows["cl-e"]["changes"] == ["vanished", "cleared"] and rows["cl-e"]["size"] == 0
    assert rows["cl-f"]["changes"] == ["born"] and rows["cl-f"]["previous_size"] == 0
    assert "cl-d" not in rows  # stable and unchanged: not a change
    frame = run_changes(json.dumps(list(rows.values())))
    counts = summary(frame)
    assert counts["cleared"] == 2 and counts["born"] == 1 and counts["merged"] == 0
    assert summary(run_changes(None)) == dict.fromkeys(counts, 0)


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[bytes], list[str]]]:
    """A webhook receiver on loopback that keeps every body it was sent, and its signature."""
    bodies: list[bytes] = []
    signatures: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
            signatures.append(self.headers.get("X-Hydrascope-Signature", ""))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook?token=s3cret", bodies, signatures
    server.shutdown()


def _message() -> dict:
    return outbox.payload(
        "alert-1", "watch-1", "regrowth: 2 new matches", "case-1", ["a1", "a2"], ["a1 =cmd"]
    )


def test_an_alert_goes_to_the_jsonl_file_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HYDRASCOPE_ALERT_OUTBOX", str(tmp_path / "out" / "alerts.jsonl"))
    monkeypatch.delenv("HYDRASCOPE_ALERT_WEBHOOK", raising=False)
    assert outbox.deliver(_message()) == str(tmp_path / "out" / "alerts.jsonl")
    outbox.deliver(_message())
    lines = (tmp_path / "out" / "alerts.jsonl").read_text().splitlines()
    assert len(lines) == 2 and json.loads(lines[0])["accounts"] == ["a1", "a2"]
    assert json.loads(lines[0])["matches"] == ["a1 =cmd"]  # data, kept as it is, in a JSON string


def test_a_webhook_gets_the_alert_and_a_failed_one_falls_back_to_the_file_unlogged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, receiver, caplog: pytest.LogCaptureFixture
) -> None:
    url, bodies, signatures = receiver
    monkeypatch.setenv("HYDRASCOPE_ALERT_OUTBOX", str(tmp_path / "alerts.jsonl"))
    monkeypatch.setenv("HYDRASCOPE_ALERT_WEBHOOK", url)
    monkeypatch.delenv("HYDRASCOPE_ALERT_WEBHOOK_SECRET", raising=False)
    assert outbox.deliver(_message()) == "webhook"
    assert json.loads(bodies[0])["alert_id"] == "alert-1" and signatures[0] == ""
    monkeypatch.setenv("HYDRASCOPE_ALERT_WEBHOOK_SECRET", "shared-key")
    assert outbox.deliver(_message()) == "webhook"
    expected = "sha256=" + hmac.new(b"shared-key", bodies[1], hashlib.sha256).hexdigest()
    assert signatures[1] == expected  # the receiver can check the body came from us
    assert not (tmp_path / "alerts.jsonl").exists()

    monkeypatch.setenv("HYDRASCOPE_ALERT_WEBHOOK", "http://127.0.0.1:9/hook?token=s3cret")  # nobody there
    with caplog.at_level(logging.WARNING, logger="hydrascope.alerts"):
        assert outbox.deliver(_message()) == str(tmp_path / "alerts.jsonl")
    assert "refused alert alert-1" in caplog.text and "s3cret" not in caplog.text
    assert len((tmp_path / "alerts.jsonl").read_text().splitlines()) == 1

    monkeypatch.setenv("HYDRASCOPE_ALERT_WEBHOOK", "file:///etc/passwd")
    with pytest.raises(ConfigError, match="http"):
        outbox.deliver(_message())
