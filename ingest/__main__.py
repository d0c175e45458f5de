"""``python -m ingest DIR ...`` is ``hydrascope ingest DIR ...``."""

from __future__ import annotations

import sys

from hydrascope.cli import main

if __name__ == "__main__":
    main(["ingest", *sys.argv[1:]])
