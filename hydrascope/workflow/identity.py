"""Who is acting, and what their role lets them do.

Why here and not in the app: the command line exports and labels too, and a viewer must be
refused whatever door they use. The app only asks this module.

- **Name.** With Streamlit's OIDC login configured (``st.login``), the login names the analyst
  (the app passes it in). Otherwise the local default: one analyst, whose name is asked once and
  kept in the state folder (``analyst.txt``); the command line also reads ``HYDRASCOPE_ANALYST``,
  then the operating-system user.
- **Role.** From a small TOML file (``HYDRASCOPE_ROLES``, else ``<state folder>/roles.toml``)::

      default = "viewer"          # the role of any name not listed
      [analysts]
      "alice@example.org" = "admin"
      bob = "analyst"

  Without the file the single local analyst is ``admin``: it is their own machine and graph.
"""

from __future__ import annotations

import getpass
import os
import tomllib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Literal, cast, get_args

from hydrascope.config import state_dir
from hydrascope.errors import ConfigError, PermissionRefused

Role = Literal["viewer", "analyst", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)
LOCAL_ROLE: Role = "admin"


class Action(StrEnum):
    """What a role may be allowed to do: every write or export an analyst can cause."""

    LABEL = "label"
    CASE = "case"
    WATCH = "watch"
    CONSOLE = "console"
    EXPORT = "export"
    EXPORT_BAN_LIST = "export_ban_list"


# The policy, once. A viewer reads pages and nothing else: no label, no case, no export, and no
# console (its queries are recorded, which is a write); only an admin takes out the ban list.
PERMISSIONS: dict[Role, frozenset[Action]] = {
    "viewer": frozenset(),
    "analyst": frozenset({Action.LABEL, Action.CASE, Action.WATCH, Action.CONSOLE, Action.EXPORT}),
    "admin": frozenset(Action),
}


@dataclass(frozen=True)
class Analyst:
    """Someone acting on the graph: their name, their role and where the name came from."""

    name: str
    role: Role
    source: Literal["local", "login", "environment", "system"] = "local"

    def may(self, action: Action) -> bool:
        return action in PERMISSIONS[self.role]

    def require(self, action: Action) -> None:
        """Raise ``PermissionRefused`` unless the role allows ``action`` (``audit.authorise``
        records the refusal first)."""
        if not self.may(action):
            raise PermissionRefused(
                f"{self.name or 'this analyst'} is a {self.role}, and a {self.role} may not "
                f"{action.value.replace('_', ' ')}; ask an admin to change the role in {roles_file()}"
            )


# Who acts when a scheduled run evaluates the watches: it opens and updates cases and records
# alerts, and nothing else (it never labels: a person decides).
SCHEDULER = Analyst("hydrascope scheduler", "analyst", "system")


def roles_file() -> Path:
    override = os.environ.get("HYDRASCOPE_ROLES")
    return Path(override).expanduser() if override else state_dir() / "roles.toml"


def role_of(name: str, path: Path | None = None) -> Role:
    """The role the roles file gives ``name`` (``LOCAL_ROLE`` when there is no file)."""
    path = path or roles_file()
    if not path.is_file():
        return LOCAL_ROLE
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not a valid roles file ({exc})") from exc
    analysts = config.get("analysts", {})
    role = analysts.get(name, config.get("default", "viewer")) if isinstance(analysts, dict) else None
    if role not in ROLES:
        raise ConfigError(f"{path}: the role for {name!r} must be one of {', '.join(ROLES)}, not {role!r}")
    return cast(Role, role)


def _name_file() -> Path:
    return state_dir() / "analyst.txt"


def kept_name() -> str:
    """The local analyst's name as kept by ``keep_name`` ('' before it was ever given)."""
    path = _name_file()
    return path.read_text(encoding="utf-8").strip() if path.is_file() else ""


def keep_name(name: str) -> None:
    """Keep the local analyst's name, so it is asked once, not at every visit."""
    name = name.strip()
    if name and name != kept_name():
        path = _name_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(name + "\n", encoding="utf-8")


def analyst(name: str, source: Literal["local", "login", "environment"] = "local") -> Analyst:
    """The analyst called ``name`` with the role the roles file gives them."""
    name = name.strip()
    return Analyst(name, role_of(name), source)


def command_line_analyst() -> Analyst:
    """Who runs a command: ``HYDRASCOPE_ANALYST``, else the kept local name, else the OS user."""
    env = os.environ.get("HYDRASCOPE_ANALYST", "").strip()
    if env:
        return analyst(env, "environment")
    return analyst(kept_name() or getpass.getuser(), "local")
