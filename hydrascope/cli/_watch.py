"""The ``--watch`` loop of ``hydrascope ingest``: run a cycle, report how it went, sleep, repeat.

A scheduled service must outlive one bad cycle. The project's own errors already print one
line; anything else (a DuckDB error, the driver losing the server, a bug in detection) used to
end the loop, and with it the service, until someone restarted it. Now every ``Exception`` is
reported as one line (its type and message, with known secrets masked and the length bounded)
and the next cycle runs; only an interrupt (Ctrl-C, SIGTERM's ``SystemExit``) stops the loop.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

from rich.console import Console
from rich.markup import escape

from hydrascope.errors import HydrascopeError, LockHeld

log = logging.getLogger("hydrascope.watch")
MAX_MESSAGE_CHARS = 500
MASK = "***"


def _masked(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return text


def describe_failure(exc: BaseException, secrets: Iterable[str] = ()) -> str:
    """``Type: message`` of an unexpected exception, safe to print: every known secret (the
    database password) masked, on one line, at most ``MAX_MESSAGE_CHARS`` long (a DuckDB error
    can quote a whole statement)."""
    message = " ".join(_masked(str(exc), tuple(secrets)).split())
    if len(message) > MAX_MESSAGE_CHARS:
        message = message[: MAX_MESSAGE_CHARS - 1] + "…"
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def watch_loop(
    cycle: Callable[[int], object],
    interval_s: float,
    every_label: str,
    console: Console,
    secrets: Iterable[str] = (),
    max_cycles: int | None = None,
) -> int:
    """Run ``cycle(n)`` (``n`` = 0, 1, ...: a first-cycle-only option such as breaking a lease
    needs to know) every ``interval_s`` seconds, forever (or ``max_cycles`` times), and return
    how many cycles failed. A held lock skips the cycle; a project error prints its one line as
    before; any other exception is printed and logged (``hydrascope.watch``) as one line, and
    the loop goes on."""
    known = tuple(secrets)
    failures = 0
    done = 0
    while True:
        try:
            cycle(done)
        except LockHeld as exc:
            console.print(f"[yellow]skipped:[/yellow] {escape(_masked(str(exc), known))}", highlight=False)
        except HydrascopeError as exc:
            failures += 1
            console.print(f"[red]error:[/red] {escape(_masked(str(exc), known))}", highlight=False)
        except Exception as exc:  # the point of the loop: one failed cycle must not end the service
            failures += 1
            line = describe_failure(exc, known)
            log.error("watch cycle failed: %s", line)
            console.print(f"[red]failed:[/red] {escape(line)}; the next cycle runs", highlight=False)
        done += 1
        if max_cycles is not None and done >= max_cycles:
            return failures
        console.print(f"next run in {every_label}", highlight=False)
        time.sleep(interval_s)
