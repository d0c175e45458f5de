"""`python -m hydrascope` is the `hydrascope` command."""

from hydrascope.cli import main

main()
