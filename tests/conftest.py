"""Shared pytest configuration for the whole test tree."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from tracerun.errors import forget_secrets

# Property tests (hypothesis) that do not set max_examples themselves run 100
# examples by default and 10,000 under HYPOTHESIS_PROFILE=ci, which
# scripts/test sets when CI=true: those are the hostile-input properties of
# #12 (profiles, log lines, expressions); keep them in-process and fast.
# Unit properties (a parser's round trip, the merge's order) set their own.
settings.register_profile("default", deadline=None)
settings.register_profile(
    "ci",
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# Docker engine fixtures, private sshd hosts and a headless browser (tests/ is
# on sys.path: it has a conftest.py and no __init__.py); see
# tests/helpers/docker_fixtures.py, tests/helpers/sshd.py and tests/helpers/browser.py.
pytest_plugins = ["helpers.docker_fixtures", "helpers.sshd", "helpers.browser"]


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


@pytest.fixture(autouse=True)
def _private_config_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
):
    """No test reads or writes the real ~/.config/tracerun (trusted profiles, #15).

    TRACERUN_TRUST is unset too, so a CI that sets it cannot hide the check.
    """
    config = tmp_path_factory.mktemp("xdg-config")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.delenv("TRACERUN_TRUST", raising=False)
    return config
