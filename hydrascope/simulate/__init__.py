"""Scenario simulator: a realistic world with ground truth, written as an input bundle.

Public API::

    from hydrascope.simulate import generate, list_scenarios, build_world
    manifest = generate("tiny", "out/tiny", scale=1.0, seed=0, fmt="parquet")
    for name, description in list_scenarios(): ...
    generate("random-42", "out/r42", seed=42)   # a random world: random_scenario(42)

``generate`` writes the tables of the data contract (:mod:`hydrascope.contract`) plus ``truth/`` and
``manifest.json``; ``build_world`` plans a world (entities, streams, exact counts) without
generating events, which is how targets are checked at full scale cheaply. The detector must
never read ``truth/``; only evaluation does.
"""

from __future__ import annotations

from hydrascope.simulate.bundle import TABLES, build_world, generate
from hydrascope.simulate.config import CampaignSpec, KindSpec, ScenarioSpec
from hydrascope.simulate.random_world import random_scenario
from hydrascope.simulate.scenarios import SCENARIOS, get_scenario, list_scenarios
from hydrascope.simulate.writer import FORMATS

__all__ = [
    "FORMATS",
    "SCENARIOS",
    "TABLES",
    "CampaignSpec",
    "KindSpec",
    "ScenarioSpec",
    "build_world",
    "generate",
    "get_scenario",
    "list_scenarios",
    "random_scenario",
]
