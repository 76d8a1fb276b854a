"""Engine: a Docker engine URL → a connected SDK client, and its failures in one line.

Shared by the docker source's reading, following, `sources` and `init`. Every
way the SDK, requests and urllib3 report a missing, refused or locked engine
becomes one EngineError with a reason and a hint.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from tracerun.sources.base import ReadError

if TYPE_CHECKING:
    from docker import DockerClient

DEFAULT_HOST = "unix:///var/run/docker.sock"
POOL = 16
"""Connections per client (docker.py reads containers with as many threads)."""
_PROBE_TIMEOUT_S = 5


class EngineError(ReadError):
    """The engine could not be reached or refused us; carries reason and hint."""

    hint: str

    def __init__(self, reason: str, hint: str) -> None:
        super().__init__(reason, hint)


def engine_url(host: str | None) -> str:
    """Name the engine a source talks to: its `host`, else DOCKER_HOST, else the default."""
    return host or os.environ.get("DOCKER_HOST") or DEFAULT_HOST


@contextmanager
def connect(host: str | None, source: str) -> Iterator[DockerClient]:
    """Open a client for `host` (default: the environment, as the docker CLI).

    An `ssh://` engine is reached through `dial.bridge`: `ssh HOST docker
    system dial-stdio` per connection, as the docker CLI does.

    Raises:
        EngineError: the engine does not answer, or the socket is not ours to use.
    """
    url = engine_url(host)
    if not url.startswith("ssh://"):
        _probe_socket(url, host, source)
        with _client(url, url, host, source) as client:
            yield client
        return
    with (
        _dialled(url, host, source) as local,
        _client(local, url, host, source) as client,
    ):
        yield client


@contextmanager
def _client(
    local: str, url: str, host: str | None, source: str
) -> Iterator[DockerClient]:
    """Open a client for the engine at `local`; errors name `url`, the one named."""
    import docker  # noqa: PLC0415 - ~160 ms; only for profiles with a docker source

    environment = {**os.environ, "DOCKER_HOST": local}
    with _engine_errors(url, host, source), _bad_url(url, host, source):
        client = docker.from_env(environment=environment, max_pool_size=POOL)
    try:
        with _engine_errors(url, host, source):
            yield client
    finally:
        client.close()


@contextmanager
def _dialled(url: str, host: str | None, source: str) -> Iterator[str]:
    """Bridge to the `ssh://` engine `url`, yielding its local URL; failures explained.

    Why the bridge's word wins: the SDK only sees a closed connection, while
    ssh or the remote `docker` wrote the reason on their stderr.
    """
    from tracerun.sources.docker import dial  # noqa: PLC0415 - only for ssh:// engines

    where = f"sources.{source}.host" if host else "DOCKER_HOST"
    try:
        with dial.bridge(url) as bridge:
            try:
                yield bridge.url
            except EngineError as exc:
                why = bridge.failure()
                if why is None:
                    raise
                hint = exc.hint
                if not bridge.failed_in_ssh():
                    hint = (
                        f"docker on that host could not serve its engine; is {where} "
                        f"right? try: ssh {bridge.engine.destination} docker version"
                    )
                reason = f"cannot reach the Docker engine at {url}: {why}"
                raise EngineError(reason, hint) from None
    except dial.DialError as exc:
        reason = f"cannot reach the Docker engine at {url}: {exc.reason}"
        raise EngineError(reason, f"is {where} right? {exc.hint}") from None


@contextmanager
def _engine_errors(url: str, host: str | None, source: str) -> Iterator[None]:
    """Turn the SDK's connection and API errors into EngineError (NotFound passes)."""
    import docker.errors  # noqa: PLC0415
    import requests.exceptions  # noqa: PLC0415
    import urllib3.exceptions  # noqa: PLC0415

    try:
        yield
    except docker.errors.NotFound:
        raise
    except docker.errors.APIError as exc:
        reason = f"the engine at {url} refused: {exc.explanation or exc}"
        raise EngineError(reason, _api_hint(str(exc.explanation))) from None
    except (requests.exceptions.ChunkedEncodingError, urllib3.exceptions.HTTPError):
        reason = "the engine ended the log stream before its end"
        hint = "was the container removed, or the engine restarted? run it again"
        raise EngineError(reason, hint) from None
    except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
        raise _engine_error(exc, url, host, source) from None


@contextmanager
def _bad_url(url: str, host: str | None, source: str) -> Iterator[None]:
    """Turn the ValueError of an engine URL the SDK cannot parse into EngineError.

    Why: `DOCKER_HOST=tcp://localhost:99999` reaches urllib's port check, which
    raises ValueError (issue #12); a profile's `host` is checked when loaded.
    """
    try:
        yield
    except ValueError as exc:
        where = f"sources.{source}.host" if host else "DOCKER_HOST"
        reason = f"{where} {url} is not a Docker engine URL: {str(exc).lower()}"
        hint = f"set {where} to an engine's URL, e.g. unix:///var/run/docker.sock"
        raise EngineError(reason, hint) from None


def _probe_socket(url: str, host: str | None, source: str) -> None:
    """Connect to a unix socket once, so that a missing or locked one is reported.

    Why: when the connection fails, the SDK's unix transport leaves its socket
    unclosed (a ResourceWarning later, somewhere unrelated); this probe closes
    its own, and the SDK only ever sees a socket that answered.
    """
    if not url.startswith(("unix://", "http+unix://")):
        return
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    probe.settimeout(_PROBE_TIMEOUT_S)
    try:
        probe.connect(url.split("://", 1)[1])
    except OSError as exc:
        raise _engine_error(exc, url, host, source) from None
    finally:
        probe.close()


def _api_hint(explanation: str) -> str:
    if "does not support reading" in explanation:
        return (
            "its logging driver keeps no readable log; use json-file, local or "
            "journald (docker inspect --format '{{.HostConfig.LogConfig}}' NAME)"
        )
    return "check the engine's log (journalctl -u docker) and docker version"


def _engine_error(
    exc: BaseException, url: str, host: str | None, source: str
) -> EngineError:
    cause = _os_error(exc)
    if isinstance(cause, PermissionError):
        path = url.split("://", 1)[-1]
        return EngineError(
            f"permission denied on the Docker socket {path}",
            "add your user to the socket's group (usually docker: "
            "sudo usermod -aG docker $USER, then log in again), or point "
            "DOCKER_HOST at an engine you may use",
        )
    if host:
        hint = (
            f"is the engine running, and is sources.{source}.host right? "
            f"try: docker -H {url} info"
        )
    elif os.environ.get("DOCKER_HOST"):
        hint = "is the engine running, and is DOCKER_HOST right? try: docker info"
    else:
        hint = (
            "is the engine running? DOCKER_HOST is not set, so the default socket "
            "was tried; set DOCKER_HOST (or the source's host:) to your engine's URL"
        )
    return EngineError(
        f"cannot reach the Docker engine at {url}: {_why(cause, exc)}", hint
    )


def _why(cause: OSError | None, exc: BaseException) -> str:
    if isinstance(cause, FileNotFoundError):
        return "no such socket"
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused"
    if isinstance(cause, TimeoutError):
        return "timed out"
    if cause is not None and cause.strerror:
        return cause.strerror.lower()
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _os_error(exc: BaseException) -> OSError | None:
    """Find the OSError at the bottom of the SDK's (requests', urllib3's) wrapping."""
    seen: set[int] = set()
    todo: list[object] = [exc]
    while todo:
        item = todo.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, OSError) and type(item).__module__ == "builtins":
            return item
        todo.extend([item.__cause__, item.__context__, *item.args])
    return None
