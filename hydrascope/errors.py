"""The project's own exceptions.

Driver, file and validation errors are re-raised as one of these with the cause chained, so that
the command line can print one clear line (never a traceback) and callers can catch one family.
"""

from __future__ import annotations


class HydrascopeError(Exception):
    """Base class; ``exit_code`` is what the command line exits with."""

    exit_code = 1


class ConfigError(HydrascopeError):
    """A setting or prerequisite (Java, Maven, a password file) is missing or wrong."""


class DatabaseUnavailable(HydrascopeError):
    """The Neo4j server cannot be reached."""


class AuthenticationFailed(HydrascopeError):
    """The Neo4j server refused the credentials."""


class QueryError(HydrascopeError):
    """Cypher failed on the server (syntax, constraint, timeout...)."""


class WriteRefused(QueryError):
    """A read-only session was asked to write."""


class PermissionRefused(HydrascopeError):
    """The analyst's role does not allow what they asked (recorded in the audit trail)."""

    exit_code = 77  # EX_NOPERM


class InputError(HydrascopeError):
    """User input (a file, a table, a parameter) is not acceptable."""


class LockHeld(HydrascopeError):
    """Another run holds the lock (for example an ingest already running)."""

    exit_code = 75


class LeaseHeld(LockHeld):
    """Another process, on this host or another, holds the graph's writer lease: exit 75 like a
    held lock (the run did nothing; a scheduler tries again later)."""


class LeaseLost(HydrascopeError):
    """This run's writer lease was taken over (broken by an operator, or expired and taken) while
    it worked: the run stopped at its next checkpoint instead of writing on beside the new holder."""
