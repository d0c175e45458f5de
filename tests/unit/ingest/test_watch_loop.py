"""``hydrascope ingest --watch``: a failed cycle of any kind is one line, and the loop goes on."""

from __future__ import annotations

import io
import logging

import duckdb
import pytest
from rich.console import Console

from hydrascope.cli._watch import MAX_MESSAGE_CHARS, describe_failure, watch_loop
from hydrascope.errors import InputError, LockHeld

PASSWORD = "s3cret-pa55word"


def _console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=200, highlight=False), out


def test_every_kind_of_failure_is_reported_and_the_next_cycle_runs(caplog: pytest.LogCaptureFixture) -> None:
    ran: list[int] = []

    def cycle(n: int) -> None:
        assert n == len(ran)  # the cycle number, from 0
        ran.append(n)
        if len(ran) == 1:  # DuckDB: a real error from the real engine
            duckdb.connect().execute("SELECT * FROM events_that_are_not_there")
        if len(ran) == 2:  # a bug below the CLI whose message carries the password
            raise ValueError(f"could not score cluster; settings were neo4j:{PASSWORD}@db")
        if len(ran) == 3:
            raise InputError("bundle directory /nowhere does not exist")
        if len(ran) == 4:
            raise LockHeld("another ingest holds the lock")

    console, out = _console()
    with caplog.at_level(logging.ERROR, logger="hydrascope.watch"):
        failures = watch_loop(cycle, 0, "1s", console, secrets=[PASSWORD], max_cycles=5)
    text = out.getvalue()
    assert ran == [0, 1, 2, 3, 4]  # the loop outlived every failure
    assert failures == 3  # the held lock is a skip, not a failure
    assert "failed: CatalogException:" in text and "events_that_are_not_there" in text
    assert "failed: ValueError: could not score cluster" in text
    assert "error: bundle directory /nowhere does not exist" in text
    assert "skipped: another ingest holds the lock" in text
    assert text.count("next run in 1s") == 4
    assert PASSWORD not in text and "***" in text
    logged = [r.getMessage() for r in caplog.records]
    assert len(logged) == 2 and all(PASSWORD not in m for m in logged)
    assert "Traceback" not in text


def test_an_interrupt_still_stops_the_loop() -> None:
    def cycle(n: int) -> None:
        raise KeyboardInterrupt

    console, _ = _console()
    with pytest.raises(KeyboardInterrupt):
        watch_loop(cycle, 0, "1s", console, max_cycles=3)


def test_a_failure_is_one_bounded_line() -> None:
    line = describe_failure(RuntimeError("select\n" + "x" * 5000 + PASSWORD), [PASSWORD])
    assert "\n" not in line and len(line) <= MAX_MESSAGE_CHARS + len("RuntimeError: ")
    assert line.startswith("RuntimeError: select x") and PASSWORD not in line
    assert describe_failure(RuntimeError()) == "RuntimeError"
