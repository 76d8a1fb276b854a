"""Workers: the scan's process pool, whose workers never outlive the run that made them.

Forked workers (they inherit the imported modules) that ignore Ctrl-C (it goes to
the whole process group; the parent decides), die with their parent (Linux
`PR_SET_PDEATHSIG`, else a watchdog thread) and can be ended at once with
`terminate()` (issue #12: SIGTERM to the main process left them blocked forever).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor

_PR_SET_PDEATHSIG = 1
_WATCH_EVERY = 0.5
"""Seconds between two looks at the parent where prctl is not available."""
_JOIN_TIMEOUT = 5.0


class ProcessPool(ProcessPoolExecutor):
    """A fork ProcessPoolExecutor whose workers end with the run, however it ends."""

    def __init__(self, workers: int) -> None:
        super().__init__(
            workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=worker_start,
            initargs=(os.getpid(),),
        )

    def terminate(self) -> None:
        """Cancel the queued jobs and end every worker now, then reap them."""
        # `_processes` is the pool's own list of workers (Python 3.14 adds
        # terminate_workers() for this); nothing public reaches them before.
        processes = list((self._processes or {}).values())
        self.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(_JOIN_TIMEOUT)
            if process.is_alive():
                process.kill()
                process.join()


def worker_start(parent: int) -> None:
    """Set a worker up: the parent owns Ctrl-C, SIGTERM ends it, it dies with the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(
        signal.SIGTERM, signal.SIG_DFL
    )  # forked: the parent's handler came along
    if not _die_with_parent():
        threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


def _die_with_parent() -> bool:
    """Ask Linux to SIGKILL this process when its parent dies; False if it cannot."""
    try:
        import ctypes  # noqa: PLC0415 - only in a worker, only on start

        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)) == 0
    except (OSError, AttributeError):  # not Linux
        return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_WATCH_EVERY)
    os._exit(1)
