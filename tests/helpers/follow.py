"""Run `tracerun … -f` in the background and watch what it prints, for follow tests.

``Follow(*args, cwd=…)`` starts ``python -m tracerun *args``; a thread per
stream collects stdout and stderr line by line, so a test can wait for output
(``wait_for``, ``wait_stderr``) before its next write, rotation or signal.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any


class Follow:
    """`tracerun -f` running in the background; its output collected line by line."""

    def __init__(self, *args: str, cwd: Path) -> None:
        env = {**os.environ, "NO_COLOR": "1", "FORCE_COLOR": "", "TRACERUN_PROFILE": ""}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tracerun", *args],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self.errors: list[str] = []
        self.seen = threading.Condition()
        assert self.proc.stdout is not None
        assert self.proc.stderr is not None
        self._readers = [
            threading.Thread(target=self._read, args=(pipe, into), daemon=True)
            for pipe, into in (
                (self.proc.stdout, self.lines),
                (self.proc.stderr, self.errors),
            )
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, pipe: IO[str], into: list[str]) -> None:
        for text in pipe:
            with self.seen:
                into.append(text)
                self.seen.notify_all()

    def wait_for(self, count: int, timeout: float = 20) -> None:
        """Wait until stdout has `count` lines."""
        with self.seen:
            ok = self.seen.wait_for(lambda: len(self.lines) >= count, timeout)
        assert ok, f"waited for {count} lines, got {self.lines}; stderr {self.errors}"

    def wait_stderr(self, text: str, timeout: float = 20) -> None:
        """Wait until a stderr line contains `text`."""
        with self.seen:
            ok = self.seen.wait_for(
                lambda: any(text in e for e in self.errors), timeout
            )
        assert ok, f"waited for {text!r} on stderr, got {self.errors}"

    def finish(self, timeout: float = 30) -> tuple[int, str]:
        """Wait for the exit; return the exit code and the whole stderr."""
        try:
            code = self.proc.wait(timeout)
        finally:
            self.proc.kill()
        for reader in self._readers:
            reader.join(5)
        self.close()
        return code, "".join(self.errors)

    def close(self) -> None:
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()

    def records(self) -> list[tuple[str, str, int, str]]:
        """(source, origin file name without a `.1` rotation suffix, line, message)."""
        out = []
        for text in self.lines:
            record: dict[str, Any] = json.loads(text)
            name = Path(record["origin"]).name.removesuffix(".1")
            out.append((record["source"], name, record["line"], record["message"]))
        return out
