"""``python -m ingest`` is ``hydrascope ingest``, reached through the installed entry point."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_python_m_ingest_runs_the_hydrascope_ingest_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ingest", "--help"], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: hydrascope ingest")
    assert "--watch" in result.stdout


def test_python_m_ingest_reports_errors_like_the_command(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-bundle"
    result = subprocess.run(
        [sys.executable, "-m", "ingest", str(missing), "--dry-run", "--no-progress"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert str(missing.name) in result.stderr + result.stdout
