"""Docker engine helpers for tests, independent of pytest.

Everything talks to the engine named by the environment (``DOCKER_HOST``, else
the default socket), like ``docker.from_env()``; ``scripts/test-engine.sh up``
prints the ``DOCKER_HOST`` of a private engine. ``docker`` is imported inside the
functions, so importing this module never needs the SDK or an engine.

Test containers run the image ``tracerun-test/busybox:latest`` (static busybox
and its applet links, made by ``scripts/test-engine.sh``) with no network. Their
names start with ``tracerun-test-`` and they carry an owner label (host and pid
of the test process), so that a test session removes its own containers and the
leftovers of dead sessions, never those of another session running at the same
time against the same engine.
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
import socket
import time
import uuid
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import docker
    from docker.models.containers import Container

TEST_IMAGE = "tracerun-test/busybox:latest"
NAME_PREFIX = "tracerun-test-"
OWNER_LABEL = "org.tracerun.test.owner"
DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock"

#: Client-side timeout (seconds) of API calls once the engine answered.
API_TIMEOUT = 60
#: How long the reachability probe may take.
PROBE_TIMEOUT = 5

_TIMESTAMP = re.compile(
    r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) "
)


def docker_host() -> str:
    """The engine URL the SDK uses: ``$DOCKER_HOST`` or the default socket."""
    return os.environ.get("DOCKER_HOST") or DEFAULT_DOCKER_HOST


def engine_client() -> docker.DockerClient | None:
    """A client for the engine named by the environment, or None if it doesn't answer."""
    import docker
    import docker.errors

    # When the engine doesn't answer, the SDK leaves the failed connection's
    # socket unclosed (its unix transport never closes it): collect it here,
    # with ResourceWarning silenced, rather than have it surface as an
    # "unraisable exception" in whatever test runs next (filterwarnings=error).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        client = None
        try:
            client = docker.from_env(timeout=PROBE_TIMEOUT)
            client.ping()
        except (docker.errors.DockerException, OSError):
            if client is not None:
                client.close()
            client = None
        if client is None:
            gc.collect()
            return None
    client.api.timeout = API_TIMEOUT
    return client


def engine_problem(client: docker.DockerClient) -> str | None:
    """Why the engine can't run the tests (the test image is missing), or None."""
    import docker.errors

    try:
        client.images.get(TEST_IMAGE)
    except docker.errors.ImageNotFound:
        return f"test image {TEST_IMAGE} is missing (run scripts/test-engine.sh up)"
    return None


def owner_token() -> str:
    """The owner label of the containers this process creates: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def container_name(name: str, *, unique: bool = True) -> str:
    """``tracerun-test-<name>``, plus a short random suffix when ``unique``."""
    base = name if name.startswith(NAME_PREFIX) else NAME_PREFIX + name
    return f"{base}-{uuid.uuid4().hex[:6]}" if unique else base


def run_container(
    client: docker.DockerClient,
    name: str,
    script: str,
    *,
    tty: bool = False,
    labels: Mapping[str, str] | None = None,
    detach: bool = True,
    wait_exit: bool = False,
    unique: bool = True,
    timeout: float = 30,
    **run_kwargs: Any,
) -> Container:
    """Run ``sh -c script`` in the test image, with no network; return the container.

    The container is named ``tracerun-test-<name>-<random>`` (exactly
    ``tracerun-test-<name>`` with ``unique=False``; a leftover of that name is
    removed first) and labelled with ``labels`` plus the owner label. It is not
    auto-removed, so its logs stay readable after it exits: remove it (or let
    the ``containers`` fixture / ``remove_test_containers`` do it).

    ``detach=True`` returns as soon as it started. ``wait_exit=True`` (or
    ``detach=False``) waits up to ``timeout`` seconds for it to exit, then
    returns it reloaded (``status == "exited"``, all output in its logs); the
    exit code is ``container.attrs["State"]["ExitCode"]``. Other keywords go to
    ``client.containers.run`` (``environment``, ``log_config``, ...).
    """
    import docker.errors

    full_name = container_name(name, unique=unique)
    if not unique:
        with contextlib.suppress(docker.errors.NotFound):
            client.containers.get(full_name).remove(force=True)
    all_labels = {**(labels or {}), OWNER_LABEL: owner_token()}
    container = client.containers.run(
        TEST_IMAGE,
        ["sh", "-c", script],
        name=full_name,
        labels=all_labels,
        tty=tty,
        network_mode="none",
        detach=True,
        **run_kwargs,
    )
    if wait_exit or not detach:
        container.wait(timeout=timeout)
        container.reload()
    return container


def wait_for_output(
    container: Container,
    text: str,
    *,
    stdout: bool = True,
    stderr: bool = True,
    timeout: float = 15,
) -> str:
    """Poll the container's logs until ``text`` shows up; return the logs (decoded)."""
    deadline = time.monotonic() + timeout
    while True:
        logs = container.logs(stdout=stdout, stderr=stderr).decode()
        if text in logs:
            return logs
        if time.monotonic() > deadline:
            msg = f"{container.name}: {text!r} not in its logs after {timeout} s: {logs!r}"
            raise TimeoutError(msg)
        time.sleep(0.05)


def log_lines(
    container: Container, *, stdout: bool = True, stderr: bool = False
) -> list[tuple[str, str]]:
    """The container's log lines as ``(timestamp, line)``, via ``timestamps=True``.

    Line ends (``\\n``, and the ``\\r\\n`` of a TTY) are stripped.
    """
    raw = container.logs(stdout=stdout, stderr=stderr, timestamps=True).decode()
    out = []
    for entry in raw.splitlines():
        match = _TIMESTAMP.match(entry)
        if match is None:
            msg = f"log line without a timestamp: {entry!r}"
            raise ValueError(msg)
        out.append((match.group(1), entry[match.end() :].rstrip("\r")))
    return out


def _owner_is_dead(owner: str) -> bool:
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine's, or not ours to judge
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def remove_test_containers(
    client: docker.DockerClient, *, owner: str | None = None, stale_only: bool = False
) -> int:
    """Force-remove test containers (name prefix ``tracerun-test-``); return how many.

    All of them by default; only those of ``owner`` (see ``owner_token``) if
    given; with ``stale_only``, only those whose owner process on this host is
    gone (safe while other test sessions use the same engine).
    """
    import docker.errors

    removed = 0
    for container in client.containers.list(all=True, filters={"name": NAME_PREFIX}):
        if not container.name or not container.name.startswith(NAME_PREFIX):
            continue
        label = container.labels.get(OWNER_LABEL, "")
        if owner is not None and label != owner:
            continue
        if stale_only and not _owner_is_dead(label):
            continue
        try:
            container.remove(force=True, v=True)
        except docker.errors.NotFound:
            continue
        except docker.errors.APIError as exc:
            if exc.status_code == 409:  # removal already in progress
                continue
            raise
        removed += 1
    return removed


class ContainerFactory:
    """Creates test containers with ``run_container`` and removes them on ``close``."""

    def __init__(self, client: docker.DockerClient) -> None:
        self.client = client
        self.created: list[Container] = []

    def __call__(self, name: str, script: str, **kwargs: Any) -> Container:
        container = run_container(self.client, name, script, **kwargs)
        self.created.append(container)
        return container

    def close(self) -> None:
        import docker.errors

        while self.created:
            container = self.created.pop()
            try:
                container.remove(force=True, v=True)
            except docker.errors.NotFound:
                pass
            except docker.errors.APIError as exc:
                if exc.status_code != 409:  # 409: removal already in progress
                    raise
