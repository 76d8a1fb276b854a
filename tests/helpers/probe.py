"""Run tracerun's CLI in a fresh interpreter and report which modules it imported.

Why a fresh interpreter: the test process has imported everything already, so
only a new one can show that a run leaves a heavy module (docker, pydantic) alone.
"""

from __future__ import annotations

import subprocess
import sys


def run_and_check_import(argv: list[str], module: str) -> tuple[int, bool, str]:
    """Run `tracerun ARGV`; return its exit code, whether `module` got imported, stdout."""
    probe = (
        "import sys\n"
        "from tracerun.cli import _run_main\n"
        f"code = _run_main({argv!r})\n"
        f"print(code, {module!r} in sys.modules, file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    code, imported = proc.stderr.split()
    return int(code), imported == "True", proc.stdout
