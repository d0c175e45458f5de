"""Plan a world and write it as an input bundle (tables, requests in parts, truth, manifest)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from hydrascope.contract import TRUTH_TABLES
from hydrascope.errors import InputError
from hydrascope.simulate import tables as T
from hydrascope.simulate.campaigns import build_campaigns
from hydrascope.simulate.config import HONEST_ROLES, ROLE_INDEX, WINDOW_END_MS, WINDOW_START_MS, ScenarioSpec
from hydrascope.simulate.events import CHUNK_ROWS, EventGenerator
from hydrascope.simulate.lookalikes import build_population
from hydrascope.simulate.population import build_shared
from hydrascope.simulate.random_world import world_parameters
from hydrascope.simulate.scenarios import get_scenario
from hydrascope.simulate.world import World, WorldBuilder
from hydrascope.simulate.writer import FORMATS, write_table

#: Tables of the data contract (:data:`hydrascope.contract.TABLES`), in writing order: requests,
#: the big one, last. A test checks that this is exactly the contract's set.
TABLES = (
    "accounts",
    "payment_methods",
    "api_keys",
    "ip_intel",
    "proxy_services",
    "logins",
    "enforcement",
    "model_releases",
    "requests",
)
TRUTH = tuple(TRUTH_TABLES)
#: The drawn parameters of the world (its spec, and a summary for benchmarks).
WORLD_FILE = "truth/world.json"
#: Request columns a bundle leaves out entirely, per content mode (see ``CONTENT_MODES``).
CONTENT_DROPPED: dict[str, tuple[str, ...]] = {
    "full": (),
    "capability_only": ("prompt_template",),
    "none": ("prompt_template", "capability"),
}
GENERATOR_VERSION = 1

Progress = Callable[[str, int, int], None]


def build_world(scenario: str | ScenarioSpec, scale: float = 1.0, seed: int = 0) -> World:
    """Plan a world: every entity and stream with exact counts, no events yet."""
    spec = get_scenario(scenario) if isinstance(scenario, str) else scenario
    if not (isinstance(scale, int | float) and scale > 0):
        raise InputError(f"scale must be a positive number, got {scale!r}")
    if not (isinstance(seed, int) and 0 <= seed < 2**32):
        raise InputError(f"seed must be an integer in [0, 2**32), got {seed!r}")
    scaled = spec.scaled(scale)
    scaled.validate()
    b = WorldBuilder(scaled, scale, seed)
    shared = build_shared(b, scaled)
    build_population(b, scaled, shared)
    build_campaigns(b, scaled.campaigns, shared)
    return b.finish()


def _prepare(out: Path, overwrite: bool, fmt: str) -> None:
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} exists and is not a directory")
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise InputError(
                f"{out} is not empty; pass overwrite=True (--overwrite) to replace a bundle there"
            )
        # Remove only what a bundle consists of; never anything else the user keeps there.
        for name in (*TABLES, *TRUTH):
            for ext in FORMATS:
                p = out / f"{name}.{ext}"
                if p.is_file():
                    p.unlink()
            d = out / name
            if d.is_dir():
                shutil.rmtree(d)
        (out / "manifest.json").unlink(missing_ok=True)
        (out / WORLD_FILE).unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)


def generate(
    scenario: str | ScenarioSpec,
    out_dir: str | Path,
    scale: float = 1.0,
    seed: int = 0,
    fmt: str = "parquet",
    *,
    overwrite: bool = False,
    progress: Progress | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> dict[str, Any]:
    """Write a complete bundle for ``scenario`` into ``out_dir``; returns the manifest.

    The same (scenario, scale, seed, fmt) always yields byte-identical files.
    """
    if fmt not in FORMATS:
        raise InputError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    out = Path(out_dir)

    def tick(step: str, done: int, total: int) -> None:
        if progress:
            progress(step, done, total)

    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not overwrite)):
        _prepare(out, overwrite, fmt)  # refuse before spending minutes on planning
    tick("plan", 0, 1)
    world = build_world(scenario, scale, seed)
    tick("plan", 1, 1)
    _prepare(out, overwrite, fmt)
    s = T.Strings(world)
    logins = T.build_logins(world)
    small = {
        "accounts": lambda: T.accounts_table(world, s),
        "payment_methods": lambda: T.payments_table(world, s),
        "api_keys": lambda: T.keys_table(world, s),
        "ip_intel": lambda: T.ip_intel_table(world, s, T.used_ips(world, logins)),
        "proxy_services": lambda: T.services_table(world, s),
        "logins": lambda: T.logins_table(logins, s),
        "enforcement": lambda: T.enforcement_table(world, s),
        "model_releases": T.releases_table,
        "truth/accounts": lambda: T.truth_accounts_table(world, s),
        "truth/campaigns": lambda: T.truth_campaigns_table(world, s),
        "truth/templates": lambda: T.truth_templates_table(world),
    }
    rows: dict[str, int] = {}
    sizes: dict[str, int] = {}
    for i, (name, make) in enumerate(small.items()):
        tbl = make()
        rows[name] = tbl.num_rows
        sizes[name] = write_table(tbl, out / f"{name}.{fmt}", fmt)
        tick("tables", i + 1, len(small))

    dropped = CONTENT_DROPPED[world.spec.content]
    gen = EventGenerator(world, chunk_rows)
    parts = len(gen)
    total = 0
    size = 0
    for i in range(parts):
        chunk = gen.generate(i)
        tbl = T.requests_table(chunk, s).drop_columns(list(dropped))
        path = out / f"requests.{fmt}" if parts == 1 else out / "requests" / f"part-{i:05d}.{fmt}"
        size += write_table(tbl, path, fmt)
        total += tbl.num_rows
        tick("requests", i + 1, parts)
    if parts == 0:
        empty = T.SCHEMAS["requests"].empty_table().drop_columns(list(dropped))
        size = write_table(empty, out / f"requests.{fmt}", fmt)
    rows["requests"] = total
    sizes["requests"] = size

    roles = world.accounts["role"]
    manifest: dict[str, Any] = {
        "generator": f"hydrascope.simulate/{GENERATOR_VERSION}",
        "scenario": world.spec.name,
        "scale": scale,
        "seed": seed,
        "format": fmt,
        "window": {"start": _iso(WINDOW_START_MS), "end": _iso(WINDOW_END_MS)},
        "tables": {k: rows[k] for k in (*TABLES, *TRUTH)},
        "bytes": {k: sizes[k] for k in (*TABLES, *TRUTH)},
        "requests_parts": max(parts, 1),
        "honest_kinds": {
            k: int((roles == ROLE_INDEX[k]).sum())
            for k in HONEST_ROLES
            if k in {spec.kind for spec in world.spec.population}
        },
        "campaigns": [
            {
                "campaign_id": c.campaign_id,
                "name": c.name,
                "strategy": c.strategy,
                "accounts": int((world.accounts["campaign"] == c.index).sum()),
                "exchanges": int(world.exchanges_per_account()[world.accounts["campaign"] == c.index].sum()),
            }
            for c in world.campaigns
        ],
    }
    if dropped:
        manifest["requests_columns_absent"] = list(dropped)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    params = world_parameters(world.spec, scale, seed)
    (out / WORLD_FILE).write_text(json.dumps(params, indent=2, sort_keys=True, default=str) + "\n")
    return manifest


def _iso(ms: int) -> str:
    return str(np.datetime64(ms, "ms").astype("datetime64[s]")) + "Z"
