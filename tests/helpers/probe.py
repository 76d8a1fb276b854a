"""Run tracerun's CLI in a fresh interpreter and report which modules it imported.

Why a fresh interpreter: the test process has imported everything already, so
only a new one can show that a run leaves a heavy module (docker, pydantic) alone.
"""

from __future__ import annotations

import subprocess
import sys

LAZY_MODULES = (
    # the command line: a plain trace is read by cli/quick.py, not click (issue #18)
    "click",
    "tracerun.cli.app",
    "tracerun.cli.trace",
    # a process pool, only for inputs large enough (trace/runner.py PARALLEL_MIN_BYTES)
    "multiprocessing",
    "concurrent.futures",
    "logging",
    "tracerun.trace.workers",
    # configuration: only with -p (profiles), never for --path
    "pydantic",
    "yaml",
    "tracerun.config.model",
    "tracerun.config.loader",
    # other source types, output formats, follow, expressions
    "docker",
    "ssl",
    "socket",
    "asyncio",
    "http.client",
    "urllib.request",
    "subprocess",
    "tracerun.sources.docker.source",
    "tracerun.sources.ssh.source",
    "tracerun.follow.driver",
    "tracerun.output.timeline",
    "tracerun.expression",
    "jmespath",
    "zstandard",
    "rich",
)
"""Modules a plain trace (`tracerun --path FILE ID`) must not import (issue #18).

The one list: tests/cli/test_cli_app.py checks it in a fresh interpreter."""

TEXT_LAZY_MODULES = (
    "orjson",
    "json",
    "uuid",
    "dataclasses",
    "inspect",
    "ast",
    "zoneinfo",
)
"""What a plain trace over lines that are not JSON, printed as text, must not
import besides LAZY_MODULES: the JSON libraries (orjson, for JSON lines and
`-o ndjson`, imports dataclasses, inspect and uuid), the dataclasses our
value classes do without (tracerun/plain.py), and zoneinfo (a profile in UTC
uses datetime's own: timeparse.named_zone)."""


def imported_of(argv: list[str], modules: tuple[str, ...]) -> tuple[int, list[str]]:
    """Run `tracerun ARGV` in a fresh interpreter; return its exit code and which
    of `modules` it imported."""
    code, imported, _ = _probe(argv, modules)
    return code, imported


def run_and_check_import(argv: list[str], module: str) -> tuple[int, bool, str]:
    """Run `tracerun ARGV`; return its exit code, whether `module` got imported, stdout."""
    code, imported, out = _probe(argv, (module,))
    return code, bool(imported), out


def _probe(argv: list[str], modules: tuple[str, ...]) -> tuple[int, list[str], str]:
    probe = (
        "import sys\n"
        "from tracerun.cli.quick import run_main\n"
        f"code = run_main({argv!r})\n"
        f"print(code, *[m for m in {modules!r} if m in sys.modules], file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    code, *imported = proc.stderr.splitlines()[-1].split()
    return int(code), imported, proc.stdout


_PEAK_PROBE = (
    "import re, sys\n"
    "from pathlib import Path\n"
    "from tracerun.cli import main\n"
    "try:\n"
    "    main(sys.argv[1:])\n"
    "finally:\n"
    "    status = Path('/proc/self/status').read_text()\n"
    "    peak = re.search(r'VmHWM:\\s+(\\d+) kB', status).group(1)\n"
    "    sys.stderr.write(f'peak_kb={peak}\\n')\n"
)


def run_with_peak(argv: list[str]) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run `tracerun ARGV` in a fresh interpreter; return it and its peak RSS in MB.

    The peak line is taken off the end of stderr. VmHWM, not ru_maxrss: Linux
    carries ru_maxrss over exec from the forking process (here pytest, which may
    be large); VmHWM starts afresh.
    """
    proc = subprocess.run(
        [sys.executable, "-c", _PEAK_PROBE, *argv],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    rest, _, last = proc.stderr.rstrip("\n").rpartition("\n")
    proc.stderr = rest + "\n" if rest else ""
    return proc, int(last.removeprefix("peak_kb=")) / 1024
