"""The graph's writer lease on the real server: acquire, renew, expire, release, break, and
atomicity when several connections race for it."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from hydrascope.db import connect
from hydrascope.db import lease as lease_mod
from hydrascope.db.lease import Lease, holder
from hydrascope.errors import LeaseHeld, LeaseLost

pytestmark = pytest.mark.neo4j


def _stored(graph) -> list[dict]:
    return [r["l"] for r in graph.read("MATCH (l:Lease) RETURN l {.*} AS l")]


def test_acquire_names_the_holder_renew_extends_release_deletes(graph) -> None:
    first = Lease(graph, "ingest", "run-1", ttl=60)
    info = first.acquire()
    assert (info.owner, info.run_id, info.pid, info.renewals) == ("ingest", "run-1", lease_mod.os.getpid(), 0)
    assert info.acquired_at is not None and info.expires_at is not None
    assert 59 <= (info.expires_at - info.acquired_at).total_seconds() <= 61  # the server's clock
    seen = holder(graph)
    assert seen is not None and seen.token == first.token and seen.host == lease_mod.socket.gethostname()

    time.sleep(1.1)
    renewed = first.renew("detect", "detect-7")
    assert renewed.renewals == 1 and renewed.expires_at > info.expires_at
    assert (renewed.owner, renewed.run_id, renewed.acquired_at) == ("detect", "detect-7", info.acquired_at)

    first.release()
    assert _stored(graph) == [] and holder(graph) is None


def test_a_second_holder_is_refused_with_the_holder_named(graph) -> None:
    with Lease(graph, "ingest", "run-A", ttl=60):
        with pytest.raises(LeaseHeld) as refused:
            Lease(graph, "detect", "run-B").acquire()
        message = str(refused.value)
        for part in (
            "ingest run run-A",
            f"pid {lease_mod.os.getpid()}",
            "since 20",
            "expires 20",
            "--break-lease",
        ):
            assert part in message, message
        assert refused.value.exit_code == 75
        assert [s["run_id"] for s in _stored(graph)] == ["run-A"]  # the refused attempt changed nothing
    assert _stored(graph) == []


def test_an_expired_lease_is_taken_and_its_old_holder_cannot_renew_or_release_it(graph) -> None:
    stale = Lease(graph, "ingest", "run-old", ttl=3)
    stale.acquire()  # no heartbeat: as if the holder hung
    with pytest.raises(LeaseHeld):
        Lease(graph, "detect", "run-new").acquire()
    time.sleep(3.3)
    assert holder(graph) is None  # expired: free
    fresh = Lease(graph, "detect", "run-new", ttl=60)
    fresh.acquire()
    assert fresh.replaced is not None and fresh.replaced.run_id == "run-old"
    assert fresh.replaced_how == "took over an expired lease"
    with pytest.raises(LeaseLost, match="lost while it worked"):
        stale.renew()
    stale.release()  # not its lease any more: must not delete the new holder's
    assert [s["run_id"] for s in _stored(graph)] == ["run-new"]
    fresh.release()


def test_the_heartbeat_keeps_a_short_lease_alive_and_releases_on_error(graph) -> None:
    with pytest.raises(RuntimeError, match="boom"), Lease(graph, "ingest", "run-hb", ttl=2.5) as held:
        time.sleep(6)  # more than twice the TTL: only the heartbeat (every 0.5 s) keeps it
        current = holder(graph)
        assert current is not None and current.token == held.token and current.renewals >= 4
        with pytest.raises(LeaseHeld):
            Lease(graph, "detect", "x").acquire()
        held.check()  # not lost
        raise RuntimeError("boom")
    assert _stored(graph) == []  # released although the work failed


def test_break_lease_takes_it_and_the_old_holder_stops_at_its_next_checkpoint(graph) -> None:
    with Lease(graph, "ingest", "run-1", ttl=30, renew_every=0.2) as victim:
        breaker = Lease(graph, "ingest", "run-op", ttl=60, force=True)
        breaker.acquire()
        assert breaker.replaced is not None and breaker.replaced.run_id == "run-1"
        assert breaker.replaced_how == "broke the lease (--break-lease)"
        deadline = time.monotonic() + 30  # the victim's next heartbeat finds it gone
        while victim._lost is None and time.monotonic() < deadline:
            time.sleep(0.1)
        with pytest.raises(LeaseLost, match=r"now held by ingest run run-op"):
            victim.check()
    assert [s["run_id"] for s in _stored(graph)] == ["run-op"]  # the victim's exit left it alone
    breaker.release()


def test_a_dead_holder_on_this_host_is_taken_over_at_once_elsewhere_it_is_not(graph) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_pid = int(gone.stdout)
    here = lease_mod._pid_space()
    assert here is not None, "the test machine is Linux"
    for space, taken in ((here + "-another-host", False), (here, True)):
        graph.write(
            "MERGE (l:Lease {name: 'writer'}) SET l.token = 'crashed', l.owner = 'ingest', "
            "l.run_id = 'run-dead', l.pid = $pid, l.pid_space = $space, l.acquired_at = datetime(), "
            "l.expires_at = datetime() + duration('PT1H')",
            {"pid": dead_pid, "space": space},
        )
        attempt = Lease(graph, "detect", "run-next", ttl=60)
        if not taken:
            with pytest.raises(LeaseHeld, match="run-dead"):
                attempt.acquire()
            continue
        attempt.acquire()
        assert attempt.replaced_how == "took over the lease of a dead process on this host"
        attempt.release()


def test_concurrent_acquisitions_exactly_one_wins(graph, neo4j_settings_for_tests) -> None:
    """Six connections race for an expired (or absent) lease, 12 times: always exactly one holder.
    Without the write lock taken before the lease is read, most rounds had several winners."""
    graphs = [connect(neo4j_settings_for_tests) for _ in range(6)]
    try:
        for round_no in range(12):
            if round_no % 2:
                graph.write(
                    "MERGE (l:Lease {name: 'writer'}) SET l.token = 'old', "
                    "l.expires_at = datetime() - duration('PT1S')"
                )
            else:
                graph.write("MATCH (l:Lease) DELETE l")
            winners: list[int] = []
            barrier = threading.Barrier(len(graphs))

            def race(i: int, winners: list[int] = winners, barrier: threading.Barrier = barrier) -> None:
                attempt = Lease(graphs[i], "ingest", f"run-{i}", ttl=60)
                barrier.wait()
                try:
                    attempt.acquire()
                    winners.append(i)
                except LeaseHeld:
                    pass

            threads = [threading.Thread(target=race, args=(i,)) for i in range(len(graphs))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert len(winners) == 1, (round_no, winners)
            assert [s["run_id"] for s in _stored(graph)] == [f"run-{winners[0]}"]
    finally:
        for g in graphs:
            g.close()
