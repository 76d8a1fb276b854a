"""`python -m tracerun` runs the command line."""

from tracerun.cli import main

main()
