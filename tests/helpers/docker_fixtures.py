"""Pytest plugin: fixtures for tests that need a real Docker engine.

Register it (``tests/`` must be on ``sys.path``, which it is once
``tests/conftest.py`` exists and ``tests/`` has no ``__init__.py``)::

    # tests/conftest.py
    pytest_plugins = ["helpers.docker_fixtures"]

or on the command line: ``PYTHONPATH=tests pytest -p helpers.docker_fixtures``.

Fixtures:

``docker_client``
    session-scoped ``docker.DockerClient`` for the engine named by the
    environment (``DOCKER_HOST``, else the default socket).
``docker_host_url``
    that engine's URL, e.g. ``unix:///tmp/tracerun-engine/docker.sock``.
``containers``
    factory: ``containers(name, script, *, tty=False, labels=None,
    wait_exit=False, ...)`` runs ``sh -c script`` in the test image (see
    ``helpers.engine.run_container``); the containers are removed after the test.

Without a reachable engine (or without the test image), tests using these
fixtures, and tests marked ``docker``, skip with a reason; under ``CI=true``
they fail instead: CI must never silently skip them.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from helpers.engine import (
    ContainerFactory,
    docker_host,
    engine_client,
    engine_problem,
    owner_token,
    remove_test_containers,
)

if TYPE_CHECKING:
    import docker

UNREACHABLE = (
    "no Docker engine reachable (set DOCKER_HOST or run scripts/test-engine.sh up)"
)


def in_ci() -> bool:
    """True under ``CI=true`` (also ``1``/``yes``), as CI services set it."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


@functools.cache
def _engine_problem() -> str | None:
    """Why docker tests can't run in this session (checked once), or None."""
    client = engine_client()
    if client is None:
        return f"{UNREACHABLE}; DOCKER_HOST={docker_host()}"
    try:
        return engine_problem(client)
    finally:
        client.close()


def require_engine() -> None:
    """Skip the current test if there is no usable engine; fail instead under CI."""
    problem = _engine_problem()
    if problem is None:
        return
    if in_ci():
        pytest.fail(f"CI=true and {problem}", pytrace=False)
    pytest.skip(problem)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "docker: needs a reachable Docker engine (skipped without one, except under CI=true)",
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("docker") is not None:
        require_engine()


@pytest.fixture(scope="session")
def docker_client() -> Iterator[docker.DockerClient]:
    require_engine()
    client = engine_client()
    if client is None:  # went away since the check
        if in_ci():
            pytest.fail(f"CI=true and {UNREACHABLE}", pytrace=False)
        pytest.skip(UNREACHABLE)
    remove_test_containers(client, stale_only=True)  # leftovers of dead sessions
    try:
        yield client
    finally:
        remove_test_containers(client, owner=owner_token())
        client.close()


@pytest.fixture(scope="session")
def docker_host_url(docker_client: docker.DockerClient) -> str:
    return docker_host()


@pytest.fixture
def containers(docker_client: docker.DockerClient) -> Iterator[ContainerFactory]:
    factory = ContainerFactory(docker_client)
    try:
        yield factory
    finally:
        factory.close()
