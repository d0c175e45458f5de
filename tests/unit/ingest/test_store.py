"""The event store and the DuckDB aggregates, without a database: content-hash dedupe,
journals, and aggregates recomputed from the whole store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from hydrascope.contract import TABLES
from hydrascope.errors import LockHeld
from ingest import aggregate
from ingest.lock import IngestLock
from ingest.store import EventStore
from ingest.validate import new_connection


def _events(rows: list[tuple[str, str, str, str | None, int]]) -> pa.Table:
    cols = TABLES["requests"].column_names
    data = {c: [None] * len(rows) for c in cols}
    data["ts"] = [datetime.fromisoformat(r[0]).replace(tzinfo=UTC) for r in rows]
    data["account_id"] = [r[1] for r in rows]
    data["ip"] = [r[2] for r in rows]
    data["prompt_template"] = [r[3] for r in rows]
    data["input_tokens"] = [r[4] for r in rows]
    types = {"ts": pa.timestamp("us", tz="UTC"), "input_tokens": pa.int64(), "output_tokens": pa.int64()}
    table = pa.table({c: pa.array(data[c], types.get(c, pa.string())) for c in cols})
    table = table.append_column("_row", pa.array(range(1, len(rows) + 1), pa.int64()))
    return table.append_column("_line", pa.array(range(2, len(rows) + 2), pa.int64()))


SENT_SPEC = next(s for s in aggregate.EDGES if s.shared_only)

ROWS = [
    ("2026-02-10T10:00:00", "acct-1", "192.0.2.1", "tpl-1", 10),
    ("2026-02-10T10:30:00", "acct-1", "192.0.2.1", "tpl-2", 20),
    ("2026-02-11T09:00:00", "acct-2", "192.0.2.1", "tpl-1", 5),
    ("2026-02-10T10:00:00", "acct-1", "192.0.2.1", "tpl-1", 10),  # an exact repeat of the first row
]


def _commit(root: Path, run: str, rows) -> tuple:
    con = new_connection()
    store = EventStore(root, run)
    store.stage("requests", _events(rows), "requests.csv")
    result, rejects = store.commit("requests", con)
    store.clear_journals(store.pending_journals("requests"))
    return store, con, result, rejects


def test_identical_events_count_once_within_a_run_and_across_runs(tmp_path: Path) -> None:
    store, con, result, rejects = _commit(tmp_path, "run-1", ROWS)
    assert (result.staged, result.new, result.duplicates, result.already_stored) == (4, 3, 1, 0)
    assert rejects[0].row == 4 and "identical to row 1 of requests.csv" in rejects[0].reason
    assert sorted(p.parent.name for p in (tmp_path / "events" / "requests").rglob("*.parquet")) == [
        "date=2026-02-10",
        "date=2026-02-11",
    ]
    _, _, again, _ = _commit(
        tmp_path, "run-2", [*ROWS[:3], ("2026-02-12T00:00:00", "acct-3", "192.0.2.9", None, 1)]
    )
    assert (again.new, again.already_stored, again.duplicates) == (1, 3, 0)
    stored = con.execute(
        f"SELECT count(*), count(DISTINCT event_hash) FROM {store.scan('requests')}"
    ).fetchall()
    assert stored == [(4, 4)]


def test_every_stored_event_keeps_its_source_file_and_row(tmp_path: Path) -> None:
    store, con, _, _ = _commit(tmp_path, "run-1", ROWS)
    rows = con.execute(
        f"SELECT account_id, source_file, source_row, source_line, run_id FROM {store.scan('requests')}"
        " ORDER BY source_row"
    ).fetchall()
    assert rows == [
        ("acct-1", "requests.csv", 1, 2, "run-1"),
        ("acct-1", "requests.csv", 2, 3, "run-1"),
        ("acct-2", "requests.csv", 3, 4, "run-1"),
    ]


def test_aggregates_cover_the_whole_store_for_touched_accounts(tmp_path: Path) -> None:
    _commit(tmp_path, "run-1", ROWS[:2])
    store, con, _, _ = _commit(
        tmp_path, "run-2", [*ROWS[2:3], ("2026-02-12T10:00:00", "acct-1", "192.0.2.1", "tpl-1", 1)]
    )
    # Only acct-1 is touched by run-2, yet its edges count every stored event, not run-2's only.
    con.execute("CREATE TEMP TABLE t AS SELECT 'acct-1' AS account_id")
    aggregate.prepare(con, store, "t")
    sent = sorted(aggregate.edges(con, SENT_SPEC, None).to_pylist(), key=lambda r: r["end"])
    # tpl-1 is shared with acct-2 (an edge); tpl-2 only acct-1 ever sent (a count on the account)
    assert [(r["account_id"], r["end"], r["requests"], r["input_tokens"]) for r in sent] == [
        ("acct-1", "tpl-1", 2, 11),
    ]
    profile = aggregate.accounts(con).to_pylist()[0]
    assert profile["requests"] == 3 and profile["input_tokens"] == 31
    assert (profile["solo_templates"], profile["solo_template_requests"]) == (1, 1)
    hours = [
        int(datetime.fromisoformat(t + "+00:00").timestamp()) // 3600
        for t in ("2026-02-10T10:00:00", "2026-02-12T10:00:00")
    ]
    assert profile["active_hours"] == hours
    cutoff = datetime(2026, 2, 11, tzinfo=UTC)
    recent = aggregate.edges(con, SENT_SPEC, cutoff).to_pylist()
    assert [r["end"] for r in recent] == ["tpl-1"]  # tpl-2 was last seen before the TTL cutoff


def test_a_template_becomes_shared_when_a_second_account_sends_it(tmp_path: Path) -> None:
    _commit(tmp_path, "run-1", [("2026-02-10T10:00:00", "acct-1", "192.0.2.1", "tpl-9", 1)])
    store, con, _, _ = _commit(
        tmp_path, "run-2", [("2026-02-11T10:00:00", "acct-3", "192.0.2.9", "tpl-9", 2)]
    )
    con.execute("CREATE TEMP TABLE t AS SELECT 'acct-3' AS account_id")
    # acct-1 had tpl-9 to itself: its count and its edge change although run-2 never touched it
    assert aggregate.add_template_partners(con, store, "t", None) == 1
    aggregate.prepare(con, store, "t")
    sent = aggregate.edges(con, SENT_SPEC, None).to_pylist()
    assert sorted((r["account_id"], r["end"]) for r in sent) == [("acct-1", "tpl-9"), ("acct-3", "tpl-9")]
    solo = {r["account_id"]: r["solo_templates"] for r in aggregate.accounts(con).to_pylist()}
    assert solo == {"acct-1": 0, "acct-3": 0}
    # a template with two untouched senders was shared already: nobody is added for it
    store, con, _, _ = _commit(
        tmp_path, "run-3", [("2026-02-12T10:00:00", "acct-4", "192.0.2.9", "tpl-9", 3)]
    )
    con.execute("CREATE TEMP TABLE t AS SELECT 'acct-4' AS account_id")
    assert aggregate.add_template_partners(con, store, "t", None) == 0


def test_a_journal_is_left_until_the_graph_is_written(tmp_path: Path) -> None:
    con = new_connection()
    store = EventStore(tmp_path, "run-1")
    store.stage("requests", _events(ROWS[:1]), "requests.csv")
    store.commit("requests", con)
    assert [p.name for p in store.pending_journals("requests")] == ["run-1-requests.parquet"]
    later = EventStore(tmp_path, "run-2")
    assert later.touched(con, ("requests",), "touched", dry_run=False) == 1


def test_the_lock_refuses_a_second_holder_and_names_the_first(tmp_path: Path) -> None:
    path = tmp_path / "ingest.lock"
    with (
        IngestLock(path, "/exports/today"),
        pytest.raises(LockHeld, match=r"another ingest is running \(pid \d+.*bundle /exports/today"),
    ):
        IngestLock(path).acquire()
    with IngestLock(path):
        pass
