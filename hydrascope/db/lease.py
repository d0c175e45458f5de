"""The graph's writer lease: one ingest or detection run writes to a database at a time, whichever
host it runs on.

Why in the graph: a file lock only excludes runs on one host, yet every host pointed at one
``NEO4J_URI`` writes the same graph, and the runs' tag-based cleanups (``lastupdated <
$update_tag``) delete what another run is writing. The lease is one node, ``(:Lease {name:
'writer'})``, under the schema's uniqueness constraint on ``name``.

How:

- **Acquire** is one parameterised write transaction: ``MERGE`` the node (the constraint makes two
  concurrent creations one), write a property first (that takes the node's write lock, so what is
  read next is the latest committed lease, never a stale copy), then take it only if it is free:
  absent, expired, already ours (our random ``token``: a retried transaction), or held by a
  process of this very host that no longer exists. Times are the server's clock, so hosts with
  skewed clocks agree on expiry. Otherwise ``LeaseHeld`` (exit 75) names the holder.
- **Renew** by heartbeat: a daemon thread extends ``expires_at`` every fifth of the TTL (default 10
  minutes, ``HYDRASCOPE_LEASE_TTL``), so a stage of any length keeps it, and a process that is
  stopped or hung loses it after the TTL. Renewal is conditional on the token; if the lease was
  broken or taken, the thread records the loss and the run stops at its next checkpoint
  (``check()``: after every write batch and before every cleanup) with ``LeaseLost``. A renewal
  failing for longer than the TTL (the server unreachable) counts as lost too.
- **Release** deletes the node (conditional on the token), on success, error, Ctrl-C and SIGTERM
  (turned into ``SystemExit`` while the lease is held, so ``finally`` runs). A crash (SIGKILL,
  power loss) leaves it to expire; on the same host the next run sees the holder's pid is gone
  and takes it at once.
- **Break**: ``force=True`` (the command lines' ``--break-lease``) takes it whoever holds it, for an
  operator who knows the holder is dead and cannot wait for the expiry.

What it does not do: fence every write. A holder frozen longer than the TTL (then resumed) writes
until its next checkpoint beside the new holder; the TTL is long and checkpoints are frequent to
make that unlikely.
"""

from __future__ import annotations

import contextlib
import getpass
import logging
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from hydrascope.config import lease_ttl_seconds
from hydrascope.db.graph import Graph
from hydrascope.errors import HydrascopeError, LeaseHeld, LeaseLost, QueryError
from hydrascope.schema.cypher import constraint_statements
from hydrascope.schema.model import LEASE

log = logging.getLogger(__name__)

WRITER = "writer"
_L = LEASE.label
# The properties a holder writes (each checked against the model at import).
_HOLDER_PROPS = ("token", "owner", "run_id", "host", "pid", "user", "pid_space")
for _name in (*_HOLDER_PROPS, "acquired_at", "renewed_at", "expires_at", "renewals"):
    LEASE.prop(_name)

# ``SET l.renewals = coalesce(...)`` comes first in every statement: writing takes the node's write
# lock, so the lease read after it is the latest committed one (Neo4j reads are read-committed:
# without the lock two runs could both read "expired" and both take it).
ACQUIRE = (
    f"MERGE (l:{_L} {{{LEASE.key}: $name}}) "
    "SET l.renewals = coalesce(l.renewals, 0) "
    "WITH l, l {.*} AS before "
    "WITH l, before, (before.token IS NULL OR before.token = $token OR before.token = $takeover "
    "OR before.expires_at IS NULL OR before.expires_at <= datetime() OR $force) AS free "
    "CALL (l, before, free) { "
    "WITH * WHERE free "
    "SET l += $holder, "
    "l.acquired_at = CASE WHEN before.token = $token THEN before.acquired_at ELSE datetime() END, "
    "l.renewals = CASE WHEN before.token = $token THEN before.renewals + 1 ELSE 0 END, "
    "l.renewed_at = datetime(), l.expires_at = datetime() + duration({seconds: $ttl}) } "
    "RETURN free, before, l {.*} AS lease, datetime() AS now"
)
RENEW = (
    f"MATCH (l:{_L} {{{LEASE.key}: $name}}) "
    "SET l.renewals = coalesce(l.renewals, 0) "
    "WITH l WHERE l.token = $token "
    "SET l.renewals = l.renewals + 1, l.renewed_at = datetime(), "
    "l.expires_at = datetime() + duration({seconds: $ttl}), "
    "l.owner = coalesce($owner, l.owner), l.run_id = coalesce($run_id, l.run_id) "
    "RETURN l {.*} AS lease"
)
RELEASE = (
    f"MATCH (l:{_L} {{{LEASE.key}: $name}}) "
    "SET l.renewals = coalesce(l.renewals, 0) "
    "WITH l WHERE l.token = $token DELETE l RETURN count(*) AS released"
)
HOLDER = f"MATCH (l:{_L} {{{LEASE.key}: $name}}) RETURN l {{.*}} AS lease, datetime() AS now"


def _pid_space() -> str | None:
    """Where a pid means one process: this boot of this kernel and this pid namespace (a container
    has its own). None where it cannot be told (not Linux): then no holder is judged dead by pid."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
        return f"{boot}/{os.stat('/proc/self/ns/pid').st_ino}"
    except OSError:
        return None


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a container user without a passwd entry
        return str(os.getuid())


def _native(value: Any) -> datetime | None:
    """A driver DateTime as an aware UTC ``datetime`` (the lease's times are the server's)."""
    if value is None:
        return None
    native = value.to_native() if hasattr(value, "to_native") else value
    return native.astimezone(UTC) if isinstance(native, datetime) else None


def _iso(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%dT%H:%M:%SZ}" if moment else "?"


@dataclass(frozen=True)
class LeaseInfo:
    """A lease as stored: who holds it, since when, until when."""

    name: str
    token: str | None
    owner: str | None
    run_id: str | None
    host: str | None
    pid: int | None
    user: str | None
    pid_space: str | None
    acquired_at: datetime | None
    renewed_at: datetime | None
    expires_at: datetime | None
    renewals: int

    @classmethod
    def from_props(cls, props: Mapping[str, Any]) -> LeaseInfo:
        pid = props.get("pid")
        return cls(
            name=str(props.get("name", WRITER)),
            token=props.get("token"),
            owner=props.get("owner"),
            run_id=props.get("run_id"),
            host=props.get("host"),
            pid=int(pid) if pid is not None else None,
            user=props.get("user"),
            pid_space=props.get("pid_space"),
            acquired_at=_native(props.get("acquired_at")),
            renewed_at=_native(props.get("renewed_at")),
            expires_at=_native(props.get("expires_at")),
            renewals=int(props.get("renewals") or 0),
        )

    def describe(self) -> str:
        """One line naming the holder: what, which run, where, since and until when."""
        return (
            f"{self.owner or '?'} run {self.run_id or '?'} on host {self.host or '?'} "
            f"(pid {self.pid if self.pid is not None else '?'}, user {self.user or '?'}), "
            f"since {_iso(self.acquired_at)}, expires {_iso(self.expires_at)} unless renewed"
        )

    def dead_here(self) -> bool:
        """True only when the holder ran in this pid space and its process no longer exists: a
        crash on this host need not wait for the expiry. Anything uncertain counts as alive."""
        if self.pid is None or self.pid_space is None or self.pid_space != _pid_space():
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:  # exists, another user's
            return False
        return False


def holder(graph: Graph, name: str = WRITER) -> LeaseInfo | None:
    """The lease's current holder, or None when it is free (absent or expired)."""
    rows = graph.read(HOLDER, {"name": name})
    if not rows or rows[0]["lease"].get("token") is None:
        return None
    info = LeaseInfo.from_props(rows[0]["lease"])
    now = _native(rows[0]["now"])
    if info.expires_at is not None and now is not None and info.expires_at <= now:
        return None
    return info


_CONSTRAINED: set[tuple[str, str]] = set()


def _ensure_constraint(graph: Graph) -> None:
    """The uniqueness constraint that makes acquisition atomic, on a server whose schema was never
    applied (``NEO4J_URI`` pointing at a new database). Checked with a read first: a schema write,
    even a no-op, waits for every running transaction, and the app's reads must not hold up a run."""
    where = (graph.settings.uri, graph.database)
    if where in _CONSTRAINED:
        return
    statement = next(s for s in constraint_statements() if f"(n:{_L})" in s)
    name = statement.split()[2]
    try:
        if not graph.count(
            "SHOW CONSTRAINTS YIELD name WHERE name = $name RETURN count(*) AS n", {"name": name}
        ):
            graph.run_autocommit(statement)
    except QueryError as exc:  # a user without schema privileges: the lease still works, less strictly
        log.warning("could not check or create the lease's uniqueness constraint (%s): %s", name, exc)
        return
    _CONSTRAINED.add(where)


class Lease:
    """``with Lease(graph, "ingest", run_id):`` holds the graph's writer lease (renewed in the
    background) or raises ``LeaseHeld`` at once; it is released when the block ends, however."""

    def __init__(
        self,
        graph: Graph,
        owner: str,
        run_id: str | None = None,
        *,
        name: str = WRITER,
        ttl: float | None = None,
        renew_every: float | None = None,
        force: bool = False,
    ) -> None:
        self.graph = graph
        self.name = name
        self.owner = owner
        self.run_id = run_id
        self.ttl = float(ttl if ttl is not None else lease_ttl_seconds())
        self.renew_every = renew_every if renew_every is not None else max(self.ttl / 5, 0.2)
        self.force = force
        self.token = uuid.uuid4().hex
        self.held = False
        self.replaced: LeaseInfo | None = None  # the holder this lease displaced (broken, dead)
        self.replaced_how = ""
        self._lost: str | None = None
        self._renewed = time.monotonic()
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None
        self._mutex = threading.Lock()
        self._old_sigterm: Any = None

    # ------------------------------------------------------------------ the lease
    def acquire(self) -> LeaseInfo:
        """Take the lease in one write transaction, or raise ``LeaseHeld`` naming the holder."""
        _ensure_constraint(self.graph)
        current = holder(self.graph, self.name)
        takeover = current.token if current is not None and current.dead_here() else None
        params = {
            "name": self.name,
            "token": self.token,
            "takeover": takeover,
            "force": self.force,
            "ttl": self.ttl,
            "holder": {
                "token": self.token,
                "owner": self.owner,
                "run_id": self.run_id,
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "user": _user(),
                "pid_space": _pid_space(),
            },
        }
        row = self.graph.write_read(ACQUIRE, params)[0]
        before = LeaseInfo.from_props(row["before"])
        if not row["free"]:
            raise LeaseHeld(
                f"the graph's writer lease is held by {before.describe()}; this run did nothing: "
                "try again later (or, if that holder is dead and cannot be waited for, re-run "
                "with --break-lease)"
            )
        if before.token is not None and before.token != self.token:
            self.replaced = before
            if takeover is not None:
                self.replaced_how = "took over the lease of a dead process on this host"
            elif before.expires_at is not None and before.expires_at <= (
                _native(row["now"]) or before.expires_at
            ):
                self.replaced_how = "took over an expired lease"
            else:
                self.replaced_how = "broke the lease (--break-lease)"
            log.warning("%s: %s", self.replaced_how, before.describe())
        self.held = True
        self._renewed = time.monotonic()
        return LeaseInfo.from_props(row["lease"])

    def renew(self, owner: str | None = None, run_id: str | None = None) -> LeaseInfo:
        """Extend the lease (and record what the holder now does); ``LeaseLost`` if it is not ours."""
        with self._mutex:
            self.check()
            self.owner, self.run_id = owner or self.owner, run_id or self.run_id
            rows = self.graph.write_read(
                RENEW,
                {"name": self.name, "token": self.token, "ttl": self.ttl, "owner": owner, "run_id": run_id},
            )
            if not rows:
                now = holder(self.graph, self.name)
                self._lost = (
                    f"this run's writer lease was lost while it worked (now "
                    f"{'held by ' + now.describe() if now else 'free'}: broken by an operator, or it "
                    "expired while this process stalled); the run stopped"
                )
                raise LeaseLost(self._lost)
            self._renewed = time.monotonic()
            return LeaseInfo.from_props(rows[0]["lease"])

    def notice(self) -> str | None:
        """One line for the operator when this lease displaced a holder (broken, expired, dead)."""
        return f"{self.replaced_how}: {self.replaced.describe()}" if self.replaced else None

    def check(self) -> None:
        """Raise ``LeaseLost`` if the heartbeat found the lease taken: call before each write step."""
        if self._lost is not None:
            raise LeaseLost(self._lost)

    def release(self) -> None:
        """Delete the lease if it is still ours; a failure is logged (the lease then expires)."""
        self._stop.set()
        if self._beat is not None and self._beat is not threading.current_thread():
            self._beat.join(timeout=30)
        self._beat = None
        if not self.held:
            return
        self.held = False
        try:
            self.graph.write(RELEASE, {"name": self.name, "token": self.token})
        except HydrascopeError as exc:
            log.warning("could not release the writer lease (it expires by itself): %s", exc)

    # ------------------------------------------------------------------ the heartbeat
    def _heartbeat(self) -> None:
        while not self._stop.wait(self.renew_every):
            try:
                self.renew()
            except LeaseLost:
                log.error("%s", self._lost)
                return
            except HydrascopeError as exc:
                silent = time.monotonic() - self._renewed
                log.warning(
                    "could not renew the writer lease (%.0f s since the last renewal): %s", silent, exc
                )
                if silent > self.ttl:
                    self._lost = (
                        f"this run could not renew its writer lease for {silent:.0f} s ({exc}); "
                        "the run stopped"
                    )
                    return

    @contextlib.contextmanager
    def across_store_replacement(self) -> Iterator[None]:
        """While an offline import replaces the database's store files (``ingest --bulk``): the
        heartbeat pauses (the server is down), and the lease, gone with the old store, is taken
        again in the new one with the same token. Nobody can write meanwhile: the server is down."""
        self._stop.set()
        if self._beat is not None and self._beat is not threading.current_thread():
            self._beat.join(timeout=30)
        try:
            yield
        finally:
            if self.held:
                self.acquire()
                self._start_heartbeat()

    def _start_heartbeat(self) -> None:
        self._stop.clear()
        self._beat = threading.Thread(target=self._heartbeat, name=f"lease-{self.name}", daemon=True)
        self._beat.start()

    def _on_sigterm(self, signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    def __enter__(self) -> Lease:
        self.acquire()
        self._start_heartbeat()
        if threading.current_thread() is threading.main_thread():
            current = signal.getsignal(signal.SIGTERM)
            if current is signal.SIG_DFL:  # a terminated run releases its lease (finally blocks run)
                self._old_sigterm = current
                signal.signal(signal.SIGTERM, self._on_sigterm)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            self.release()
        finally:
            if self._old_sigterm is not None:
                signal.signal(signal.SIGTERM, self._old_sigterm)
                self._old_sigterm = None


@contextlib.contextmanager
def hold(
    graph: Graph | None,
    owner: str,
    run_id: str | None = None,
    lease: Lease | None = None,
    *,
    force: bool = False,
) -> Iterator[Lease | None]:
    """The writer lease for one job. A caller that already holds one (ingest then detection in one
    cycle, so nobody slips in between) passes it: it is renewed with this job's name and run id and
    left held. Otherwise a new lease is taken and released at the end. No graph, no lease (a dry
    run writes nothing)."""
    if graph is None:
        yield None
        return
    if lease is not None:
        lease.renew(owner, run_id)
        yield lease
        return
    with Lease(graph, owner, run_id, force=force) as new:
        yield new
