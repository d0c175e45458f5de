"""Bundles generated once per session and shared by the simulator tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hydrascope.simulate import generate


def read(out: Path, name: str) -> pa.Table:
    """A table of a parquet bundle, whether a single file or a directory of parts."""
    single = out / f"{name}.parquet"
    return pq.read_table(single if single.exists() else out / name)


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """``bundle(scenario, scale=1.0, seed=0)`` -> directory, generated at most once per session."""
    cache: dict[tuple[str, float, int], Path] = {}

    def make(scenario: str, scale: float = 1.0, seed: int = 0) -> Path:
        key = (scenario, scale, seed)
        if key not in cache:
            out = tmp_path_factory.mktemp(f"{scenario}-{scale}-{seed}")
            generate(scenario, out, scale=scale, seed=seed, chunk_rows=400_000)
            cache[key] = out
        return cache[key]

    return make
