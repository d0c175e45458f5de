"""The `hydrascope` command line.

Each concern owns one module in this package (``db.py``, ``schema.py``, ``simulate.py``,
``ingest.py`` ...) that exposes ``COMMANDS``: a list of click commands or groups. The main group
registers every module's commands, so adding a capability never means editing a shared list.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import click

from hydrascope.errors import HydrascopeError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="hydrascope")
def cli() -> None:
    """Hydrascope: find hydra networks of accounts that distil a model through its API."""


def _register_commands() -> None:
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for command in getattr(module, "COMMANDS", []):
            cli.add_command(command)


_register_commands()


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: project errors become one clear line and exit code 1."""
    try:
        cli.main(args=argv, prog_name="hydrascope", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except HydrascopeError as exc:
        click.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
