"""Ingest and detect are exclusive across processes and hosts: the graph's writer lease, taken by
real OS processes, and the update tag and watermarks read from the graph, not from a host's file.

"Another host" is a second state folder (its own ``state.json`` and file lock) on the same graph,
or a child process whose lease records another pid space (its pid means nothing here)."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from bundle_kit import Runner, base_tables, req, write_bundle

from hydrascope.db.lease import Lease, holder
from hydrascope.errors import LeaseHeld
from hydrascope.jobs.detect import run_detection

pytestmark = pytest.mark.neo4j
HS = [sys.executable, "-m", "hydrascope"]


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "HYDRASCOPE_DATA_DIR": str(tmp_path / "data"),
        "COLUMNS": "200",
        "PYTHONUNBUFFERED": "1",
    }


def _hs(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*HS, *args], env=env, capture_output=True, text=True, timeout=300)


def _holder_child(
    env: dict[str, str], owner: str, run_id: str, extra: str = "", then: str = ""
) -> subprocess.Popen:
    """A second process holding the writer lease until its stdin closes (then it releases and
    exits 0). ``extra`` runs before it takes the lease, ``then`` right after (e.g. dying)."""
    code = textwrap.dedent(
        f"""
        import sys
        import hydrascope.db.lease as L
        from hydrascope.db import connect
        {extra}
        graph = connect()
        with L.Lease(graph, {owner!r}, {run_id!r}) as lease:
            {then or "pass"}
            print("held", flush=True)
            sys.stdin.read()
        print("released", flush=True)
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line.strip() == "held", line + (child.stderr.read() if child.stderr else "")
    return child


def _finish(child: subprocess.Popen) -> str:
    out, err = child.communicate(input="", timeout=60)
    assert child.returncode == 0, err
    return out


def test_tag_and_watermarks_are_the_graphs_whichever_host_runs(tmp_path: Path, graph) -> None:
    tables = base_tables()
    host_a = Runner(tmp_path / "a", graph)
    host_b = Runner(tmp_path / "b", graph)
    host_b.data_root = host_a.data_root  # the hosts share the event store (see docs/ingest.md)
    first = host_a(write_bundle(tmp_path / "b1", {"requests": tables["requests"]}))
    assert first.ok
    marks = graph.read("MATCH (r:IngestRun {run_id: $id}) RETURN r.watermarks AS w", {"id": first.run_id})
    assert json.loads(marks[0]["w"])["requests"].startswith("2026-02-1")
    assert not (host_a.state_root / "ingest" / "state.json").exists()  # nothing local any more

    # A run of another host whose clock is ahead: the next tag still comes after it.
    ahead = int(time.time()) + 10_000
    graph.write(
        "CREATE (:IngestRun {run_id: 'other-host-run', update_tag: $t, status: 'succeeded'})", {"t": ahead}
    )
    later = [
        *tables["requests"],
        req("2026-02-20T00:00:00Z", "acct-1", "192.0.2.10", None, None, None, None, 1, 1),
    ]
    second = host_b(write_bundle(tmp_path / "b2", {"requests": later}), since="watermark")
    assert second.update_tag == ahead + 1
    # host B resumes from host A's watermark: only the newest event and the one at the mark are read
    t = second.table("requests")
    assert (t.loaded, t.skipped, t.already_stored) == (1, 7, 1)


def test_a_local_state_json_is_migrated_once(tmp_path: Path, graph) -> None:
    runner = Runner(tmp_path / "old", graph)
    legacy = runner.state_root / "ingest" / "state.json"
    legacy.parent.mkdir(parents=True)
    old_tag = int(time.time()) + 5_000
    legacy.write_text(
        json.dumps({"last_update_tag": old_tag, "watermarks": {"requests": "2026-02-11T00:00:00+00:00"}})
    )
    report = runner(write_bundle(tmp_path / "b", {"requests": base_tables()["requests"]}), since="watermark")
    assert report.ok and report.update_tag == old_tag + 1  # the file's tag, once
    assert report.table("requests").skipped == 4  # and its watermark
    assert not legacy.exists() and legacy.with_name("state.json.migrated").exists()
    stored = graph.read("MATCH (r:IngestRun) RETURN r.watermarks AS w")
    assert json.loads(stored[0]["w"])["requests"].startswith("2026-02-1")
    # From now on the graph tells: a brand-new state folder continues the sequence.
    assert (
        Runner(tmp_path / "new", graph)(
            write_bundle(tmp_path / "b2", {"accounts": base_tables()["accounts"]})
        ).update_tag
        == old_tag + 2
    )


def test_a_failed_run_releases_the_lease_it_held(tmp_path: Path, graph) -> None:
    seen: list[str | None] = []

    def die(step: str, done: int) -> None:
        current = holder(graph)
        seen.append(current.owner if current else None)
        raise RuntimeError("dies mid-run")

    runner = Runner(tmp_path / "r", graph)
    with pytest.raises(RuntimeError, match="dies mid-run"):
        runner(write_bundle(tmp_path / "b", base_tables()), after_batch=die)
    assert seen == ["ingest"]  # it held the lease while it wrote
    assert holder(graph) is None and graph.count("MATCH (l:Lease) RETURN count(l)") == 0
    assert runner(write_bundle(tmp_path / "b", base_tables())).ok


def test_detect_is_refused_while_an_ingest_holds_the_lease(tmp_path: Path, graph) -> None:
    env = _env(tmp_path)
    child = _holder_child(env, "ingest", "run-of-the-other-process")
    try:
        with pytest.raises(Exception, match=r"held by ingest run run-of-the-other-process") as refused:
            run_detection(graph)
        assert getattr(refused.value, "exit_code", None) == 75
        assert graph.count("MATCH (c:Cluster) RETURN count(c)") == 0
        run_detection(graph, write=False)  # a dry run reads only: no lease needed
    finally:
        _finish(child)


def test_a_second_process_is_refused_with_the_holder_named_until_release(tmp_path: Path, graph) -> None:
    env = _env(tmp_path)
    bundle = str(write_bundle(tmp_path / "ok", base_tables()))
    child = _holder_child(env, "ingest", "run-first")
    try:
        refused = _hs(["ingest", bundle, "--no-progress", "--ttl", "0"], env)
        assert refused.returncode == 75, refused.stdout + refused.stderr
        line = refused.stderr.strip()
        assert len(line.splitlines()) == 1 and "Traceback" not in line
        for part in (
            "held by ingest run run-first",
            f"pid {child.pid}",
            "since 20",
            "expires 20",
            "--break-lease",
        ):
            assert part in line, line
        assert graph.count("MATCH (n) WHERE NOT n:Lease RETURN count(n)") == 0  # it did nothing
        detect = _hs(["detect"], env)
        assert detect.returncode == 75 and "held by ingest run run-first" in detect.stderr
    finally:
        assert "released" in _finish(child)
    assert holder(graph) is None
    done = _hs(["ingest", bundle, "--no-progress", "--ttl", "0", "--detect"], env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "succeeded" in done.stdout and "flagged clusters of" in done.stdout
    assert holder(graph) is None


def test_a_crashed_holder_of_another_host_blocks_until_its_lease_expires(tmp_path: Path, graph) -> None:
    # long enough for the refused command to start on a loaded machine, short enough to wait for
    env = {**_env(tmp_path), "HYDRASCOPE_LEASE_TTL": "20"}
    bundle = str(write_bundle(tmp_path / "ok", {"accounts": base_tables()["accounts"]}))
    # the child pretends to be another machine (its pid means nothing here), then dies by SIGKILL
    other_host = "L._pid_space = lambda: 'boot-of-host-b/1'; L.socket.gethostname = lambda: 'host-b'"
    code = textwrap.dedent(
        f"""
        import os, signal
        import hydrascope.db.lease as L
        from hydrascope.db import connect
        {other_host}
        L.Lease(connect(), 'ingest', 'run-crashed').acquire()
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    crashed = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    refused = _hs(["ingest", bundle, "--no-progress"], env)
    assert refused.returncode == 75 and "run run-crashed on host host-b" in refused.stderr, refused.stderr
    deadline = time.monotonic() + 90
    while holder(graph) is not None and time.monotonic() < deadline:
        time.sleep(0.5)
    assert holder(graph) is None, "the crashed holder's lease never expired"
    after = _hs(["ingest", bundle, "--no-progress"], env)
    assert after.returncode == 0, after.stdout + after.stderr
    assert "took over an expired lease: ingest run run-crashed" in after.stdout


def test_break_lease_takes_a_live_holders_lease(tmp_path: Path, graph) -> None:
    env = _env(tmp_path)
    bundle = str(write_bundle(tmp_path / "ok", {"accounts": base_tables()["accounts"]}))
    child = _holder_child(env, "detect", "run-stuck")
    try:
        broke = _hs(["ingest", bundle, "--no-progress", "--break-lease"], env)
        assert broke.returncode == 0, broke.stdout + broke.stderr
        assert "broke the lease (--break-lease): detect run run-stuck" in broke.stdout
    finally:
        _finish(child)  # its release finds the lease no longer its own and leaves the graph alone
    assert graph.count("MATCH (a:Account) RETURN count(a)") == 4


def test_sigterm_releases_the_lease(tmp_path: Path, graph) -> None:
    env = _env(tmp_path)
    child = _holder_child(env, "ingest", "run-terminated")
    assert holder(graph) is not None
    child.send_signal(signal.SIGTERM)
    child.wait(timeout=60)
    assert child.returncode == 128 + signal.SIGTERM
    assert holder(graph) is None and graph.count("MATCH (l:Lease) RETURN count(l)") == 0


def test_watch_skips_while_held_and_releases_between_cycles(tmp_path: Path, graph) -> None:
    env = _env(tmp_path)
    bundle = str(write_bundle(tmp_path / "ok", {"accounts": base_tables()["accounts"]}))
    child = _holder_child(env, "detect", "run-long")
    watch = subprocess.Popen(
        [*HS, "ingest", "--watch", bundle, "--every", "2s", "--no-progress"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert watch.stdout is not None
    threading.Thread(target=lambda: [lines.put(x) for x in watch.stdout], daemon=True).start()  # type: ignore[union-attr]

    seen: list[str] = []

    def until(text: str, timeout: float = 120) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                continue
            seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"the watch loop never printed {text!r}; it printed: {''.join(seen[-20:])}")

    between = Lease(graph, "detect", "run-between")
    try:
        skipped = until("skipped:")
        assert "held by detect run run-long" in skipped
        until("next run in 2s")
        _finish(child)  # released: the next cycle runs
        until("succeeded")
        assert graph.count("MATCH (a:Account) RETURN count(a)") == 4
        # asleep between cycles the loop holds nothing: another run gets the lease...
        deadline = time.monotonic() + 60
        while not between.held and time.monotonic() < deadline:
            with contextlib.suppress(LeaseHeld):
                between.acquire()
            time.sleep(0.1)
        assert between.held, "the watch loop kept the lease between its cycles"
        # ...and the loop's next cycle is refused by it, and says so
        assert "held by detect run run-between" in until("skipped:")
    finally:
        between.release()
        watch.send_signal(signal.SIGTERM)
        watch.wait(timeout=60)
        if child.poll() is None:
            child.kill()
