"""Workers: fault injection with real signals on a real 300 MB multi-process scan.

Every way the main process can end (SIGTERM, Ctrl-C to the process group,
SIGKILL) must end its scan workers too, with the documented exit code.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

_LINE = b"2026-03-20T14:10:00.000Z INFO step request_id=R10%06d pad=%s\n"
_SIZE = 300 * 1024 * 1024


@pytest.fixture(scope="module")
def big_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 MB where every line holds `R1` in a longer id: a long scan, no match."""
    block = b"".join(_LINE % (i, b"x" * 50) for i in range(100_000))
    path = tmp_path_factory.mktemp("workers") / "big.log"
    with path.open("wb") as out:
        for _ in range(-(-_SIZE // len(block))):
            out.write(block)
    return path


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


def _start_scan(log: Path) -> tuple[subprocess.Popen[bytes], set[int]]:
    trace = subprocess.Popen(
        [sys.executable, "-m", "tracerun", "--path", str(log), "R1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while len(workers) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
        workers = _children(trace.pid)
    assert len(workers) >= 2, "the scan never started its worker processes"
    time.sleep(0.3)  # let them get to work
    return trace, workers


def _gone(pids: set[int], within: float = 10.0) -> set[int]:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.05)
    return {p for p in pids if _alive(p)}


def test_sigterm_to_the_main_process_ends_its_workers_and_exits_143(big_log):
    trace, workers = _start_scan(big_log)

    os.kill(trace.pid, signal.SIGTERM)
    out, err = trace.communicate(timeout=60)

    assert (trace.returncode, out, err) == (143, b"", b"")
    assert _gone(workers) == set()


def test_ctrl_c_to_the_process_group_ends_the_workers_quietly_with_130(big_log):
    trace, workers = _start_scan(big_log)

    os.killpg(trace.pid, signal.SIGINT)
    out, err = trace.communicate(timeout=60)

    assert (trace.returncode, out, err) == (130, b"", b"\ntracerun: interrupted\n")
    assert _gone(workers) == set()


def test_workers_die_with_a_main_process_killed_outright(big_log):
    trace, workers = _start_scan(big_log)

    os.kill(trace.pid, signal.SIGKILL)
    trace.communicate(timeout=60)

    assert trace.returncode == -signal.SIGKILL
    assert _gone(workers) == set()
