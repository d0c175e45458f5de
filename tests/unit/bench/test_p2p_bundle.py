"""The P2P benchmark's bundle conversion and ranking helpers, without Neo4j."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

from ingest.run import run_ingest

BENCH = Path(__file__).resolve().parents[3] / "bench" / "bench_p2p.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_p2p", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_p2p"] = module
    spec.loader.exec_module(module)
    return module


def _p2p(folder: Path) -> Path:
    folder.mkdir()
    pd.DataFrame(
        {
            "id": [1, 2, 3],
            "fraudMoneyTransfer": [1, 0, 0],
            "firstChargebackMtDate": ["2018-01-01", "1900-01-01", "1900-01-01"],
        }
    ).to_parquet(folder / "User.parquet")
    pd.DataFrame(
        {"from_user_id": [1, 2], "to_card_id": [77, 77], "cardDate": ["2018-03-04", "2017-01-02"]}
    ).to_parquet(folder / "HAS_CC.parquet")
    pd.DataFrame(
        {"from_user_id": [1, 3], "to_device_id": [5, 5], "deviceDate": ["2017-12-31", "2019-01-01"]}
    ).to_parquet(folder / "USED.parquet")
    return folder


def test_bundle_follows_the_contract_and_ingest_accepts_it(bench: ModuleType, tmp_path: Path) -> None:
    info = bench.build_bundle(_p2p(tmp_path / "p2p"), tmp_path / "bundle")
    assert info["pan_like_values"] == 0 and info["users_without_card_or_device"] == 0
    accounts = pd.read_parquet(tmp_path / "bundle" / "accounts.parquet").set_index("account_id")
    assert accounts.loc["u1", "created_at"] == "2017-12-31T00:00:00Z"  # earliest of card and device
    assert accounts.loc["u2", "created_at"] == "2017-01-02T00:00:00Z"
    cards = pd.read_parquet(tmp_path / "bundle" / "payment_methods.parquet")
    assert set(cards["instrument_id"]) == {"card_77"} and set(cards["kind"]) == {"card"}
    logins = pd.read_parquet(tmp_path / "bundle" / "logins.parquet")
    assert list(logins["client_fingerprint"]) == ["dev_5", "dev_5"]
    assert "firstChargebackMtDate" not in accounts.columns
    report = run_ingest(
        tmp_path / "bundle", None, dry_run=True, data_root=tmp_path / "data", state_root=tmp_path / "state"
    )
    assert report.rows_rejected == 0 and report.rows_read == 3 + 2 + 2


def test_top_fraction_shares_ties_by_expectation(bench: ModuleType) -> None:
    score = np.array([3.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    y = np.array([0, 1, 0, 0, 0, 0, 0, 0, 0, 1])
    top = bench.top_fraction(score, y, 0.2)  # 2 accounts: the 3.0 and one of three tied 1.0s
    assert top["accounts"] == 2 and top["fraud_expected"] == pytest.approx(1 / 3, abs=0.01)
    assert top["lift"] == pytest.approx((1 / 3 / 2) / 0.2, rel=0.05)


def test_ranking_metrics_are_scikit_learns_with_known_values(bench: ModuleType) -> None:
    y = np.array([0, 0, 1, 1])
    # AUC: 3 of the 4 positive-negative pairs are ordered right (0.35 < 0.8 is not)
    assert bench.auc(np.array([0.1, 0.4, 0.35, 0.8]), y) == pytest.approx(0.75)
    # AP: precision 1 at the first positive, 2/3 at the second: (1 + 2/3) / 2
    assert bench.average_precision(np.array([0.1, 0.4, 0.35, 0.8]), y) == pytest.approx(5 / 6)
    assert bench.auc(np.array([0.5, 0.5, 0.5, 0.5]), y) == pytest.approx(0.5)  # ties count half
