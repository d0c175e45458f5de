"""Random worlds: drawn ranges, determinism per seed, content modes, truth/world.json."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from conftest import read

from hydrascope.errors import InputError
from hydrascope.simulate import build_world, generate, get_scenario
from hydrascope.simulate.config import (
    CLASSIC_HONEST_ROLES,
    CONTENT_MODES,
    DAYS,
    LOOKALIKE_ROLES,
    ROLE_INDEX,
)
from hydrascope.simulate.random_world import (
    KIND_RANGES,
    KNOB_RANGES,
    RANGES,
    TACTICS,
    random_scenario,
)

SEEDS = range(200)


@pytest.fixture(scope="module")
def specs() -> list:
    return [random_scenario(s) for s in SEEDS]


def _within(value: float, name: str) -> bool:
    lo, hi = RANGES[name]
    return lo - 1e-9 <= value <= hi + 1e-9


def test_campaign_knobs_stay_in_their_documented_ranges(specs: list) -> None:
    for spec in specs:
        spec.validate()  # every draw is a valid world (rate limit, capabilities, modes)
        assert _within(len(spec.campaigns), "campaigns")
        for c in spec.campaigns:
            assert _within(c.accounts, "campaign_accounts")
            days = c.end_day - c.start_day
            assert _within(c.start_day, "start_day") and days > 0 and c.end_day <= DAYS
            assert _within(c.exchanges / c.accounts / days, "exchanges_per_account_day")
            assert _within(c.wave_minutes, "wave_minutes")
            assert _within(c.jitter_seconds, "jitter_seconds")
            assert _within(len(c.ban_waves), "ban_waves")
            assert all(c.start_day < day < c.end_day and _within(f, "ban_share") for day, f in c.ban_waves)
            assert _within(c.regrowth, "regrowth") and _within(c.regrowth_delay_hours, "regrowth_delay_hours")
            assert _within(len(c.capabilities), "capabilities")
            assert _within(c.template_families, "template_families")
            assert _within(c.paraphrases, "paraphrases") or _within(c.paraphrases, "paraphrases_adapted")
            assert _within(c.egress_ips, "egress_ips") and _within(c.fingerprints, "fingerprints")
            assert c.pivot_share == 0 or _within(c.pivot_share, "pivot_share")
            assert c.camouflage == 0 or _within(c.camouflage, "camouflage")
            assert c.shared_cards <= c.accounts


def test_honest_kinds_and_knobs_stay_in_their_ranges(specs: list) -> None:
    for spec in specs:
        kinds = {k.kind: k for k in spec.population}
        assert set(CLASSIC_HONEST_ROLES) <= set(kinds)
        for kind, k in kinds.items():
            (a_lo, a_hi), (e_lo, e_hi), (g_lo, g_hi) = KIND_RANGES[kind]
            assert a_lo <= k.accounts <= a_hi and g_lo <= k.groups <= g_hi
            assert k.exchanges >= k.accounts and e_lo * 0.99 <= k.exchanges / k.accounts <= e_hi * 1.01
            for name, value in k.knobs:
                lo, hi = KNOB_RANGES[kind][name]
                assert lo <= value <= hi, (kind, name, value)


def test_every_kind_tactic_and_content_mode_appears_across_seeds(specs: list) -> None:
    kinds = {k.kind for s in specs for k in s.population}
    assert kinds == set(CLASSIC_HONEST_ROLES) | set(LOOKALIKE_ROLES)
    tactics = {t for s in specs for c in s.campaigns for t in c.strategy.split("+")}
    assert tactics == set(TACTICS) | {"plain"}
    assert {s.content for s in specs} == set(CONTENT_MODES)
    assert {len(s.campaigns) for s in specs} == {1, 2, 3, 4}
    # different seeds draw different worlds
    assert len({repr(s) for s in specs}) == len(specs)


def test_random_worlds_are_resolvable_by_name_and_bounded_in_size() -> None:
    assert get_scenario("random-7") == random_scenario(7)
    with pytest.raises(InputError, match="random-N"):
        get_scenario("random-x")
    sizes = [build_world("random-" + str(s), 1.0, s).n_accounts for s in (0, 1, 2)]
    assert all(3_000 <= n <= 25_000 for n in sizes), sizes


def _files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_different_seed_different_world(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for out, seed in ((a, 5), (b, 5), (c, 6)):
        generate(f"random-{seed}", out, scale=0.05, seed=seed)
    assert _files(a) == _files(b)
    world_a = json.loads((a / "truth" / "world.json").read_text())
    world_c = json.loads((c / "truth" / "world.json").read_text())
    assert world_a["seed"] == 5 and world_a["scale"] == 0.05
    assert world_a["spec"] != world_c["spec"]
    assert world_a["summary"]["campaigns"] == len(world_a["spec"]["campaigns"])
    assert read(a, "accounts").num_rows != read(c, "accounts").num_rows or _files(a) != _files(c)


@pytest.mark.parametrize(
    ("mode", "absent"),
    [("none", {"prompt_template", "capability"}), ("capability_only", {"prompt_template"}), ("full", set())],
)
def test_content_modes_drop_the_columns_entirely(tmp_path: Path, mode: str, absent: set[str]) -> None:
    seed = next(s for s in range(100) if random_scenario(s).content == mode)
    generate(f"random-{seed}", tmp_path, scale=0.05, seed=seed)
    single = tmp_path / "requests.parquet"
    columns = set(
        pq.read_schema(single if single.exists() else next((tmp_path / "requests").iterdir())).names
    )
    assert not (absent & columns)
    assert {"ts", "account_id", "ip", "model"} <= columns
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert set(manifest.get("requests_columns_absent", [])) == absent


def test_adaptive_campaigns_really_imitate(specs: list) -> None:
    camps = [c for s in specs for c in s.campaigns]
    office = [c for c in camps if "office_hours" in c.strategy]
    assert office and all(c.diurnal and c.diurnal_profile == "office" for c in office)
    own = [c for c in camps if "own_cards" in c.strategy]
    assert own and all(c.shared_cards == 0 and not c.virtual_cards for c in own)
    shell = [c for c in camps if "shell_company" in c.strategy]
    assert shell and all(c.cover_org for c in shell)
    slow = [c for c in camps if "slow_creation" in c.strategy]
    assert slow and all(c.creation_spread_days >= RANGES["creation_spread_adapted"][0] for c in slow)


def test_shell_company_campaign_registers_one_org_and_domain(bundle: Callable[..., Path]) -> None:
    seed = next(
        s for s in range(300) if any(c.cover_org and c.hijacked == 0 for c in random_scenario(s).campaigns)
    )
    spec = random_scenario(seed)
    w = build_world(spec, 0.2, seed)
    for c in w.campaigns:
        if not spec.campaigns[c.index].cover_org:
            continue
        workers = (w.accounts["campaign"] == c.index) & (w.accounts["role"] == ROLE_INDEX["worker"])
        assert np.unique(w.accounts["org"][workers]).size == 1
        assert w.accounts["org"][workers][0] >= 0
        assert np.unique(w.accounts["domain"][workers]).size == 1
