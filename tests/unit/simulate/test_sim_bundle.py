"""The bundle on disk: data contract, referential integrity, formats, determinism."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from conftest import read

from hydrascope.contract import TABLES as CONTRACT
from hydrascope.contract import TRUTH_TABLES
from hydrascope.errors import InputError
from hydrascope.simulate import TABLES, generate
from hydrascope.simulate.config import WINDOW_END_MS, WINDOW_START_MS

PAN_LIKE = re.compile(rb"\d{13,19}")
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def _load(path: Path, fmt: str) -> pd.DataFrame:
    if fmt == "csv":
        return pd.read_csv(path)
    return pd.DataFrame([json.loads(line) for line in path.read_text().splitlines()])  # each line valid JSON


def _digest(out: Path) -> dict[str, str]:
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def test_the_simulator_writes_every_contract_table_and_nothing_else() -> None:
    assert sorted(TABLES) == sorted(CONTRACT)


def test_every_parquet_table_matches_the_contract(bundle: Callable[..., Path]) -> None:
    """Checked against :mod:`hydrascope.contract` itself, the declaration ingest reads (no copy)."""
    out = bundle("tiny")
    for name, table_spec in CONTRACT.items():
        table = read(out, name)
        assert table.column_names == list(table_spec.column_names), name
        assert table.schema.equals(table_spec.arrow_schema), (name, table.schema)
        assert table.num_rows > 0, name
        for col in table_spec.columns:
            values = table.column(col.name)
            if col.required:
                assert values.null_count == 0, (name, col.name)
            if col.enum:
                assert set(values.drop_null().to_pylist()) <= set(col.enum), (name, col.name)
            if col.non_negative:
                assert pc.min(values).as_py() >= 0, (name, col.name)
        if table_spec.one_of:
            present = [table.column(c).is_valid() for c in table_spec.one_of]
            assert pc.all(functools.reduce(pc.or_, present)).as_py(), (name, table_spec.one_of)
    for name, table_spec in TRUTH_TABLES.items():
        assert read(out, name).schema.equals(table_spec.arrow_schema), name
    assert read(out, "requests").schema.field("ts").type == pa.timestamp("ms", tz="UTC")


def test_big_worlds_write_requests_as_parts(bundle: Callable[..., Path]) -> None:
    out = bundle("anthropic", 0.02)
    parts = sorted((out / "requests").glob("part-*.parquet"))
    assert len(parts) >= 2 and not (out / "requests.parquet").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["requests_parts"] == len(parts)
    assert sum(pq.read_metadata(p).num_rows for p in parts) == manifest["tables"]["requests"]


def test_referential_integrity(bundle: Callable[..., Path]) -> None:
    out = bundle("tiny")
    accounts = set(read(out, "accounts").column("account_id").to_pylist())
    req = read(out, "requests").to_pandas()
    logins = read(out, "logins").to_pandas()
    intel = read(out, "ip_intel").to_pandas()
    keys = read(out, "api_keys").to_pandas()
    for name in ("payment_methods", "api_keys", "logins", "enforcement", "requests", "truth/accounts"):
        assert set(read(out, name).column("account_id").to_pylist()) <= accounts, name
    assert len(accounts) == read(out, "accounts").num_rows
    known_ips = set(intel["ip"])
    assert set(req["ip"]) <= known_ips
    assert set(logins["ip"].dropna()) <= known_ips
    assert logins[["ip", "client_fingerprint"]].notna().any(axis=1).all()
    services = set(read(out, "proxy_services").column("service_id").to_pylist())
    assert set(intel["proxy_service"].dropna()) <= services
    # Requests use a key of their own account, created before the request.
    merged = req.merge(keys, on="key_id", suffixes=("", "_key"))
    assert len(merged) == len(req)
    assert (merged["account_id"] == merged["account_id_key"]).all()
    assert (merged["created_at"] <= merged["ts"]).mean() > 0.99
    # Inside the window, and nothing after a ban.
    ts = read(out, "requests").column("ts").cast(pa.int64()).to_numpy()
    assert ts.min() >= WINDOW_START_MS and ts.max() < WINDOW_END_MS
    bans = read(out, "enforcement").to_pandas().groupby("account_id")["ts"].min()
    after = req.join(bans.rename("ban"), on="account_id")
    assert not (after["ts"] > after["ban"]).any()
    # Truth's exchanges are exactly the requests each account made.
    truth = read(out, "truth/accounts").to_pandas().set_index("account_id")["exchanges"]
    counts = req["account_id"].value_counts().reindex(truth.index, fill_value=0)
    assert (counts == truth).all()


def test_no_value_anywhere_looks_like_a_card_number(bundle: Callable[..., Path]) -> None:
    out = bundle("tiny")
    for name in CONTRACT:
        table = read(out, name)
        for col in table.columns:
            if pa.types.is_string(col.type):
                blob = "\n".join(v for v in col.to_pylist() if v).encode()
                assert not PAN_LIKE.search(blob), name
    pm = read(out, "payment_methods").to_pandas()
    assert pm["bin"].str.fullmatch(r"\d{6}").all()
    assert pm["instrument_id"].str.startswith("pm_").all()


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_text_formats_carry_the_same_rows(bundle: Callable[..., Path], tmp_path: Path, fmt: str) -> None:
    generate("tiny", tmp_path, fmt=fmt)
    ref = bundle("tiny")
    for name, table_spec in CONTRACT.items():
        path = tmp_path / f"{name}.{fmt}"
        df = _load(path, fmt)
        assert list(df.columns) == list(table_spec.column_names), name
        assert len(df) == read(ref, name).num_rows, name
    req = _load(tmp_path / f"requests.{fmt}", fmt)
    assert req["ts"].map(lambda v: bool(ISO.match(v))).all()
    assert pd.api.types.is_integer_dtype(req["input_tokens"])
    intel = _load(tmp_path / f"ip_intel.{fmt}", fmt)
    assert intel["is_datacenter"].dtype == bool and pd.api.types.is_integer_dtype(intel["asn"])
    assert (tmp_path / "truth" / f"accounts.{fmt}").exists()


def test_same_seed_same_bytes_other_seed_other_world(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate("tiny", a, seed=7, chunk_rows=10_000)
    generate("tiny", b, seed=7, chunk_rows=10_000)
    generate("tiny", c, seed=8, chunk_rows=10_000)
    da, db, dc = _digest(a), _digest(b), _digest(c)
    assert da == db
    assert len(da) > len(TABLES)
    assert da["requests/part-00000.parquet"] != dc["requests/part-00000.parquet"]
    assert "time" not in (a / "manifest.json").read_text().replace("timestamp", "")


def test_refuses_to_overwrite_unless_asked(tmp_path: Path) -> None:
    keep = tmp_path / "notes.txt"
    keep.write_text("mine")
    with pytest.raises(InputError, match="not empty"):
        generate("tiny", tmp_path)
    generate("tiny", tmp_path, overwrite=True)
    generate("tiny", tmp_path, overwrite=True, chunk_rows=10_000)  # single file -> parts: no stale file
    assert keep.read_text() == "mine"
    assert not (tmp_path / "requests.parquet").exists() and (tmp_path / "requests").is_dir()
    with pytest.raises(InputError, match="format"):
        generate("tiny", tmp_path / "x", fmt="xlsx")
