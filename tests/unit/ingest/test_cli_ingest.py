"""Command-line parsing of the ingest command (the command itself runs in integration tests)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hydrascope.cli.ingest import parse_duration
from hydrascope.errors import InputError
from ingest.run import parse_time


def test_durations() -> None:
    assert parse_duration("15m") == timedelta(minutes=15)
    assert parse_duration("180d") == timedelta(days=180)
    assert parse_duration("90") == timedelta(seconds=90)
    with pytest.raises(InputError, match="not a duration"):
        parse_duration("soon")


def test_since_times_are_utc() -> None:
    assert parse_time("2026-02-01T00:00:00Z").isoformat() == "2026-02-01T00:00:00+00:00"
    assert parse_time("2026-02-01 01:00:00+01:00").isoformat() == "2026-02-01T00:00:00+00:00"
    assert parse_time("2026-02-01").isoformat() == "2026-02-01T00:00:00+00:00"
    with pytest.raises(InputError, match="not an ISO-8601 time"):
        parse_time("last tuesday")


def test_detect_needs_a_graph() -> None:
    from click.testing import CliRunner

    from hydrascope.cli.ingest import ingest

    result = CliRunner().invoke(ingest, ["somewhere", "--dry-run", "--detect"])
    assert result.exit_code == 2 and "--detect needs a graph" in result.output
