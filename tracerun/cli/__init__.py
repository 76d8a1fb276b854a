"""Command line: `tracerun` and its commands, one module each; `main` is the entry point.

The group (app.py) imports a command's module only when that command runs, so
`--version` and a trace load only what they use.
"""

from __future__ import annotations

from tracerun.cli.app import cli, main

__all__ = ["cli", "main"]
