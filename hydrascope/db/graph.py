"""Access to Neo4j: one driver factory and a small typed facade over it.

This module (with ``hydrascope.db``) is the only importer of ``neo4j``. Every call names its
database; reads run in read transactions (so the server itself refuses writes), writes in managed
write transactions that the driver retries on transient errors; driver errors are re-raised as the
project's own exceptions with the cause chained.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import neo4j
from neo4j import GraphDatabase, Query
from neo4j import exceptions as neo4j_errors

from hydrascope.config import Neo4jSettings
from hydrascope.db.settings import neo4j_settings
from hydrascope.errors import AuthenticationFailed, DatabaseUnavailable, QueryError, WriteRefused

log = logging.getLogger(__name__)
# The server's notifications (unused variable, Cartesian product...) are shown where they matter,
# in the query console's EXPLAIN preview; the driver's own logging of them is only noise.
logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)
T = TypeVar("T")
Row = dict[str, Any]


@dataclass(frozen=True)
class WriteSummary:
    """Counters of a write, summed over batches."""

    nodes_created: int = 0
    nodes_deleted: int = 0
    relationships_created: int = 0
    relationships_deleted: int = 0
    properties_set: int = 0

    def __add__(self, other: WriteSummary) -> WriteSummary:
        return WriteSummary(*(getattr(self, f) + getattr(other, f) for f in self.__dataclass_fields__))


def _summary(counters: neo4j.SummaryCounters) -> WriteSummary:
    return WriteSummary(
        counters.nodes_created,
        counters.nodes_deleted,
        counters.relationships_created,
        counters.relationships_deleted,
        counters.properties_set,
    )


@contextmanager
def translate_errors(settings: Neo4jSettings) -> Iterator[None]:
    """Re-raise driver errors as the project's own, with a message a user can act on."""
    try:
        yield
    except neo4j_errors.AuthError as exc:
        raise AuthenticationFailed(
            f"Neo4j at {settings.uri} refused the credentials for user {settings.user!r}"
            + (
                " (the local password is in the state folder: `hydrascope db password`)"
                if settings.local
                else ""
            )
        ) from exc
    except neo4j_errors.ServiceUnavailable as exc:
        if isinstance(exc.__cause__, TimeoutError):
            # Connected, then silence past the server's own keep-alive window: the server took the
            # request but never answered. Neo4j does this when it fails to pack a result (a value
            # nested thousands of levels deep overflows its stack and no error is sent).
            raise QueryError(
                f"Neo4j at {settings.uri} took the query but stopped answering and the connection was "
                "dropped; a result nested thousands of levels deep does this (return a flatter value), "
                "otherwise the server is overloaded: see `hydrascope db status`"
            ) from exc
        hint = (
            "start it with `hydrascope db start`"
            if settings.local
            else "check NEO4J_URI and that the server runs"
        )
        raise DatabaseUnavailable(f"Neo4j is not reachable at {settings.uri}: {hint}") from exc
    except neo4j_errors.ClientError as exc:
        code = exc.code or ""
        if (
            "AccessMode" in code
            or "WriteOnReadOnlyAccessDbException" in code
            or "ForbiddenOnReadOnly" in code
        ):
            raise WriteRefused(
                "this query writes to the graph, and this console is read-only: only reads are allowed"
            ) from exc
        raise QueryError(f"Neo4j refused the query: {exc.message} ({code})") from exc
    except neo4j_errors.DriverError as exc:
        raise QueryError(f"Neo4j driver error: {exc}") from exc
    except neo4j_errors.Neo4jError as exc:
        raise QueryError(f"Neo4j error: {exc.message} ({exc.code})") from exc


class Graph:
    """A connection to one database of one server. Create once per process and pass it in."""

    def __init__(self, driver: neo4j.Driver, settings: Neo4jSettings) -> None:
        self.driver = driver
        self.settings = settings
        self.database = settings.database

    # ---------------------------------------------------------------------- lifecycle
    def close(self) -> None:
        self.driver.close()

    def __enter__(self) -> Graph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def verify(self) -> None:
        """Fail fast with a clear message when the server is down or the password is wrong."""
        with translate_errors(self.settings):
            self.driver.verify_connectivity()
            self.driver.verify_authentication()

    # ---------------------------------------------------------------------- reads
    def read(
        self,
        cypher: str,
        params: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        retry: bool = True,
    ) -> list[Row]:
        """Run a query in a read transaction and return its rows as dicts.

        The read transaction is what makes a read safe: the server refuses any write inside it.
        ``retry=False`` runs it once: an analyst's ad-hoc query that broke its connection is
        reported, not re-sent for half a minute (see ``_in_read``).
        """

        def work(tx: neo4j.ManagedTransaction | neo4j.Transaction) -> list[Row]:
            return [record.data() for record in tx.run(cypher, dict(params or {}))]

        return self._in_read(work, timeout, retry)

    def read_records(
        self,
        cypher: str,
        params: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        retry: bool = True,
    ) -> tuple[list[str], list[list[Any]]]:
        """Like ``read`` but keeps graph values (nodes, relationships, paths) for drawing."""

        def work(tx: neo4j.ManagedTransaction | neo4j.Transaction) -> tuple[list[str], list[list[Any]]]:
            result = tx.run(cypher, dict(params or {}))
            rows = [list(record.values()) for record in result]
            return list(result.keys()), rows

        return self._in_read(work, timeout, retry)

    def _in_read(
        self,
        work: Callable[[neo4j.ManagedTransaction | neo4j.Transaction], T],
        timeout: float | None,
        retry: bool,
    ) -> T:
        """``work`` in one read transaction: managed (retried on transient errors) or run once.

        Both are read mode, so the server refuses writes either way. The driver retries a dropped
        connection for up to ``max_transaction_retry_time``; for a query the server cannot answer
        that is the same silence again and again, so the console runs its queries once.
        """
        with (
            translate_errors(self.settings),
            self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session,
        ):
            if retry:
                return session.execute_read(neo4j.unit_of_work(timeout=timeout)(work))
            with session.begin_transaction(timeout=timeout) as tx:
                return work(tx)

    def read_tx(self, work: Callable[[neo4j.ManagedTransaction], T]) -> T:
        """Run a caller's function in one read transaction (several queries, one snapshot)."""
        with translate_errors(self.settings), self.driver.session(database=self.database) as session:
            return session.execute_read(work)

    def explain(self, cypher: str, params: Mapping[str, Any] | None = None) -> neo4j.ResultSummary:
        """``EXPLAIN`` a query (parses and plans it, runs nothing) in a read transaction."""

        def work(tx: neo4j.ManagedTransaction) -> neo4j.ResultSummary:
            return tx.run("EXPLAIN " + cypher, dict(params or {})).consume()

        with translate_errors(self.settings), self.driver.session(database=self.database) as session:
            return session.execute_read(work)

    # ---------------------------------------------------------------------- writes
    def write(self, cypher: str, params: Mapping[str, Any] | None = None) -> WriteSummary:
        """Run one statement in a managed write transaction (retried on transient errors)."""

        def work(tx: neo4j.ManagedTransaction) -> WriteSummary:
            return _summary(tx.run(cypher, dict(params or {})).consume().counters)

        with translate_errors(self.settings), self.driver.session(database=self.database) as session:
            return session.execute_write(work)

    def write_count(self, cypher: str, params: Mapping[str, Any] | None = None) -> int:
        """Run one statement returning a single number (e.g. ``RETURN count(*)``) in a managed write
        transaction, and return that number: lets a writer check every row it sent was written."""

        def work(tx: neo4j.ManagedTransaction) -> int:
            record = tx.run(cypher, dict(params or {})).single()
            return int(record[0]) if record is not None and record[0] is not None else 0

        with translate_errors(self.settings), self.driver.session(database=self.database) as session:
            return session.execute_write(work)

    def write_read(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        """Run one statement in a managed write transaction and return its rows: for a write whose
        outcome the caller must see (a conditional update, such as taking a lease)."""

        def work(tx: neo4j.ManagedTransaction) -> list[Row]:
            return [record.data() for record in tx.run(cypher, dict(params or {}))]

        with translate_errors(self.settings), self.driver.session(database=self.database) as session:
            return session.execute_write(work)

    def write_rows(
        self,
        cypher: str,
        rows: Sequence[Mapping[str, Any]],
        batch_size: int = 5000,
        params: Mapping[str, Any] | None = None,
        on_batch: Callable[[int], None] | None = None,
    ) -> WriteSummary:
        """Write ``rows`` through an ``UNWIND $rows`` statement, one transaction per batch.

        Each batch is retried as a whole on transient errors (deadlocks, leader switches), and MERGE
        makes a retried batch harmless. ``on_batch`` receives the rows done, for progress bars.
        """
        total = WriteSummary()
        extra = dict(params or {})
        for start in range(0, len(rows), batch_size):
            batch = list(rows[start : start + batch_size])
            total = total + self.write(cypher, {**extra, "rows": batch})
            if on_batch:
                on_batch(len(batch))
        return total

    def run_autocommit(self, cypher: str, params: Mapping[str, Any] | None = None) -> WriteSummary:
        """An auto-commit statement: needed by ``CALL { ... } IN TRANSACTIONS`` and schema commands."""
        with translate_errors(self.settings), self.driver.session(database=self.database) as session:
            result = session.run(Query(cypher), dict(params or {}))
            return _summary(result.consume().counters)

    def count(self, cypher: str, params: Mapping[str, Any] | None = None) -> int:
        """A query returning one number in its first column."""
        rows = self.read(cypher, params)
        return int(next(iter(rows[0].values()))) if rows else 0


def connect(settings: Neo4jSettings | None = None, verify: bool = True) -> Graph:
    """The one driver factory. ``verify`` checks reachability and credentials up front."""
    settings = settings or neo4j_settings()
    driver = GraphDatabase.driver(
        settings.uri,
        auth=(settings.user, settings.password),
        max_transaction_retry_time=30.0,
        connection_acquisition_timeout=30.0,
        user_agent="hydrascope",
    )
    graph = Graph(driver, settings)
    if verify:
        try:
            graph.verify()
        except Exception:
            driver.close()
            raise
    return graph


def iter_batches(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    """Split an iterable into lists of at most ``size`` items."""
    batch: list[T] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
