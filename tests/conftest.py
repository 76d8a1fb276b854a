"""Shared pytest configuration for the whole test tree."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from tracerun.errors import forget_secrets

# Property tests (hypothesis) that do not set max_examples themselves run 100
# examples by default and 10,000 under HYPOTHESIS_PROFILE=ci, which
# scripts/test sets when CI=true: keep such a property in-process and fast.
settings.register_profile("default", deadline=None)
settings.register_profile(
    "ci",
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# Docker engine fixtures and private sshd hosts (tests/ is on sys.path: it has
# a conftest.py and no __init__.py); see tests/helpers/docker_fixtures.py and
# tests/helpers/sshd.py.
pytest_plugins = ["helpers.docker_fixtures", "helpers.sshd"]


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add `--update-testdata`: rewrite golden files instead of comparing with them."""
    parser.addoption(
        "--update-testdata",
        action="store_true",
        default=False,
        help="rewrite golden files (tests/**/testdata, schemas/) from current output",
    )


@pytest.fixture(autouse=True)
def _no_secrets_from_other_tests():
    """Each test starts with no `${VAR}` value registered as a secret (errors.mask)."""
    forget_secrets()
    yield
    forget_secrets()
