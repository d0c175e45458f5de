"""Start, status and stop of a second local server, end to end through the command line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]


def _hydrascope(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hydrascope", *args], env=env, capture_output=True, text=True, timeout=300
    )


def test_start_status_stop_cycle(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env.update(HYDRASCOPE_STATE_DIR=str(tmp_path), HYDRASCOPE_BOLT_PORT=str(port))
    try:
        started = _hydrascope(["db", "start"], env)
        assert started.returncode == 0, started.stderr
        again = _hydrascope(["db", "start"], env)  # idempotent: says it already runs
        assert again.returncode == 0 and f"bolt://127.0.0.1:{port}" in again.stdout
        status = _hydrascope(["db", "status"], env)
        assert status.stdout.startswith("running") and f"bolt://127.0.0.1:{port}" in status.stdout
        password_file = tmp_path / "neo4j" / "password"
        assert password_file.stat().st_mode & 0o777 == 0o600
        secret = password_file.read_text().strip()
        assert secret not in started.stdout + started.stderr + status.stdout
        stopped = _hydrascope(["db", "stop"], env)
        assert stopped.returncode == 0 and "stopped" in stopped.stdout
        assert _hydrascope(["db", "status"], env).stdout.strip() == "stopped"
        # A restart reuses the data and the stored password.
        restarted = _hydrascope(["db", "start"], env)
        assert restarted.returncode == 0, restarted.stderr
        assert _hydrascope(["db", "status"], env).stdout.startswith("running")
    finally:
        _hydrascope(["db", "stop"], env)
    assert _hydrascope(["db", "status"], env).stdout.strip() == "stopped"
