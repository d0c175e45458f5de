"""Settings, read from the environment: the state folder, the local Bolt port, the settings' shape.

``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD`` and ``NEO4J_DATABASE`` point everything at a
server of the user's (docker compose, a cluster, Aura). Without ``NEO4J_URI`` the project's own
local Neo4j is used: its Bolt port and generated password live in the state folder.

A leaf of the package (it imports nothing of the project's but ``errors``): resolving the settings
in force needs the local server, so that lives above both, in ``hydrascope.db.settings``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from hydrascope.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BOLT_PORT = 7687


def state_dir() -> Path:
    """Project-local state (local Neo4j data, password, ingest store, locks); git-ignored.

    ``HYDRASCOPE_STATE_DIR`` overrides it (tests use their own, so they never touch a developer's
    graph). A source checkout keeps it next to ``pyproject.toml``; an installed copy uses the home.
    """
    override = os.environ.get("HYDRASCOPE_STATE_DIR")
    if override:
        return Path(override).expanduser().resolve()
    if (PROJECT_ROOT / "pyproject.toml").exists():
        return PROJECT_ROOT / ".hydrascope"
    return Path.home() / ".hydrascope"


def data_dir() -> Path:
    """Where ingest keeps its columnar store of raw events (Parquet) and rejects files."""
    override = os.environ.get("HYDRASCOPE_DATA_DIR")
    return Path(override).expanduser().resolve() if override else state_dir() / "data"


@dataclass(frozen=True)
class Neo4jSettings:
    """Where and how to connect. ``local`` is true for the project's own embedded server."""

    uri: str
    user: str
    password: str
    database: str
    local: bool

    def redacted(self) -> str:
        """A description safe to print or log: never the password."""
        return f"{self.uri} (user {self.user}, database {self.database})"


def local_bolt_port() -> int:
    """The local server's Bolt port (``HYDRASCOPE_BOLT_PORT``; tests and helpers move it)."""
    raw = os.environ.get("HYDRASCOPE_BOLT_PORT", str(DEFAULT_BOLT_PORT))
    try:
        port = int(raw)
    except ValueError as exc:
        raise ConfigError(f"HYDRASCOPE_BOLT_PORT must be a port number, not {raw!r}") from exc
    return port


DEFAULT_LEASE_TTL_S = 600


def lease_ttl_seconds() -> int:
    """How long the graph's writer lease lasts without a renewal (``HYDRASCOPE_LEASE_TTL``, seconds;
    default 10 minutes). A holder renews it every fifth of that; a crashed holder on another host
    blocks writers for at most this long (on the same host a dead holder is seen at once)."""
    raw = os.environ.get("HYDRASCOPE_LEASE_TTL", str(DEFAULT_LEASE_TTL_S))
    try:
        ttl = int(raw)
    except ValueError:
        ttl = 0
    if ttl < 1:
        raise ConfigError(f"HYDRASCOPE_LEASE_TTL must be a whole number of seconds >= 1, not {raw!r}")
    return ttl
