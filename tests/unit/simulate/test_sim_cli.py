"""``hydrascope simulate`` on the command line."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from hydrascope.cli import cli
from hydrascope.simulate import SCENARIOS


def test_list_names_every_scenario() -> None:
    result = CliRunner().invoke(cli, ["simulate", "--list"], terminal_width=200)
    assert result.exit_code == 0, result.output
    for name in SCENARIOS:
        assert name in result.output


def test_generates_a_bundle(tmp_path: Path) -> None:
    out = tmp_path / "b"
    result = CliRunner().invoke(
        cli, ["simulate", "--scenario", "tiny", "--seed", "3", "--out", str(out), "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario"] == "tiny" and manifest["seed"] == 3 and manifest["format"] == "csv"
    assert (out / "requests.csv").stat().st_size > 0
    assert manifest["tables"]["requests"] > 20_000


def test_bad_arguments_are_clear(tmp_path: Path) -> None:
    runner = CliRunner()
    for args, message in (
        (["simulate", "--scenario", "nope", "--out", str(tmp_path)], "nope"),
        (["simulate", "--scenario", "tiny", "--scale", "0", "--out", str(tmp_path)], "must be > 0"),
        (["simulate", "--scenario", "tiny"], "--out"),
        (["simulate", "--out", str(tmp_path)], "--scenario"),
        (["simulate", "--scenario", "tiny", "--format", "xml", "--out", str(tmp_path)], "xml"),
    ):
        result = runner.invoke(cli, args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output


def test_random_world_from_a_seed(tmp_path: Path) -> None:
    out = tmp_path / "r"
    args = ["simulate", "--random", "--seed", "11", "--scale", "0.05", "--out", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    world = json.loads((out / "truth" / "world.json").read_text())
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario"] == world["scenario"] == "random-11"
    assert world["seed"] == 11 and world["summary"]["campaigns"] == len(manifest["campaigns"])


def test_random_and_scenario_are_exclusive(tmp_path: Path) -> None:
    args = ["simulate", "--random", "--scenario", "tiny", "--out", str(tmp_path / "x")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code != 0 and "not both" in result.output
    help_text = CliRunner().invoke(cli, ["simulate", "--help"]).output
    assert "--random" in help_text
