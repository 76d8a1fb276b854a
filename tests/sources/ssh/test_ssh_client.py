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
    process.wait()  # ssh is gone (killed before its shell forked, nothing would hold stderr)

    session.close()
    reader.join(timeout=5)

    assert not reader.is_alive()
    assert failures == []
    assert bytes(session.stderr) == b"late\nlater\n"
    assert process.stderr is not None
    assert process.stderr.closed


def test_hosts_open_their_connections_at_once_and_each_host_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Four hosts, each asked for by two sessions at the same time. Every host's
    # connection set-up waits until all four are under way: set up one after
    # the other (one lock for every host), the first would wait alone and the
    # barrier would break.
    monkeypatch.setattr(client, "_MASTERS", {})
    monkeypatch.setattr(client, "_OPENING", {})
    hosts = [client.Host(f"web-{n}") for n in range(1, 5)]
    together = threading.Barrier(len(hosts), timeout=10)
    opened: list[client.Host] = []

    def open_master(host: client.Host) -> client.SshError | None:
        opened.append(host)
        together.wait()
        if host.spec == "web-4":
            return client.SshError("connection refused", "is sshd running?")
        return None

    monkeypatch.setattr(client, "_open_master", open_master)
    outcomes: dict[tuple[str, int], str] = {}

    def ask(host: client.Host, n: int) -> None:
        try:
            client.ensure_master(host)
        except client.SshError as exc:
            outcomes[host.spec, n] = exc.reason
        except threading.BrokenBarrierError:
            outcomes[host.spec, n] = "set up alone"
        else:
            outcomes[host.spec, n] = "up"

    askers = [
        threading.Thread(target=ask, args=(h, n)) for n in range(2) for h in hosts
    ]
    for thread in askers:
        thread.start()
    for thread in askers:
        thread.join(timeout=30)

    assert sorted(h.spec for h in opened) == ["web-1", "web-2", "web-3", "web-4"]
    assert outcomes == {
        (h.spec, n): "connection refused" if h.spec == "web-4" else "up"
        for h in hosts
        for n in range(2)
    }
