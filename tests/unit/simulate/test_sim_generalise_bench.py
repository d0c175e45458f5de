"""The generalisation benchmark's held-out rule and distribution summary (no world is run)."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench" / "bench_generalise.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generalise", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_generalise"] = module
    spec.loader.exec_module(module)
    return module


def test_summary_reports_median_tail_and_worst_world(bench: ModuleType) -> None:
    values = [float(v) for v in range(11)]  # 0.0 ... 10.0
    seeds = list(range(100, 111))
    up = bench.summarise(values, seeds, True)
    assert up["median"] == 5.0 and up["tail"] == pytest.approx(1.0)  # 10th percentile
    assert up["worst"] == 0.0 and up["worst_seed"] == 100 and up["n"] == 11
    down = bench.summarise(values, seeds, False)
    assert down["tail"] == pytest.approx(9.0) and down["worst"] == 10.0 and down["worst_seed"] == 110
    skip = bench.summarise([float("nan"), 0.5], [1, 2], True)
    assert skip["n"] == 1 and skip["worst_seed"] == 2
    assert math.isnan(bench.summarise([], [], True)["median"])


def test_held_out_seeds_are_refused_without_the_flag(bench: ModuleType) -> None:
    with pytest.raises(SystemExit, match="held out"):
        bench.check_seeds([3, 3_000_004], held_out=False)
    for spent in (1_000_004, 2_000_004):
        with pytest.raises(SystemExit, match="spent held-out"):
            bench.check_seeds([spent], held_out=False)
    with pytest.raises(SystemExit, match="development seeds"):
        bench.check_seeds([5_000], held_out=False)
    with pytest.raises(SystemExit, match="all of it"):
        bench.check_seeds([3_000_000], held_out=True)
    assert bench.check_seeds(range(3), held_out=False) == [0, 1, 2]
    assert len(bench.check_seeds(bench.HELD_OUT_SEEDS, held_out=True)) >= 30


def _world(seed: int, f1: float, fpr_ci: float) -> dict:
    det = {
        "precision": f1,
        "recall": f1,
        "f1": f1,
        "honest_fpr": fpr_ci / 10,
        "honest_fpr_by_kind": {"individual": 0.0, "enterprise_ci": fpr_ci},
        "honest_groups_flagged": 1 if fpr_ci > 0.5 else 0,
    }
    base = dict(det, f1=0.2, honest_fpr_by_kind={"individual": 0.5, "enterprise_ci": 1.0})
    return {"seed": seed, "metrics": {"detector": det, "baseline_components": base, "baseline_rate": base}}


def test_distribution_per_kind_and_targets(bench: ModuleType) -> None:
    worlds = [_world(s, 0.96, 0.0) for s in range(9)] + [_world(9, 0.1, 1.0)]
    dist = bench.distribution(worlds)
    ci = dist["per_kind"]["enterprise_ci"]
    assert ci["detector"]["worst"] == 1.0 and ci["detector"]["worst_seed"] == 9
    assert ci["within_limit_share"] == pytest.approx(0.9)
    assert dist["worlds_every_kind_within_limit"] == pytest.approx(0.9)
    assert dist["max_honest_groups_flagged"] == 1
    assert dist["worlds_beating_both_baselines"] == 9
    met = {t: ok for t, _, ok in bench.targets(dist, len(worlds))}
    assert met["median F1 >= 0.95"] and not met["both baselines beaten in every world"]
    assert not met["no honest group of 20+ flagged in any world"]
