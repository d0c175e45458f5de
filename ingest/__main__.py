"""``python -m ingest DIR ...`` is ``hydrascope ingest DIR ...``.

The command line sits above ``ingest`` (it runs it), so this module does not import
``hydrascope.cli``: it calls the package's installed ``hydrascope`` console-script entry point
(``[project.scripts]`` in ``pyproject.toml``), exactly what a scheduler's ``hydrascope ingest`` runs.
"""

from __future__ import annotations

import sys
from importlib.metadata import entry_points

ENTRY_POINT = "hydrascope"


def main(argv: list[str] | None = None) -> None:
    """Run ``hydrascope ingest`` with ``argv`` (default: this process's arguments)."""
    found = entry_points(group="console_scripts", name=ENTRY_POINT)
    if not found:
        sys.exit(
            f"error: the {ENTRY_POINT!r} entry point is not installed; run `make install` "
            "(python -m ingest runs `hydrascope ingest`)"
        )
    command = next(iter(found)).load()
    command(["ingest", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
