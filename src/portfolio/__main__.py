"""`python -m portfolio` runs the CLI (used by tests that start real server processes)."""

from portfolio.cli.main import main

main()
