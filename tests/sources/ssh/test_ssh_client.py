"""The ssh client's sessions, without a host: what happens around the ssh process."""

from __future__ import annotations

import subprocess
import threading

import pytest

from tracerun.sources.ssh import client


def test_a_closed_session_whose_stderr_is_still_held_keeps_reading_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Like a session cut at --host-timeout: ssh is gone, but its ControlMaster
    # still holds the session's stderr and relays what the remote side says.
    monkeypatch.setattr(client, "_STDERR_WAIT", 0.05)
    failures: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda a: failures.append(a.exc_value))
    holder = "(sleep 0.3; echo late >&2; sleep 0.2; echo later >&2) >/dev/null &"
    process = subprocess.Popen(
        ["sh", "-c", f"{holder} exit 0"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    session = client.Session(client.Host("web-1"), process, None, None)
    reader = session._reader = threading.Thread(target=session._collect, daemon=True)
    reader.start()

    session.close()
    reader.join(timeout=5)

    assert not reader.is_alive()
    assert failures == []
    assert bytes(session.stderr) == b"late\nlater\n"
    assert process.stderr is not None
    assert process.stderr.closed
