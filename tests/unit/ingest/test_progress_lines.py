"""Ingest's live progress lines: stage start/end from ``IngestReport.timed`` and throttled
committed-row counts from ``batch_progress`` (what ``hydrascope demo prepare`` prints)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from ingest.report import PROGRESS, IngestReport, batch_progress


def test_each_timed_stage_says_when_it_starts_and_how_long_it_took(caplog: pytest.LogCaptureFixture) -> None:
    report = IngestReport("run-1", "/bundle", 1, datetime.now(UTC))
    with caplog.at_level(logging.INFO, logger=PROGRESS.name), report.timed("aggregate"):
        assert [r.getMessage() for r in caplog.records] == ["aggregate ..."]
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0] == "aggregate ..." and lines[1].startswith("aggregate: ") and lines[1].endswith(" s")
    assert "aggregate" in report.timings


def test_batch_lines_are_throttled_per_step(caplog: pytest.LogCaptureFixture) -> None:
    hook = batch_progress(every=3600)
    with caplog.at_level(logging.INFO, logger=PROGRESS.name):
        for done in (5_000, 10_000, 15_000):
            hook("Account", done)
        hook("USED_IP", 2_500)
    assert [r.getMessage() for r in caplog.records] == [
        "write Account: 5,000 rows committed",
        "write USED_IP: 2,500 rows committed",
    ]


def test_every_batch_is_reported_when_not_throttled(caplog: pytest.LogCaptureFixture) -> None:
    hook = batch_progress(every=0)
    with caplog.at_level(logging.INFO, logger=PROGRESS.name):
        hook("Account", 1)
        hook("Account", 2)
    assert len(caplog.records) == 2


def test_progress_is_silent_without_a_handler() -> None:
    """Library callers and the plain ``hydrascope ingest`` print nothing new: INFO is below the
    default threshold and the logger has no handler of its own."""
    assert not PROGRESS.handlers and not PROGRESS.isEnabledFor(logging.INFO)
