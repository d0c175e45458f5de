"""``hydrascope ingest`` / ``python -m ingest`` as a scheduler runs it: summary, exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from bundle_kit import base_tables, counts, write_bundle

from hydrascope.cli import main

pytestmark = pytest.mark.neo4j


def _exit_code(args: list[str]) -> int:
    with pytest.raises(SystemExit) as exited:
        main(["ingest", *args])
        raise SystemExit(0)
    return int(exited.value.code or 0)


def test_python_m_ingest_loads_a_bundle(tmp_path: Path, graph) -> None:
    tables = base_tables()
    env = {**os.environ, "HYDRASCOPE_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "160"}
    bundle = str(write_bundle(tmp_path / "ok", tables))
    ok = subprocess.run(
        [sys.executable, "-m", "ingest", bundle, "--no-progress", "--ttl", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ok.returncode == 0, ok.stderr
    assert "succeeded" in ok.stdout and "requests" in ok.stdout and "Traceback" not in ok.stderr
    assert counts(graph)["sum:account_requests"] == len(tables["requests"])


def test_exit_codes_and_clear_messages(tmp_path: Path, graph, monkeypatch, capsys) -> None:
    monkeypatch.setenv("HYDRASCOPE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "160")
    tables = base_tables()
    bad = write_bundle(
        tmp_path / "bad", {"accounts": [*tables["accounts"], {"account_id": "", "email": "x"}]}
    )
    assert _exit_code([str(bad), "--no-progress"]) == 3
    out = capsys.readouterr()
    assert "1 rows rejected" in out.out and "every good row was loaded" in out.err
    assert graph.count("MATCH (a:Account) RETURN count(a) AS c") == 4

    assert _exit_code([str(tmp_path / "nowhere")]) == 1
    assert "does not exist" in capsys.readouterr().err

    assert _exit_code([str(bad), "--only", "sessions"]) == 1
    assert "unknown table(s) sessions" in capsys.readouterr().err

    assert _exit_code([str(bad), "--dry-run", "--no-progress"]) == 3
    assert "dry run" in capsys.readouterr().out


def test_detect_after_ingest_prints_one_summary_line(tmp_path: Path, graph, monkeypatch, capsys) -> None:
    monkeypatch.setenv("HYDRASCOPE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "200")
    bundle = write_bundle(tmp_path / "ok", base_tables())
    assert _exit_code([str(bundle), "--no-progress", "--detect"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("detect ")]
    assert len(lines) == 1 and "flagged clusters of" in lines[0] and "campaigns" in lines[0]
    assert graph.count("MATCH (r:IngestRun {status: 'succeeded'}) RETURN count(r)") == 1
