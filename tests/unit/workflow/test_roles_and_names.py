"""Roles and names: the policy table, the roles file, the kept local name."""

from __future__ import annotations

from pathlib import Path

import pytest

from hydrascope.errors import ConfigError, PermissionRefused
from hydrascope.workflow import identity
from hydrascope.workflow.identity import Action, Analyst


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HYDRASCOPE_STATE_DIR", str(tmp_path))
    monkeypatch.delenv("HYDRASCOPE_ROLES", raising=False)
    monkeypatch.delenv("HYDRASCOPE_ANALYST", raising=False)
    return tmp_path


def test_a_viewer_may_do_nothing_an_analyst_all_but_the_ban_list_an_admin_everything() -> None:
    assert not any(Analyst("v", "viewer").may(a) for a in Action)
    analyst = Analyst("a", "analyst")
    assert [a for a in Action if not analyst.may(a)] == [Action.EXPORT_BAN_LIST]
    assert all(Analyst("x", "admin").may(a) for a in Action)
    with pytest.raises(PermissionRefused, match="a viewer may not export ban list"):
        Analyst("v", "viewer").require(Action.EXPORT_BAN_LIST)


def test_without_a_roles_file_the_local_analyst_is_admin(state: Path) -> None:
    assert identity.analyst("anyone").role == "admin"


def test_the_roles_file_names_roles_and_a_default(state: Path) -> None:
    (state / "roles.toml").write_text('default = "viewer"\n[analysts]\nalice = "admin"\nbob = "analyst"\n')
    assert [identity.analyst(n).role for n in ("alice", "bob", "mallory")] == ["admin", "analyst", "viewer"]


def test_a_wrong_role_or_a_broken_file_is_a_clear_error(state: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    roles = state / "elsewhere.toml"
    monkeypatch.setenv("HYDRASCOPE_ROLES", str(roles))
    roles.write_text('[analysts]\nalice = "superuser"\n')
    with pytest.raises(ConfigError, match="must be one of viewer, analyst, admin, not 'superuser'"):
        identity.analyst("alice")
    roles.write_text("[analysts\n")
    with pytest.raises(ConfigError, match="not a valid roles file"):
        identity.analyst("alice")


def test_the_local_name_is_asked_once_and_kept(state: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert identity.kept_name() == ""
    identity.keep_name("  Dana  ")
    assert identity.kept_name() == "Dana" and identity.command_line_analyst().name == "Dana"
    monkeypatch.setenv("HYDRASCOPE_ANALYST", "ci-bot")
    who = identity.command_line_analyst()
    assert (who.name, who.source) == ("ci-bot", "environment")
